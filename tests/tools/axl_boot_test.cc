// `axl boot` (tools/axl/boot.h) through the built binary ($AXL_BIN_DIR/axl, set
// by CTest): command-line mistakes and missing tools exit 2 with a message
// that says what to do, before anything runs; with a shell script standing in
// for QEMU, the arguments QEMU gets and every way a test passes or fails
// (including a timeout that must kill QEMU's children too); and, when QEMU and the ISO
// ($AXL_BIN_DIR/../axolotl.iso, where `axl boot` looks by default) are there,
// three boots: one that passes the kernel's verdict but lacks an --expect text
// (exit 1, the text named), one that runs out of time (exit 1, "timed
// out", and no QEMU left behind), and one whose QEMU event (RESUME, from the
// `cont` that starts a guest held by -S) reaches the log and the echo. The real boot tests are CTest's
// boot_* tests (cmake/boot_tests.cmake, label "boot").
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/axl_command.h"

namespace {

using axl::test::CommandResult;
namespace fs = std::filesystem;

bool qemu_on_path() {
    const char* path = std::getenv("PATH");
    if (path == nullptr) return false;
    std::string rest(path);
    size_t start = 0;
    while (start <= rest.size()) {
        size_t colon = rest.find(':', start);
        if (colon == std::string::npos) colon = rest.size();
        const std::string candidate = rest.substr(start, colon - start) + "/qemu-system-x86_64";
        if (::access(candidate.c_str(), X_OK) == 0) return true;
        start = colon + 1;
    }
    return false;
}

// The ids of running processes whose command line contains `marker`.
std::vector<pid_t> processes_with(const std::string& marker) {
    std::vector<pid_t> found;
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator("/proc", error)) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string cmdline = axl::test::read_file(entry.path() / "cmdline");
        for (char& c : cmdline)
            if (c == '\0') c = ' ';
        if (cmdline.find(marker) == std::string::npos) continue;
        const pid_t pid = std::stoi(name);
        if (::kill(pid, 0) == 0) found.push_back(pid);
    }
    return found;
}

// A stand-in for QEMU: records its arguments (one a line, in "args" next to
// it) and acts as $FAKE_QEMU says, so that every verdict `axl boot --test`
// can reach is checked in milliseconds.
constexpr const char* fake_qemu_script = R"sh(#!/bin/sh
dir=$(dirname "$0")
printf '%s\n' "$@" > "$dir/args"
for arg in "$@"; do
  case "$arg" in *unit=1,file=*) vars=${arg#*unit=1,file=} ;; esac
done
if [ -n "$vars" ] && [ -w "$vars" ]; then echo "vars writable" > "$dir/notes"; fi
case "$FAKE_QEMU" in
  pass) printf '\033[2J\033[1;1HAxolotl\r\nverdict: pass\r\n'; exit 1 ;;
  fail) printf 'verdict: fail\r\n'; exit 3 ;;
  panic) printf 'KERNEL PANIC: page fault at 0xdead\r\n'; exit 3 ;;
  silent) printf 'Axolotl\r\n'; exit 1 ;;
  reset) printf 'booting\r\n'; exit 0 ;;
  menu) printf '   The highlighted entry will be executed automatically in 3s.  \033[5;78H'
        printf 'key:%s\r\n' "$(dd bs=1 count=1 2>/dev/null | od -An -tx1)"
        printf 'verdict: pass\r\n'; exit 1 ;;
  hang) sleep 1000 & echo $! > "$dir/child.pid"; wait ;;
esac
exit 99
)sh";

class AxlBoot : public axl::test::AxlCommandTest {
protected:
    // For the tests that must fail before QEMU would run: an ISO that exists.
    std::string dummy_iso() const { return write("dummy.iso", "not really an ISO\n").string(); }

