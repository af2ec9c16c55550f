// The hosted port's program registry: every AXL_PROGRAM linked into the binary,
// by name. System descriptions name programs; the simulator starts them from
// here and `axl list` prints them.
#pragma once

#include <string_view>
#include <vector>

#include "kernel/api/program.h"

namespace axl::sim {

// The program registered under `name`, or nullptr. Pointers stay valid for the
// life of the process.
const ProgramInfo* find_program(std::string_view name);

// Every registered program, sorted by name.
std::vector<const ProgramInfo*> all_programs();

}  // namespace axl::sim
