// `axl boot`: the bare-metal ISO in QEMU, by hand or as a test.
//
// QEMU always runs under TCG (-accel tcg), with the kernel's console on the
// first serial port as QEMU's standard output (-serial stdio) and the
// isa-debug-exit device at port 0xf4: the kernel writes 0 there after
// `verdict: pass` and 1 after `verdict: fail` or a panic, and QEMU exits with
// (value << 1) | 1, so 1 or 3. A hang exits with nothing: only a timeout ends it.
//
// --test: QEMU's standard output is a pipe; every byte goes unchanged to the
// log file and, cleaned of GRUB's escape sequences, line by line to our
// standard output. QEMU leads a process group of its own and dies with us
// (PR_SET_PDEATHSIG), so the timeout's SIGKILL to the group, or our own death,
// leaves nothing running. As soon as GRUB's menu starts counting down we press
// Enter for it on the serial line (its default entry is the one it would boot
// anyway; the fw_cfg file picks the system), which saves its 3 s of waiting --
// or, with --icount, where the countdown is 3e9 guest instructions, about 100 s.
//
// Interactive: QEMU inherits the terminal and stays in our process group, so
// that Ctrl-C reaches it (a background group could not read the terminal);
// we ignore SIGINT and SIGQUIT meanwhile, as system() does, and report its status.
//
// Both: QEMU's QMP socket, in a private temporary directory, is connected to
// as soon as QEMU has made it, and what QEMU's device models report (a
// watchdog firing, a guest panic, a reset) arrives there as events: each one
// becomes a line `[qemu] EVENT key=value ...` (tools/axl/qmp.h), put into the
// log between two serial lines and echoed, or, interactively, printed on the
// terminal. The poll that waits for the serial output waits for the events
// too. QMP is an observer: a socket that cannot be connected is said once on
// standard error, and the boot goes on without events. By default a watchdog
// that fires is only reported (-action watchdog=debug) and a guest panic too
// (-action panic=none): the guest goes on, and the kernel's verdict still ends
// the run; a test that must not see them says --forbid '[qemu] WATCHDOG'.
#include "tools/axl/boot.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "kernel/ipc_strategy.h"
#include "tools/axl/cli_checks.h"
#include "tools/axl/exit_status.h"
#include "tools/axl/qmp.h"
#include "tools/axl/shell_quote.h"
#include "tools/axl/subprocess.h"

namespace axl::tools {
namespace {

// --record FILE: one line saying what passed; a failure to write it is said,
// not fatal (the test itself passed).
void write_pass_record(const BootArguments& args) {
    namespace fs = std::filesystem;
    const fs::path path(args.record_path);
    std::error_code error;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), error);
    std::FILE* file = error ? nullptr : std::fopen(path.c_str(), "w");
    if (!file) {
        fmt::print(stderr, "axl boot: cannot write the pass record {}\n", args.record_path);
        return;
    }
    fmt::print(file, "boot test passed: system {}, ipc {}, {}\n", args.system.empty() ? "(GRUB's default)" : args.system,
               args.ipc.empty() ? "(GRUB's default)" : args.ipc, args.uefi ? "UEFI" : "BIOS");
    std::fclose(file);
}

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// QEMU's exit status through isa-debug-exit: (value << 1) | 1.
constexpr int qemu_status_pass = 1;
constexpr int qemu_status_fail = 3;

constexpr const char* qemu_program = "qemu-system-x86_64";
constexpr const char* ovmf_code = "/usr/share/OVMF/OVMF_CODE_4M.fd";
constexpr const char* ovmf_vars = "/usr/share/OVMF/OVMF_VARS_4M.fd";
constexpr const char* fw_cfg_file = "opt/axolotl/cmdline";

constexpr std::string_view pass_text = "verdict: pass";
constexpr std::string_view fail_text = "verdict: fail";
constexpr std::string_view panic_text = "KERNEL PANIC";
constexpr std::string_view qemu_event_prefix = "[qemu] ";  // qmp_event_line's
// GRUB 2's menu, once its countdown runs (grub-core/normal/menu_text.c).
constexpr std::string_view grub_countdown_text = "will be executed automatically";

