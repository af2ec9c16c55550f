// Child processes, for the axl commands that supervise them: `axl boot` runs
// QEMU, reads its serial console from a pipe and kills it at a deadline;
// `axl campaign` forks workers, talks to them over pipes and kills one that
// stalls. Descriptors made here are close-on-exec, so a child started later
// never holds another child's pipe open (its reader would never see the end).
// A system call that a signal interrupts is retried, or, for a read, comes
// back with nothing, so that the caller can look at what the signal changed.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace axl::tools {

using SteadyClock = std::chrono::steady_clock;

// A file descriptor, closed when it goes out of scope.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() { close(); }
    Fd(Fd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            close();
            m_fd = std::exchange(other.m_fd, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const { return m_fd; }
    bool is_open() const { return m_fd >= 0; }
    void close();

private:
    int m_fd = -1;
};

struct Pipe {
    Fd read;
    Fd write;
};

// Throws std::runtime_error when the system has no descriptors left.
Pipe make_pipe();

// False if the other end is gone (or another error stops the write).
bool write_all(int fd, std::string_view bytes);

// One read of what `fd` holds, appended to `into`. False at the end of the
// file, which an error is taken as too: for a pipe from a child, both mean
// there is nothing more to come. An interrupted read appends nothing.
bool read_some(int fd, std::string& into, size_t at_most);

// How a wait ended: what was waited for happened, time ran out, or the
// caller's stop condition (an interrupt, usually) came true first.
enum class WaitEnd { done, deadline, stopped };

// Hands everything read from `fd` to `take`, piece by piece, until the end of
// the file (done), `deadline`, or `stop()`, which is asked at least once a
// second. `source` names the stream in the error thrown if reading fails.
WaitEnd read_until(int fd, SteadyClock::time_point deadline, const std::function<bool()>& stop,
                   const std::function<void(std::string_view)>& take, std::string_view source);

// Hands what `fd` holds right now to `take`, without waiting for more: the
// last words of a child that has ended.
void read_available(int fd, const std::function<void(std::string_view)>& take);

// waitpid's status, decoded.
class ExitStatus {
public:
    explicit ExitStatus(int raw) : m_raw(raw) {}

    bool exited() const;
    bool signaled() const;
    int code() const;         // the exit code, when it exited
    int signal_number() const;  // the signal that ended it, when signaled
    // "signal 9 (Killed)" or "exit status 3".
    std::string describe() const;

private:
    int m_raw;
};

// How a child starts, besides what it runs.
struct ChildSetup {
    // Put in place of its standard input, output and error; -1 leaves ours.
    int stdin_fd = -1;
    int stdout_fd = -1;
    int stderr_fd = -1;
    // A process group of its own, which kill() then kills whole: what the
    // child starts in turn goes too.
    bool own_group = false;
    // Sent to it when this process dies (Linux), so that nothing outlives
    // us; 0 for nothing.
    int death_signal = 0;
};

// A started child. Destroyed before it was reaped, it is killed and reaped,
// so an exception cannot leave a child running.
class Child {
public:
    // Runs the program at `path` with `argv` (argv[0] included), with every
    // signal's disposition and the signal mask back to the defaults. Throws
    // std::runtime_error if it cannot be started, a failed exec included.
    static Child run(const std::string& path, const std::vector<std::string>& argv, const ChildSetup& setup);

    // Forks; the child runs `body` and exits with status 0 if body returns.
    // The child is a copy of this process: `body` must close the descriptors
    // it does not own. `name` names the child in the error thrown if the
    // fork fails.
    static Child fork(const ChildSetup& setup, const std::function<void()>& body, std::string_view name);

    Child() = default;
    ~Child();
    Child(Child&& other) noexcept;
    Child& operator=(Child&& other) noexcept;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return m_pid; }
    // Started and not reaped yet.
    bool running() const { return m_pid > 0 && !m_status; }
    // How it ended, once reaped.
    const std::optional<ExitStatus>& exit_status() const { return m_status; }

    // SIGKILL, to its group if it leads one.
    void kill() const;
    // Reaps it if it has ended, without waiting.
    std::optional<ExitStatus> try_wait();
    ExitStatus wait();
    // Waits until it ends (done), `deadline`, or `stop()`.
    WaitEnd wait_until(SteadyClock::time_point deadline, const std::function<bool()>& stop);

private:
    // A child that cannot put `setup`'s descriptors in place writes its
    // errno to `report_fd` (if there is one) and exits with status 127.
    static Child start(const ChildSetup& setup, const std::function<void()>& body, std::string_view name,
                       int report_fd);
    void reap_if_running() noexcept;

    pid_t m_pid = -1;
    bool m_own_group = false;
    std::optional<ExitStatus> m_status;
};

// Gives some signals a disposition for as long as it lives, then restores
// the ones they had. `flags` are sigaction's (SA_RESETHAND: a second signal
// acts as if this were not there); without SA_RESTART, a blocking call that
// a caught signal interrupts returns, so a wait notices it.
class SignalDispositions {
public:
    SignalDispositions(std::initializer_list<int> signals, void (*handler)(int), int flags = 0);
    ~SignalDispositions();
    SignalDispositions(const SignalDispositions&) = delete;
    SignalDispositions& operator=(const SignalDispositions&) = delete;

private:
    std::vector<std::pair<int, struct sigaction>> m_saved;
};

// Catches signals (an interrupt, a terminal hanging up) for as long as it
// lives, so that the caller can stop its children and sum up instead of
// dying at once: caught() is the last one caught.
class SignalCatcher {
public:
    explicit SignalCatcher(std::initializer_list<int> signals, int flags = 0);

    // The signal caught last since a catcher was made; 0 for none.
    static int caught();

private:
    // Forgets a signal caught before; made ahead of the handler going in, so
    // that a signal arriving in between is not lost.
    struct Forget {
        Forget();
    };

    Forget m_forget;
    SignalDispositions m_dispositions;
};

}  // namespace axl::tools
