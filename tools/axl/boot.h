// `axl boot`: boots the bare-metal ISO (cmake/baremetal.cmake) in QEMU, either
// interactively (serial console on the terminal) or as a test (--test): the
// serial log is captured and echoed, a timeout kills QEMU, and the run passes
// only if the kernel reported `verdict: pass` through QEMU's isa-debug-exit
// device, printed every --expect text and no --forbid text
// (docs/bare-metal-boot.md). QEMU's QMP events (a watchdog firing, a guest
// panic, a reset) are lines of the log too, `[qemu] EVENT key=value ...`
// (tools/axl/qmp.h), which --expect and --forbid see like any other.
//
// The system and IPC strategy reach the kernel as a QEMU fw_cfg file,
// opt/axolotl/cmdline ("system=NAME ipc=S", then each --kernel-arg word), which
// overrides the command line of GRUB's default menu entry
// (kernel/arch/x86_64/fw_cfg.h).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace axl::tools {

struct BootArguments {
    std::string iso;     // "" : <directory of the axl binary>/../axolotl.iso
    std::string system;  // "" : GRUB's default entry's
    std::string ipc;     // "" : GRUB's default entry's
    std::vector<std::string> kernel_args;  // more words of the kernel's command line, e.g. interrupts=pic
    bool uefi = false;
    bool test = false;
    bool icount = false;
    bool grub_wait = false;  // --test: let GRUB's menu count down instead of pressing Enter
    unsigned timeout_s = 300;
    std::string log_path;  // --test: "" means a temporary file
    std::string com2_path; // what the PC's second serial port (COM2) writes: "" discards it
    std::vector<std::string> expect;
    std::vector<std::string> forbid;
    // --test: when the test passes, this file (its folder created) says so:
    // how tools/linux/coverage.py learns of a Linux driver's T4 passes.
    std::string record_path;
    std::vector<std::string> qemu_args;
};

CLI::App* add_boot_command(CLI::App& app, BootArguments& args);

// Exit code: 0 the kernel passed (and, with --test, the log has every expected
// text and no forbidden one), 1 it did not (verdict: fail, a panic, another
// QEMU exit status, a timeout, a missing or a forbidden text), 2 nothing ran: a wrong command line, a missing
// ISO, QEMU or OVMF.
int boot(const BootArguments& args);

// --- parts, for tests and for reuse --------------------------------------------------

// The serial output as a person reads it: carriage returns, control characters
// and ANSI escape sequences dropped (a cursor move to another place on the
// screen, as GRUB's menu draws, ends the line), lines of GRUB's box drawing
// and repeated blank lines left out. Feed it bytes; it calls `line` for each
// finished line.
class SerialEcho {
public:
    explicit SerialEcho(std::function<void(std::string_view)> sink) : m_sink(std::move(sink)) {}

    void feed(std::string_view bytes);
    void finish();  // the last, unterminated line

private:
    void end_line(bool forced);

    enum class State { text, escape, charset, csi };
    std::function<void(std::string_view)> m_sink;
    State m_state = State::text;
    std::string m_line;
    bool m_last_blank = true;  // no blank line at the start either
};

}  // namespace axl::tools
