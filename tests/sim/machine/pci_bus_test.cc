// The PCI bus: configuration mechanism #1 through its ports, the type 0
// header's semantics (read-only identity, BAR sizing, command enables,
// write-1-to-clear status), BAR decoding into ports and memory, multi-function
// devices, INTx with Interrupt Disable, and the firmware's BAR placement.
#include "sim/machine/pci_bus.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "sim/machine/pci_firmware.h"
#include "sim/machine/pci_function.h"
#include "sim/machine/pci_port_function.h"
#include "tests/support/device_test_host.h"

namespace axl::sim {
namespace {

namespace cfg = pci_config;

constexpr PciProfile test_profile{
    .vendor = 0x1234,
    .device = 0x5678,
    .subsystem_vendor = 0xAAAA,
    .subsystem_device = 0xBBBB,
    .class_code = 0x020000,
    .revision = 7,
    .interrupt_pin = 1,
    .bars = {PciBarLayout{PciBarLayout::Type::io, 32}, PciBarLayout{PciBarLayout::Type::memory, 4096, true}},
};

// Records every BAR access; raises INTx on demand.
class TestFunction final : public PciFunction {
public:
    TestFunction(DeviceHost& host, uint32_t irq) : PciFunction(test_profile, host, irq) {}
    struct Access {
        uint32_t bar, offset, width, value;
        bool write;
        bool operator==(const Access&) const = default;
    };
    uint32_t bar_read(uint32_t bar, uint32_t offset, uint32_t width) override {
        accesses.push_back({bar, offset, width, 0, false});
        return 0xA5A5'0000u | bar << 8 | offset;
    }
    void bar_write(uint32_t bar, uint32_t offset, uint32_t width, uint32_t value) override {
        accesses.push_back({bar, offset, width, value, true});
    }
    void interrupt() { raise_intx(); }
    void acknowledge() { clear_intx(); }
    std::vector<Access> accesses;

protected:
    uint32_t device_config_read(uint32_t offset, uint32_t) override { return offset == 0x40 ? m_own : 0; }
    void device_config_write(uint32_t offset, uint32_t, uint32_t value) override {
        if (offset == 0x40) m_own = value;
    }

private:
    uint32_t m_own = 0;
};

constexpr uint32_t line = 9;

struct PciBusTest : ::testing::Test {
    test::DeviceTestHost host;
    PciBus bus{host};
    TestFunction function{host, line};

    void SetUp() override { bus.attach(PciAddress{0, 3, 0}, function); }

