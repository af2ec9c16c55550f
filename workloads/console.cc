// console_hello: prints through the console path (tty protocol -> uart_driver
// -> the 16550's transmit FIFO -> the UART's output), `lines` numbered lines
// (default 3), then exits. With `echo` = 1 it also reads `echo_bytes` bytes of
// input and prints them back.
#include <cstddef>
#include <cstdint>

#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/tty.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using namespace axl::workloads;

constexpr ProgramOption tty_option = string_option("tty", "tty", "the tty driver's process name");
constexpr ProgramOption lines_option = integer_option("lines", 3, 0, 1'000'000, "numbered lines to print");
constexpr ProgramOption echo_bytes_option =
    integer_option("echo_bytes", 0, 0, 1'000'000, "bytes of input to read and echo back (0: none)");

// Decimal digits of `value` into `out`; returns how many.
size_t format_decimal(uint64_t value, char* out) {
    char digits[20];
    size_t count = 0;
    do {
        digits[count++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value);
    for (size_t i = 0; i < count; ++i) out[i] = digits[count - 1 - i];
    return count;
}

class ConsoleHello {
public:
    ConsoleHello()
        : m_lines(static_cast<uint64_t>(option_int(lines_option))),
          m_echo_bytes(static_cast<uint64_t>(option_int(echo_bytes_option))) {}

    void setup() { m_tty = lookup_or_fail(option_string(tty_option)); }

    void run() {
        for (uint64_t i = 1; i <= m_lines; ++i) {
            char line[64] = "hello from a user process through the UART, line ";
            size_t length = 0;
            while (line[length]) ++length;
            length += format_decimal(i, line + length);
            line[length++] = '\n';
            check_ok(tty::tty_write(m_tty, line, length), "print through the tty");
        }
        uint64_t echoed = 0;
        while (echoed < m_echo_bytes) {
            char text[tty::chunk_bytes];
            size_t length = 0;
            check_ok(tty::tty_read(m_tty, text, sizeof text, length), "read from the tty");
            check_ok(tty::tty_write(m_tty, text, length), "echo through the tty");
            echoed += length;
        }
    }

    void check() {
        log("ok: printed %llu lines, echoed %llu bytes", ull(m_lines), ull(m_echo_bytes));
    }

private:
    const uint64_t m_lines;
    const uint64_t m_echo_bytes;
    Endpoint m_tty;
};

}  // namespace

AXL_PROGRAM(console_hello, "prints numbered lines through the tty (UART driver), optionally echoes input",
            tty_option, lines_option, echo_bytes_option) {
    return run_workload<ConsoleHello>();
}
