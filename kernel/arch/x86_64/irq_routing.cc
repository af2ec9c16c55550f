#include "kernel/arch/x86_64/irq_routing.h"

namespace axl::x86_64::irq_routing {

namespace {

// The input serving `gsi`, if an I/O APIC has one.
bool find_input(const madt::Madt& madt, const uint32_t* inputs, uint32_t gsi, Route& route) {
    for (uint32_t i = 0; i < madt.io_apic_count; ++i) {
        const uint32_t base = madt.io_apics[i].gsi_base;
        if (gsi >= base && gsi - base < inputs[i] && gsi - base < 256) {
            route.io_apic = static_cast<uint8_t>(i);
            route.pin = static_cast<uint8_t>(gsi - base);
            route.gsi = gsi;
            return true;
        }
    }
    return false;
}

// True if an override sends some ISA IRQ other than `line` to `gsi`: the GSI
// is that IRQ's, not line `gsi`'s (QEMU: IRQ 0 takes GSI 2, so line 2 has none).
bool taken_by_override(const madt::Madt& madt, uint32_t line, uint32_t gsi) {
    for (uint32_t i = 0; i < madt.override_count; ++i)
        if (madt.overrides[i].gsi == gsi && madt.overrides[i].source != line) return true;
    return false;
}

}  // namespace

Elcr decode_elcr(uint8_t port_4d0, uint8_t port_4d1) {
    const uint16_t bits = static_cast<uint16_t>(port_4d0 | port_4d1 << 8);
    constexpr uint16_t edge_only = (1u << 0) | (1u << 1) | (1u << 2) | (1u << 8) | (1u << 13);
    if (bits & edge_only) return Elcr{};
    return Elcr{.level = bits, .present = true};
}

void route(const madt::Madt& madt, const uint32_t* inputs, const Elcr& elcr, Routes& out) {
    out = Routes{};
    for (uint32_t line = 0; line < lines_max; ++line) {
        Route route;
        if (line < isa_lines) {
            const madt::Override* override = madt.override_of(line);
            const uint32_t gsi = override ? override->gsi : line;
            if (taken_by_override(madt, line, gsi) || !find_input(madt, inputs, gsi, route)) continue;
            route.active_low = override && override->polarity == madt::Polarity::active_low;
            if (override && override->trigger != madt::Trigger::conforming) {
                route.level = override->trigger == madt::Trigger::level;
                route.trigger_from = TriggerFrom::override;
            } else if (elcr.present && (elcr.level >> line) & 1u) {
                route.level = true;
                route.trigger_from = TriggerFrom::elcr;
            }
        } else {
            if (taken_by_override(madt, line, line) || !find_input(madt, inputs, line, route)) continue;
            route.level = true;
            route.active_low = true;
            route.trigger_from = TriggerFrom::pci_default;
        }
        route.present = true;
        out.line[line] = route;
        out.count = line + 1;
    }
}

}  // namespace axl::x86_64::irq_routing
