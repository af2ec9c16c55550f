// An NE2000-compatible network card (National Semiconductor DP8390 core, as
// on the PCI RTL8029): its 32 I/O ports, as modelled by sim/machine/ne2000.cc.
// Names follow the DP8390 datasheet.
//
//   0x00..0x0F  the DP8390's registers, one byte each, in four pages chosen
//               by CR bits 7..6 (CR itself is at 0x00 in every page); the
//               same offset often names one register to read and another to
//               write (page 0: TSR is read where TPSR is written).
//   0x10..0x17  the data port: remote DMA to and from the card's memory.
//   0x18..0x1F  the reset port: a read resets the card (ISR RST reads 1 once
//               it is done, at once here); a write does nothing.
//
// The card's memory, as remote DMA addresses it (16-bit addresses):
//   0x0000..0x001F  the station address PROM, read-only: each of its 16 bytes
//                   twice (a word-wide card): the station address (6 bytes),
//                   zeros, and 0x57 0x57 ("WW", the NE2000 signature) in its
//                   bytes 14 and 15.
//   0x4000..0xBFFF  32 KiB of buffer RAM: pages 0x40..0xBF of 256 bytes, for
//                   transmit buffers (TPSR) and the receive ring (PSTART..PSTOP).
//   elsewhere       reads 0xFF, writes are ignored.
//
// Receive ring: frames are stored from page CURR on, each behind a 4-byte
// header (receive status, next page, byte count = 4 + frame bytes, little-
// endian), and wrap from PSTOP to PSTART. The driver reads them through
// remote DMA (which wraps the same way) and sets BNRY to the page before the
// next one to read; a frame that would reach BNRY is lost (ISR OVW, CNTR2).
#pragma once

#include <cstdint>

