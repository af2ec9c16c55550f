#include "kernel/arch/x86_64/console.h"

#include <cstdarg>

#include "kernel/arch/x86_64/screen.h"
#include "kernel/arch/x86_64/serial.h"
#include "kernel/lib/format.h"

namespace axl::x86_64::console {

void write(const char* text, size_t length) {
    serial::write(text, length);
    screen::write(text, length);
}

void print(const char* format, ...) {
    char line[512];
    va_list arguments;
    va_start(arguments, format);
    size_t length = format::vformat(line, sizeof line, format, arguments);
    va_end(arguments);
    write(line, length < sizeof line ? length : sizeof line - 1);
}

}  // namespace axl::x86_64::console
