// memcpy, memmove, memset and memcmp for the freestanding kernel and for
// program images (GCC emits calls to them for struct copies and loops even
// under -ffreestanding). String instructions keep them short; the compiler
// cannot turn them back into calls to themselves.
#include <cstddef>
#include <cstdint>

extern "C" {

void* memcpy(void* to, const void* from, size_t bytes) {
    // Eight bytes at a time, then the rest (a message is eight iterations).
    void* result = to;
    size_t words = bytes / 8, rest = bytes % 8;
    asm volatile("rep movsq" : "+D"(to), "+S"(from), "+c"(words) : : "memory");
    asm volatile("rep movsb" : "+D"(to), "+S"(from), "+c"(rest) : : "memory");
    return result;
}

void* memmove(void* to, const void* from, size_t bytes) {
    if (to <= from || static_cast<const uint8_t*>(from) + bytes <= static_cast<uint8_t*>(to))
        return memcpy(to, from, bytes);
    // Overlapping with the destination above: copy backwards.
    uint8_t* last_to = static_cast<uint8_t*>(to) + bytes - 1;
    const uint8_t* last_from = static_cast<const uint8_t*>(from) + bytes - 1;
    asm volatile("std; rep movsb; cld" : "+D"(last_to), "+S"(last_from), "+c"(bytes) : : "memory");
    return to;
}

void* memset(void* to, int value, size_t bytes) {
    void* result = to;
    asm volatile("rep stosb" : "+D"(to), "+c"(bytes) : "a"(value) : "memory");
    return result;
}

int memcmp(const void* a, const void* b, size_t bytes) {
    const uint8_t* x = static_cast<const uint8_t*>(a);
    const uint8_t* y = static_cast<const uint8_t*>(b);
    for (size_t i = 0; i < bytes; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

}  // extern "C"
