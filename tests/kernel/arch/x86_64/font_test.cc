// The framebuffer console's font (kernel/arch/x86_64/font.h): every printable
// ASCII character has its own, visible glyph, anything else gets the replacement
// box, and each 16-row glyph is its 8-row design with every row doubled. The last
// test prints the whole font, and a few sample lines, for a human to look at.
#include "kernel/arch/x86_64/font.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

namespace font = axl::x86_64::font;

constexpr int first_printable = 0x20;
constexpr int last_printable = 0x7E;

bool is_printable(int code) { return code >= first_printable && code <= last_printable; }

char as_char(int code) { return static_cast<char>(static_cast<unsigned char>(code)); }

bool is_empty(const uint8_t* glyph) {
    for (uint32_t row = 0; row < font::glyph_height; ++row)
        if (glyph[row] != 0) return false;
    return true;
}

bool same(const uint8_t* a, const uint8_t* b) { return std::memcmp(a, b, font::glyph_height) == 0; }

std::string label(int code) {
    char text[16];
    std::snprintf(text, sizeof text, is_printable(code) ? "0x%02X '%c'" : "0x%02X", code, code);
    return text;
}

// Draws `text` with the font: one line per pixel row, '#' for ink. Each pair of
// doubled rows is drawn once, so in a terminal (cells about twice as tall as wide)
// the glyphs keep the proportions they have on the screen.
std::string render(const std::string& text) {
    std::string out;
    for (uint32_t row = 0; row < font::glyph_height; row += 2) {
        std::string line;
        for (char c : text) {
            const uint8_t bits = font::glyph(c)[row];
            for (uint32_t x = 0; x < font::glyph_width; ++x) line += (bits & (0x80 >> x)) ? '#' : ' ';
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + '\n';
    }
    return out;
}

TEST(Font, Dimensions) {
    EXPECT_EQ(font::glyph_width, 8u);  // one byte per row
    EXPECT_EQ(font::glyph_height, 16u);
}

TEST(Font, PrintableGlyphsHaveInkExceptSpace) {
    EXPECT_TRUE(is_empty(font::glyph(' ')));
    for (int code = first_printable + 1; code <= last_printable; ++code)
        EXPECT_FALSE(is_empty(font::glyph(as_char(code)))) << label(code);
}

TEST(Font, PrintableGlyphsArePairwiseDifferent) {
    for (int a = first_printable; a <= last_printable; ++a)
        for (int b = a + 1; b <= last_printable; ++b)
            EXPECT_FALSE(same(font::glyph(as_char(a)), font::glyph(as_char(b)))) << label(a) << " and " << label(b);
}

TEST(Font, NonPrintablesGetTheReplacementBox) {
    const uint8_t* box = font::glyph('\0');
    EXPECT_FALSE(is_empty(box));
    for (int code = first_printable; code <= last_printable; ++code)
        EXPECT_FALSE(same(box, font::glyph(as_char(code)))) << "the box looks like " << label(code);
    for (int code = 0; code < 256; ++code) {
        if (is_printable(code)) continue;
        EXPECT_EQ(font::glyph(as_char(code)), box) << label(code);
    }
    EXPECT_EQ(font::glyph('\n'), box);
    EXPECT_EQ(font::glyph('\x7f'), box);
    EXPECT_EQ(font::glyph('\xff'), box);
}

TEST(Font, RowsAreDoubled) {
    for (int code = 0; code < 256; ++code) {
        const uint8_t* glyph = font::glyph(as_char(code));
        for (uint32_t row = 0; row < font::glyph_height; row += 2)
            EXPECT_EQ(glyph[row], glyph[row + 1]) << label(code) << " row " << row;
    }
}

TEST(Font, LookAlikesDiffer) {
    // Already implied by pairwise difference; spelt out for the pairs that matter,
    // and required to differ in more than one design pixel.
    const char* pairs[] = {"0O", "0o", "1l", "1I", "lI", "l|", "I|", "5S", "8B", "2Z", "6b", "9g", "9q", "gq", "oO",
                           "sS", "cC", "xX", "vV", "wW", "zZ", ".,", ":;", "'`", "-_"};
    for (const char* pair : pairs) {
        const uint8_t* a = font::glyph(pair[0]);
        const uint8_t* b = font::glyph(pair[1]);
        int differing = 0;
        for (uint32_t row = 0; row < font::glyph_height; row += 2)
            differing += __builtin_popcount(static_cast<unsigned>(a[row] ^ b[row]));
        EXPECT_GE(differing, 2) << "'" << pair[0] << "' and '" << pair[1] << "'";
    }
}

TEST(Font, IsUsableAtCompileTime) {
    static_assert(font::glyph(' ')[0] == 0);
    static_assert(font::glyph('\x01') == font::glyph('\x7f'));
    static_assert(font::glyph('A') != font::glyph('\x7f'));
}

TEST(Font, PrintWholeFont) {
    std::string all;
    for (int code = first_printable; code <= last_printable; ++code) all += as_char(code);
    all += '\x7f';  // the replacement box
    std::string out = "The whole font, 0x20..0x7E then the replacement box:\n\n";
    for (size_t i = 0; i < all.size(); i += 16) out += render(all.substr(i, 16)) + '\n';
    out += "Samples:\n\n";
    for (const char* sample : {"The quick brown fox jumps", "over the lazy dog.", "THE QUICK BROWN FOX JUMPS",
                               "OVER THE LAZY DOG!", "0O 1lI| 5S 8B 2Z 6b 9gq", "{[(<a=b+c*d/e;>)]}",
                               "axl: 128 MiB @0x1000 ~90%", "\"#$&'`^_\\?@,:"})
        out += render(sample) + '\n';
    std::fputs(out.c_str(), stdout);
}

}  // namespace
