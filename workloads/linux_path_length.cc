// linux_path_length: what a register access and an interrupt delivery cost a
// Linux driver process (tools/path-length.sh, docs/linux-drivers.md). It asks
// the driver (arg "driver") through the linux_driver protocol's measure
// request to read its device's first register `registers` times with Linux's
// own accessor, and logs the time each took. With `frames` > 0 the driver is
// a network driver: it sends that many frames through it (net protocol; each
// completed transmission raises the card's interrupt), then asks what the
// interrupts' deliveries took, from the kernel's raising of the line to
// Linux's handler being called.
//
// Hosted the times are the cost model's; on bare metal under QEMU's
// `-icount shift=0` the clock counts guest instructions, so the figures are
// path lengths (tools/path-length.sh converts them).
#include <cstddef>
#include <cstdint>

#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/linux_driver.h"
#include "kernel/api/protocols/net.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using namespace axl::workloads;

constexpr ProgramOption driver_option = string_option("driver", "net", "the Linux driver's process name");
constexpr ProgramOption registers_option =
    integer_option("registers", 10000, 1, 100'000'000, "register reads to time");
constexpr ProgramOption frames_option =
    integer_option("frames", 0, 0, 1'000'000, "frames to send through a network driver (0: not one)");

// "123.45": hundredths of `total` / `count`.
struct Each {
    uint64_t whole, hundredths;
};
Each each(uint64_t total, uint64_t count) {
    const uint64_t scaled = count ? total * 100 / count : 0;
    return {scaled / 100, scaled % 100};
}

class LinuxPathLength {
public:
    LinuxPathLength()
        : m_driver_name(option_string(driver_option)),
          m_registers(static_cast<uint64_t>(option_int(registers_option))),
          m_frames(static_cast<uint64_t>(option_int(frames_option))) {}

    void setup() { m_driver = lookup_or_fail(m_driver_name); }

    void run() {
        Message m = measure(linux_driver::measure_registers, m_registers);
        const uint64_t reads = m.payload.words[1], ns = m.payload.words[2];
        const Each read = each(ns, reads);
        log("ok: %llu register accesses, %llu.%02llu ns each (clock %llu ns in all)", ull(reads), ull(read.whole),
            ull(read.hundredths), ull(ns));
        if (m_frames == 0) return;
        check_ok(grant_create(m_driver, m_frame, sizeof m_frame, GrantAccess::read, m_grant), "grant the frame");
        for (uint64_t i = 0; i < m_frames; ++i) {
            m_frame[0] = static_cast<uint8_t>(i);
            check_ok(net::send_frame(m_driver, m_grant, sizeof m_frame, 1), "send a frame");
        }
        m = measure(linux_driver::measure_interrupts, 0);
        const uint64_t count = m.payload.words[1], total = m.payload.words[2];
        const Each delivery = each(total, count);
        log("ok: %llu interrupt deliveries, %llu.%02llu ns each (clock %llu ns in all), least %llu ns, most %llu ns",
            ull(count), ull(delivery.whole), ull(delivery.hundredths), ull(total), ull(m.payload.words[3]),
            ull(m.payload.words[4]));
        // Fewer than frames: the card may complete two before the driver runs, one interrupt for both.
        if (count == 0) fail("%llu frames sent, but no interrupt handled", ull(m_frames));
    }

    void check() {}

private:
    Message measure(uint64_t what, uint64_t count) {
        Message m;
        m.type = linux_driver::measure;
        m.payload.words[0] = what;
        m.payload.words[1] = count;
        check_ok(sendrec(m_driver, m), "ask the driver to measure");
        if (m.type != linux_driver::reply) fail("the driver answered with message type %#x", m.type);
        check_ok(static_cast<Status>(m.payload.words[0]), "measure");
        return m;
    }

    const char* m_driver_name;
    uint64_t m_registers;
    uint64_t m_frames;
    Endpoint m_driver{};
    GrantId m_grant{};
    uint8_t m_frame[64] = {};
};

}  // namespace

AXL_PROGRAM(linux_path_length,
            "times a Linux driver's register reads and (for a network driver, with frames > 0) its interrupt "
            "deliveries, through the linux_driver protocol's measure request",
            driver_option, registers_option, frames_option) {
    return run_workload<LinuxPathLength>();
}
