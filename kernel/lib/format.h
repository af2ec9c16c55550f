// printf-style formatting without libc, heap or exceptions, for the bare-metal kernel
// console and for programs' axl::log.
//
// Supported: conversions d i u x X o c s p %; flags - 0 # + and space; width and
// precision, as digits or *; length modifiers hh h l ll z j t on d i u x X o (and, as
// glibc allows, before %). For all of these the output and the returned length are
// exactly glibc's snprintf's, including its corners: "(null)" for a null %s unless a
// precision below 6 would cut it (then nothing), "(nil)" for a null %p, and %p as
// "0x" + lowercase hex that honours + space 0 and precision.
//
// Anything else (%f, %n, %lc, %1$d, %Ld, an unknown letter, a width above INT_MAX, a
// lone trailing %) is copied to the output as written, up to and including the
// character that made it unsupported, and consumes no argument, not even for its *.
// A bad format string can garble a line, but never makes the formatter read an
// argument as a pointer it is not, or write through %n.
//
// The format is never read past its NUL, a %s string never past its NUL or its
// precision, and out never past size.
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>

namespace axl::format {

namespace detail {

// The widest integer a conversion can take (j, ll, and pointers) fits in one of these.
static_assert(sizeof(uintmax_t) <= sizeof(unsigned long long));
static_assert(sizeof(uintptr_t) <= sizeof(unsigned long long));
// %zd and %tu reinterpret size_t and ptrdiff_t as each other.
static_assert(sizeof(size_t) == sizeof(ptrdiff_t));

constexpr int int_max = static_cast<int>(~0u >> 1);

// Writes what fits in out[0, size - 1) and counts everything, so that the caller
// learns the length the whole output would have had, as snprintf does.
struct Sink {
    char* out;
    size_t size;
    size_t length = 0;

