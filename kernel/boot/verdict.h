// The end of a run, judged the same way on every port: whether each process
// did what its boot image expected of it, and when a run is over.
#pragma once

#include <cstdint>

#include "kernel/boot/boot_image.h"
#include "kernel/process.h"

namespace axl {
class Kernel;
}

namespace axl::boot {

// Whether a process that ended in `state` (with `exit_status`) met `expectation`.
// A process still alive meets `serve` only; `exit` and `fault` want it ended.
bool meets(Expectation expectation, ProcessState state, int32_t exit_status);

// What a process expected to do had to do, as the end-of-run report says it:
// "exit with status 0", "serve without failing", "be killed by a fault".
const char* wanted(Expectation expectation);

// Every process the image expects to exit has ended (there must be one): the
// run has nothing left to wait for, whatever servers and drivers still do.
// Processes expected to fault, and servers, may be restarted or go on serving.
bool workloads_done(const Kernel& kernel, const BootImage& image);

}  // namespace axl::boot
