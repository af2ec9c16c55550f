#include "kernel/arch/x86_64/interrupt_controller.h"

#include <cstdarg>

#include "kernel/arch/x86_64/acpi.h"
#include "kernel/arch/x86_64/console.h"
#include "kernel/arch/x86_64/io_apic.h"
#include "kernel/arch/x86_64/irq_routing.h"
#include "kernel/arch/x86_64/madt.h"
#include "kernel/arch/x86_64/multiboot.h"
#include "kernel/arch/x86_64/physical_memory.h"
#include "kernel/arch/x86_64/pic.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/config.h"
#include "kernel/lib/format.h"

namespace axl::x86_64::interrupt_controller {

namespace {

static_assert(pic::vector_base == vector_base);
// A vector for each of the kernel's lines (entry.S has stubs up to 95), and a
// route for each.
static_assert(lines_max == config::irq_lines && irq_routing::lines_max == lines_max);

Kind g_kind = Kind::pic;

// The firmware's tables, through the direct map of the first 4 GiB.
const uint8_t* direct_map_at(const void*, uint64_t physical, uint64_t bytes) {
    if (physical >= physical_limit || bytes > physical_limit - physical) return nullptr;
    return static_cast<const uint8_t*>(phys_to_virt(physical));
}

// Appends to a line of the console, never past its end.
struct Line {
    char text[512];
    size_t length = 0;
    [[gnu::format(printf, 2, 3)]] void add(const char* format, ...) {
        va_list args;
        va_start(args, format);
        length += format::vformat(text + length, sizeof text - length, format, args);
        va_end(args);
        if (length >= sizeof text) length = sizeof text - 1;
    }
};

void describe_io_apics(const madt::Madt& madt, const irq_routing::Elcr& elcr) {
    Line line;
    line.add("[kernel] interrupts:");
    for (uint32_t i = 0; i < madt.io_apic_count; ++i) {
        const madt::IoApic& chip = madt.io_apics[i];
        line.add("%s I/O APIC %u at %#x, GSIs %u-%u", i ? "," : "", chip.id, chip.address, chip.gsi_base,
                 chip.gsi_base + io_apic::inputs(i) - 1);
    }
    console::print("%s\n", line.text);

    Line overrides;
    overrides.add("[kernel] ISA IRQ overrides:");
    if (madt.override_count == 0) overrides.add(" none");
    for (uint32_t i = 0; i < madt.override_count; ++i) {
        const madt::Override& o = madt.overrides[i];
        overrides.add("%s %u", i ? "," : "", o.source);
        if (o.gsi != o.source) overrides.add("->%u", o.gsi);
        if (o.trigger != madt::Trigger::conforming) overrides.add(" %s", madt::to_string(o.trigger));
        if (o.polarity != madt::Polarity::conforming) overrides.add(" %s", madt::to_string(o.polarity));
    }
    if (!elcr.present) {
        overrides.add(" (no ELCR)");
    } else {
        overrides.add(" (ELCR level:");
        if (elcr.level == 0) overrides.add(" none");
        for (uint32_t irq = 0; irq < irq_routing::isa_lines; ++irq)
            if ((elcr.level >> irq) & 1u) overrides.add(" %u", irq);
        overrides.add(")");
    }
    console::print("%s\n", overrides.text);
}

// nullptr: the I/O APICs are in charge; else why not.
const char* use_io_apics(const BootInformation& boot) {
    const acpi::PhysicalMemory memory{nullptr, &direct_map_at};
    acpi::Table table;
    if (const char* problem = acpi::find_table(boot.acpi_rsdp, boot.acpi_rsdp_bytes, memory, "APIC", table))
        return problem;
    static madt::Madt madt;  // static: too large for the boot stack's comfort
    if (const char* problem = madt::parse(table.bytes, table.length, madt)) return problem;
    const irq_routing::Elcr elcr = irq_routing::decode_elcr(x86::inb(0x4D0), x86::inb(0x4D1));
    if (const char* problem = io_apic::initialise(madt, elcr)) return problem;
    describe_io_apics(madt, elcr);
    return nullptr;
}

}  // namespace

void initialise(Kind wanted, const BootInformation& boot) {
    // The 8259s are programmed either way: under the I/O APICs they stay
    // masked, off the vectors of the CPU's exceptions.
    pic::initialise();
    if (wanted == Kind::pic) {
        g_kind = Kind::pic;
        console::print("[kernel] interrupts: 8259 PICs (interrupts=pic)\n");
        return;
    }
    if (const char* problem = use_io_apics(boot)) {
        g_kind = Kind::pic;
        console::print("[kernel] interrupts: 8259 PICs (no I/O APIC: %s)\n", problem);
        return;
    }
    g_kind = Kind::io_apic;
}

Kind kind() { return g_kind; }

bool serves(uint32_t line) {
    if (g_kind == Kind::pic) return line < pic::lines;
    const irq_routing::Routes& routes = io_apic::routes();
    return line < routes.count && routes.line[line].present;
}

void mask(uint32_t line) {
    if (g_kind == Kind::io_apic)
        io_apic::mask(line);
    else
        pic::mask(line);
}

void unmask(uint32_t line) {
    if (g_kind == Kind::io_apic)
        io_apic::unmask(line);
    else
        pic::unmask(line);
}

bool accept(uint32_t line) { return g_kind == Kind::io_apic ? io_apic::accept(line) : !pic::is_spurious(line); }

void end_of_interrupt(uint32_t line) {
    if (g_kind == Kind::io_apic)
        io_apic::end_of_interrupt(line);
    else
        pic::end_of_interrupt(line);
}

}  // namespace axl::x86_64::interrupt_controller
