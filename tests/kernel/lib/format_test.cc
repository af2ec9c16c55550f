// axl::format (kernel/lib/format.h) against glibc's snprintf: every supported
// conversion must give the same bytes and the same return value, for every buffer
// size, and must never write past the buffer; unsupported conversions are copied
// through as written and consume no argument.
#include "kernel/lib/format.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr size_t capacity = 600;
constexpr char sentinel = '\xa5';

std::string escaped(const char* text, size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            s += static_cast<char>(c);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            s += hex;
        }
    }
    return s;
}

// Formats into a buffer of `size` bytes with both glibc and axl::format and compares
// the return values, the bytes written, and that nothing past the NUL was touched.
template <typename... Args>
testing::AssertionResult same_at(size_t size, const char* format, Args... args) {
    char expected[capacity + 16], actual[capacity + 16];
    std::memset(expected, sentinel, sizeof expected);
    std::memset(actual, sentinel, sizeof actual);
    int glibc = std::snprintf(expected, size, format, args...);
    size_t ours = axl::format::format(actual, size, format, args...);
    auto failure = [&] {
        size_t shown_glibc = glibc < 0 ? 0 : static_cast<size_t>(glibc);
        if (size > 0 && shown_glibc >= size) shown_glibc = size - 1;
        if (size == 0) shown_glibc = 0;
        size_t shown_ours = size == 0 ? 0 : ours < size ? ours : size - 1;
        return testing::AssertionFailure() << "format \"" << escaped(format, std::strlen(format)) << "\" size " << size
                                           << ": glibc \"" << escaped(expected, shown_glibc) << "\" (" << glibc
                                           << "), ours \"" << escaped(actual, shown_ours) << "\" (" << ours << ")";
    };
    if (glibc < 0 || static_cast<size_t>(glibc) != ours) return failure();
    size_t end = size == 0 ? 0 : (ours < size ? ours : size - 1) + 1;  // bytes written, NUL included
    if (std::memcmp(expected, actual, end) != 0) return failure();
    for (size_t i = end; i < sizeof actual; ++i)
        if (actual[i] != sentinel) return failure() << " (wrote byte " << i << ")";
    return testing::AssertionSuccess();
}

// Every size from 0 to one past the full output (capped), or only the telling ones.
template <typename... Args>
testing::AssertionResult same(bool every_size, const char* format, Args... args) {
    int full = std::snprintf(nullptr, 0, format, args...);
    if (full < 0) return testing::AssertionFailure() << "glibc rejects \"" << format << "\"";
    size_t length = static_cast<size_t>(full);
    std::vector<size_t> sizes;
    if (every_size) {
        for (size_t size = 0; size <= length + 1 && size <= capacity; ++size) sizes.push_back(size);
    } else {
        sizes = {0, 1, 2, length / 2, length, length + 1};
    }
    sizes.push_back(capacity);
    for (size_t size : sizes) {
        if (size > capacity) continue;
        testing::AssertionResult result = same_at(size, format, args...);
        if (!result) return result;
    }
    return testing::AssertionSuccess();
}

#define EXPECT_SAME(...) EXPECT_TRUE(same(true, __VA_ARGS__))

// Call vformat through functions without the printf format attribute, so that
// deliberately bad formats compile without warnings.
size_t unchecked(char* out, size_t size, const char* format, ...) {
    va_list args;
    va_start(args, format);
    size_t length = axl::format::vformat(out, size, format, args);
    va_end(args);
    return length;
}

std::string ours(const char* format, ...) {
    char buffer[capacity];
    va_list args;
    va_start(args, format);
    size_t length = axl::format::vformat(buffer, sizeof buffer, format, args);
    va_end(args);
    EXPECT_LT(length, sizeof buffer);
    EXPECT_EQ(std::strlen(buffer), length) << "returned length must match what was written";
    return std::string(buffer, length);
}

// Integer edge values; each test casts them to the type its length modifier names.
const int64_t integer_values[] = {
    0, 1, -1, 7, 8, 9, 10, 15, 16, 42, -42, 99, 100, 127, 128, -128, -129, 255, 256, 4095, 32767, -32768, 65535, 65536,
    INT_MAX, INT_MIN, static_cast<int64_t>(UINT_MAX), static_cast<int64_t>(UINT_MAX) + 1, INT64_MAX, INT64_MIN,
    static_cast<int64_t>(UINT64_MAX), static_cast<int64_t>(0x123456789abcdef0), 01234567012345670123, -1000000007,
};

