// The simulated block device's registers (sim/machine/block_device.cc): a
// disk of 512-byte sectors backed by a host file. The driver sets the sector,
// count and a DMA window (a grant to endpoints::hardware, plus an offset in
// it), writes a command, and gets a completion interrupt once the latency
// model's time has passed; the data moves by DMA at completion. All registers
// are 32 bits wide, at these offsets from the device's base port.
#pragma once

#include <cstdint>

namespace axl::hw::block {

inline constexpr uint16_t io_size = 0x40;
inline constexpr uint32_t sector_bytes = 512;

inline constexpr uint16_t sector_low = 0x00;    // rw: first sector of the transfer
inline constexpr uint16_t sector_high = 0x04;
inline constexpr uint16_t count = 0x08;         // rw: sectors to transfer (1 .. max_sectors)
inline constexpr uint16_t dma_grant = 0x0C;     // rw: GrantId.raw of the DMA window
inline constexpr uint16_t dma_offset = 0x10;    // rw: byte offset in the window
inline constexpr uint16_t command = 0x14;       // w: a command below (refused while busy); r: the last one taken
inline constexpr uint16_t status = 0x18;        // r: status bits and error code; w: 1 bits clear done/error
inline constexpr uint16_t capacity_low = 0x1C;  // r: sectors on the disk
inline constexpr uint16_t capacity_high = 0x20;
inline constexpr uint16_t max_sectors_reg = 0x24;  // r: largest count one command takes
inline constexpr uint16_t completed = 0x28;     // r: commands completed since reset (wraps)

// command
inline constexpr uint32_t command_read = 1;   // disk -> memory
inline constexpr uint32_t command_write = 2;  // memory -> disk
inline constexpr uint32_t command_flush = 3;  // make written data durable in the backing file
inline constexpr uint32_t command_reset = 4;  // taken even while busy: abandons the command in flight
                                              // (no completion, no interrupt) and clears status

// status
inline constexpr uint32_t status_busy = 1u << 0;
inline constexpr uint32_t status_done = 1u << 1;   // the last command completed (raises the IRQ)
inline constexpr uint32_t status_error = 1u << 2;  // it failed: the code is in bits 8..15
inline constexpr uint32_t error_shift = 8;
inline constexpr uint32_t error_mask = 0xFFu << error_shift;

// error codes
inline constexpr uint32_t error_none = 0;
inline constexpr uint32_t error_range = 1;        // sectors beyond the disk, or count 0 / too big
inline constexpr uint32_t error_dma = 2;          // the DMA window refused the transfer
inline constexpr uint32_t error_io = 3;           // the backing file failed (or an injected fault)
inline constexpr uint32_t error_command = 4;      // unknown command
inline constexpr uint32_t error_busy = 5;         // a command was written while busy

}  // namespace axl::hw::block