namespace axl::hw::ne2000 {

inline constexpr uint16_t io_size = 0x20;

// --- ports ---
inline constexpr uint16_t cr = 0x00;         // command register, every page
inline constexpr uint16_t data_port = 0x10;  // .. 0x17
inline constexpr uint16_t reset_port = 0x18; // .. 0x1F (drivers use 0x1F)

// --- page 0: read ---
inline constexpr uint16_t clda0 = 0x01;    // current local DMA address, low
inline constexpr uint16_t clda1 = 0x02;    // ... high
inline constexpr uint16_t bnry = 0x03;     // boundary (also written)
inline constexpr uint16_t tsr = 0x04;      // transmit status
inline constexpr uint16_t ncr = 0x05;      // collisions of the last transmit
inline constexpr uint16_t fifo = 0x06;
inline constexpr uint16_t isr = 0x07;      // interrupt status (also written: 1 bits clear)
inline constexpr uint16_t crda0 = 0x08;    // current remote DMA address, low
inline constexpr uint16_t crda1 = 0x09;    // ... high
inline constexpr uint16_t id0 = 0x0A;      // RTL8029AS: reads 0x50 ('P')
inline constexpr uint16_t id1 = 0x0B;      // RTL8029AS: reads 0x43 ('C')
inline constexpr uint16_t rsr = 0x0C;      // receive status
inline constexpr uint16_t cntr0 = 0x0D;    // frame alignment errors (cleared by reading)
inline constexpr uint16_t cntr1 = 0x0E;    // CRC errors (cleared by reading)
inline constexpr uint16_t cntr2 = 0x0F;    // missed frames (cleared by reading)

// --- page 0: write ---
inline constexpr uint16_t pstart = 0x01;   // first page of the receive ring
inline constexpr uint16_t pstop = 0x02;    // page after the receive ring
inline constexpr uint16_t tpsr = 0x04;     // transmit page start
inline constexpr uint16_t tbcr0 = 0x05;    // transmit byte count, low
inline constexpr uint16_t tbcr1 = 0x06;    // ... high
inline constexpr uint16_t rsar0 = 0x08;    // remote start address, low
inline constexpr uint16_t rsar1 = 0x09;    // ... high
inline constexpr uint16_t rbcr0 = 0x0A;    // remote byte count, low
inline constexpr uint16_t rbcr1 = 0x0B;    // ... high
inline constexpr uint16_t rcr = 0x0C;      // receive configuration
inline constexpr uint16_t tcr = 0x0D;      // transmit configuration
inline constexpr uint16_t dcr = 0x0E;      // data configuration
inline constexpr uint16_t imr = 0x0F;      // interrupt mask

// --- page 1: read and write ---
inline constexpr uint16_t par0 = 0x01;     // physical (station) address, 0x01..0x06
inline constexpr uint16_t curr = 0x07;     // current page: where the next frame is stored
inline constexpr uint16_t mar0 = 0x08;     // multicast hash filter, 0x08..0x0F

// --- page 2: read (the page-0 write-only registers, for diagnostics) ---
inline constexpr uint16_t page2_pstart = 0x01;
inline constexpr uint16_t page2_pstop = 0x02;
inline constexpr uint16_t page2_tpsr = 0x04;
inline constexpr uint16_t page2_rcr = 0x0C;
inline constexpr uint16_t page2_tcr = 0x0D;
inline constexpr uint16_t page2_dcr = 0x0E;
inline constexpr uint16_t page2_imr = 0x0F;

// --- CR ---
inline constexpr uint8_t cr_stp = 0x01;       // stop: receive and transmit off, ISR RST set
inline constexpr uint8_t cr_sta = 0x02;       // start (clears ISR RST)
inline constexpr uint8_t cr_txp = 0x04;       // transmit the frame at TPSR, TBCR bytes; reads 1 until done
inline constexpr uint8_t cr_rd_mask = 0x38;   // remote DMA command:
inline constexpr uint8_t cr_rd_read = 0x08;   //   remote read
inline constexpr uint8_t cr_rd_write = 0x10;  //   remote write
inline constexpr uint8_t cr_rd_send = 0x18;   //   send packet (not modelled: treated as no DMA)
inline constexpr uint8_t cr_rd_abort = 0x20;  //   abort / complete remote DMA
inline constexpr uint8_t cr_page_mask = 0xC0;
inline constexpr uint8_t cr_page_shift = 6;
inline constexpr uint8_t cr_power_on = cr_stp | cr_rd_abort;  // 0x21

// --- ISR / IMR ---
inline constexpr uint8_t isr_prx = 0x01;  // frame received
inline constexpr uint8_t isr_ptx = 0x02;  // frame transmitted
inline constexpr uint8_t isr_rxe = 0x04;  // receive error
inline constexpr uint8_t isr_txe = 0x08;  // transmit error (TSR says which)
inline constexpr uint8_t isr_ovw = 0x10;  // receive ring overwrite: a frame was lost
inline constexpr uint8_t isr_cnt = 0x20;  // a counter reached 128
inline constexpr uint8_t isr_rdc = 0x40;  // remote DMA complete
inline constexpr uint8_t isr_rst = 0x80;  // stopped (reset state); not an interrupt, not cleared by writing
inline constexpr uint8_t isr_interrupts = 0x7F;

// --- TSR ---
inline constexpr uint8_t tsr_ptx = 0x01;  // transmitted
inline constexpr uint8_t tsr_abt = 0x08;  // aborted (here: the host refused the datagram)

// --- RSR, and the status byte of a stored frame's header ---
inline constexpr uint8_t rsr_prx = 0x01;  // received intact
inline constexpr uint8_t rsr_mpa = 0x10;  // missed: no room in the ring, or monitor mode
inline constexpr uint8_t rsr_phy = 0x20;  // multicast or broadcast destination
inline constexpr uint8_t rsr_dis = 0x40;  // receiver disabled (monitor mode)

// --- RCR ---
inline constexpr uint8_t rcr_sep = 0x01;  // save error frames (none occur on this wire)
inline constexpr uint8_t rcr_ar = 0x02;   // accept runts (none occur: frames are padded to 60)
inline constexpr uint8_t rcr_ab = 0x04;   // accept broadcast
inline constexpr uint8_t rcr_am = 0x08;   // accept multicast that hits the MAR hash
inline constexpr uint8_t rcr_pro = 0x10;  // promiscuous physical: every unicast destination
inline constexpr uint8_t rcr_mon = 0x20;  // monitor: check addresses, count in CNTR2, store nothing

// --- TCR ---
inline constexpr uint8_t tcr_crc = 0x01;   // inhibit CRC (no effect: no FCS on this wire)
inline constexpr uint8_t tcr_lb_mask = 0x06;  // loopback mode; any but 0 loops frames back to the receiver

// --- DCR ---
inline constexpr uint8_t dcr_wts = 0x01;   // word transfer: a byte access to the data port moves a word
inline constexpr uint8_t dcr_bos = 0x02;   // big-endian words (not modelled: little-endian)

// --- memory ---
inline constexpr uint32_t page_bytes = 256;
inline constexpr uint32_t prom_bytes = 32;
inline constexpr uint32_t ram_start = 0x4000;
inline constexpr uint32_t ram_bytes = 32 * 1024;
inline constexpr uint8_t ram_first_page = ram_start / page_bytes;              // 0x40
inline constexpr uint32_t ram_end_page = (ram_start + ram_bytes) / page_bytes;  // 0xC0
inline constexpr uint32_t header_bytes = 4;                                     // before each stored frame
inline constexpr uint8_t counter_saturation = 192;                              // CNTR0..2 stop there
inline constexpr uint8_t rtl8029_id0 = 0x50;
inline constexpr uint8_t rtl8029_id1 = 0x43;

}  // namespace axl::hw::ne2000
