// `axl list PROGRAM`: one program's description and the arguments it takes
// (the options it declares beside AXL_PROGRAM, kernel/api/program.h), which
// is what the description reader checks a [process.args] table against.
#pragma once

#include <string>

namespace axl::tools {

// The program's options as a table, one line each: name, type and range,
// default, help. An empty string when there is no such program.
std::string format_program_options(const std::string& program);

// Prints them; exit 2 (with a did-you-mean) for a program that is not registered.
int list_program(const std::string& program);

}  // namespace axl::tools
