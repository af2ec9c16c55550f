// The faults a scenario armed for a device model's next command
// (DeviceFault, sim/machine/device.h): the model's inject() arms them, and the
// command that takes one clears its flag, so each strikes once.
#pragma once

#include <cstdint>

#include "sim/machine/device.h"

namespace axl::sim {

struct ArmedFaults {
    bool error = false;    // the next command completes with an I/O error
    bool stuck = false;    // the next command never completes
    bool slow = false;     // the next command takes ten times as long
    bool corrupt = false;  // the next data moved into memory has a byte changed
    uint64_t corrupt_seed = 0;  // picks which byte (and bit)

    // Arms `fault` (true: a fault this struct knows).
    bool arm(DeviceFault fault, uint64_t seed) {
        switch (fault) {
            case DeviceFault::error: error = true; return true;
            case DeviceFault::stuck_busy: stuck = true; return true;
            case DeviceFault::corrupt_dma:
                corrupt = true;
                corrupt_seed = seed;
                return true;
            case DeviceFault::slow: slow = true; return true;
        }
        return false;
    }
};

}  // namespace axl::sim