    // The environment that puts the fake QEMU first on PATH, acting as `mode`.
    std::string fake_qemu(const std::string& mode) {
        const fs::path bin = m_dir / "fake-bin";
        fs::create_directories(bin);
        const fs::path script = bin / "qemu-system-x86_64";
        if (!fs::exists(script)) {
            write("fake-bin/qemu-system-x86_64", fake_qemu_script);
            fs::permissions(script, fs::perms::owner_all, fs::perm_options::add);
        }
        return "FAKE_QEMU=" + mode + " PATH='" + bin.string() + "':/usr/bin:/bin " + tmpdir();
    }
    // Temporary files (kept logs, OVMF's variables) in the test's own directory, removed with it.
    std::string tmpdir() const { return "TMPDIR='" + m_dir.string() + "'"; }
    std::string fake_args() const { return axl::test::read_file(m_dir / "fake-bin" / "args"); }

    void require_qemu_and_iso() {
        if (!qemu_on_path()) GTEST_SKIP() << "qemu-system-x86_64 is not on PATH (tools/setup-deps.sh)";
        const fs::path iso = m_axl.parent_path().parent_path() / "axolotl.iso";
        if (!fs::exists(iso)) GTEST_SKIP() << iso << " has not been built (make iso)";
    }
};

TEST_F(AxlBoot, RejectsAnUnknownStrategy) {
    CommandResult result = axl("boot --iso '" + dummy_iso() + "' --ipc carrier-pigeon");
    EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
    EXPECT_NE(result.err.find("--ipc"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("carrier-pigeon"), std::string::npos) << result.err;
    EXPECT_EQ(result.out.find("qemu:"), std::string::npos) << "nothing may run: " << result.out;
}

TEST_F(AxlBoot, RejectsAMissingIso) {
    const std::string iso = file("no-such.iso");
    CommandResult result = axl("boot --test --iso '" + iso + "'");
    EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
    EXPECT_NE(result.err.find("no ISO at " + iso), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("make iso"), std::string::npos) << result.err;
    EXPECT_EQ(result.out.find("qemu:"), std::string::npos) << result.out;
}

TEST_F(AxlBoot, RejectsAnUnknownOption) {
    CommandResult result = axl("boot --iso '" + dummy_iso() + "' --frobnicate");
    EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
    EXPECT_NE(result.err.find("--frobnicate"), std::string::npos) << result.err;
}

TEST_F(AxlBoot, TestOptionsNeedTest) {
    for (const char* option : {"--expect x", "--forbid x", "--timeout 5", "--log x.log", "--grub-wait"}) {
        CommandResult result = axl("boot --iso '" + dummy_iso() + "' " + option);
        EXPECT_EQ(result.exit_code, 2) << option << ": " << result.out << result.err;
        EXPECT_NE(result.err.find("--test"), std::string::npos) << option << ": " << result.err;
    }
    CommandResult zero = axl("boot --test --iso '" + dummy_iso() + "' --timeout 0");
    EXPECT_EQ(zero.exit_code, 2) << zero.out << zero.err;
    EXPECT_NE(zero.err.find("--timeout"), std::string::npos) << zero.err;
}

TEST_F(AxlBoot, RejectsASystemNameQemuWouldMisread) {
    CommandResult result = axl("boot --iso '" + dummy_iso() + "' --system 'pingpong,string=x'");
    EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
    EXPECT_NE(result.err.find("is not a system name"), std::string::npos) << result.err;
}

TEST_F(AxlBoot, NamesSetupDepsWithoutQemu) {
    CommandResult result = axl("boot --test --iso '" + dummy_iso() + "'", "PATH=" + file("empty-path"));
    EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
    EXPECT_NE(result.err.find("qemu-system-x86_64"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("tools/setup-deps.sh"), std::string::npos) << result.err;
}

TEST_F(AxlBoot, PassesOnTheKernelsVerdictAndStatus) {
    const std::string iso = dummy_iso();
    CommandResult result = axl("boot --test --iso '" + iso + "' --system fanin --ipc queue --icount --expect Axolotl" +
                                   " --qemu -smp --qemu=2",
                               fake_qemu("pass"));
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(result.out.rfind("qemu: ", 0), 0u) << result.out;
    EXPECT_NE(result.out.find("\nAxolotl\nverdict: pass\nboot test: pass in "), std::string::npos)
        << "the echo, without \\r and escape sequences: " << result.out;
    const std::string args = fake_args();
    for (const std::string& expected : std::vector<std::string>{"-accel\ntcg\n", "-no-reboot\n", "-display\nnone\n", "-serial\nstdio\n-serial\nnull\n",
          "-device\nisa-debug-exit,iobase=0xf4,iosize=0x04\n", "-cdrom\n" + iso + "\n",
          "-fw_cfg\nname=opt/axolotl/cmdline,string=system=fanin ipc=queue\n", "-icount\nshift=0\n",
          "-qmp\nunix:" + m_dir.string() + "/axl-boot-", "/qmp.sock,server=on,wait=off\n",
          "-action\nwatchdog=debug\n-action\npanic=none\n-smp\n2\n"})
        EXPECT_NE(args.find(expected), std::string::npos) << expected << " in:\n" << args;
    EXPECT_TRUE(args.ends_with("-smp\n2\n")) << "--qemu arguments come last:\n" << args;
    EXPECT_EQ(args.find("pflash"), std::string::npos) << args;
    // A passing test's temporary log is removed.
    const size_t log = result.out.find("\nlog: ");
    ASSERT_NE(log, std::string::npos) << result.out;
    const size_t start = log + std::string("\nlog: ").size();
    EXPECT_FALSE(fs::exists(result.out.substr(start, result.out.find('\n', start) - start))) << result.out;
}

TEST_F(AxlBoot, OnlyTheGivenSettingsReachTheKernel) {
    CommandResult none = axl("boot --test --iso '" + dummy_iso() + "'", fake_qemu("pass"));
    EXPECT_EQ(none.exit_code, 0) << none.out << none.err;
    EXPECT_EQ(fake_args().find("-fw_cfg"), std::string::npos) << "GRUB's default entry: " << fake_args();
    CommandResult ipc = axl("boot --test --iso '" + dummy_iso() + "' --ipc ring", fake_qemu("pass"));
    EXPECT_EQ(ipc.exit_code, 0) << ipc.out << ipc.err;
    EXPECT_NE(fake_args().find("-fw_cfg\nname=opt/axolotl/cmdline,string=ipc=ring\n"), std::string::npos) << fake_args();
    CommandResult words = axl("boot --test --iso '" + dummy_iso() +
                                  "' --system fanin --kernel-arg interrupts=pic --kernel-arg=x=1,2",
                              fake_qemu("pass"));
    EXPECT_EQ(words.exit_code, 0) << words.out << words.err;
    // QEMU's option syntax doubles the comma.
    EXPECT_NE(fake_args().find("-fw_cfg\nname=opt/axolotl/cmdline,string=system=fanin interrupts=pic x=1,,2\n"),
              std::string::npos)
        << fake_args();
}

TEST_F(AxlBoot, RejectsAKernelArgumentThatIsNotOneWord) {
    CommandResult result = axl("boot --test --iso '" + dummy_iso() + "' --kernel-arg 'interrupts=pic ipc=ring'");
    EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
    EXPECT_NE(result.err.find("is not one word of printable characters"), std::string::npos) << result.err;
}

TEST_F(AxlBoot, SaysWhyATestFailed) {
    const struct {
        const char* mode;
        const char* reason;
    } cases[] = {
        {"fail", "boot test: verdict: fail\n"},
        {"panic", "boot test: KERNEL PANIC: page fault at 0xdead\n"},
        {"silent", "boot test: QEMU exited with status 1 but the log has no 'verdict: pass'\n"},
        {"reset", "boot test: QEMU exited with status 0 (a reset or shutdown, e.g. a triple fault, before any "
                  "verdict); last console line: 'booting'\n"},
    };
    for (const auto& c : cases) {
        CommandResult result = axl("boot --test --iso '" + dummy_iso() + "'", fake_qemu(c.mode));
        EXPECT_EQ(result.exit_code, 1) << c.mode << ": " << result.out << result.err;
        EXPECT_NE(result.out.find(c.reason), std::string::npos) << c.mode << ": " << result.out;
        EXPECT_NE(result.out.find("boot test: serial log kept in "), std::string::npos) << result.out;
    }
    // Every missing text is named, and only those.
    CommandResult missing = axl("boot --test --iso '" + dummy_iso() + "' --expect Axolotl --expect=-x- --expect 'a b'",
                                fake_qemu("pass"));
    EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
    EXPECT_NE(missing.out.find("boot test: missing expected texts '-x-', 'a b'\n"), std::string::npos) << missing.out;
    // A forbidden text fails a run the kernel passed; only the ones present are named.
    CommandResult forbidden = axl("boot --test --iso '" + dummy_iso() + "' --forbid Axolotl --forbid=-x- --expect -y-",
                                  fake_qemu("pass"));
    EXPECT_EQ(forbidden.exit_code, 1) << forbidden.out << forbidden.err;
    EXPECT_NE(forbidden.out.find("boot test: missing expected text '-y-'; forbidden text found: 'Axolotl'\n"),
              std::string::npos)
        << forbidden.out;
    // ... and is named beside another failure.
    CommandResult failed = axl("boot --test --iso '" + dummy_iso() + "' --forbid 'verdict: fail'", fake_qemu("fail"));
    EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
    EXPECT_NE(failed.out.find("boot test: verdict: fail; forbidden text found: 'verdict: fail'\n"), std::string::npos)
        << failed.out;
    // Absent, it lets the run pass.
    CommandResult absent = axl("boot --test --iso '" + dummy_iso() + "' --forbid '[qemu] WATCHDOG'", fake_qemu("pass"));
    EXPECT_EQ(absent.exit_code, 0) << absent.out << absent.err;
}

// The fake QEMU makes no QMP socket: said once, and the run goes on.
TEST_F(AxlBoot, GoesOnWithoutQmp) {
    CommandResult result = axl("boot --test --iso '" + dummy_iso() + "'", fake_qemu("pass"));
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.err.find("axl boot: no QEMU events in this run: the run ended before QEMU's QMP socket "),
              std::string::npos)
        << result.err;
    const size_t first = result.err.find("no QEMU events");
    EXPECT_EQ(result.err.find("no QEMU events", first + 1), std::string::npos) << "said once: " << result.err;
}

TEST_F(AxlBoot, AUsersActionComesAfterOurs) {
    CommandResult result =
        axl("boot --test --iso '" + dummy_iso() + "' --qemu=-action --qemu=watchdog=pause", fake_qemu("pass"));
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(fake_args().find("-action\nwatchdog=debug\n-action\npanic=none\n-action\nwatchdog=pause\n"),
              std::string::npos)
        << "QEMU applies -action options in order: " << fake_args();
}

TEST_F(AxlBoot, PressesEnterAtGrubsMenu) {
    CommandResult result = axl("boot --test --timeout 20 --iso '" + dummy_iso() + "'", fake_qemu("menu"));
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("\nkey: 0d\n"), std::string::npos) << "a carriage return: " << result.out;
    // --grub-wait: nothing is pressed, and the fake menu waits for ever.
    CommandResult wait = axl("boot --test --grub-wait --timeout 1 --iso '" + dummy_iso() + "'", fake_qemu("menu"));
    EXPECT_EQ(wait.exit_code, 1) << wait.out << wait.err;
    EXPECT_NE(wait.out.find("boot test: timed out after 1 s\n"), std::string::npos) << wait.out;
}

