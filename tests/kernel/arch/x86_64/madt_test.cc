// Reading the MADT (kernel/arch/x86_64/madt.h): QEMU's PC's table as the boot
// console shows it (one I/O APIC at 0xfec00000; IRQ 0 to GSI 2; PCI IRQs 5, 9,
// 10 and 11 level-triggered, active high), the entries the port skips, the
// local APIC address override, and each malformed entry refused by name.
#include "kernel/arch/x86_64/madt.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

namespace madt = axl::x86_64::madt;

using Bytes = std::vector<uint8_t>;

// The table: a 36-byte header (checksum not looked at here: acpi.h checks
// it), the local APIC address, the flags, then the entries.
class TableBuilder {
public:
    explicit TableBuilder(uint32_t local_apic = 0xFEE0'0000, uint32_t flags = 1) : m_bytes(44, 0) {
        std::memcpy(m_bytes.data(), "APIC", 4);
        put(36, local_apic);
        put(40, flags);
    }
    TableBuilder& local_apic(uint8_t processor, uint8_t id) { return entry({0, 8, processor, id, 1, 0, 0, 0}); }
    TableBuilder& io_apic(uint8_t id, uint32_t address, uint32_t gsi_base) {
        Bytes e{1, 12, id, 0};
        append(e, address);
        append(e, gsi_base);
        return entry(e);
    }
    TableBuilder& override_(uint8_t source, uint32_t gsi, uint16_t flags, uint8_t bus = 0) {
        Bytes e{2, 10, bus, source};
        append(e, gsi);
        e.push_back(static_cast<uint8_t>(flags));
        e.push_back(static_cast<uint8_t>(flags >> 8));
        return entry(e);
    }
    TableBuilder& local_apic_nmi() { return entry({4, 6, 0xFF, 0, 0, 1}); }
    TableBuilder& entry(const Bytes& e) {
        m_bytes.insert(m_bytes.end(), e.begin(), e.end());
        return *this;
    }
    Bytes bytes() const {
        Bytes out = m_bytes;
        const uint32_t length = static_cast<uint32_t>(out.size());
        std::memcpy(out.data() + 4, &length, 4);
        return out;
    }

private:
    void put(size_t offset, uint32_t value) { std::memcpy(m_bytes.data() + offset, &value, 4); }
    template <typename T>
    static void append(Bytes& e, T value) {
        const auto* p = reinterpret_cast<const uint8_t*>(&value);
        e.insert(e.end(), p, p + sizeof value);
    }
    Bytes m_bytes;
};

