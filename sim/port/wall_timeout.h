// A limit on the host time one run may take (`axl run --wall-timeout`,
// `axl replay --wall-timeout`). Virtual time cannot bound a run whose process
// computes without ever entering the kernel: the hosted port preempts at
// kernel calls only (docs/kernel.md, "Scheduling"), so such a process keeps
// its CPU, its clock never moves and `until` is never reached. Nothing can
// take the CPU back from inside the simulation either, so the limit ends the
// whole command: a one-shot timer signals the simulator's thread, whose
// handler says what was running when time ran out -- the process and whether
// it was in its own code rather than in the kernel, with its kernel-call
// count -- and exits with the status it was given (no report is written).
#pragma once

#include <ctime>

namespace axl {
struct Port;
}

namespace axl::sim {

class WallTimeout {
public:
    // Armed on the calling thread (the one that runs the processes; in
    // parallel mode the one that waits for the CPUs' threads) for `seconds`
    // of wall time; seconds <= 0 arms nothing.
    WallTimeout(const Port& port, double seconds, int exit_status);
    ~WallTimeout();  // disarms
    WallTimeout(const WallTimeout&) = delete;
    WallTimeout& operator=(const WallTimeout&) = delete;

private:
    timer_t m_timer{};
    bool m_armed = false;
};

}  // namespace axl::sim
