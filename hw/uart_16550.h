// The UART's registers: the subset of the National Semiconductor 16550A that
// drivers use (8-bit registers at offsets 0..7 from the base port, COM1 at
// 0x3F8, IRQ 4), so the same driver code can run against QEMU's and a real
// PC's 16550. Simulated in sim/machine/uart.cc: 16-byte transmit and receive
// FIFOs; a byte takes 10 bit times on the wire at the configured baud rate.
#pragma once

#include <cstdint>

namespace axl::hw::uart {

inline constexpr uint16_t io_size = 8;
inline constexpr uint32_t fifo_bytes = 16;

inline constexpr uint16_t data = 0;           // r: receive buffer (RBR); w: transmit holding (THR)
inline constexpr uint16_t interrupt_enable = 1;  // IER
inline constexpr uint16_t interrupt_id = 2;   // r: IIR
inline constexpr uint16_t fifo_control = 2;   // w: FCR
inline constexpr uint16_t line_control = 3;   // LCR (bit 7: divisor latch access; the divisor is kept, unused)
inline constexpr uint16_t modem_control = 4;  // MCR (bit 3, OUT2, gates the IRQ line on a PC; kept, not required)
inline constexpr uint16_t line_status = 5;    // LSR
inline constexpr uint16_t modem_status = 6;   // MSR
inline constexpr uint16_t scratch = 7;        // SCR

// IER
inline constexpr uint8_t ier_receive = 1u << 0;   // received data available
inline constexpr uint8_t ier_transmit = 1u << 1;  // transmit holding register empty
inline constexpr uint8_t ier_line_status = 1u << 2;  // receiver line status: an overrun

// IIR (bit 0 set: no interrupt pending; bits 6-7 set: FIFOs enabled)
inline constexpr uint8_t iir_none = 0x01;
inline constexpr uint8_t iir_transmit_empty = 0x02;
inline constexpr uint8_t iir_receive = 0x04;
inline constexpr uint8_t iir_line_status = 0x06;
inline constexpr uint8_t iir_id_mask = 0x0F;

// FCR
inline constexpr uint8_t fcr_enable = 1u << 0;
inline constexpr uint8_t fcr_clear_receive = 1u << 1;
inline constexpr uint8_t fcr_clear_transmit = 1u << 2;

// LSR
inline constexpr uint8_t lsr_data_ready = 1u << 0;
inline constexpr uint8_t lsr_overrun = 1u << 1;        // a byte arrived with the receive FIFO full (cleared by reading LSR)
inline constexpr uint8_t lsr_transmit_empty = 1u << 5; // THRE: the transmit FIFO has room for 16 bytes
inline constexpr uint8_t lsr_idle = 1u << 6;           // TEMT: nothing left to send

}  // namespace axl::hw::uart
