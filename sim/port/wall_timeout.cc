#include "sim/port/wall_timeout.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/lib/format.h"
#include "sim/port/hosted_port.h"

namespace axl::sim {
namespace {

// One run at a time is watched in a process (a campaign runs each in a
// worker process of its own): the handler finds what it reports here.
const Port* g_port = nullptr;
char g_seconds[32] = "";
int g_exit_status = 1;

// Async-signal-safe: no allocation, no stdio locks; format::format is the
// kernel's freestanding formatter and write(2) is safe.
void on_timeout(int) {
    char text[1024];
    size_t length = 0;
    auto add = [&](const char* format, auto... values) {
        if (length < sizeof text) length += format::format(text + length, sizeof text - length, format, values...);
    };
    const Port& port = *g_port;
    const uint32_t slot = running_slot;
    add("axl: --wall-timeout %s s reached; the run is stopped without a report\n", g_seconds);
    if (slot != no_slot && slot < port.system->processes.size()) {
        const ProcessDescription& process = port.system->processes[slot];
        const bool in_program = armed_fault_target() != nullptr;
        const unsigned long long calls = port.kernel->process(slot).counters.kernel_calls;
        if (in_program)
            add("axl: warning: process '%s' (program %s) was running its own code, not the kernel (%llu kernel "
                "calls so far): a process that stops entering the kernel keeps its CPU on the hosted port, which "
                "preempts at kernel calls only, so virtual time stands still and `until` cannot stop the run\n",
                process.name.c_str(), process.program.c_str(), calls);
        else
            add("axl: process '%s' (program %s) was in a kernel call (%llu so far): the run was still going\n",
                process.name.c_str(), process.program.c_str(), calls);
    } else {
        add("axl: no process was running on this thread (the simulator itself, or parallel mode's CPU threads)\n");
    }
    if (length > sizeof text) length = sizeof text;
    (void)!::write(STDERR_FILENO, text, length);
    ::_exit(g_exit_status);
}

}  // namespace

WallTimeout::WallTimeout(const Port& port, double seconds, int exit_status) {
    if (!(seconds > 0)) return;
    g_port = &port;
    std::snprintf(g_seconds, sizeof g_seconds, "%g", seconds);
    g_exit_status = exit_status;
    struct sigaction action {};
    action.sa_handler = on_timeout;
    sigemptyset(&action.sa_mask);
    if (::sigaction(SIGALRM, &action, nullptr) != 0) throw std::runtime_error("cannot handle SIGALRM");
    // To this thread, not the process: it is the thread whose running process
    // the handler reports.
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = SIGALRM;
    event._sigev_un._tid = static_cast<pid_t>(::syscall(SYS_gettid));
    if (::timer_create(CLOCK_MONOTONIC, &event, &m_timer) != 0) throw std::runtime_error("cannot create a timer");
    itimerspec when{};
    when.it_value.tv_sec = static_cast<time_t>(seconds);
    when.it_value.tv_nsec = static_cast<long>((seconds - static_cast<double>(when.it_value.tv_sec)) * 1e9);
    if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0) when.it_value.tv_nsec = 1;
    if (::timer_settime(m_timer, 0, &when, nullptr) != 0) {
        ::timer_delete(m_timer);
        throw std::runtime_error("cannot arm a timer");
    }
    m_armed = true;
}

WallTimeout::~WallTimeout() {
    if (!m_armed) return;
    ::timer_delete(m_timer);
    g_port = nullptr;
}

}  // namespace axl::sim
