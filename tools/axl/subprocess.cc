#include "tools/axl/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace axl::tools {
namespace {

volatile std::sig_atomic_t g_caught_signal = 0;

extern "C" void remember_signal(int signal_number) { g_caught_signal = signal_number; }

std::runtime_error system_error(std::string_view what, int error) {
    return std::runtime_error(fmt::format("{}: {}", what, std::strerror(error)));
}

}  // namespace

// --- descriptors ----------------------------------------------------------------------

void Fd::close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
}

Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw system_error("cannot make a pipe", errno);
    return Pipe{Fd(fds[0]), Fd(fds[1])};
}

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        bytes.remove_prefix(static_cast<size_t>(written));
    }
    return true;
}

bool read_some(int fd, std::string& into, size_t at_most) {
    const size_t before = into.size();
    into.resize(before + at_most);
    const ssize_t got = ::read(fd, into.data() + before, at_most);
    const int error = errno;
    into.resize(before + static_cast<size_t>(std::max<ssize_t>(got, 0)));
    if (got < 0 && error == EINTR) return true;
    return got > 0;
}

WaitEnd read_until(int fd, SteadyClock::time_point deadline, const std::function<bool()>& stop,
                   const std::function<void(std::string_view)>& take, std::string_view source) {
    char buffer[16384];
    while (!stop()) {
        const auto now = SteadyClock::now();
        if (now >= deadline) return WaitEnd::deadline;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
        pollfd polled{fd, POLLIN, 0};
        const int ready = ::poll(&polled, 1, static_cast<int>(std::min<long long>(left, 1000)));
        if (ready < 0 && errno != EINTR) throw system_error("poll", errno);
        if (ready <= 0) continue;
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno != EINTR && errno != EAGAIN) {
            const int error = errno;
            throw system_error(fmt::format("reading {}", source), error);
        }
        if (got == 0) return WaitEnd::done;
        if (got > 0) take(std::string_view(buffer, static_cast<size_t>(got)));
    }
    return WaitEnd::stopped;
}

void read_available(int fd, const std::function<void(std::string_view)>& take) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    char buffer[16384];
    ssize_t got;
    while ((got = ::read(fd, buffer, sizeof buffer)) > 0) take(std::string_view(buffer, static_cast<size_t>(got)));
}

// --- exit status ----------------------------------------------------------------------

bool ExitStatus::exited() const { return WIFEXITED(m_raw); }
bool ExitStatus::signaled() const { return WIFSIGNALED(m_raw); }
int ExitStatus::code() const { return WEXITSTATUS(m_raw); }
int ExitStatus::signal_number() const { return WTERMSIG(m_raw); }

std::string ExitStatus::describe() const {
    if (signaled()) return fmt::format("signal {} ({})", signal_number(), ::strsignal(signal_number()));
    return fmt::format("exit status {}", code());
}

// --- children -------------------------------------------------------------------------

Child Child::start(const ChildSetup& setup, const std::function<void()>& body, std::string_view name,
                   int report_fd) {
    const pid_t parent = ::getpid();
    std::fflush(nullptr);  // nothing buffered may be written twice
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int error = errno;
        throw system_error(fmt::format("cannot start {}", name), error);
    }
    if (pid == 0) {
        // The child: async-signal-safe calls only, up to the body.
        if (setup.own_group) ::setpgid(0, 0);
        if (setup.death_signal != 0) {
            ::prctl(PR_SET_PDEATHSIG, setup.death_signal);
            if (::getppid() != parent) ::_exit(127);  // we died before prctl
        }
        if ((setup.stdin_fd >= 0 && ::dup2(setup.stdin_fd, STDIN_FILENO) < 0) ||
            (setup.stdout_fd >= 0 && ::dup2(setup.stdout_fd, STDOUT_FILENO) < 0) ||
            (setup.stderr_fd >= 0 && ::dup2(setup.stderr_fd, STDERR_FILENO) < 0)) {
            const int error = errno;
            if (report_fd >= 0) {
                [[maybe_unused]] const ssize_t written = ::write(report_fd, &error, sizeof error);
            }
            ::_exit(127);
        }
        body();
        ::_exit(0);
    }
    // As the child does, whoever runs first (once it has run exec this fails, harmlessly).
    if (setup.own_group) ::setpgid(pid, pid);
    Child child;
    child.m_pid = pid;
    child.m_own_group = setup.own_group;
    return child;
}

