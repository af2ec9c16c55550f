#include "kernel/arch/x86_64/serial.h"

#include "hw/uart_16550.h"
#include "kernel/arch/x86_64/x86.h"

namespace axl::x86_64::serial {

namespace {
uint16_t g_base = 0;

// The same register layout the user-mode UART driver programs.
using namespace hw::uart;

void put(char c) {
    // A missing UART reads all ones: give up after a while rather than hang.
    for (uint32_t tries = 0; tries < 100'000; ++tries)
        if (x86::inb(g_base + line_status) & lsr_transmit_empty) break;
    x86::outb(g_base + data, static_cast<uint8_t>(c));
}
}  // namespace

void initialise(uint16_t base) {
    g_base = base;
    x86::outb(base + interrupt_enable, 0);   // polled: the kernel never takes its interrupt
    x86::outb(base + line_control, 0x80);    // divisor latch
    x86::outb(base + data, 1);               // 115200 baud
    x86::outb(base + interrupt_enable, 0);
    x86::outb(base + line_control, 0x03);    // 8 bits, no parity, one stop bit
    x86::outb(base + fifo_control, 0x07);    // FIFOs on and cleared
    x86::outb(base + modem_control, 0x03);   // DTR, RTS
}

void write(const char* text, size_t length) {
    if (!g_base) return;
    for (size_t i = 0; i < length; ++i) {
        if (text[i] == '\n') put('\r');
        put(text[i]);
    }
}

}  // namespace axl::x86_64::serial