    // Mechanism #1 as software uses it: CONFIG_ADDRESS at 0xCF8 (offset 0), data at 0xCFC + (reg & 3).
    void select(uint32_t device, uint32_t fn, uint32_t reg) {
        bus.write(0, 4, PciBus::config_enable | device << 11 | fn << 8 | (reg & 0xFC));
    }
    uint32_t config_read(uint32_t device, uint32_t fn, uint32_t reg, uint32_t width = 4) {
        select(device, fn, reg);
        return bus.read(static_cast<uint16_t>(4 + (reg & 3)), width);
    }
    void config_write(uint32_t device, uint32_t fn, uint32_t reg, uint32_t value, uint32_t width = 4) {
        select(device, fn, reg);
        bus.write(static_cast<uint16_t>(4 + (reg & 3)), width, value);
    }
};

TEST_F(PciBusTest, ConfigAddressLatchesOnlyDwordWritesAndReadsBack) {
    bus.write(0, 4, 0x8000'1A3Fu);
    EXPECT_EQ(bus.read(0, 4), 0x8000'1A3Cu) << "the low two bits are reserved";
    bus.write(0, 1, 0x12);  // a byte write to 0xCF8 is not CONFIG_ADDRESS
    EXPECT_EQ(bus.read(0, 4), 0x8000'1A3Cu);
    EXPECT_EQ(bus.read(1, 1), 0xFFu) << "0xCF9 is not the bus's";
}

TEST_F(PciBusTest, IdentityReadsThroughTheDataPortsAtEveryWidth) {
    EXPECT_EQ(config_read(3, 0, cfg::vendor_id), 0x5678'1234u);
    EXPECT_EQ(config_read(3, 0, cfg::device_id, 2), 0x5678u);
    EXPECT_EQ(config_read(3, 0, cfg::vendor_id + 1, 1), 0x12u);
    EXPECT_EQ(config_read(3, 0, cfg::revision), 0x0200'0007u);
    EXPECT_EQ(config_read(3, 0, cfg::subsystem_vendor_id), 0xBBBB'AAAAu);
    EXPECT_EQ(config_read(3, 0, cfg::interrupt_line, 2), 0x0100u | line);
    EXPECT_EQ(config_read(3, 0, cfg::capabilities, 1), 0u);
    EXPECT_EQ(config_read(3, 0, cfg::header_type, 1), 0u);
    // Read-only: writes do not change it.
    config_write(3, 0, cfg::vendor_id, 0);
    EXPECT_EQ(config_read(3, 0, cfg::vendor_id), 0x5678'1234u);
}

TEST_F(PciBusTest, AbsentFunctionsAndTheDisabledMechanismReadAllOnes) {
    EXPECT_EQ(config_read(4, 0, 0), 0xFFFF'FFFFu);
    EXPECT_EQ(config_read(3, 1, 0), 0xFFFF'FFFFu);
    bus.write(0, 4, 3u << 11);  // enable bit clear
    EXPECT_EQ(bus.read(4, 4), 0xFFFF'FFFFu);
    bus.write(0, 4, PciBus::config_enable | 1u << 16 | 3u << 11);  // bus 1
    EXPECT_EQ(bus.read(4, 4), 0xFFFF'FFFFu);
}

TEST_F(PciBusTest, TheHostBridgeSitsAt0000) {
    EXPECT_EQ(config_read(0, 0, cfg::vendor_id), 0x1237'8086u);
    EXPECT_EQ(config_read(0, 0, cfg::revision) >> 8, 0x060000u);
}

TEST_F(PciBusTest, BarSizingGivesTheSizeAndKeepsTheTypeBits) {
    EXPECT_EQ(config_read(3, 0, cfg::bar0), cfg::bar_io) << "unassigned: base 0";
    EXPECT_EQ(config_read(3, 0, cfg::bar0 + 4), cfg::bar_prefetchable);
    config_write(3, 0, cfg::bar0, 0xFFFF'FFFF);
    EXPECT_EQ(config_read(3, 0, cfg::bar0), 0xFFFF'FFE1u) << "32 ports";
    config_write(3, 0, cfg::bar0 + 4, 0xFFFF'FFFF);
    EXPECT_EQ(config_read(3, 0, cfg::bar0 + 4), 0xFFFF'F008u) << "4 KiB, prefetchable";
    config_write(3, 0, cfg::bar0 + 8, 0xFFFF'FFFF);
    EXPECT_EQ(config_read(3, 0, cfg::bar0 + 8), 0u) << "an unimplemented BAR stays 0";
    config_write(3, 0, cfg::rom_address, 0xFFFF'F800);
    EXPECT_EQ(config_read(3, 0, cfg::rom_address), 0u) << "no expansion ROM";
    // A base below the BAR's alignment loses its low bits.
    config_write(3, 0, cfg::bar0 + 4, 0xFEB0'0123);
    EXPECT_EQ(config_read(3, 0, cfg::bar0 + 4), 0xFEB0'0008u);
}

TEST_F(PciBusTest, BarsDecodeOnlyWhileTheCommandRegisterEnablesThem) {
    config_write(3, 0, cfg::bar0, 0xC000);
    config_write(3, 0, cfg::bar0 + 4, 0xFEB0'0000);
    uint32_t value = 0;
    EXPECT_FALSE(bus.io_read(0xC004, 2, value)) << "I/O decoding is off";
    EXPECT_EQ(bus.mmio_read(0xFEB0'0010, 4), 0xFFFF'FFFFu) << "memory decoding is off";
    config_write(3, 0, cfg::command, cfg::command_io, 2);
    ASSERT_TRUE(bus.io_read(0xC004, 2, value));
    EXPECT_EQ(value, 0x0004u) << "truncated to the width";
    EXPECT_EQ(bus.mmio_read(0xFEB0'0010, 4), 0xFFFF'FFFFu);
    config_write(3, 0, cfg::command, cfg::command_io | cfg::command_memory, 2);
    EXPECT_EQ(bus.mmio_read(0xFEB0'0010, 4), 0xA5A5'0110u);
    bus.mmio_write(0xFEB0'0FFC, 4, 0x1234);
    EXPECT_TRUE(bus.io_write(0xC01F, 1, 0x77));
    EXPECT_FALSE(bus.io_write(0xC020, 1, 0x77)) << "past the 32 ports";
    EXPECT_FALSE(bus.io_write(0xC01F, 2, 0x77)) << "straddling the end";
    EXPECT_EQ(bus.mmio_read(0xFEB0'1000, 1), 0xFFu) << "past the 4 KiB";
    const std::vector<TestFunction::Access> expected = {
        {0, 4, 2, 0, false}, {1, 0x10, 4, 0, false}, {1, 0xFFC, 4, 0x1234, true}, {0, 0x1F, 1, 0x77, true}};
    EXPECT_EQ(function.accesses, expected);
    EXPECT_EQ(config_read(3, 0, cfg::command, 2), uint32_t{cfg::command_io | cfg::command_memory});
    // A moved BAR decodes at its new place only.
    config_write(3, 0, cfg::bar0, 0xD000);
    EXPECT_FALSE(bus.io_read(0xC004, 2, value));
    EXPECT_TRUE(bus.io_read(0xD004, 2, value));
}

TEST_F(PciBusTest, CommandKeepsOnlyItsWritableBitsAndStatusErrorsClearByWritingOnes) {
    config_write(3, 0, cfg::command, 0xFFFF, 2);
    EXPECT_EQ(config_read(3, 0, cfg::command, 2), 0x0547u);
    config_write(3, 0, cfg::command, 0, 2);
    config_write(3, 0, cfg::status, 0xFFFF, 2);
    EXPECT_EQ(config_read(3, 0, cfg::status, 2), 0u);
}

TEST_F(PciBusTest, DeviceSpecificRegistersAreTheModels) {
    config_write(3, 0, 0x40, 0xCAFE);
    EXPECT_EQ(config_read(3, 0, 0x40), 0xCAFEu);
    EXPECT_EQ(config_read(3, 0, 0xFC), 0u);
}

TEST_F(PciBusTest, IntxRaisesTheLineUnlessInterruptDisableHoldsItBack) {
    function.interrupt();
    EXPECT_EQ(host.irq_count(line), 1u);
    EXPECT_EQ(config_read(3, 0, cfg::status, 2) & cfg::status_interrupt, cfg::status_interrupt);
    function.acknowledge();
    EXPECT_EQ(config_read(3, 0, cfg::status, 2) & cfg::status_interrupt, 0u);
    config_write(3, 0, cfg::command, cfg::command_intx_disable, 2);
    function.interrupt();
    EXPECT_EQ(host.irq_count(line), 1u) << "held back";
    EXPECT_EQ(config_read(3, 0, cfg::status, 2) & cfg::status_interrupt, cfg::status_interrupt);
    config_write(3, 0, cfg::command, 0, 2);
    EXPECT_EQ(host.irq_count(line), 2u) << "enabled again while asserted: the line sees it";
}

TEST_F(PciBusTest, AFunctionBesideFunctionZeroMakesTheDeviceMultiFunction) {
    EXPECT_EQ(config_read(3, 0, cfg::header_type, 1), 0u);
    TestFunction second{host, line + 1};
    bus.attach(PciAddress{0, 3, 2}, second);
    EXPECT_EQ(config_read(3, 0, cfg::header_type, 1), uint32_t{cfg::header_multi_function});
    EXPECT_EQ(config_read(3, 2, cfg::vendor_id), 0x5678'1234u);
}

TEST(PciAddress, ParsesAndPrintsLikeLspci) {
    auto address = parse_pci_address("00:1f.7");
    ASSERT_TRUE(address);
    EXPECT_EQ(address->raw(), 0x1F << 3 | 7);
    EXPECT_EQ(to_string(*address), "00:1f.7");
    EXPECT_EQ(to_string(PciAddress::of(0x0118)), "01:03.0");
    for (const char* bad : {"", "00:20.0", "00:03.8", "0:03.0", "00-03.0", "00:03.0x", "zz:03.0"})
        EXPECT_FALSE(parse_pci_address(bad)) << bad;
}

TEST(PciFirmware, PlacesBarsAlignedInBusOrderWhateverTheInputOrder) {
    constexpr PciProfile big{.bars = {PciBarLayout{PciBarLayout::Type::memory, 0x4000},
                                      PciBarLayout{PciBarLayout::Type::io, 256}}};
    const std::vector<pci_firmware::Function> functions = {
        {PciAddress{0, 5, 0}, &test_profile}, {PciAddress{0, 3, 0}, &big}};
    const auto bases = pci_firmware::assign_bars(functions);
    ASSERT_EQ(bases.size(), 2u);
    EXPECT_EQ(bases[1][0], 0xFEB0'0000u) << "00:03.0 first";
    EXPECT_EQ(bases[1][1], 0xC000u);
    EXPECT_EQ(bases[0][0], 0xC100u) << "I/O: after the 256 ports";
    EXPECT_EQ(bases[0][1], 0xFEB0'4000u) << "memory: after the 16 KiB, at least page aligned";
    EXPECT_EQ(bases[0][2], 0u);
}

TEST(PciFirmware, RefusesBarsBeyondItsWindow) {
    constexpr PciProfile huge{.bars = {PciBarLayout{PciBarLayout::Type::memory, 0x200000}}};
    const std::vector<pci_firmware::Function> functions = {{PciAddress{0, 3, 0}, &huge}};
    EXPECT_THROW(pci_firmware::assign_bars(functions), std::runtime_error);
}

// A port-I/O model behind BAR 0: its registers move with the BAR and its
// interrupt becomes INTx.
class Echo final : public Device {
public:
    explicit Echo(DeviceHost& host) : m_host(host) {}
    uint16_t io_size() const override { return 8; }
    uint32_t read(uint16_t offset, uint32_t) override { return m_last + offset; }
    void write(uint16_t, uint32_t, uint32_t value) override {
        m_last = value;
        m_host.raise_irq(99);  // the line the model thinks it has does not matter: it is INTx now
    }

private:
    DeviceHost& m_host;
    uint32_t m_last = 0;
};

TEST(PciPortFunction, WrapsAPortModelAsBarZero) {
    test::DeviceTestHost host;
    PciBus bus{host};
    constexpr PciProfile profile{.vendor = 0x10ec, .device = 0x8029, .class_code = 0x020000,
                                 .bars = {PciBarLayout{PciBarLayout::Type::io, 32}}};
    auto function = wrap_port_device(profile, host, 5, [](DeviceHost& side) { return std::make_unique<Echo>(side); });
    bus.attach(PciAddress{0, 4, 0}, *function);
    function->firmware_set_bar(0, 0xC040);
    function->firmware_enable(cfg::command_io);
    EXPECT_TRUE(bus.io_write(0xC040, 1, 0x10));
    uint32_t value = 0;
    ASSERT_TRUE(bus.io_read(0xC043, 1, value));
    EXPECT_EQ(value, 0x13u);
    EXPECT_TRUE(bus.io_read(0xC050, 1, value)) << "inside the 32-port BAR";
    EXPECT_EQ(value, 0xFFu) << "beyond the model's 8 ports";
    EXPECT_EQ(host.irq_count(5), 1u);
    EXPECT_EQ(host.irq_count(99), 0u);
    function->config_write(cfg::command, 2, cfg::command_io | cfg::command_intx_disable);
    EXPECT_TRUE(bus.io_write(0xC040, 1, 0x10));
    EXPECT_EQ(host.irq_count(5), 1u) << "Interrupt Disable holds INTx back";
}

}  // namespace
}  // namespace axl::sim