// The timeout kills QEMU's process group: what QEMU started dies too.
TEST_F(AxlBoot, TimeoutKillsTheWholeProcessGroup) {
    CommandResult result = axl("boot --test --timeout 1 --iso '" + dummy_iso() + "'", fake_qemu("hang"));
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.out.find("boot test: timed out after 1 s\n"), std::string::npos) << result.out;
    const std::string pid_text = axl::test::read_file(m_dir / "fake-bin" / "child.pid");
    ASSERT_FALSE(pid_text.empty());
    const pid_t child = std::stoi(pid_text);
    // Orphaned by the killed script, it is reaped by init once dead: give that a moment.
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
        gone = ::kill(child, 0) != 0 || axl::test::read_file("/proc/" + std::to_string(child) + "/stat").find(") Z") !=
                                            std::string::npos;
        if (!gone) ::usleep(50 * 1000);
    }
    EXPECT_TRUE(gone) << "process " << child << " (the fake QEMU's child) outlived the timeout";
}

TEST_F(AxlBoot, UefiBootsWithAPrivateCopyOfTheVariables) {
    if (!fs::exists("/usr/share/OVMF/OVMF_CODE_4M.fd") || !fs::exists("/usr/share/OVMF/OVMF_VARS_4M.fd"))
        GTEST_SKIP() << "OVMF is not installed (package ovmf)";
    CommandResult result = axl("boot --test --uefi --iso '" + dummy_iso() + "'", fake_qemu("pass"));
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    const std::string args = fake_args();
    EXPECT_NE(args.find("-drive\nif=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd\n"),
              std::string::npos)
        << args;
    const std::string vars_option = "-drive\nif=pflash,format=raw,unit=1,file=";
    const size_t vars = args.find(vars_option);
    ASSERT_NE(vars, std::string::npos) << args;
    const size_t start = vars + vars_option.size();
    const fs::path copy = args.substr(start, args.find('\n', start) - start);
    EXPECT_NE(copy, "/usr/share/OVMF/OVMF_VARS_4M.fd");
    EXPECT_EQ(axl::test::read_file(m_dir / "fake-bin" / "notes"), "vars writable\n");
    EXPECT_FALSE(fs::exists(copy.parent_path())) << "the temporary directory is left: " << copy;
}

