// The kernel's own console line: a 16550 UART (COM1 on a PC, polled). The
// user-mode UART driver gets a different one (COM2), through kernel calls.
#pragma once

#include <cstddef>
#include <cstdint>

namespace axl::x86_64::serial {

inline constexpr uint16_t com1 = 0x3F8;

void initialise(uint16_t base);
void write(const char* text, size_t length);

}  // namespace axl::x86_64::serial