// QEMU's i440fx PC (hw/i386/acpi-common.c): what `axl boot` runs.
TableBuilder qemu_pc() {
    return TableBuilder()
        .local_apic(0, 0)
        .io_apic(0, 0xFEC0'0000, 0)
        .override_(0, 2, 0)
        .override_(5, 5, 0xD)
        .override_(9, 9, 0xD)
        .override_(10, 10, 0xD)
        .override_(11, 11, 0xD)
        .local_apic_nmi();
}

const char* parse(const Bytes& bytes, madt::Madt& out) {
    return madt::parse(bytes.data(), static_cast<uint32_t>(bytes.size()), out);
}

TEST(Madt, ReadsQemusTable) {
    madt::Madt table;
    ASSERT_EQ(parse(qemu_pc().bytes(), table), nullptr);
    EXPECT_EQ(table.local_apic_address, 0xFEE0'0000u);
    EXPECT_TRUE(table.has_8259s);
    ASSERT_EQ(table.io_apic_count, 1u);
    EXPECT_EQ(table.io_apics[0].id, 0);
    EXPECT_EQ(table.io_apics[0].address, 0xFEC0'0000u);
    EXPECT_EQ(table.io_apics[0].gsi_base, 0u);
    ASSERT_EQ(table.override_count, 5u);
    const madt::Override* timer = table.override_of(0);
    ASSERT_NE(timer, nullptr);
    EXPECT_EQ(timer->gsi, 2u);
    EXPECT_EQ(timer->polarity, madt::Polarity::conforming);
    EXPECT_EQ(timer->trigger, madt::Trigger::conforming);
    for (uint32_t irq : {5u, 9u, 10u, 11u}) {
        const madt::Override* pci = table.override_of(irq);
        ASSERT_NE(pci, nullptr) << irq;
        EXPECT_EQ(pci->gsi, irq);
        EXPECT_EQ(pci->polarity, madt::Polarity::active_high);
        EXPECT_EQ(pci->trigger, madt::Trigger::level);
    }
    EXPECT_EQ(table.override_of(1), nullptr);
    EXPECT_EQ(table.override_of(3), nullptr);
}

TEST(Madt, DecodesEveryPolarityAndTrigger) {
    madt::Madt table;
    ASSERT_EQ(parse(TableBuilder().override_(3, 3, 0x1 | 0x4).override_(4, 20, 0x3 | 0xC).bytes(), table), nullptr);
    EXPECT_EQ(table.override_of(3)->polarity, madt::Polarity::active_high);
    EXPECT_EQ(table.override_of(3)->trigger, madt::Trigger::edge);
    EXPECT_EQ(table.override_of(4)->polarity, madt::Polarity::active_low);
    EXPECT_EQ(table.override_of(4)->trigger, madt::Trigger::level);
    EXPECT_EQ(table.override_of(4)->gsi, 20u);
    EXPECT_EQ(table.io_apic_count, 0u);  // not malformed: the caller decides
}

TEST(Madt, ALocalApicAddressOverrideWins) {
    Bytes e{5, 12, 0, 0};
    const uint64_t address = 0x1'2345'6000ull;
    e.resize(12);
    std::memcpy(e.data() + 4, &address, 8);
    madt::Madt table;
    ASSERT_EQ(parse(TableBuilder().entry(e).bytes(), table), nullptr);
    EXPECT_EQ(table.local_apic_address, address);
}

TEST(Madt, WithoutThePcatFlagThereAreNo8259s) {
    madt::Madt table;
    ASSERT_EQ(parse(TableBuilder(0xFEE0'0000, 0).bytes(), table), nullptr);
    EXPECT_FALSE(table.has_8259s);
}

TEST(Madt, UnknownEntriesAreSkippedByTheirLength) {
    madt::Madt table;
    const Bytes x2apic{9, 16, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    ASSERT_EQ(parse(TableBuilder().entry(x2apic).io_apic(2, 0xFEC0'1000, 24).bytes(), table), nullptr);
    ASSERT_EQ(table.io_apic_count, 1u);
    EXPECT_EQ(table.io_apics[0].gsi_base, 24u);
}

TEST(Madt, MalformedTablesAreRefusedByName) {
    madt::Madt table;
    EXPECT_STREQ(madt::parse(qemu_pc().bytes().data(), 40, table), "the table is shorter than its fixed fields");
    Bytes truncated = qemu_pc().bytes();
    truncated.pop_back();
    EXPECT_STREQ(parse(truncated, table), "an entry runs past the table's end");
    EXPECT_STREQ(parse(TableBuilder().entry({0}).bytes(), table), "an entry's header runs past the table's end");
    EXPECT_STREQ(parse(TableBuilder().entry({7, 0}).bytes(), table), "an entry's length is below 2");
    EXPECT_STREQ(parse(TableBuilder().entry({1, 10, 0, 0, 0, 0, 0xC0, 0xFE, 0, 0}).bytes(), table),
                 "an I/O APIC entry's length is not 12");
    EXPECT_STREQ(parse(TableBuilder().entry({2, 8, 0, 0, 2, 0, 0, 0}).bytes(), table),
                 "an interrupt source override's length is not 10");
    EXPECT_STREQ(parse(TableBuilder().override_(0, 2, 0, 1).bytes(), table),
                 "an interrupt source override is for a bus other than ISA");
    EXPECT_STREQ(parse(TableBuilder().override_(16, 16, 0).bytes(), table),
                 "an interrupt source override's IRQ is above 15");
    EXPECT_STREQ(parse(TableBuilder().override_(9, 9, 0xD).override_(9, 20, 0xF).bytes(), table),
                 "two interrupt source overrides for one IRQ");
    EXPECT_STREQ(parse(TableBuilder().override_(9, 9, 0x2).bytes(), table),
                 "an interrupt source override's polarity is the reserved value 2");
    EXPECT_STREQ(parse(TableBuilder().override_(9, 9, 0x8).bytes(), table),
                 "an interrupt source override's trigger mode is the reserved value 2");
    TableBuilder many;
    for (uint8_t i = 0; i < 9; ++i) many.io_apic(i, 0xFEC0'0000 + i * 0x1000u, i * 24u);
    EXPECT_STREQ(parse(many.bytes(), table), "more I/O APICs than the kernel takes (8)");
}

}  // namespace