// --record: a pass leaves a file saying what passed (its folder made); a
// failure leaves none (how the T4 tier of tools/linux/coverage.py is fed).
TEST_F(AxlBoot, RecordsAPassAndOnlyAPass) {
    const fs::path record = m_dir / "tiers" / "T4-uefi.d" / "pvpanic-pci";
    CommandResult passed = axl("boot --test --iso '" + dummy_iso() + "' --system linux_pvpanic --ipc ring --uefi "
                               "--record '" + record.string() + "'",
                               fake_qemu("pass"));
    EXPECT_EQ(passed.exit_code, 0) << passed.out << passed.err;
    EXPECT_EQ(axl::test::read_file(record), "boot test passed: system linux_pvpanic, ipc ring, UEFI\n");
    fs::remove(record);
    CommandResult failed = axl("boot --test --iso '" + dummy_iso() + "' --record '" + record.string() + "'",
                               fake_qemu("fail"));
    EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
    EXPECT_FALSE(fs::exists(record)) << "a failed test recorded a pass";
    CommandResult untested = axl("boot --iso '" + dummy_iso() + "' --record '" + record.string() + "'");
    EXPECT_EQ(untested.exit_code, 2) << "--record without --test: " << untested.out << untested.err;
}

TEST_F(AxlBoot, AUsersDisplayReplacesDisplayNone) {
    CommandResult result = axl("boot --test --iso '" + dummy_iso() + "' --qemu=-display --qemu=curses", fake_qemu("pass"));
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(fake_args().find("-display\nnone\n"), std::string::npos) << fake_args();
    EXPECT_NE(fake_args().find("-display\ncurses\n"), std::string::npos) << fake_args();
}

