#include "kernel/boot/verdict.h"

#include "kernel/kernel.h"

namespace axl::boot {

bool meets(Expectation expectation, ProcessState state, int32_t exit_status) {
    const bool exited_cleanly = state == ProcessState::exited && exit_status == 0;
    switch (expectation) {
        case Expectation::exit: return exited_cleanly;
        case Expectation::serve: return is_alive(state) || exited_cleanly;
        case Expectation::fault: return state == ProcessState::faulted;
    }
    return false;
}

const char* wanted(Expectation expectation) {
    switch (expectation) {
        case Expectation::exit: return "exit with status 0";
        case Expectation::serve: return "serve without failing";
        case Expectation::fault: return "be killed by a fault";
    }
    return "?";
}

bool workloads_done(const Kernel& kernel, const BootImage& image) {
    bool any_workload = false;
    // Slot i runs image process i (kernel/boot/boot_image.h).
    for (uint32_t slot = 0; slot < kernel.slots_used() && slot < image.processes.count; ++slot) {
        if (image.processes[slot].expect != Expectation::exit) continue;
        any_workload = true;
        if (is_alive(kernel.process(slot).state)) return false;
    }
    return any_workload;
}

}  // namespace axl::boot
