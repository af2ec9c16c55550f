// The one boot builder: a boot image (kernel/boot/boot_image.h) made into the
// kernel's privileges and processes, the same on every port. In order:
//   1. every program the image names must be one the port can start;
//   2. one privilege structure per image privilege, then the destinations;
//   3. the CPUs of dedicated processes are kept out of the round-robin spread,
//      wherever those processes stand in the image;
//   4. the processes in image order: image process i gets kernel slot i (the
//      kernel hands out fresh slots in order), which is how a port knows what
//      a slot runs, at boot and after a restart; dedicated CPUs are handed over.
// Nothing is half-built silently: the first step that fails stops the boot and
// says which step, which process or privilege, and the kernel's status.
#pragma once

#include <cstdint>

#include "kernel/api/status.h"
#include "kernel/boot/boot_image.h"

namespace axl {
class Kernel;
}

namespace axl::boot {

enum class BuildStep : uint8_t {
    program,       // the port cannot start the process's program
    privilege,     // the kernel refused a privilege structure
    destination,   // ... or a destination of one
    reserve_cpu,   // ... or to keep a dedicated process's CPU free
    spawn,         // ... or the process
    slot,          // the process did not get the slot of its image index
    dedicate_cpu,  // ... or did not get its CPU to itself
};

struct BuildFailure {
    BuildStep step = BuildStep::program;
    uint32_t index = 0;  // the image's process, or its privilege (privilege, destination)
    Status status = Status::ok;
};

// What went wrong, as a port's message says it: "cannot spawn", ...
const char* describe(BuildStep step);
// The image line and name the failure is about (a privilege's or a process's;
// for `program`, the program's name).
uint32_t failure_line(const BootImage& image, const BuildFailure& failure);
const char* failure_subject(const BootImage& image, const BuildFailure& failure);

// Whether the port can start `program` (hosted: a registered program; bare
// metal: a program image among the boot modules).
using ProgramCheck = bool (*)(const void* context, const char* program);

// Builds `image` on a freshly constructed `kernel`. False, with `failure`
// filled, at the first refusal.
bool build_system(Kernel& kernel, const BootImage& image, ProgramCheck has_program, const void* context,
                  BuildFailure& failure);

}  // namespace axl::boot