// One real boot (about 1.5 s alone, more on a busy machine): the kernel passes,
// the text is not there, so the test fails and says which text.
TEST_F(AxlBoot, FailsWhenAnExpectedTextIsMissing) {
    require_qemu_and_iso();
    if (IsSkipped()) return;
    const std::string log = file("serial.log");
    CommandResult result = axl("boot --test --system pingpong --ipc ring --timeout 240 --log '" + log +
                               "' --expect 'client exited' --expect 'no such line, xyzzy'",
                               tmpdir());
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_EQ(result.out.rfind("qemu: ", 0), 0u) << "the command line comes first: " << result.out;
    EXPECT_NE(result.out.find("name=opt/axolotl/cmdline,string=system=pingpong ipc=ring"), std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("\nverdict: pass\n"), std::string::npos) << "the echo: " << result.out;
    EXPECT_EQ(result.out.find('\x1b'), std::string::npos) << "escape sequences in the echo";
    EXPECT_NE(result.out.find("boot test: missing expected text 'no such line, xyzzy'\n"), std::string::npos)
        << result.out;
    EXPECT_EQ(result.out.find("'client exited'"), std::string::npos) << "that one is there: " << result.out;
    // The log is the serial output, unchanged: GRUB's escape sequences, \r\n.
    const std::string serial = axl::test::read_file(log);
    EXPECT_NE(serial.find("verdict: pass\r\n"), std::string::npos) << serial;
    EXPECT_NE(serial.find('\x1b'), std::string::npos) << serial;
}