// A value inside a QEMU option list ("file=...,readonly=on"): a comma is doubled.
std::string qemu_option_value(std::string_view text) {
    std::string out;
    for (char c : text) {
        out += c;
        if (c == ',') out += ',';
    }
    return out;
}

std::optional<std::string> find_on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    if (path == nullptr) return std::nullopt;
    std::string_view rest(path);
    while (true) {
        const size_t colon = rest.find(':');
        std::string dir(rest.substr(0, colon));
        if (dir.empty()) dir = ".";
        const std::string candidate = dir + "/" + name;
        struct stat info{};
        if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        if (colon == std::string_view::npos) return std::nullopt;
        rest.remove_prefix(colon + 1);
    }
}

// build/bin/axl -> build/axolotl.iso
fs::path default_iso() {
    std::error_code error;
    fs::path self = fs::read_symlink("/proc/self/exe", error);
    if (error) return "axolotl.iso";
    return (self.parent_path().parent_path() / "axolotl.iso").lexically_normal();
}

// QEMU's name for an option among the user's --qemu arguments: "-display"
// for "--display" or "-display=gtk" too.
std::string_view qemu_option_name(std::string_view arg) {
    if (arg.starts_with("--")) arg.remove_prefix(1);
    return arg.substr(0, arg.find('='));
}

// A display of the user's own (--qemu): then no "-display none" of ours.
bool chooses_display(const std::vector<std::string>& qemu_args) {
    return std::any_of(qemu_args.begin(), qemu_args.end(), [](const std::string& arg) {
        const std::string_view name = qemu_option_name(arg);
        return name == "-display" || name == "-nographic" || name == "-vnc" || name == "-curses" || name == "-sdl";
    });
}

// -S among the user's --qemu arguments: QEMU holds the guest until told
// `cont`, which we send once QMP is connected, so that no event is missed.
bool starts_held(const std::vector<std::string>& qemu_args) {
    return std::any_of(qemu_args.begin(), qemu_args.end(),
                       [](const std::string& arg) { return qemu_option_name(arg) == "-S"; });
}

// Several texts, each found once anywhere in a stream of bytes that is fed in
// pieces (a text may straddle two pieces). Memory: the longest text.
class TextWatch {
public:
    size_t add(std::string text) {
        m_keep = std::max(m_keep, text.empty() ? 0 : text.size() - 1);
        m_texts.push_back({std::move(text), false});
        return m_texts.size() - 1;
    }

    void feed(std::string_view bytes) {
        m_window.append(bytes);
        for (Text& text : m_texts)
            if (!text.found && m_window.find(text.text) != std::string::npos) text.found = true;
        if (m_window.size() > m_keep) m_window.erase(0, m_window.size() - m_keep);
    }

    bool found(size_t index) const { return m_texts[index].found; }

private:
    struct Text {
        std::string text;
        bool found;
    };
    std::vector<Text> m_texts;
    std::string m_window;
    size_t m_keep = 0;
};

std::string describe_status(const ExitStatus& status) {
    if (status.signaled()) return "QEMU killed by " + status.describe();
    return fmt::format("QEMU exited with status {}", status.code());
}

// --- the two modes --------------------------------------------------------------------------

struct TempDir {
    fs::path path;
    ~TempDir() {
        std::error_code ignored;
        if (!path.empty()) fs::remove_all(path, ignored);
    }
};

