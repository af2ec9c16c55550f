// A process's memory and first registers, built from its program's image:
// the image's segments, a stack with an unmapped guard gap above and below,
// and the read-only startup block (syscall_abi.h).
#pragma once

#include <cstdint>

#include "kernel/arch/x86_64/program_image.h"

namespace axl {
struct Port;
}

namespace axl::x86_64 {

// The boot module that defines `program`, and its entry; false if none does.
bool find_program_image(const Port& port, const char* program, ImageView& image, uint64_t& entry);
// (Re)builds the process in `slot` from its system-file description.
// nullptr on success, else the problem.
const char* build_process_image(Port& port, uint32_t slot);
// Opens the process's direct devices as its privilege's rights now say (at
// start, and when device_grant added to them): the I/O bitmap's privilege,
// its memory ranges mapped uncached at their physical addresses, the startup
// block's lists. nullptr on success, else the problem.
const char* open_direct_devices(Port& port, uint32_t slot);

}  // namespace axl::x86_64