    void put(char c) {
        if (length + 1 < size) out[length] = c;
        ++length;
    }
    // What does not fit is only counted, so that a huge width costs no time.
    void repeat(char c, size_t n) {
        for (; n > 0 && length + 1 < size; --n) out[length++] = c;
        length += n;
    }
    void write(const char* text, size_t n) {
        for (size_t i = 0; i < n; ++i) put(text[i]);
    }
};

enum class Length : uint8_t { none, hh, h, l, ll, z, j, t };

struct Spec {
    bool left = false, zero = false, alt = false, plus = false, space = false;
    bool star_width = false, star_precision = false;
    size_t width = 0;
    int precision = -1;  // -1: none
    Length length = Length::none;
    char conversion = 0;
};

// Reads decimal digits; false if the number exceeds INT_MAX, where glibc gives up too.
inline bool number(const char*& p, int& value) {
    value = 0;
    for (; *p >= '0' && *p <= '9'; ++p) {
        int digit = *p - '0';
        if (value > (int_max - digit) / 10) return false;
        value = value * 10 + digit;
    }
    return true;
}

// Parses what follows a '%' up to the conversion character, leaving p on it.
// False if the conversion is unsupported (p then on the offending character).
inline bool parse(const char*& p, Spec& spec) {
    for (;; ++p) {
        if (*p == '-') spec.left = true;
        else if (*p == '0') spec.zero = true;
        else if (*p == '#') spec.alt = true;
        else if (*p == '+') spec.plus = true;
        else if (*p == ' ') spec.space = true;
        else break;
    }
    int width = 0;
    if (*p == '*') {
        spec.star_width = true;
        ++p;
    } else if (!number(p, width)) {
        return false;
    }
    spec.width = static_cast<size_t>(width);
    if (*p == '.') {
        ++p;
        if (*p == '*') {
            spec.star_precision = true;
            ++p;
        } else if (!number(p, spec.precision)) {  // "." alone means 0
            return false;
        }
    }
    if (*p == 'h' || *p == 'l') {
        bool doubled = p[1] == p[0];
        if (*p == 'h') spec.length = doubled ? Length::hh : Length::h;
        else spec.length = doubled ? Length::ll : Length::l;
        p += doubled ? 2 : 1;
    } else if (*p == 'z' || *p == 'j' || *p == 't') {
        spec.length = *p == 'z' ? Length::z : *p == 'j' ? Length::j : Length::t;
        ++p;
    }
    spec.conversion = *p;
    switch (*p) {
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case '%':
            return true;
        case 'c': case 's': case 'p':
            // C gives these no length but l, which means wide characters: not here.
            return spec.length == Length::none;
        default:
            return false;
    }
}

// An argument of the integer type the length modifier names, widened. Takes a
// pointer to a va_list: the only portable way to share one with a callee.
inline long long signed_argument(va_list* args, Length length) {
    switch (length) {
        case Length::hh: return static_cast<signed char>(va_arg(*args, int));
        case Length::h: return static_cast<short>(va_arg(*args, int));
        case Length::l: return va_arg(*args, long);
        case Length::ll: return va_arg(*args, long long);
        case Length::z: return static_cast<ptrdiff_t>(va_arg(*args, size_t));  // size_t's signed twin
        case Length::j: return va_arg(*args, intmax_t);
        case Length::t: return va_arg(*args, ptrdiff_t);
        case Length::none: break;
    }
    return va_arg(*args, int);
}

inline unsigned long long unsigned_argument(va_list* args, Length length) {
    switch (length) {
        case Length::hh: return static_cast<unsigned char>(va_arg(*args, unsigned));
        case Length::h: return static_cast<unsigned short>(va_arg(*args, unsigned));
        case Length::l: return va_arg(*args, unsigned long);
        case Length::ll: return va_arg(*args, unsigned long long);
        case Length::z: return va_arg(*args, size_t);
        case Length::j: return va_arg(*args, uintmax_t);
        case Length::t: return static_cast<size_t>(va_arg(*args, ptrdiff_t));  // ptrdiff_t's unsigned twin
        case Length::none: break;
    }
    return va_arg(*args, unsigned);
}

// %c, %s and a null %p: glibc pads them with spaces even with the 0 flag.
inline void text(Sink& sink, const Spec& spec, const char* s, size_t n) {
    size_t pad = spec.width > n ? spec.width - n : 0;
    if (!spec.left) sink.repeat(' ', pad);
    sink.write(s, n);
    if (spec.left) sink.repeat(' ', pad);
}

// Integers and non-null pointers: [spaces] sign-or-0x [zeros] digits [spaces].
inline void integer(Sink& sink, const Spec& spec, unsigned long long magnitude, bool negative) {
    char conversion = spec.conversion;
    unsigned base = conversion == 'o' ? 8 : conversion == 'x' || conversion == 'X' || conversion == 'p' ? 16 : 10;
    const char* digit_chars = conversion == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";

    char digits[22];  // 64 bits in octal
    size_t n = 0;
    bool nonzero = magnitude != 0;
    if (nonzero || spec.precision != 0) {  // 0 with precision 0 has no digits at all
        do {
            digits[n++] = digit_chars[magnitude % base];
            magnitude /= base;
        } while (magnitude != 0);
    }
    size_t precision = spec.precision > 0 ? static_cast<size_t>(spec.precision) : 0;
    size_t zeros = precision > n ? precision - n : 0;
    // '#' on %o only guarantees a leading 0, so a 0 already there is enough.
    if (spec.alt && base == 8 && zeros == 0 && (n == 0 || digits[n - 1] != '0')) zeros = 1;

    char prefix[2];
    size_t prefix_length = 0;
    bool is_signed = conversion == 'd' || conversion == 'i' || conversion == 'p';  // glibc: %+p is "+0x..."
    if (negative) prefix[prefix_length++] = '-';
    else if (is_signed && spec.plus) prefix[prefix_length++] = '+';
    else if (is_signed && spec.space) prefix[prefix_length++] = ' ';
    bool hex_prefix = base == 16 && nonzero && (spec.alt || conversion == 'p');

    size_t body = prefix_length + (hex_prefix ? 2 : 0) + zeros + n;
    size_t pad = spec.width > body ? spec.width - body : 0;
    // A precision turns the 0 flag off: the digits are already as wide as asked.
    if (!spec.left && spec.zero && spec.precision < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!spec.left) sink.repeat(' ', pad);
    sink.write(prefix, prefix_length);
    if (hex_prefix) {
        sink.put('0');
        sink.put(conversion == 'X' ? 'X' : 'x');
    }
    sink.repeat('0', zeros);
    while (n > 0) sink.put(digits[--n]);
    if (spec.left) sink.repeat(' ', pad);
}

}  // namespace detail

// Like vsnprintf: writes at most size - 1 characters and a NUL (when size > 0) and
// returns the length the whole output would have had. out may be null when size is 0.
inline size_t vformat(char* out, size_t size, const char* format, va_list args) {
    detail::Sink sink{out, size};
    va_list arguments;
    va_copy(arguments, args);
    const char* p = format;
    while (*p != '\0') {
        if (*p != '%') {
            sink.put(*p++);
            continue;
        }
        const char* start = p++;
        detail::Spec spec;
        if (!detail::parse(p, spec)) {
            if (*p != '\0') ++p;
            sink.write(start, static_cast<size_t>(p - start));
            continue;
        }
        ++p;
        // Only now that the conversion is known good may its * arguments be taken.
        if (spec.star_width) {
            int width = va_arg(arguments, int);
            if (width < 0) spec.left = true;
            spec.width = width < 0 ? 0u - static_cast<unsigned>(width) : static_cast<unsigned>(width);
        }
        if (spec.star_precision) {
            int precision = va_arg(arguments, int);
            spec.precision = precision < 0 ? -1 : precision;  // negative: as if none
        }
        switch (spec.conversion) {
            case '%':  // glibc ignores flags, width and precision here
                sink.put('%');
                break;
            case 'c': {
                char c = static_cast<char>(va_arg(arguments, int));
                detail::text(sink, spec, &c, 1);
                break;
            }
            case 's': {
                const char* s = va_arg(arguments, const char*);
                if (s == nullptr) s = spec.precision < 0 || spec.precision >= 6 ? "(null)" : "";
                size_t n = 0;
                while ((spec.precision < 0 || n < static_cast<size_t>(spec.precision)) && s[n] != '\0') ++n;
                detail::text(sink, spec, s, n);
                break;
            }
            case 'p': {
                const void* pointer = va_arg(arguments, const void*);
                if (pointer == nullptr) detail::text(sink, spec, "(nil)", 5);
                else detail::integer(sink, spec, reinterpret_cast<uintptr_t>(pointer), false);
                break;
            }
            case 'd':
            case 'i': {
                long long value = detail::signed_argument(&arguments, spec.length);
                // Negated as unsigned: -LLONG_MIN does not fit in a long long.
                unsigned long long magnitude = value < 0 ? 0ull - static_cast<unsigned long long>(value)
                                                         : static_cast<unsigned long long>(value);
                detail::integer(sink, spec, magnitude, value < 0);
                break;
            }
            default:
                detail::integer(sink, spec, detail::unsigned_argument(&arguments, spec.length), false);
                break;
        }
    }
    va_end(arguments);
    if (size > 0) out[sink.length < size ? sink.length : size - 1] = '\0';
    return sink.length;
}

[[gnu::format(printf, 3, 4)]] inline size_t format(char* out, size_t size, const char* format, ...) {
    va_list args;
    va_start(args, format);
    size_t length = vformat(out, size, format, args);
    va_end(args);
    return length;
}

}  // namespace axl::format
