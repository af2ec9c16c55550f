// The simulated block device (registers in hw/block.h): a disk of
// 512-byte sectors backed by a host file, one command at a time.
//
// A command is taken when written (its sector, count and DMA window are
// latched then, so a driver rewriting them meanwhile changes nothing) and
// the device is busy until it completes: after access_ns for a flush or a
// command it refuses (bad range, unknown command), after access_ns + count *
// ns_per_sector for a read or write. The data moves at completion: a read
// reads the file and DMAs into the window, a write DMAs out of the window and
// then writes the file, so a refused DMA leaves the disk untouched.
// Completion clears busy, sets done (and error with its code if it failed),
// counts the command in `completed` and raises the IRQ. Taking a command
// clears done and error left from the previous one. A command written while
// busy is refused with error_busy and disturbs nothing else: the one in
// flight completes as it would have, and the refusal's error stays set (even
// across a successful completion) until the driver clears it.
//
// The backing file stays open, read/write, for the device's lifetime; its
// size, fixed at construction, is the disk's capacity.
//
// The host must outlive the device: the destructor cancels its pending event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hw/block.h"
#include "sim/machine/armed_faults.h"
#include "sim/machine/device.h"

namespace axl::sim {

struct BlockConfig {
    // A constant of its own: the device kinds' constexpr tables take it without
    // building a config (clang 14 cannot, its std::string member in the way).
    static constexpr uint32_t default_irq_line = 14;
    uint32_t irq_line = default_irq_line;
    // The backing host file: must exist; its size must be a multiple of 512.
    std::string path{};
    uint64_t access_ns = 50'000;    // fixed latency of every command
    uint64_t ns_per_sector = 2'000;  // transfer time per 512-byte sector
    uint32_t max_sectors = 256;      // largest count one command takes
};

class BlockDevice final : public Device {
public:
    // Throws std::runtime_error naming the file if it cannot be opened or its
    // size is not a whole number of sectors.
    BlockDevice(DeviceHost& host, const BlockConfig& config);
    ~BlockDevice() override;
    BlockDevice(const BlockDevice&) = delete;
    BlockDevice& operator=(const BlockDevice&) = delete;

    uint16_t io_size() const override { return hw::block::io_size; }
    uint32_t read(uint16_t offset, uint32_t width) override;
    void write(uint16_t offset, uint32_t width, uint32_t value) override;

    uint64_t capacity_sectors() const { return m_capacity_sectors; }
    bool inject(DeviceFault fault, uint64_t seed) override;

private:
    // Owns the backing file's descriptor, so a constructor that throws after
    // opening it still closes it.
    class FileDescriptor {
    public:
        explicit FileDescriptor(int fd) : m_fd(fd) {}
        ~FileDescriptor();
        FileDescriptor(const FileDescriptor&) = delete;
        FileDescriptor& operator=(const FileDescriptor&) = delete;
        int get() const { return m_fd; }

    private:
        int m_fd;
    };

    // What a taken command works on, latched when it was written.
    struct Command {
        uint32_t opcode = 0;
        uint64_t sector = 0;
        uint32_t count = 0;
        GrantId grant;
        uint32_t dma_offset = 0;
    };

    uint32_t read_register(uint16_t offset) const;
    void write_command(uint32_t opcode);
    // The error a command is refused with before any work, or error_none.
    uint32_t validate(const Command& command) const;
    void complete(const Command& command, uint32_t refused_with);
    uint32_t transfer_in(const Command& command);   // disk -> memory
    uint32_t transfer_out(const Command& command);  // memory -> disk
    uint32_t flush_file();
    void set_error(uint32_t code);

    DeviceHost& m_host;
    const BlockConfig m_config;
    FileDescriptor m_file;
    uint64_t m_capacity_sectors = 0;

    uint64_t m_sector = 0;
    uint32_t m_count = 0;
    uint32_t m_dma_grant = 0;
    uint32_t m_dma_offset = 0;
    uint32_t m_last_command = 0;
    uint32_t m_status = 0;
    uint32_t m_completed = 0;
    std::optional<EventQueue::Id> m_completion;
    // Injected faults waiting for the next command (sim/harness/fault_injector.h).
    ArmedFaults m_faults;
};

}  // namespace axl::sim
