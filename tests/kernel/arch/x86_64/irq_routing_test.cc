// Which I/O APIC input serves each kernel line, and how (kernel/arch/x86_64/
// irq_routing.h): QEMU's PC as it boots (the PIT through its override to GSI
// 2, the PCI lines level-triggered), the ELCR deciding where no override
// does, an ELCR that is not there, lines 16 and up, and inputs no I/O APIC has.
#include "kernel/arch/x86_64/irq_routing.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

namespace madt = axl::x86_64::madt;
namespace routing = axl::x86_64::irq_routing;
using routing::TriggerFrom;

madt::Madt one_io_apic() {
    madt::Madt table;
    table.local_apic_address = 0xFEE0'0000;
    table.has_8259s = true;
    table.io_apics[0] = madt::IoApic{.id = 0, .address = 0xFEC0'0000, .gsi_base = 0};
    table.io_apic_count = 1;
    return table;
}

void add_override(madt::Madt& table, uint8_t source, uint32_t gsi, madt::Polarity polarity, madt::Trigger trigger) {
    table.overrides[table.override_count++] = madt::Override{source, gsi, polarity, trigger};
}

madt::Madt qemu_pc() {
    madt::Madt table = one_io_apic();
    add_override(table, 0, 2, madt::Polarity::conforming, madt::Trigger::conforming);
    for (uint8_t irq : {5, 9, 10, 11}) add_override(table, irq, irq, madt::Polarity::active_high, madt::Trigger::level);
    return table;
}

constexpr uint32_t qemu_inputs[] = {24};

TEST(IrqRouting, QemusPcUnderSeaBios) {
    routing::Routes routes;
    // SeaBIOS gives PCI lines 10 and 11 and marks them level in the ELCR.
    routing::route(qemu_pc(), qemu_inputs, routing::decode_elcr(0x00, 0x0C), routes);
    EXPECT_EQ(routes.count, 24u);

    const routing::Route& tick = routes.line[0];
    ASSERT_TRUE(tick.present);
    EXPECT_EQ(tick.gsi, 2u);
    EXPECT_EQ(tick.pin, 2u);
    EXPECT_FALSE(tick.level);
    EXPECT_FALSE(tick.active_low);
    EXPECT_EQ(tick.trigger_from, TriggerFrom::isa_default);

    // GSI 2 is the PIT's: line 2 (the 8259s' cascade) has no input.
    EXPECT_FALSE(routes.line[2].present);

    const routing::Route& com2 = routes.line[3];
    ASSERT_TRUE(com2.present);
    EXPECT_EQ(com2.gsi, 3u);
    EXPECT_FALSE(com2.level);
    EXPECT_EQ(com2.trigger_from, TriggerFrom::isa_default);

    for (uint32_t pci : {5u, 9u, 10u, 11u}) {
        const routing::Route& line = routes.line[pci];
        ASSERT_TRUE(line.present) << pci;
        EXPECT_EQ(line.gsi, pci);
        EXPECT_TRUE(line.level) << pci;
        EXPECT_FALSE(line.active_low) << pci;
        EXPECT_EQ(line.trigger_from, TriggerFrom::override) << pci;
    }

    const routing::Route& pirq = routes.line[16];
    ASSERT_TRUE(pirq.present);
    EXPECT_EQ(pirq.gsi, 16u);
    EXPECT_TRUE(pirq.level);
    EXPECT_TRUE(pirq.active_low);
    EXPECT_EQ(pirq.trigger_from, TriggerFrom::pci_default);
    EXPECT_FALSE(routes.line[24].present);
}

TEST(IrqRouting, TheElcrDecidesWhereNoOverrideDoes) {
    madt::Madt table = one_io_apic();
    add_override(table, 0, 2, madt::Polarity::conforming, madt::Trigger::conforming);
    routing::Routes routes;
    routing::route(table, qemu_inputs, routing::decode_elcr(0x20, 0x0E), routes);  // 5, 9, 10, 11
    for (uint32_t pci : {5u, 9u, 10u, 11u}) {
        EXPECT_TRUE(routes.line[pci].level) << pci;
        EXPECT_FALSE(routes.line[pci].active_low) << pci;
        EXPECT_EQ(routes.line[pci].trigger_from, TriggerFrom::elcr) << pci;
    }
    EXPECT_FALSE(routes.line[3].level);
    EXPECT_FALSE(routes.line[0].level);  // a conforming override leaves the PIT to the (edge) ELCR bit
}

TEST(IrqRouting, AnExplicitOverrideBeatsTheElcr) {
    madt::Madt table = one_io_apic();
    add_override(table, 9, 9, madt::Polarity::active_low, madt::Trigger::edge);
    routing::Routes routes;
    routing::route(table, qemu_inputs, routing::decode_elcr(0x00, 0x02), routes);
    EXPECT_FALSE(routes.line[9].level);
    EXPECT_TRUE(routes.line[9].active_low);
    EXPECT_EQ(routes.line[9].trigger_from, TriggerFrom::override);
}

TEST(IrqRouting, AnElcrThatIsNotThereIsNotUsed) {
    // Bits 0, 1, 2 (IRQs 0-2), 8 and 13 are always 0 on PIIX and ICH; a
    // floating bus reads all ones.
    EXPECT_FALSE(routing::decode_elcr(0xFF, 0xFF).present);
    EXPECT_FALSE(routing::decode_elcr(0x01, 0x00).present);
    EXPECT_FALSE(routing::decode_elcr(0x00, 0x01).present);
    EXPECT_FALSE(routing::decode_elcr(0x00, 0x20).present);
    const routing::Elcr elcr = routing::decode_elcr(0xF8, 0xDE);
    EXPECT_TRUE(elcr.present);
    EXPECT_EQ(elcr.level, 0xDEF8);

    madt::Madt table = one_io_apic();
    routing::Routes routes;
    routing::route(table, qemu_inputs, routing::decode_elcr(0xFF, 0xFF), routes);
    for (uint32_t line = 0; line < routing::isa_lines; ++line) EXPECT_FALSE(routes.line[line].level) << line;
}

TEST(IrqRouting, AnIsaIrqMovedElsewhereFreesNothingAndTakesItsGsi) {
    madt::Madt table = one_io_apic();
    add_override(table, 9, 20, madt::Polarity::active_low, madt::Trigger::level);
    routing::Routes routes;
    routing::route(table, qemu_inputs, routing::Elcr{}, routes);
    EXPECT_EQ(routes.line[9].gsi, 20u);
    EXPECT_EQ(routes.line[9].pin, 20u);
    EXPECT_FALSE(routes.line[20].present);  // GSI 20 is IRQ 9's
    EXPECT_TRUE(routes.line[21].present);
}

TEST(IrqRouting, LinesOfASecondIoApic) {
    madt::Madt table = one_io_apic();
    table.io_apics[1] = madt::IoApic{.id = 1, .address = 0xFEC0'1000, .gsi_base = 24};
    table.io_apic_count = 2;
    const uint32_t inputs[] = {24, 8};
    routing::Routes routes;
    routing::route(table, inputs, routing::Elcr{}, routes);
    EXPECT_EQ(routes.count, 32u);
    EXPECT_EQ(routes.line[23].io_apic, 0);
    EXPECT_EQ(routes.line[24].io_apic, 1);
    EXPECT_EQ(routes.line[24].pin, 0);
    EXPECT_EQ(routes.line[31].pin, 7);
}

TEST(IrqRouting, AGsiNoIoApicServesHasNoLine) {
    madt::Madt table = one_io_apic();
    table.io_apics[0].gsi_base = 8;  // inputs for GSIs 8-31 only
    add_override(table, 0, 2, madt::Polarity::conforming, madt::Trigger::conforming);
    routing::Routes routes;
    routing::route(table, qemu_inputs, routing::Elcr{}, routes);
    EXPECT_FALSE(routes.line[0].present);
    EXPECT_FALSE(routes.line[7].present);
    ASSERT_TRUE(routes.line[8].present);
    EXPECT_EQ(routes.line[8].pin, 0);
    EXPECT_EQ(routes.count, 32u);
}

}  // namespace