fs::path make_temporary_directory(const fs::path& base) {
    std::string name = (base / "axl-boot-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr)
        throw std::runtime_error(fmt::format("cannot make a temporary directory {}: {}", name, std::strerror(errno)));
    return name;
}

struct LogFile {
    std::string path;
    Fd fd;
    bool temporary = false;
    bool keep = true;
    ~LogFile() {
        fd.close();
        if (temporary && !keep) ::unlink(path.c_str());
    }
};

// How long QEMU may take to make its QMP socket, and how often we look.
constexpr auto qmp_patience = std::chrono::seconds(10);
constexpr int qmp_retry_ms = 10;

// Connecting to QEMU's QMP socket while QEMU starts: tried every
// qmp_retry_ms until it works, time is up or QEMU has ended; if it never
// works, that is said once on standard error, and the run goes on without
// events.
class QmpStart {
public:
    QmpStart(const fs::path& socket, bool resume, std::function<void(const std::string&)> event)
        : client(socket.string(), resume, std::move(event),
                 [](const std::string& problem) { fmt::print(stderr, "axl boot: {}\n", problem); }),
          m_resume(resume) {}

    void start(Clock::time_point give_up_at) { m_give_up_at = give_up_at; }
    bool trying() const { return m_trying; }

    // One attempt, if still trying.
    void attempt() {
        if (!m_trying) return;
        if (client.try_connect()) {
            m_trying = false;
        } else if (Clock::now() >= m_give_up_at) {
            give_up(fmt::format("cannot connect to QEMU's QMP socket {}: {}", client.socket_path(), client.last_error()));
        }
    }
    // QEMU has ended: no more attempts.
    void qemu_ended() {
        if (m_trying)
            give_up(fmt::format("the run ended before QEMU's QMP socket {} could be connected ({})", client.socket_path(),
                                client.last_error()));
    }

    QmpClient client;

private:
    void give_up(const std::string& why) {
        m_trying = false;
        fmt::print(stderr, "axl boot: no QEMU events in this run: {}{}\n", why,
                   m_resume ? "; the guest, held by -S, cannot be started" : "");
        std::fflush(stderr);
    }

    bool m_resume;
    bool m_trying = true;
    Clock::time_point m_give_up_at;
};

int run_interactive(const std::string& qemu, const std::vector<std::string>& argv, const fs::path& qmp_socket,
                    bool held) {
    // The terminal is QEMU's serial console too, in raw mode: hence "\r\n".
    QmpStart qmp(qmp_socket, held, [](const std::string& line) {
        fmt::print("{}\r\n", line);
        std::fflush(stdout);
    });
    std::optional<ExitStatus> status;
    {
        SignalDispositions ignore({SIGINT, SIGQUIT}, SIG_IGN);
        Child process = Child::run(qemu, argv, {.death_signal = SIGTERM});
        qmp.start(Clock::now() + qmp_patience);
        // Until QEMU ends: its events as they come (the socket closes when it exits).
        while (!process.try_wait()) {
            qmp.attempt();
            if (!qmp.trying() && qmp.client.fd() < 0) break;
            pollfd polled{qmp.client.fd(), POLLIN, 0};
            if (::poll(&polled, 1, qmp.trying() ? qmp_retry_ms : 1000) > 0) qmp.client.read();
        }
        status = process.wait();
    }
    qmp.client.drain();
    qmp.qemu_ended();
    if (status->exited() && status->code() == qemu_status_pass) return exit_ok;
    if (status->exited() && status->code() == qemu_status_fail)
        fmt::print(stderr, "axl boot: the kernel reported a failure ({})\n", describe_status(*status));
    else
        fmt::print(stderr, "axl boot: {}\n", describe_status(*status));
    return exit_failed;
}

// QEMU's serial output, and its QMP events, until QEMU closes its output (it
// is exiting: done), the deadline, or stop(). QMP is connected to meanwhile.
WaitEnd read_qemu(int serial_fd, QmpStart& qmp, Clock::time_point deadline, const std::function<bool()>& stop,
                  const std::function<void(std::string_view)>& take) {
    char buffer[16384];
    while (!stop()) {
        const auto now = Clock::now();
        if (now >= deadline) return WaitEnd::deadline;
        qmp.attempt();
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
        const long long wait_ms = std::min<long long>(left, qmp.trying() ? qmp_retry_ms : 1000);
        pollfd polled[2] = {{serial_fd, POLLIN, 0}, {qmp.client.fd(), POLLIN, 0}};  // -1: not polled
        const int ready = ::poll(polled, 2, static_cast<int>(wait_ms));
        if (ready < 0 && errno != EINTR) throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
        if (ready <= 0) continue;
        if (polled[0].revents != 0) {
            const ssize_t got = ::read(serial_fd, buffer, sizeof buffer);
            if (got < 0 && errno != EINTR && errno != EAGAIN)
                throw std::runtime_error(fmt::format("reading QEMU's output: {}", std::strerror(errno)));
            if (got == 0) return WaitEnd::done;
            if (got > 0) take(std::string_view(buffer, static_cast<size_t>(got)));
        }
        if (polled[1].revents != 0) qmp.client.read();
    }
    return WaitEnd::stopped;
}

std::string quoted_list(const std::vector<std::string>& texts) {
    std::vector<std::string> quoted;
    for (const std::string& text : texts) quoted.push_back("'" + text + "'");
    return fmt::format("{}", fmt::join(quoted, ", "));
}

// Returns the exit code; `interrupted` is set to the signal that stopped us, if one did.
int run_test(const BootArguments& args, const std::string& qemu, const std::vector<std::string>& argv, LogFile& log,
             const fs::path& qmp_socket, int& interrupted) {
    TextWatch watch;
    const size_t pass = watch.add(std::string(pass_text));
    const size_t fail = watch.add(std::string(fail_text));
    const size_t countdown = watch.add(std::string(grub_countdown_text));
    std::vector<size_t> expected, forbidden;
    for (const std::string& text : args.expect) expected.push_back(watch.add(text));
    for (const std::string& text : args.forbid) forbidden.push_back(watch.add(text));

    std::optional<std::string> panic_line;
    std::string last_line;  // the console's last words, for a failure without a verdict
    SerialEcho echo([&](std::string_view line) {
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);
        const size_t panic = line.find(panic_text);
        if (!panic_line && panic != std::string_view::npos) panic_line = std::string(line.substr(panic));
        if (line.find_first_not_of(" \t") != std::string_view::npos && !line.starts_with(qemu_event_prefix))
            last_line = line.substr(0, 200);
    });

    const SignalCatcher catcher({SIGINT, SIGTERM, SIGHUP});
    auto caught = [] { return SignalCatcher::caught() != 0; };
    SignalDispositions no_sigpipe({SIGPIPE}, SIG_IGN);  // QEMU's input may be gone by the time we write
    Pipe to_qemu = make_pipe(), from_qemu = make_pipe();
    const Clock::time_point start = Clock::now();
    const Clock::time_point deadline = start + std::chrono::seconds(args.timeout_s);
    Child process = Child::run(qemu, argv,
                               {.stdin_fd = to_qemu.read.get(),
                                .stdout_fd = from_qemu.write.get(),
                                .own_group = true,
                                .death_signal = SIGKILL});
    to_qemu.read.close();
    from_qemu.write.close();

    bool menu_answered = args.grub_wait;
    bool log_error_reported = false;
    // Everything the log gets: the serial output and, between its lines, QEMU's events.
    auto take = [&](std::string_view bytes) {
        if (!write_all(log.fd.get(), bytes) && !log_error_reported) {
            fmt::print(stderr, "axl boot: cannot write the serial log {}: {}\n", log.path, std::strerror(errno));
            log_error_reported = true;
        }
        watch.feed(bytes);
        echo.feed(bytes);
        if (!menu_answered && watch.found(countdown)) {
            // Enter on the serial line: boot the default entry now. (QEMU may be gone: errors do not matter.)
            [[maybe_unused]] bool sent = write_all(to_qemu.write.get(), "\r");
            menu_answered = true;
        }
    };
    EventSplice splice(take);
    std::string last_event;
    QmpStart qmp(qmp_socket, starts_held(args.qemu_args), [&](const std::string& line) {
        splice.event(line);
        last_event = line;
    });
    qmp.start(std::min(deadline, start + qmp_patience));
    auto serial = [&](std::string_view bytes) { splice.serial(bytes); };

    // Until QEMU closes its output (it is exiting), time runs out, or a signal;
    // then until it has exited.
    WaitEnd end = read_qemu(from_qemu.read.get(), qmp, deadline, caught, serial);
    if (end == WaitEnd::done) end = process.wait_until(deadline, caught);
    const bool timed_out = end == WaitEnd::deadline;
    if (process.running()) process.kill();  // cut short by the timeout or a signal
    const ExitStatus status = process.wait();
    // What QEMU wrote and reported before it died is in the log too.
    read_available(from_qemu.read.get(), serial);
    qmp.client.drain();
    qmp.qemu_ended();
    splice.finish();
    echo.finish();
    std::fflush(stdout);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

    if (caught()) {
        interrupted = SignalCatcher::caught();
        fmt::print("boot test: interrupted by signal {} ({}); QEMU killed\n", interrupted, strsignal(interrupted));
        if (log.temporary) fmt::print("boot test: serial log kept in {}\n", log.path);
        return exit_failed;
    }
    std::string reason;
    if (timed_out) {
        reason = fmt::format("timed out after {} s", args.timeout_s);
    } else if (status.signaled()) {
        reason = describe_status(status);
    } else if (panic_line) {
        reason = *panic_line;
    } else if (watch.found(fail)) {
        reason = std::string(fail_text);
    } else if (status.code() != qemu_status_pass) {
        // 3: the kernel failed without a verdict line (it could not boot, say);
        // 0: a reset (a triple fault: -no-reboot) or a shutdown, no verdict at all.
        reason = describe_status(status);
        if (status.code() == 0) reason += " (a reset or shutdown, e.g. a triple fault, before any verdict)";
        if (!last_line.empty()) reason += fmt::format("; last console line: '{}'", last_line);
        if (!last_event.empty()) reason += fmt::format("; last QEMU event: '{}'", last_event);
    } else if (!watch.found(pass)) {
        reason = fmt::format("QEMU exited with status {} but the log has no '{}'", qemu_status_pass, pass_text);
    } else {
        std::vector<std::string> missing;
        for (size_t i = 0; i < expected.size(); ++i)
            if (!watch.found(expected[i])) missing.push_back(args.expect[i]);
        if (!missing.empty())
            reason = fmt::format("missing expected text{} {}", missing.size() > 1 ? "s" : "", quoted_list(missing));
    }
    // A forbidden text fails any run, and is named with whatever else went wrong.
    std::vector<std::string> present;
    for (size_t i = 0; i < forbidden.size(); ++i)
        if (watch.found(forbidden[i])) present.push_back(args.forbid[i]);
    if (!present.empty()) {
        if (!reason.empty()) reason += "; ";
        reason += fmt::format("forbidden text{} found: {}", present.size() > 1 ? "s" : "", quoted_list(present));
    }
    if (reason.empty()) {
        fmt::print("boot test: pass in {:.1f} s\n", seconds);
        if (!args.record_path.empty()) write_pass_record(args);
        log.keep = false;
        return exit_ok;
    }
    fmt::print("boot test: {}\n", reason);
    if (log.temporary) fmt::print("boot test: serial log kept in {}\n", log.path);
    std::fflush(stdout);
    return exit_failed;
}

