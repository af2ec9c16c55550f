// register_access: the cost of one device register access, kernel-mediated
// or direct. A driver-privileged process writes and reads back the 16550's
// scratch register `rounds` times (after `warmup` more), timing them with the
// kernel clock, and checks every value read. With access = "kernel" each
// access is a device_io kernel call; with access = "direct" it is a plain
// in/out (x86-64: opened in the TSS's I/O bitmap; hosted: charged its virtual
// time only). Under `axl boot --icount` the figure is instructions per access
// (tools/path-length.sh, results/README.md).
#include <cstdint>

#include "hw/uart_16550.h"
#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using namespace axl::workloads;

constexpr ProgramOption io_base_option = integer_option("io_base", 0x2F8, 0, 0xFFFF, "the UART's first port");
constexpr ProgramOption warmup_option = integer_option("warmup", 100, 0, 1'000'000'000, "untimed pairs first");
constexpr ProgramOption rounds_option = integer_option("rounds", 10000, 1, 1'000'000'000, "timed write + read pairs");

void write_then_read(uint16_t scratch, uint32_t value) {
    check_ok(io_write(scratch, value & 0xFF), "write the scratch register");
    uint32_t back = 0;
    check_ok(io_read(scratch, back), "read the scratch register");
    if (back != (value & 0xFF)) fail("scratch register: wrote %#x, read %#x", value & 0xFF, back);
}

}  // namespace

AXL_PROGRAM(register_access, "times `rounds` write + read pairs of a UART's scratch register, checking each",
            io_base_option, warmup_option, rounds_option) {
    const uint16_t scratch = static_cast<uint16_t>(option_int(io_base_option) + hw::uart::scratch);
    const int64_t warmup = option_int(warmup_option);
    const int64_t rounds = option_int(rounds_option);
    if (rounds <= 0 || warmup < 0) fail("rounds must be positive and warmup not negative");
    for (int64_t i = 0; i < warmup; ++i) write_then_read(scratch, static_cast<uint32_t>(i));
    uint64_t start = 0, end = 0;
    check_ok(clock(start), "clock");
    for (int64_t i = 0; i < rounds; ++i) write_then_read(scratch, static_cast<uint32_t>(i * 7));
    check_ok(clock(end), "clock");
    const uint64_t accesses = 2 * static_cast<uint64_t>(rounds);
    const uint64_t hundredths = (end - start) * 100 / accesses;
    log("ok: %llu register accesses, %llu.%02llu ns each (clock %llu ns in all)", ull(accesses),
        ull(hundredths / 100), ull(hundredths % 100), ull(end - start));
    return 0;
}
