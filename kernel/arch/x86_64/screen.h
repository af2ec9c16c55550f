// The screen of a real PC: the VGA text buffer under BIOS, the linear
// framebuffer GRUB sets up under UEFI (drawn with font.h's glyphs). Text
// scrolls; nothing reads it back.
#pragma once

#include <cstddef>

namespace axl::x86_64 {
struct Framebuffer;
}

namespace axl::x86_64::screen {

// `framebuffer` as GRUB described it; its memory is reached through the direct map.
void initialise(const Framebuffer& framebuffer);
void write(const char* text, size_t length);

}  // namespace axl::x86_64::screen
