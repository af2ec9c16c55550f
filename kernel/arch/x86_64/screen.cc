#include "kernel/arch/x86_64/screen.h"

#include <cstdint>

#include "kernel/arch/x86_64/font.h"
#include "kernel/arch/x86_64/multiboot.h"
#include "kernel/arch/x86_64/physical_memory.h"

namespace axl::x86_64::screen {

namespace {

Framebuffer g_screen;
uint32_t g_columns = 0, g_rows = 0;
uint32_t g_column = 0, g_row = 0;

// VGA text: one 16-bit cell per character, attribute in the high byte.
constexpr uint16_t text_attribute = 0x07 << 8;  // light grey on black

uint8_t* pixels() { return static_cast<uint8_t*>(phys_to_virt(g_screen.address)); }

void put_pixel_row(uint32_t x, uint32_t y, uint8_t bits) {
    const uint32_t bytes_per_pixel = g_screen.bits_per_pixel / 8;
    uint8_t* row = pixels() + uint64_t{y} * g_screen.pitch + uint64_t{x} * bytes_per_pixel;
    const uint32_t white = (0xC0u << g_screen.red_shift) | (0xC0u << g_screen.green_shift) | (0xC0u << g_screen.blue_shift);
    for (uint32_t bit = 0; bit < font::glyph_width; ++bit) {
        const uint32_t colour = (bits & (0x80 >> bit)) ? white : 0;
        for (uint32_t b = 0; b < bytes_per_pixel; ++b) row[bit * bytes_per_pixel + b] = static_cast<uint8_t>(colour >> (8 * b));
    }
}

void draw(uint32_t column, uint32_t row, char c) {
    if (g_screen.kind == Framebuffer::Kind::vga_text) {
        volatile uint16_t* cells = static_cast<volatile uint16_t*>(phys_to_virt(g_screen.address));
        cells[row * g_columns + column] = text_attribute | static_cast<uint8_t>(c);
        return;
    }
    const uint8_t* glyph = font::glyph(c);
    for (uint32_t y = 0; y < font::glyph_height; ++y)
        put_pixel_row(column * font::glyph_width, row * font::glyph_height + y, glyph[y]);
}

void scroll() {
    if (g_screen.kind == Framebuffer::Kind::vga_text) {
        volatile uint16_t* cells = static_cast<volatile uint16_t*>(phys_to_virt(g_screen.address));
        for (uint32_t i = 0; i < (g_rows - 1) * g_columns; ++i) cells[i] = cells[i + g_columns];
        for (uint32_t i = (g_rows - 1) * g_columns; i < g_rows * g_columns; ++i) cells[i] = text_attribute | ' ';
        return;
    }
    const uint64_t line_bytes = uint64_t{g_screen.pitch} * font::glyph_height;
    uint8_t* base = pixels();
    for (uint64_t i = 0; i < line_bytes * (g_rows - 1); ++i) base[i] = base[i + line_bytes];
    for (uint64_t i = line_bytes * (g_rows - 1); i < line_bytes * g_rows; ++i) base[i] = 0;
}

void newline() {
    g_column = 0;
    if (++g_row == g_rows) {
        scroll();
        g_row = g_rows - 1;
    }
}

}  // namespace

void initialise(const Framebuffer& framebuffer) {
    g_screen = framebuffer;
    if (framebuffer.kind == Framebuffer::Kind::vga_text) {
        g_columns = framebuffer.width;
        g_rows = framebuffer.height;
    } else if (framebuffer.kind == Framebuffer::Kind::rgb) {
        g_columns = framebuffer.width / font::glyph_width;
        g_rows = framebuffer.height / font::glyph_height;
    }
    if (!g_columns || !g_rows || g_screen.address + uint64_t{g_screen.pitch} * framebuffer.height > physical_limit) {
        g_screen.kind = Framebuffer::Kind::none;
        return;
    }
    for (uint32_t row = 0; row < g_rows; ++row)
        for (uint32_t column = 0; column < g_columns; ++column) draw(column, row, ' ');
    g_column = g_row = 0;
}

void write(const char* text, size_t length) {
    if (g_screen.kind == Framebuffer::Kind::none) return;
    for (size_t i = 0; i < length; ++i) {
        const char c = text[i];
        if (c == '\n') {
            newline();
            continue;
        }
        if (c == '\r') continue;
        if (g_column == g_columns) newline();
        draw(g_column++, g_row, c);
    }
}

}  // namespace axl::x86_64::screen
