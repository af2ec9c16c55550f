#include "kernel/arch/x86_64/pic.h"

#include "kernel/arch/x86_64/x86.h"

namespace axl::x86_64::pic {

namespace {
constexpr uint16_t master_command = 0x20, master_data = 0x21, slave_command = 0xA0, slave_data = 0xA1;
constexpr uint8_t end_of_interrupt_command = 0x20, read_in_service = 0x0B;
constexpr uint32_t cascade_line = 2;
uint16_t g_masked = 0xFFFF;

void apply() {
    // The cascade line is open whenever a line of the second controller is.
    uint16_t masked = g_masked;
    if ((masked & 0xFF00) != 0xFF00) masked &= ~(1u << cascade_line);
    x86::outb(master_data, static_cast<uint8_t>(masked));
    x86::outb(slave_data, static_cast<uint8_t>(masked >> 8));
}
}  // namespace

void initialise() {
    // ICW1: edge triggered, cascade, ICW4 follows; ICW2: vector bases;
    // ICW3: the slave on line 2; ICW4: 8086 mode.
    x86::outb(master_command, 0x11);
    x86::outb(slave_command, 0x11);
    x86::outb(master_data, vector_base);
    x86::outb(slave_data, vector_base + 8);
    x86::outb(master_data, 1u << cascade_line);
    x86::outb(slave_data, cascade_line);
    x86::outb(master_data, 0x01);
    x86::outb(slave_data, 0x01);
    g_masked = 0xFFFF;
    apply();
}

void mask(uint32_t line) {
    if (line >= lines) return;
    g_masked |= static_cast<uint16_t>(1u << line);
    apply();
}

void unmask(uint32_t line) {
    if (line >= lines) return;
    g_masked &= static_cast<uint16_t>(~(1u << line));
    apply();
}

void end_of_interrupt(uint32_t line) {
    if (line >= 8) x86::outb(slave_command, end_of_interrupt_command);
    x86::outb(master_command, end_of_interrupt_command);
}

bool is_spurious(uint32_t line) {
    if (line != 7 && line != 15) return false;
    const uint16_t command = line == 7 ? master_command : slave_command;
    x86::outb(command, read_in_service);
    const bool in_service = x86::inb(command) & 0x80;
    // A spurious line 15 still reached the master through the cascade.
    if (!in_service && line == 15) x86::outb(master_command, end_of_interrupt_command);
    return !in_service;
}

}  // namespace axl::x86_64::pic