// QEMU's events are lines of the log and the echo: with -S, QEMU holds the
// guest until `axl boot` has connected to its QMP socket and sent `cont`,
// and reports RESUME. The private directory of the socket is gone afterwards.
TEST_F(AxlBoot, QemuEventsReachTheLogAndTheEcho) {
    require_qemu_and_iso();
    if (IsSkipped()) return;
    const std::string log = file("serial.log");
    CommandResult result = axl("boot --test --system pingpong --ipc ring --timeout 240 --log '" + log +
                                   "' --qemu=-S --expect '[qemu] RESUME' --forbid '[qemu] WATCHDOG'",
                               tmpdir());
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("\n[qemu] RESUME\n"), std::string::npos) << "the echo: " << result.out;
    EXPECT_EQ(result.err.find("no QEMU events"), std::string::npos) << result.err;
    const std::string serial = axl::test::read_file(log);
    EXPECT_TRUE(serial.starts_with("[qemu] RESUME\r\n")) << "before the guest's first byte: " << serial.substr(0, 200);
    EXPECT_NE(serial.find("verdict: pass\r\n"), std::string::npos) << serial;
    const std::string option = "-qmp unix:";
    const size_t qmp = result.out.find(option);
    ASSERT_NE(qmp, std::string::npos) << result.out;
    const size_t path_start = qmp + option.size();
    const fs::path socket = result.out.substr(path_start, result.out.find(',', path_start) - path_start);
    EXPECT_EQ(socket.filename(), "qmp.sock") << result.out;
    EXPECT_EQ(socket.parent_path().parent_path(), m_dir) << "$TMPDIR is where temporary files go";
    EXPECT_FALSE(fs::exists(socket.parent_path())) << "the temporary directory is left: " << socket;
}

// QEMU is still in GRUB after a second: the timeout kills it, all of it.
TEST_F(AxlBoot, TimesOutAndLeavesNoQemuBehind) {
    require_qemu_and_iso();
    if (IsSkipped()) return;
    const std::string marker = "axl-boot-test-" + std::to_string(::getpid()) + "-timeout";
    const auto start = std::chrono::steady_clock::now();
    CommandResult result = axl("boot --test --grub-wait --timeout 1 --qemu=-name --qemu=" + marker, tmpdir());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.out.find("boot test: timed out after 1 s\n"), std::string::npos) << result.out << result.err;
    EXPECT_NE(result.out.find("-name " + marker), std::string::npos) << result.out;
    EXPECT_LT(seconds, 30.0) << "the timeout did not end the run";
    EXPECT_TRUE(processes_with(marker).empty()) << "a QEMU is still running: " << result.out;
    // The temporary log of a failed test is kept, and named.
    const size_t kept = result.out.find("boot test: serial log kept in ");
    ASSERT_NE(kept, std::string::npos) << result.out;
    const size_t path_start = kept + std::string("boot test: serial log kept in ").size();
    const std::string path = result.out.substr(path_start, result.out.find('\n', path_start) - path_start);
    EXPECT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(fs::path(path).parent_path(), m_dir) << "$TMPDIR is where temporary files go";
}

}  // namespace
