// edu: QEMU's educational PCI device (-device edu, PCI 1234:11e8), as in
// QEMU's hw/misc/edu.c and docs/specs/edu.rst. Registers in memory BAR 0
// (1 MiB), 32-bit accesses below 0x80, 32- or 64-bit from 0x80 on (a 32-bit
// write of a DMA register sets it whole, the upper half zero).
//
// The DMA engine copies `count` bytes between RAM at a bus address and the
// device's 4-KiB buffer, which it sees at device address 0x40000: write the
// source, destination and count, then the command with `start`; the engine
// runs (QEMU: 100 ms of virtual time later), clears `start`, and raises the
// DMA interrupt if the command asked for it. QEMU masks bus addresses with
// its dma_mask property, 28 bits by default: a buffer must lie below 256 MiB.
#pragma once

#include <cstdint>

namespace axl::hw::edu {

inline constexpr uint16_t vendor = 0x1234;
inline constexpr uint16_t device = 0x11e8;
inline constexpr uint32_t class_code = 0x00ff00;  // PCI_CLASS_OTHERS
inline constexpr uint8_t revision = 0x10;
inline constexpr uint32_t bar0_size = 1u << 20;

inline constexpr uint32_t identification = 0x00;  // r: 0x010000ed (version 1.0, magic 0xed)
inline constexpr uint32_t liveness = 0x04;        // w: a value; r: its bitwise inverse
inline constexpr uint32_t factorial = 0x08;
inline constexpr uint32_t status = 0x20;
inline constexpr uint32_t interrupt_status = 0x24;       // r: the raised interrupt bits
inline constexpr uint32_t interrupt_raise = 0x60;        // w: bits to raise
inline constexpr uint32_t interrupt_acknowledge = 0x64;  // w: bits to clear (INTx drops at none)
inline constexpr uint32_t dma_source = 0x80;
inline constexpr uint32_t dma_destination = 0x88;
inline constexpr uint32_t dma_count = 0x90;
inline constexpr uint32_t dma_command = 0x98;

inline constexpr uint32_t identification_value = 0x010000ed;

inline constexpr uint32_t command_start = 1u << 0;      // set by the driver, cleared when done
inline constexpr uint32_t command_to_ram = 1u << 1;     // 1: device buffer -> RAM; 0: RAM -> device buffer
inline constexpr uint32_t command_interrupt = 1u << 2;  // raise dma_interrupt when done

inline constexpr uint32_t factorial_interrupt = 0x001;
inline constexpr uint32_t dma_interrupt = 0x100;

inline constexpr uint64_t buffer_address = 0x40000;  // the device's buffer, in its DMA addresses
inline constexpr uint32_t buffer_bytes = 4096;
// QEMU 7.2's range check compares a transfer's exclusive end with `<`, so a
// transfer reaching the buffer's last byte is out of range there, and QEMU
// stops the whole machine (hw_error). Later QEMUs fixed the check; a driver
// that must run on 7.2 moves at most this much.
inline constexpr uint32_t transfer_bytes_max = buffer_bytes - 1;
inline constexpr uint64_t default_dma_mask = (uint64_t{1} << 28) - 1;
inline constexpr uint64_t dma_delay_ns = 100'000'000;  // QEMU runs the transfer 100 ms after the command

}  // namespace axl::hw::edu
