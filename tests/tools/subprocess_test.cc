// Child processes (tools/axl/subprocess.h), as `axl boot` and `axl campaign`
// use them: a program's output through a pipe, its exit status decoded, a
// failed exec reported, a deadline that kills (a whole process group), forked
// children, and signals caught for as long as a catcher lives.
#include "tools/axl/subprocess.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <string>
#include <vector>

namespace axl::tools {
namespace {

using namespace std::chrono_literals;

bool never() { return false; }

// What `fd` carries until its end, read as the boot test reads QEMU's output.
std::string read_all(int fd) {
    std::string text;
    const WaitEnd end = read_until(
        fd, SteadyClock::now() + 10s, never, [&](std::string_view bytes) { text.append(bytes); }, "the child's output");
    EXPECT_EQ(end, WaitEnd::done);
    return text;
}

TEST(Subprocess, RunsAProgramAndReadsItsOutputAndExitStatus) {
    Pipe output = make_pipe();
    Child child = Child::run("/bin/sh", {"sh", "-c", "echo hello; echo world >&2; exit 3"},
                             {.stdout_fd = output.write.get(), .stderr_fd = output.write.get()});
    output.write.close();
    EXPECT_EQ(read_all(output.read.get()), "hello\nworld\n");
    const ExitStatus status = child.wait();
    EXPECT_TRUE(status.exited());
    EXPECT_FALSE(status.signaled());
    EXPECT_EQ(status.code(), 3);
    EXPECT_EQ(status.describe(), "exit status 3");
    EXPECT_FALSE(child.running());
}

TEST(Subprocess, FeedsAProgramsStandardInput) {
    Pipe input = make_pipe(), output = make_pipe();
    Child child = Child::run("/bin/cat", {"cat"}, {.stdin_fd = input.read.get(), .stdout_fd = output.write.get()});
    input.read.close();
    output.write.close();
    EXPECT_TRUE(write_all(input.write.get(), "echoed\n"));
    input.write.close();
    EXPECT_EQ(read_all(output.read.get()), "echoed\n");
    EXPECT_EQ(child.wait().code(), 0);
}

TEST(Subprocess, AFailedExecThrowsWithTheReason) {
    try {
        Child::run("/nonexistent/program", {"program"}, {});
        FAIL() << "no exception";
    } catch (const std::runtime_error& error) {
        EXPECT_EQ(std::string(error.what()), "cannot run /nonexistent/program: No such file or directory");
    }
}

TEST(Subprocess, ADeadlineEndsTheWaitAndKillTakesTheWholeGroup) {
    Pipe output = make_pipe();
    // The shell's child holds the pipe open too: only killing the group ends it.
    Child child = Child::run("/bin/sh", {"sh", "-c", "sleep 30 & wait"},
                             {.stdout_fd = output.write.get(), .own_group = true, .death_signal = SIGKILL});
    output.write.close();
    const auto start = SteadyClock::now();
    EXPECT_EQ(child.wait_until(start + 200ms, never), WaitEnd::deadline);
    EXPECT_GE(SteadyClock::now() - start, 200ms);
    EXPECT_TRUE(child.running());
    child.kill();
    const ExitStatus status = child.wait();
    EXPECT_TRUE(status.signaled());
    EXPECT_EQ(status.signal_number(), SIGKILL);
    EXPECT_EQ(status.describe(), "signal 9 (Killed)");
    EXPECT_EQ(read_all(output.read.get()), "");  // the end of the file: no member of the group holds it
}

TEST(Subprocess, ReadingStopsAtTheDeadlineOrWhenAsked) {
    Pipe quiet = make_pipe();
    auto ignore = [](std::string_view) {};
    EXPECT_EQ(read_until(quiet.read.get(), SteadyClock::now() + 50ms, never, ignore, "a pipe"), WaitEnd::deadline);
    EXPECT_EQ(read_until(quiet.read.get(), SteadyClock::now() + 10s, [] { return true; }, ignore, "a pipe"),
              WaitEnd::stopped);
}

TEST(Subprocess, AForkedChildRunsItsBodyAndItsLastWordsCanBeRead) {
    Pipe output = make_pipe();
    Child child = Child::fork(
        {.stdout_fd = output.write.get()},
        [] {
            write_all(STDOUT_FILENO, "from the child\n");
            ::_exit(5);
        },
        "a test child");
    output.write.close();
    EXPECT_EQ(child.wait().code(), 5);
    std::string text;
    read_available(output.read.get(), [&](std::string_view bytes) { text.append(bytes); });
    EXPECT_EQ(text, "from the child\n");
}

TEST(Subprocess, ABodyThatReturnsExitsWithStatusZero) {
    Child child = Child::fork({}, [] {}, "a test child");
    EXPECT_EQ(child.wait().code(), 0);
}

TEST(Subprocess, AChildDestroyedRunningIsKilledAndReaped) {
    pid_t pid = -1;
    {
        Child child = Child::run("/bin/sleep", {"sleep", "30"}, {});
        pid = child.pid();
        EXPECT_TRUE(child.try_wait() == std::nullopt);
    }
    errno = 0;
    EXPECT_EQ(::kill(pid, 0), -1);  // reaped: no such process any more
    EXPECT_EQ(errno, ESRCH);
}

TEST(Subprocess, ReadSomeAppendsAndSaysWhenTheEndCame) {
    Pipe pipe = make_pipe();
    std::string text = "kept:";
    ASSERT_TRUE(write_all(pipe.write.get(), "more"));
    EXPECT_TRUE(read_some(pipe.read.get(), text, 2));
    EXPECT_TRUE(read_some(pipe.read.get(), text, 100));
    EXPECT_EQ(text, "kept:more");
    pipe.write.close();
    EXPECT_FALSE(read_some(pipe.read.get(), text, 100));
    EXPECT_EQ(text, "kept:more");
}

TEST(Subprocess, WritingToAPipeNobodyReadsFails) {
    const SignalDispositions no_sigpipe({SIGPIPE}, SIG_IGN);
    Pipe pipe = make_pipe();
    pipe.read.close();
    EXPECT_FALSE(write_all(pipe.write.get(), "lost"));
}

TEST(Subprocess, ACatcherCatchesUntilItIsGone) {
    {
        const SignalCatcher catcher({SIGUSR1});
        EXPECT_EQ(SignalCatcher::caught(), 0);
        ::raise(SIGUSR1);
        EXPECT_EQ(SignalCatcher::caught(), SIGUSR1);
    }
    {
        const SignalCatcher again({SIGUSR1});
        EXPECT_EQ(SignalCatcher::caught(), 0);  // a new catcher forgets what an earlier one caught
    }
    struct sigaction now{};
    ::sigaction(SIGUSR1, nullptr, &now);
    EXPECT_EQ(now.sa_handler, SIG_DFL);  // restored
}

}  // namespace
}  // namespace axl::tools
