#include "kernel/arch/x86_64/io_apic.h"

#include "kernel/arch/x86_64/address_space.h"
#include "kernel/arch/x86_64/interrupt_controller.h"
#include "kernel/arch/x86_64/local_apic.h"
#include "kernel/arch/x86_64/physical_memory.h"

namespace axl::x86_64::io_apic {

namespace {

// Registers (82093AA datasheet): an index register and a data window.
constexpr uint32_t index_register = 0x00, data_window = 0x10;
constexpr uint32_t reg_version = 0x01, reg_redirection = 0x10;  // entry n: 0x10 + 2n (low), + 1 (high)
constexpr uint32_t entry_active_low = 1u << 13, entry_level = 1u << 15, entry_masked = 1u << 16;

struct Chip {
    volatile uint32_t* registers = nullptr;
    uint32_t inputs = 0;
};

Chip g_chips[madt::Madt::io_apics_max];
uint32_t g_chip_count = 0;
irq_routing::Routes g_routes;
uint64_t g_masked = ~uint64_t{0};  // lines masked, as the kernel sees them
uint64_t g_latched = 0;            // edges that arrived while their line was masked
uint32_t g_entry_low[irq_routing::lines_max];  // each line's entry, mask bit clear

uint32_t read(const Chip& chip, uint32_t reg) {
    chip.registers[index_register / 4] = reg;
    return chip.registers[data_window / 4];
}
void write(const Chip& chip, uint32_t reg, uint32_t value) {
    chip.registers[index_register / 4] = reg;
    chip.registers[data_window / 4] = value;
}

void set_entry_masked(uint32_t line, bool masked) {
    const irq_routing::Route& route = g_routes.line[line];
    write(g_chips[route.io_apic], reg_redirection + 2 * route.pin, g_entry_low[line] | (masked ? entry_masked : 0));
}

bool routed(uint32_t line) { return line < g_routes.count && g_routes.line[line].present; }

}  // namespace

const char* initialise(const madt::Madt& madt, const irq_routing::Elcr& elcr) {
    if (madt.io_apic_count == 0) return "the MADT lists no I/O APIC";
    uint32_t inputs[madt::Madt::io_apics_max];
    for (uint32_t i = 0; i < madt.io_apic_count; ++i) {
        const uint64_t address = madt.io_apics[i].address;
        if (address % 16 != 0 || address + 4096 > physical_limit) return "an I/O APIC's address is not usable";
        uncache_direct_map(address);
        g_chips[i].registers = static_cast<volatile uint32_t*>(phys_to_virt(address));
        // Inputs: the version register's "maximum redirection entry", plus one.
        const uint32_t version = read(g_chips[i], reg_version);
        if (version == 0xFFFF'FFFFu) return "an I/O APIC does not answer at the MADT's address";
        inputs[i] = g_chips[i].inputs = ((version >> 16) & 0xFF) + 1;
    }
    g_chip_count = madt.io_apic_count;
    if (!local_apic::initialise(madt.local_apic_address)) return "no local APIC below 4 GiB";
    irq_routing::route(madt, inputs, elcr, g_routes);

    // Every input masked first: the firmware may have left entries open.
    for (uint32_t c = 0; c < g_chip_count; ++c)
        for (uint32_t pin = 0; pin < g_chips[c].inputs; ++pin) {
            write(g_chips[c], reg_redirection + 2 * pin, entry_masked | local_apic::spurious_vector);
            write(g_chips[c], reg_redirection + 2 * pin + 1, 0);
        }
    const uint32_t destination = uint32_t{local_apic::id()} << 24;  // physical destination mode
    for (uint32_t line = 0; line < g_routes.count; ++line) {
        const irq_routing::Route& route = g_routes.line[line];
        if (!route.present) continue;
        // Fixed delivery, physical destination: this CPU's local APIC.
        g_entry_low[line] = (interrupt_controller::vector_base + line) | (route.level ? entry_level : 0) |
                            (route.active_low ? entry_active_low : 0);
        write(g_chips[route.io_apic], reg_redirection + 2 * route.pin + 1, destination);
        set_entry_masked(line, true);
    }
    g_masked = ~uint64_t{0};
    g_latched = 0;
    return nullptr;
}

const irq_routing::Routes& routes() { return g_routes; }
uint32_t inputs(uint32_t io_apic) { return io_apic < g_chip_count ? g_chips[io_apic].inputs : 0; }

void mask(uint32_t line) {
    if (!routed(line)) return;
    g_masked |= uint64_t{1} << line;
    // An edge-triggered entry stays open until an edge arrives (accept).
    if (g_routes.line[line].level) set_entry_masked(line, true);
}

void unmask(uint32_t line) {
    if (!routed(line)) return;
    const uint64_t bit = uint64_t{1} << line;
    g_masked &= ~bit;
    set_entry_masked(line, false);
    if (g_latched & bit) {
        g_latched &= ~bit;
        local_apic::send_to_self(static_cast<uint8_t>(interrupt_controller::vector_base + line));
    }
}

bool accept(uint32_t line) {
    if (!routed(line)) {
        // Not an input's vector (a stray one): acknowledged, not delivered.
        local_apic::end_of_interrupt();
        return false;
    }
    const uint64_t bit = uint64_t{1} << line;
    if (!(g_masked & bit)) return true;
    // Masked: a level-triggered entry was closed, so this one was already in
    // flight; an edge is recorded for unmask() and its entry closed now.
    if (!g_routes.line[line].level) {
        g_latched |= bit;
        set_entry_masked(line, true);
    }
    local_apic::end_of_interrupt();
    return false;
}

void end_of_interrupt(uint32_t) { local_apic::end_of_interrupt(); }

}  // namespace axl::x86_64::io_apic
