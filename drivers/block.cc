// block_driver: drives the simulated disk (hw/block.h) and serves the
// block protocol (kernel/api/protocols/block.h).
//
// The device reaches memory only through a DMA window: a bounce buffer the
// driver grants to HARDWARE once, at start. A request moves through it in
// pieces of at most the window (or the device's largest command): for a
// write, safecopy from the requester's grant into the window, then the write
// command; for a read, the read command, then safecopy out. One request at a
// time, as MINIX's simple drivers work: while a command runs the driver waits
// for HARDWARE only, and other requests wait their turn in the IPC layer.
//
// Arguments: io_base, irq (from the [[device]] table).
#include <cstddef>
#include <cstdint>

#include "hw/block.h"
#include "kernel/api/device.h"
#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/block.h"
#include "libsys/checks.h"
#include "libsys/sealed_reply.h"

namespace {

using namespace axl;
namespace disk = axl::hw::block;

// Set by the [[device]] table that names this driver (docs/system-description.md).
constexpr ProgramOption io_base_option = integer_option("io_base", 0x1100, 0, 0xFFFF, "the disk's first port");
constexpr ProgramOption irq_option = integer_option("irq", 14, 0, 63, "the disk's interrupt line");

constexpr uint32_t window_sectors = 64;
constexpr size_t window_bytes = window_sectors * disk::sector_bytes;

class BlockDriver {
public:
    explicit BlockDriver(uint8_t* window)
        : m_base(static_cast<uint16_t>(sys::option_int(io_base_option))),
          m_irq(static_cast<uint32_t>(sys::option_int(irq_option))),
          m_window(window) {}

    void setup() {
        check(grant_create(endpoints::hardware, m_window, window_bytes, GrantAccess::read_write, m_dma),
              "grant the DMA window");
        check(irq_attach(m_irq), "attach the IRQ line");
        // A previous incarnation may have died with a command running, or
        // been killed because a command never completed: start clean. The
        // request it was serving is re-issued by whoever sent it.
        set_reg(disk::command, disk::command_reset);
        m_sectors = uint64_t{reg(disk::capacity_high)} << 32 | reg(disk::capacity_low);
        const uint32_t device_max = reg(disk::max_sectors_reg);
        m_chunk_sectors = device_max < window_sectors ? device_max : window_sectors;
        if (m_sectors == 0 || m_chunk_sectors == 0) fail("the disk reports no sectors or no transfer size");
    }

    [[noreturn]] void run() {
        for (;;) {
            Message m;
            check(receive(endpoints::any, m), "receive");
            if (m.source == endpoints::hardware) {
                // No command runs between requests: a stray interrupt.
                check(irq_enable(m_irq), "re-enable the IRQ line");
                continue;
            }
            Message reply;
            reply.type = block::reply;
            reply.payload.words[3] = disk::sector_bytes;
            const bool is_request = m.type == block::info || m.type == block::read || m.type == block::write;
            sys::reply_sealed(m, is_request, reply, [&](Message& answer) {
                if (m.type == block::info) {
                    answer.payload.words[0] = static_cast<uint64_t>(Status::ok);
                    answer.payload.words[1] = m_sectors;
                } else {
                    transfer(m, answer);
                }
            });
        }
    }

private:
    void check(Status status, const char* what) {
        if (status != Status::ok) fail("cannot %s: %s", what, to_string(status));
    }
    uint32_t reg(uint16_t offset) {
        uint32_t value = 0;
        check(io_read(static_cast<uint16_t>(m_base + offset), value, IoWidth::word), "read a disk register");
        return value;
    }
    void set_reg(uint16_t offset, uint32_t value) {
        check(io_write(static_cast<uint16_t>(m_base + offset), value, IoWidth::word), "write a disk register");
    }

    void transfer(const Message& request, Message& reply) {
        const bool writing = request.type == block::write;
        const uint64_t first = request.payload.words[0];
        const uint64_t count = request.payload.words[1];
        const GrantId grant{static_cast<uint32_t>(request.payload.words[2])};
        const uint64_t grant_offset = request.payload.words[3];
        Status status = Status::ok;
        uint32_t device_error = disk::error_none;
        if (count == 0 || first >= m_sectors || count > m_sectors - first) status = Status::bad_argument;
        uint64_t done = 0;
        while (status == Status::ok && done < count) {
            const uint64_t left = count - done;
            const uint32_t sectors = static_cast<uint32_t>(left < m_chunk_sectors ? left : m_chunk_sectors);
            const size_t bytes = size_t{sectors} * disk::sector_bytes;
            const size_t offset = grant_offset + done * disk::sector_bytes;
            if (writing) status = safecopy_from(request.source, grant, offset, m_window, bytes);
            if (status != Status::ok) break;
            // A failed command is tried again a few times: media errors are
            // often transient, and a retry costs only time.
            for (uint32_t attempt = 0; attempt <= retries_max; ++attempt) {
                device_error = command(writing ? disk::command_write : disk::command_read, first + done, sectors);
                if (device_error != disk::error_io) break;
                m_retries += 1;
                log("block: I/O error at sector %llu, attempt %u of %u", static_cast<unsigned long long>(first + done),
                    attempt + 1, retries_max + 1);
            }
            if (device_error != disk::error_none) {
                status = Status::bad_address;
                break;
            }
            if (!writing) status = safecopy_to(request.source, grant, offset, m_window, bytes);
            if (status == Status::ok) done += sectors;
        }
        reply.payload.words[0] = static_cast<uint64_t>(status);
        reply.payload.words[1] = done;
        reply.payload.words[2] = device_error;
    }

    // Runs one command and waits for its completion interrupt; the device's
    // error code (error_none on success).
    uint32_t command(uint32_t what, uint64_t sector, uint32_t sectors) {
        set_reg(disk::sector_low, static_cast<uint32_t>(sector));
        set_reg(disk::sector_high, static_cast<uint32_t>(sector >> 32));
        set_reg(disk::count, sectors);
        set_reg(disk::dma_grant, m_dma.raw);
        set_reg(disk::dma_offset, 0);
        set_reg(disk::command, what);
        uint32_t status = 0;
        for (;;) {
            Message notification;
            check(receive(endpoints::hardware, notification), "wait for the disk");
            status = reg(disk::status);
            check(irq_enable(m_irq), "re-enable the IRQ line");
            if (!(status & disk::status_busy) && (status & disk::status_done)) break;
        }
        set_reg(disk::status, disk::status_done | disk::status_error);  // write 1s to clear
        return status & disk::status_error ? (status & disk::error_mask) >> disk::error_shift : disk::error_none;
    }

    const uint16_t m_base;
    const uint32_t m_irq;
    uint8_t* const m_window;
    GrantId m_dma;
    static constexpr uint32_t retries_max = 3;
    uint64_t m_sectors = 0;
    uint32_t m_chunk_sectors = 0;
    uint64_t m_retries = 0;
};

}  // namespace

AXL_PROGRAM(block_driver, "block device driver: sector reads and writes by DMA (block protocol)",
            io_base_option, irq_option) {
    // The DMA window lives on the driver's own stack (give it stack >= 64KiB
    // more than the default), so every instance of the driver has its own.
    alignas(64) uint8_t window[window_bytes];
    BlockDriver driver(window);
    driver.setup();
    driver.run();
}