int boot_once(const BootArguments& args, int& interrupted) {
    // What must exist, before anything runs.
    const bool default_location = args.iso.empty();
    const fs::path iso = default_location ? default_iso() : fs::path(args.iso);
    std::error_code error;
    if (!fs::is_regular_file(iso, error)) {
        fmt::print(stderr, "axl boot: no ISO at {}{}: build it with `make iso` (or `cmake --build BUILD --target iso`){}\n",
                   iso.string(), default_location ? " (the default: the build directory above this axl's bin/)" : "",
                   default_location ? ", or pass --iso PATH" : "");
        return exit_usage;
    }
    const std::optional<std::string> qemu = find_on_path(qemu_program);
    if (!qemu) {
        fmt::print(stderr,
                   "axl boot: {} is not on PATH: install the bare-metal tools with tools/setup-deps.sh "
                   "(Debian package qemu-system-x86)\n",
                   qemu_program);
        return exit_usage;
    }
    if (args.uefi) {
        for (const char* firmware : {ovmf_code, ovmf_vars}) {
            if (!fs::is_regular_file(firmware, error)) {
                fmt::print(stderr, "axl boot: --uefi needs {}: install the Debian package ovmf (tools/setup-deps.sh does)\n",
                           firmware);
                return exit_usage;
            }
        }
    }

    LogFile log;
    if (args.test) {
        if (!args.log_path.empty()) {
            log.path = args.log_path;
            log.fd = Fd(::open(log.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
            if (!log.fd.is_open()) {
                fmt::print(stderr, "axl boot: cannot write the serial log {}: {}\n", log.path, std::strerror(errno));
                return exit_usage;
            }
        } else {
            std::string name = (fs::temp_directory_path() / "axl-boot-XXXXXX.log").string();
            log.fd = Fd(::mkostemps(name.data(), 4, O_CLOEXEC));
            if (!log.fd.is_open()) throw std::runtime_error(fmt::format("cannot make a temporary log {}: {}", name, std::strerror(errno)));
            log.path = name;
            log.temporary = true;
        }
    }

    // QEMU's QMP socket, and OVMF's variables for UEFI, in a directory of our own.
    TempDir private_dir;
    private_dir.path = make_temporary_directory(fs::temp_directory_path());
    fs::path qmp_socket = private_dir.path / "qmp.sock";
    if (qmp_socket.string().size() >= sizeof(sockaddr_un::sun_path)) {
        // Too long for a unix socket's address: a long $TMPDIR gives way to /tmp.
        std::error_code ignored;
        fs::remove_all(private_dir.path, ignored);
        private_dir.path = make_temporary_directory("/tmp");
        qmp_socket = private_dir.path / "qmp.sock";
    }
    // UEFI: the variable store is written to, so each boot gets a copy of its own.
    fs::path vars_copy;
    if (args.uefi) {
        vars_copy = private_dir.path / fs::path(ovmf_vars).filename();
        fs::copy_file(ovmf_vars, vars_copy);
        fs::permissions(vars_copy, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
    }

    std::vector<std::string> argv = {*qemu, "-accel", "tcg", "-m", "256M", "-no-reboot"};
    if (!chooses_display(args.qemu_args)) argv.insert(argv.end(), {"-display", "none"});
    // COM1 is the kernel's console; COM2 is there as on a PC, for user-mode
    // drivers (workloads/console_x86.toml), its output kept only if asked.
    argv.insert(argv.end(), {"-serial", "stdio",
                             "-serial", args.com2_path.empty() ? std::string("null") : "file:" + args.com2_path,
                             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"});
    if (args.uefi) {
        argv.insert(argv.end(), {"-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + qemu_option_value(ovmf_code)});
        argv.insert(argv.end(), {"-drive", "if=pflash,format=raw,unit=1,file=" + qemu_option_value(vars_copy.string())});
    }
    // -cdrom's argument is an option list's file= value.
    argv.insert(argv.end(), {"-cdrom", qemu_option_value(iso.string())});
    std::string cmdline;
    if (!args.system.empty()) cmdline = "system=" + args.system;
    if (!args.ipc.empty()) cmdline += (cmdline.empty() ? "" : " ") + ("ipc=" + args.ipc);
    for (const std::string& word : args.kernel_args) cmdline += (cmdline.empty() ? "" : " ") + word;
    if (!cmdline.empty())
        argv.insert(argv.end(), {"-fw_cfg", fmt::format("name={},string={}", fw_cfg_file, qemu_option_value(cmdline))});
    if (args.icount) argv.insert(argv.end(), {"-icount", "shift=0"});
    argv.insert(argv.end(), {"-qmp", fmt::format("unix:{},server=on,wait=off", qemu_option_value(qmp_socket.string()))});
    // A watchdog that fires, a guest that panics through pvpanic: reported as
    // events, and the guest goes on. The user's own -action, later, wins.
    argv.insert(argv.end(), {"-action", "watchdog=debug", "-action", "panic=none"});
    argv.insert(argv.end(), args.qemu_args.begin(), args.qemu_args.end());

    std::vector<std::string> quoted;
    for (const std::string& arg : argv) quoted.push_back(shell_quote(arg));
    fmt::print("qemu: {}\n", fmt::join(quoted, " "));
    if (args.test) fmt::print("log: {}\n", log.path);
    std::fflush(stdout);

    if (!args.test) return run_interactive(*qemu, argv, qmp_socket, starts_held(args.qemu_args));
    return run_test(args, *qemu, argv, log, qmp_socket, interrupted);
}

}  // namespace

void SerialEcho::feed(std::string_view bytes) {
    constexpr size_t longest_line = 64 * 1024;
    for (char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        switch (m_state) {
            case State::text:
                if (c == '\n') {
                    end_line(false);
                } else if (c == '\x1b') {
                    m_state = State::escape;
                } else if (c == '\t') {
                    m_line += c;
                } else if (u >= 0x20 && u != 0x7f) {
                    m_line += c;
                    if (m_line.size() >= longest_line) end_line(false);
                }
                break;  // other control characters, \r among them: dropped
            case State::escape:
                if (c == '[') m_state = State::csi;
                else if (std::string_view("()*+#").find(c) != std::string_view::npos) m_state = State::charset;
                else m_state = State::text;
                break;
            case State::charset:
                m_state = State::text;
                break;
            case State::csi:
                if (u >= 0x40 && u <= 0x7e) {
                    // Cursor position or erase: GRUB is drawing elsewhere on the screen.
                    if (c == 'H' || c == 'f' || c == 'J') end_line(true);
                    m_state = State::text;
                } else if (u < 0x20 || u > 0x7e) {
                    m_state = State::text;  // not a sequence after all
                }
                break;
        }
    }
}

void SerialEcho::finish() {
    if (!m_line.empty()) end_line(false);
}

void SerialEcho::end_line(bool moved) {
    while (!m_line.empty() && (m_line.back() == ' ' || m_line.back() == '\t')) m_line.pop_back();
    const size_t first = m_line.find_first_not_of(" \t");
    const bool blank = first == std::string::npos;
    const bool box = !blank && m_line.find_first_not_of("|+- \t", first) == std::string::npos;
    if (box || (blank && (moved || m_last_blank))) {
        m_line.clear();
        return;
    }
    m_sink(m_line);
    m_last_blank = blank;
    m_line.clear();
}

CLI::App* add_boot_command(CLI::App& app, BootArguments& args) {
    CLI::App* boot = app.add_subcommand(
        "boot",
        "boot the bare-metal ISO in QEMU (x86-64, TCG): interactively, the serial console on this terminal; with "
        "--test, judged by the kernel's verdict (exit 0 pass, 1 fail, 2 nothing ran)");
    boot->add_option("--iso", args.iso,
                     "ISO to boot (default: axolotl.iso in the build directory above this axl's bin/, built by "
                     "`make iso`)")
        ->type_name("PATH");
    boot->add_option("--system", args.system,
                     "system to run, a system file in the ISO (workloads/NAME.toml); default: GRUB's default "
                     "entry's (pingpong)")
        ->check(CLI::Validator(
            [](const std::string& name) {
                const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '-' || c == '.';
                });
                return ok ? std::string() : "'" + name + "' is not a system name (letters, digits, _ - . only)";
            },
            ""))
        ->type_name("NAME");
    boot->add_option("--ipc", args.ipc, "IPC strategy; default: GRUB's default entry's (rendezvous)")
        ->check(CLI::IsMember(strategy_choices()))
        ->type_name("NAME");
    boot->add_option("--kernel-arg", args.kernel_args,
                     "one more word of the kernel's command line, after system= and ipc= (repeatable), e.g. "
                     "interrupts=pic: the 8259s instead of the I/O APIC")
        ->check(CLI::Validator(
            [](const std::string& word) {
                const bool ok = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
                    return c > ' ' && c < 0x7F;
                });
                return ok ? std::string() : "'" + word + "' is not one word of printable characters";
            },
            ""))
        ->allow_extra_args(false)
        ->type_name("WORD");
    boot->add_flag("--uefi", args.uefi,
                   "boot with UEFI firmware (OVMF, Debian package ovmf) instead of the BIOS; slower under TCG, OVMF's "
                   "start-up is most of it: a pingpong test takes about 6 s (10 s with --grub-wait) against 1.5 s "
                   "(4.5 s) with the BIOS, alone on 2 cores");
    CLI::Option* test = boot->add_flag(
        "--test", args.test,
        "run as a test: serial console (and QEMU's events) to a log and echoed here, a timeout, exit 0 only if QEMU "
        "exited with status 1 (the kernel's pass), the log says 'verdict: pass', every --expect text is in it and no "
        "--forbid text");
    boot->add_option("--timeout", args.timeout_s,
                     "with --test: kill QEMU (its whole process group) and fail after this many seconds (default 300)")
        ->check(CLI::Range(1u, 86400u))
        ->needs(test)
        ->type_name("SECONDS");
    boot->add_option("--com2", args.com2_path,
                     "write what the second serial port (COM2, a user-mode UART driver's) sends to this file "
                     "(default: discarded)")
        ->type_name("FILE");
    boot->add_option("--log", args.log_path,
                     "with --test: write the serial output, unchanged, to this file (default: a temporary file, "
                     "removed if the test passes)")
        ->needs(test)
        ->type_name("FILE");
    boot->add_option("--expect", args.expect,
                     "with --test: fail unless this text is in the log, the serial output or a QEMU event line "
                     "('[qemu] WATCHDOG action=debug') (repeatable)")
        ->needs(test)
        ->allow_extra_args(false)
        ->type_name("TEXT");
    boot->add_option("--record", args.record_path,
                     "with --test: when the test passes, write FILE (creating its folder) with the system, IPC "
                     "strategy and firmware that passed")
        ->needs(test)
        ->type_name("FILE");
    boot->add_option("--forbid", args.forbid,
                     "with --test: fail if this text is in the log, the serial output or a QEMU event line, e.g. "
                     "'[qemu] WATCHDOG' (repeatable)")
        ->needs(test)
        ->allow_extra_args(false)
        ->type_name("TEXT");
    boot->add_flag("--icount", args.icount,
                   "run QEMU with -icount shift=0: the guest's TSC counts its instructions (for path lengths); "
                   "much slower: a pingpong test takes about 12 s with the BIOS, 60 s with UEFI (and GRUB's countdown, "
                   "should it run, about 110 s more)");
    boot->add_flag("--grub-wait", args.grub_wait,
                   "with --test: let GRUB's menu count its 3 s down (100 s of guest time with --icount) instead of "
                   "pressing Enter for it on the serial line")
        ->needs(test);
    boot->add_option("--qemu", args.qemu_args,
                     "one more QEMU argument, appended as is (repeatable: --qemu -device --qemu ib700; write --qemu=ARG "
                     "when ARG could pass for an option of axl's); a -display of your own replaces -display none, an "
                     "-action of your own overrides watchdog=debug and panic=none, and with -S the guest starts once "
                     "QEMU's events can be seen")
        ->allow_extra_args(false)
        ->type_name("ARG");
    return boot;
}

int boot(const BootArguments& args) {
    int interrupted = 0;
    const int code = boot_once(args, interrupted);  // every temporary file is gone when it returns
    if (interrupted != 0) {
        std::fflush(nullptr);
        ::signal(interrupted, SIG_DFL);
        ::raise(interrupted);
    }
    return code;
}

}  // namespace axl::tools