Child Child::run(const std::string& path, const std::vector<std::string>& argv, const ChildSetup& setup) {
    std::vector<char*> arguments;
    for (const std::string& arg : argv) arguments.push_back(const_cast<char*>(arg.c_str()));
    arguments.push_back(nullptr);
    // A failed exec reports its errno here; a successful one closes the pipe unwritten.
    Pipe report = make_pipe();
    Child child = start(
        setup,
        [&] {
            struct sigaction default_action{};
            default_action.sa_handler = SIG_DFL;
            sigemptyset(&default_action.sa_mask);
            for (int signal_number : {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE})
                ::sigaction(signal_number, &default_action, nullptr);
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            ::execv(path.c_str(), arguments.data());
            const int error = errno;
            [[maybe_unused]] ssize_t written = ::write(report.write.get(), &error, sizeof error);
            ::_exit(127);
        },
        path, report.write.get());
    report.write.close();
    int error = 0;
    ssize_t got;
    while ((got = ::read(report.read.get(), &error, sizeof error)) < 0 && errno == EINTR) {
    }
    if (got == static_cast<ssize_t>(sizeof error)) {
        child.wait();
        throw system_error(fmt::format("cannot run {}", path), error);
    }
    return child;
}

Child Child::fork(const ChildSetup& setup, const std::function<void()>& body, std::string_view name) {
    return start(setup, body, name, -1);
}

Child::~Child() { reap_if_running(); }

Child::Child(Child&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)), m_own_group(other.m_own_group), m_status(std::move(other.m_status)) {
    other.m_status.reset();
}

Child& Child::operator=(Child&& other) noexcept {
    if (this != &other) {
        reap_if_running();
        m_pid = std::exchange(other.m_pid, -1);
        m_own_group = other.m_own_group;
        m_status = std::move(other.m_status);
        other.m_status.reset();
    }
    return *this;
}

void Child::reap_if_running() noexcept {
    if (!running()) return;
    kill();
    int status;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
    m_status = ExitStatus(status);
}

void Child::kill() const {
    if (m_own_group && ::kill(-m_pid, SIGKILL) == 0) return;
    ::kill(m_pid, SIGKILL);
}

std::optional<ExitStatus> Child::try_wait() {
    if (!running()) return m_status;
    int status = 0;
    pid_t done;
    while ((done = ::waitpid(m_pid, &status, WNOHANG)) < 0 && errno == EINTR) {
    }
    if (done < 0) throw system_error("waitpid", errno);
    if (done == m_pid) m_status = ExitStatus(status);
    return m_status;
}

ExitStatus Child::wait() {
    if (!running()) return *m_status;
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0) {
        if (errno != EINTR) throw system_error("waitpid", errno);
    }
    m_status = ExitStatus(status);
    return *m_status;
}

WaitEnd Child::wait_until(SteadyClock::time_point deadline, const std::function<bool()>& stop) {
    while (!stop()) {
        if (try_wait()) return WaitEnd::done;
        if (SteadyClock::now() >= deadline) return WaitEnd::deadline;
        ::poll(nullptr, 0, 20);  // a child has no descriptor to wait on; look again soon
    }
    return WaitEnd::stopped;
}

// --- signals --------------------------------------------------------------------------

SignalDispositions::SignalDispositions(std::initializer_list<int> signals, void (*handler)(int), int flags) {
    struct sigaction action{};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = flags;
    for (int signal_number : signals) {
        struct sigaction old{};
        if (::sigaction(signal_number, &action, &old) == 0) m_saved.emplace_back(signal_number, old);
    }
}

SignalDispositions::~SignalDispositions() {
    for (auto& [signal_number, old] : m_saved) ::sigaction(signal_number, &old, nullptr);
}

SignalCatcher::Forget::Forget() { g_caught_signal = 0; }

SignalCatcher::SignalCatcher(std::initializer_list<int> signals, int flags)
    : m_dispositions(signals, remember_signal, flags) {}

int SignalCatcher::caught() { return g_caught_signal; }

}  // namespace axl::tools
