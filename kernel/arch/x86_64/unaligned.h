// A value of a firmware or boot-loader structure (Multiboot2 tags, ACPI
// tables), which need not sit at its type's alignment: copied out byte by
// byte, never dereferenced in place.
#pragma once

#include <cstdint>

namespace axl::x86_64 {

template <typename T>
T read_unaligned(const uint8_t* at) {
    T value;
    __builtin_memcpy(&value, at, sizeof value);
    return value;
}

}  // namespace axl::x86_64