const char* const lengths[] = {"", "hh", "h", "l", "ll", "z", "j", "t"};

// Calls check(value) with value converted to the type that the length modifier and
// integer conversion read.
template <typename Check>
testing::AssertionResult as_integer(const std::string& length, char conversion, int64_t value, Check check) {
    bool is_signed = conversion == 'd' || conversion == 'i';
    if (length == "l") return is_signed ? check(static_cast<long>(value)) : check(static_cast<unsigned long>(value));
    if (length == "ll")
        return is_signed ? check(static_cast<long long>(value)) : check(static_cast<unsigned long long>(value));
    if (length == "z") return check(static_cast<size_t>(value));
    if (length == "j") return is_signed ? check(static_cast<intmax_t>(value)) : check(static_cast<uintmax_t>(value));
    if (length == "t") return check(static_cast<ptrdiff_t>(value));
    // none, h, hh: an int (or unsigned) that the conversion narrows itself
    return is_signed ? check(static_cast<int>(value)) : check(static_cast<unsigned>(value));
}

// The cross product of flag/width/precision shapes, length modifiers, integer
// conversions and edge values, checked at the telling buffer sizes.
TEST(FormatTest, IntegerTable) {
    const char* const shapes[] = {
        "%",      "%5",     "%-5",     "%05",    "%+",    "% ",     "%+05",   "% 05",   "%-+6",    "%.0",
        "%.1",    "%.3",    "%8.3",    "%-8.3",  "%08.3", "%+.0",   "% .0",   "%5.0",   "%-5.0",   "%#",
        "%0-5",   "%+ ",    "% +",     "%1",     "%20",   "%.20",   "%025",   "%-025",  "%#5",     "%#05",
        "%#-8",   "%#.0",   "%#.3",    "%#08.3", "%#10.5", "%#+ 012", "%.",   "%-#020.18", "%+030.25", "% 3",
    };
    int cases = 0;
    for (const char* shape : shapes)
        for (const char* length : lengths)
            for (char conversion : std::string("diuxXo"))
                for (int64_t value : integer_values) {
                    std::string format = std::string("[") + shape + length + conversion + "]";
                    EXPECT_TRUE(as_integer(length, conversion, value,
                                           [&](auto argument) { return same(false, format.c_str(), argument); }));
                    ++cases;
                }
    EXPECT_GT(cases, 50'000);
}

TEST(FormatTest, IntegerEdges) {
    EXPECT_SAME("%lld %lld", static_cast<long long>(INT64_MIN), static_cast<long long>(INT64_MAX));
    EXPECT_SAME("%llu %llx %llX %llo", UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    EXPECT_SAME("%jd %ji", INTMAX_MIN, INTMAX_MAX);
    EXPECT_SAME("%d %d", INT_MIN, INT_MAX);
    EXPECT_SAME("%hhd %hhu %hhx %hd %hu %ho", 0x1ff, 0x1ff, -1, 0x18000, 0x18000, -1);
    EXPECT_SAME("%zd %zu %zx", static_cast<size_t>(-1), static_cast<size_t>(-1), SIZE_MAX);
    EXPECT_SAME("%td %tu %tx", static_cast<ptrdiff_t>(-1), static_cast<ptrdiff_t>(-1), PTRDIFF_MIN);
    // 0 with precision 0: no digits, but signs, '#' for octal and the width stay.
    EXPECT_SAME("[%.0d][%.0u][%.0x][%.0o][%#.0x][%#.0o][%+.0d][% .0d][%5.0d][%-5.0x]", 0, 0u, 0u, 0u, 0u, 0u, 0, 0, 0, 0u);
    EXPECT_SAME("[%.*d][%#.*o][%.*x]", 0, 0, 0, 0u, 0, 0u);
    EXPECT_SAME("[%#x][%#X][%#o][%#5x][%#05x][%#-5o]", 0u, 0u, 0u, 0u, 0u, 0u);
    EXPECT_SAME("[%#.3o][%#.3o][%#o][%#.1o][%#.2o]", 8u, 0u, 8u, 8u, 8u);
    EXPECT_SAME("[%+u][% u][%+x][% o]", 5u, 5u, 5u, 5u);
    EXPECT_SAME("[%-05d][%0-5d][%05.2d][%-+05d]", -3, -3, -3, 3);
    EXPECT_SAME("[%00005d][%-----5d][%++d][%  d][%##x]", 1, 1, 1, 1, 255u);
}

TEST(FormatTest, StarWidthAndPrecision) {
    for (int width : {-30, -10, -5, -1, 0, 1, 5, 30})
        for (int precision : {-30, -1, 0, 1, 3, 25})
            for (const char* format : {"[%*.*d]", "[%-*.*d]", "[%0*.*d]", "[%+*.*d]", "[%#*.*x]", "[%*.*o]",
                                       "[%0*.*u]"}) {
                EXPECT_SAME(format, width, precision, 0);
                EXPECT_SAME(format, width, precision, -1234);
                EXPECT_SAME(format, width, precision, 98765);
            }
    for (int width : {-20, -7, -1, 0, 7, 20}) {
        EXPECT_SAME("[%*d]", width, 42);
        EXPECT_SAME("[%0*d]", width, -42);  // a negative * width is '-': the 0 flag loses
        EXPECT_SAME("[%*s]", width, "abc");
        EXPECT_SAME("[%*c]", width, 'q');
        EXPECT_SAME("[%*p]", width, reinterpret_cast<void*>(0xbeef));
        EXPECT_SAME("[%*p]", width, nullptr);
        EXPECT_SAME("[%.*s]", width, "abcdefghijkl");  // a negative * precision is no precision
        EXPECT_SAME("[%*.*s]", width, width, "abcdefghijkl");
    }
    EXPECT_TRUE(same(false, "[%*d|%*d|%.*d]", INT_MAX / 4096, 1, -(INT_MAX / 4096), 2, 300, 3));
}

TEST(FormatTest, CharactersAndStrings) {
    for (const char* format : {"[%c]", "[%5c]", "[%-5c]", "[%05c]", "[%-05c]", "[%#c]", "[%+ c]", "[%.0c]", "[%.3c]",
                               "[%1c]", "[%2c]"})
        for (int c : {int{'a'}, int{'Z'}, int{' '}, int{'%'}, 0, 1, 127, 128, 255, 0x141, -1})
            EXPECT_SAME(format, c);
    const char* const strings[] = {"", "a", "hello", "(null)", "with spaces and %d", "\x01\x7f\x80\xff",
                                   "a string longer than most widths used here, to be cut by precisions"};
    for (const char* format : {"[%s]", "[%10s]", "[%-10s]", "[%010s]", "[%.0s]", "[%.1s]", "[%.5s]", "[%.6s]",
                               "[%.7s]", "[%8.3s]", "[%-8.3s]", "[%.s]", "[%#+ s]", "[%100s]", "[%-100.50s]"}) {
        for (const char* s : strings) EXPECT_SAME(format, s);
        EXPECT_SAME(format, static_cast<const char*>(nullptr));  // "(null)", or nothing if a precision cuts it
    }
    // A precision bounds the read: the array has no NUL.
    const char unterminated[4] = {'w', 'x', 'y', 'z'};
    EXPECT_SAME("[%.4s][%.2s][%6.3s]", unterminated, unterminated, unterminated);
    EXPECT_SAME("%s%s%s", "", "", "");
    EXPECT_SAME("%c%c%c", 'a', 0, 'b');  // a NUL character is output and counted
}

TEST(FormatTest, Pointers) {
    const uintptr_t values[] = {0, 1, 0xf, 0x10, 0xdeadbeef, 0x7fffffffffff, 0xffff800000000000, UINTPTR_MAX};
    for (const char* format : {"[%p]", "[%20p]", "[%-20p]", "[%020p]", "[%-020p]", "[%+p]", "[% p]", "[%#p]",
                               "[%.0p]", "[%.1p]", "[%.5p]", "[%.20p]", "[%25.20p]", "[%025.5p]", "[%+025p]",
                               "[% -12p]", "[%2p]"})
        for (uintptr_t value : values) EXPECT_SAME(format, reinterpret_cast<void*>(value));
}

TEST(FormatTest, PercentAndPlainText) {
    EXPECT_SAME("");
    EXPECT_SAME("plain text, no conversions");
    EXPECT_SAME("%%");
    EXPECT_SAME("100%% of %d%%", 3);
    // glibc ignores everything between the two %s, but still takes the * arguments.
    EXPECT_SAME("[%5%][%-5%][%05%][%.3%][%l%][%hh%][%z%]");
    EXPECT_SAME("[%*%][%d]", 9, 1);
    EXPECT_SAME("[%*.*%][%d]", 9, 8, 1);
}

// The conversions programs actually write, in the combinations they write them.
TEST(FormatTest, ProjectFormats) {
    EXPECT_SAME("%llu %u %s %#x %016llx %lld %llx %d % tx", 12345678901234ull, 42u, "name", 0x1f0u,
                0xfeedfacecafebeefull, -9876543210ll, 0xabcull, -7, static_cast<ptrdiff_t>(-2));
    EXPECT_SAME("% tx|% tx", static_cast<ptrdiff_t>(0), static_cast<ptrdiff_t>(PTRDIFF_MAX));
    EXPECT_SAME("pid %d: %s at %p (%zu bytes, flags %#06x)", 17, "page fault", reinterpret_cast<void*>(0x7ffe1000),
                static_cast<size_t>(4096), 0x11u);
}

TEST(FormatTest, Truncation) {
    char buffer[8];
    std::memset(buffer, sentinel, sizeof buffer);
    EXPECT_EQ(axl::format::format(nullptr, 0, "%d-%s", 12345, "abcdef"), 12u);
    EXPECT_EQ(axl::format::format(buffer, 0, "%d", 12345), 5u);
    EXPECT_EQ(buffer[0], sentinel) << "size 0 must write nothing";
    EXPECT_EQ(axl::format::format(buffer, 1, "%d", 12345), 5u);
    EXPECT_EQ(buffer[0], '\0');
    EXPECT_EQ(buffer[1], sentinel);
    EXPECT_EQ(axl::format::format(buffer, 4, "%d", 12345), 5u);
    EXPECT_STREQ(buffer, "123");
    EXPECT_EQ(buffer[4], sentinel);
    EXPECT_EQ(axl::format::format(buffer, 6, "%d", 12345), 5u);
    EXPECT_STREQ(buffer, "12345");
    // Only what fits is written, the rest counted: a huge width must be cheap.
    // (Past INT_MAX in all, where glibc would fail with EOVERFLOW; size_t has room.)
    EXPECT_EQ(unchecked(buffer, sizeof buffer, "%2000000000d|%-2000000000s|", 1, "x"), 4'000'000'002u);
    EXPECT_STREQ(buffer, "       ");
    EXPECT_EQ(axl::format::format(buffer, sizeof buffer, "%.2000000000d", 1), 2'000'000'000u);
    EXPECT_STREQ(buffer, "0000000");
    // The sizes in between, against glibc.
    EXPECT_SAME("%s|%d|%x|%c|%p", "truncate me", -123456, 0xabcdefu, 'z', reinterpret_cast<void*>(0x1234));
}

TEST(FormatTest, UnsupportedConversionsArePrintedLiterally) {
    EXPECT_EQ(ours("%f", 1.5), "%f");
    EXPECT_EQ(ours("[%5.2f] %d", 1.5, 7), "[%5.2f] 7");
    int target = 99;
    EXPECT_EQ(ours("a%nb %d", 5), "a%nb 5") << "%n takes no argument";
    EXPECT_EQ(ours("%n%hhn%ln%lln", &target, &target), "%n%hhn%ln%lln");
    EXPECT_EQ(target, 99) << "%n must never write";
    EXPECT_EQ(ours("%y %d", 3), "%y 3");
    EXPECT_EQ(ours("%-08.3y|%d", 3), "%-08.3y|3");
    // The * of an unsupported conversion takes no argument either.
    EXPECT_EQ(ours("%*f %d", 4), "%*f 4");
    EXPECT_EQ(ours("%.*e %d", 4), "%.*e 4");
    EXPECT_EQ(ours("%lc %ls %hs %hhc %zp %d", 6), "%lc %ls %hs %hhc %zp 6");  // no length on c, s, p
    EXPECT_EQ(ours("%Ld %qd %Zd %lld", 1ll), "%Ld %qd %Zd 1");         // other libcs' lengths
    EXPECT_EQ(ours("%1$d", 1), "%1$d");                                 // positional arguments
    EXPECT_EQ(ours("%'d %Id", 1), "%'d %Id");                           // glibc-only flags
    EXPECT_EQ(ours("%lhd %hld %llld", 1), "%lhd %hld %llld");
    EXPECT_EQ(ours("%5-d", 1), "%5-d");
    EXPECT_EQ(ours("%.-3d", 1), "%.-3d");
    EXPECT_EQ(ours("%*5d", 1), "%*5d");
    // Widths and precisions past INT_MAX: glibc fails the whole call (EOVERFLOW).
    EXPECT_EQ(ours("%2147483648d|%d", 1), "%2147483648d|1");
    EXPECT_EQ(ours("%.99999999999d|%d", 1), "%.99999999999d|1");
    char small[4];
    EXPECT_EQ(axl::format::format(small, sizeof small, "%2147483647c", 'x'), 2'147'483'647u);  // INT_MAX is fine
    EXPECT_STREQ(small, "   ");
    // A format that ends inside a conversion: copied up to the NUL, never past it.
    EXPECT_EQ(ours("abc%"), "abc%");
    EXPECT_EQ(ours("%-"), "%-");
    EXPECT_EQ(ours("%5"), "%5");
    EXPECT_EQ(ours("%.*"), "%.*");
    EXPECT_EQ(ours("%ll"), "%ll");
    EXPECT_EQ(ours("%h"), "%h");
    const char cut[] = {'%', '0', '\0', 'd', '\0'};
    EXPECT_EQ(ours(cut, 5), "%0");
    // Unsupported conversions are truncated and counted like any text.
    EXPECT_EQ(ours("%f%f"), "%f%f");
    EXPECT_EQ(unchecked(small, sizeof small, "x%q%q"), 5u);
    EXPECT_STREQ(small, "x%q");
}

// Random combinations of flags, width, precision, length and conversion, with
// random and edge values, against glibc at a random buffer size. Fixed seed.
TEST(FormatTest, Randomized) {
    std::mt19937_64 random(0xa401071);
    auto below = [&](uint64_t n) { return static_cast<size_t>(random() % n); };
    const char flags[] = {'-', '0', '#', '+', ' '};
    const char* const strings[] = {"", "x", "hello", "twenty characters..", nullptr};
    const std::string conversions = "diuxXocsp%";
    int failures = 0;
    for (int i = 0; i < 40'000; ++i) {
        std::string format = "<";
        for (size_t n = below(4); n > 0; --n) format += flags[below(sizeof flags)];
        bool star_width = false, star_precision = false;
        switch (below(4)) {
            case 0: break;
            case 1: format += std::to_string(below(3)); break;  // may add a 0 flag
            case 2: format += std::to_string(1 + below(40)); break;
            case 3: format += '*'; star_width = true; break;
        }
        switch (below(5)) {
            case 0: case 1: break;
            case 2: format += '.'; break;
            case 3: format += '.' + std::to_string(below(30)); break;
            case 4: format += ".*"; star_precision = true; break;
        }
        char conversion = conversions[below(conversions.size())];
        std::string length = conversion == 'c' || conversion == 's' || conversion == 'p'
                                 ? ""
                                 : lengths[below(std::size(lengths))];
        format += length;
        format += conversion;
        format += ">";
        int width = static_cast<int>(below(81)) - 40;
        int precision = static_cast<int>(below(61)) - 20;

        int64_t value = below(3) == 0 ? integer_values[below(std::size(integer_values))]
                                      : static_cast<int64_t>(random() >> below(64));
        if (below(2) == 0) value = static_cast<int64_t>(0 - static_cast<uint64_t>(value));
        size_t size = below(4) == 0 ? capacity : below(48);

        // Passes the * arguments, then the value as the type the conversion reads.
        auto check = [&](auto argument) {
            if (star_width && star_precision) return same_at(size, format.c_str(), width, precision, argument);
            if (star_width) return same_at(size, format.c_str(), width, argument);
            if (star_precision) return same_at(size, format.c_str(), precision, argument);
            return same_at(size, format.c_str(), argument);
        };
        testing::AssertionResult result = testing::AssertionSuccess();
        switch (conversion) {
            case 'c': result = check(static_cast<int>(value)); break;
            case 's': result = check(strings[below(std::size(strings))]); break;
            case 'p': result = check(reinterpret_cast<void*>(below(8) == 0 ? 0 : static_cast<uintptr_t>(value))); break;
            case '%': result = check(0); break;  // glibc takes the *s only: the extra argument is ignored
            default: result = as_integer(length, conversion, value, check); break;
        }
        EXPECT_TRUE(result) << "case " << i << ", width " << width << ", precision " << precision;
        if (!result && ++failures > 20) FAIL() << "too many failures";
    }
}

}  // namespace
