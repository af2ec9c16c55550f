// NUL-terminated strings for code without libc (the kernel, the boot image
// reader, the bare-metal port): one definition of what the hosted side gets
// from <cstring>.
#pragma once

#include <cstddef>

namespace axl::c_string {

constexpr bool equal(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

constexpr size_t length(const char* text) {
    size_t n = 0;
    while (text[n]) ++n;
    return n;
}

}  // namespace axl::c_string
