// The kernel's console: every line goes to the serial line (COM1) and to the
// screen (screen.h). Kernel messages and process logs alike.
#pragma once

#include <cstddef>

namespace axl::x86_64::console {

void write(const char* text, size_t length);
void print(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace axl::x86_64::console
