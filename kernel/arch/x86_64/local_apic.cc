#include "kernel/arch/x86_64/local_apic.h"

#include "kernel/arch/x86_64/address_space.h"
#include "kernel/arch/x86_64/physical_memory.h"
#include "kernel/arch/x86_64/x86.h"

namespace axl::x86_64::local_apic {

namespace {

constexpr uint32_t msr_apic_base = 0x1B;
constexpr uint64_t base_enable = 1u << 11, base_x2apic = 1u << 10, base_address_mask = 0x000F'FFFF'FFFF'F000ull;
// Register offsets (Intel SDM vol. 3, 11.4.1).
enum : uint32_t {
    reg_id = 0x20,
    reg_task_priority = 0x80,
    reg_eoi = 0xB0,
    reg_spurious = 0xF0,
    reg_error_status = 0x280,
    reg_command_low = 0x300,
    reg_command_high = 0x310,
    reg_lvt_timer = 0x320,
    reg_lvt_lint0 = 0x350,
    reg_lvt_error = 0x370,
};
constexpr uint32_t lvt_masked = 1u << 16, spurious_enable = 1u << 8;
constexpr uint32_t command_pending = 1u << 12, command_assert = 1u << 14, command_to_self = 1u << 18;

volatile uint32_t* g_registers = nullptr;

uint32_t read(uint32_t offset) { return g_registers[offset / 4]; }
void write(uint32_t offset, uint32_t value) { g_registers[offset / 4] = value; }

}  // namespace

bool initialise(uint64_t physical) {
    uint32_t a, b, c, d;
    x86::cpuid(1, 0, a, b, c, d);
    if (!(d & (1u << 9))) return false;
    // The registers are where this CPU's base register says (the MADT's address,
    // normally). Firmware that left the APIC in x2APIC mode (registers as MSRs)
    // is taken back to the memory-mapped mode through "disabled", the one
    // transition the architecture allows.
    // A disabled APIC is enabled at the MADT's address.
    uint64_t base = x86::rdmsr(msr_apic_base);
    const uint64_t address = base & base_enable ? base & base_address_mask : physical & base_address_mask;
    if (address + 4096 > physical_limit) return false;
    if (base & base_x2apic) {
        x86::wrmsr(msr_apic_base, base & ~(base_enable | base_x2apic));
        base &= ~(base_enable | base_x2apic);
    }
    if (!(base & base_enable)) x86::wrmsr(msr_apic_base, (base & ~base_address_mask) | address | base_enable);
    uncache_direct_map(address);
    g_registers = static_cast<volatile uint32_t*>(phys_to_virt(address));

    // Its own sources masked: the timer (the PIT is the clock), LINT0 (the
    // 8259s' output, in virtual-wire mode) and errors. LINT1 stays the NMI
    // the firmware made it.
    write(reg_lvt_timer, lvt_masked);
    write(reg_lvt_lint0, lvt_masked);
    write(reg_lvt_error, lvt_masked);
    write(reg_error_status, 0);
    write(reg_error_status, 0);
    write(reg_task_priority, 0);  // every vector is delivered
    write(reg_spurious, spurious_enable | spurious_vector);
    end_of_interrupt();  // anything the firmware left in service
    return true;
}

uint8_t id() { return static_cast<uint8_t>(read(reg_id) >> 24); }

void end_of_interrupt() { write(reg_eoi, 0); }

void send_to_self(uint8_t vector) {
    while (read(reg_command_low) & command_pending) x86::pause();
    write(reg_command_high, 0);
    write(reg_command_low, command_to_self | command_assert | vector);
}

}  // namespace axl::x86_64::local_apic
