// The device kinds: the table lists every kind once, each kind's description
// is complete, its keys are documented, read as it declares them and refused
// in tables of other kinds, and the description reader's messages list the
// kinds from the table.
#include "sim/machine/device_kind.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/api/program.h"
#include "sim/config/system_description.h"
#include "sim/machine/block_device.h"
#include "sim/machine/nic.h"
#include "sim/machine/pci_function.h"
#include "sim/machine/uart.h"
#include "tests/support/source_dir.h"
#include "tests/support/temp_dir.h"

AXL_PROGRAM(device_kinds_test_driver, "drives nothing (device kind tests)") { return 0; }

namespace axl::sim {
namespace {

constexpr const char* path = "kinds.toml";

std::string text_of(const std::string& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// One [[device]] of `kind` with `extra` keys, driven by the one process.
std::string one_device(std::string_view kind, const std::string& extra = "") {
    return "[system]\n[[process]]\nname = \"driver\"\nprogram = \"device_kinds_test_driver\"\n[[device]]\nkind = \"" +
           std::string(kind) + "\"\ndriver = \"driver\"\n" + extra;
}

std::string problem_of(const std::string& text) {
    try {
        parse_system_description(text, path);
    } catch (const DescriptionError& error) {
        return error.what();
    }
    return "";
}

// A value of the key's type that its range accepts.
std::string valid_value(const DeviceKey& key) {
    switch (key.type) {
        case DeviceKey::Type::string: return "\"x\"";
        case DeviceKey::Type::integer: return std::to_string(key.min);
        case DeviceKey::Type::duration: return "\"1us\"";
        case DeviceKey::Type::size: return std::to_string(key.min);
    }
    return "";
}

TEST(DeviceKinds, TheTableListsEveryKindOnceInListingOrder) {
    std::vector<std::string> names;
    for (const DeviceKind* kind : device_kinds()) names.emplace_back(kind->name);
    EXPECT_EQ(names, (std::vector<std::string>{"timer", "uart", "block", "nic", "ne2000", "pvpanic-pci", "i6300esb",
                                               "ib700", "ne2k-pci", "edu"}));
    for (const DeviceKind* kind : device_kinds()) EXPECT_EQ(find_device_kind(kind->name), kind);
    EXPECT_EQ(find_device_kind("floppy"), nullptr);
    EXPECT_EQ(find_device_kind(""), nullptr);
}

TEST(DeviceKinds, EachKindIsDescribedCompletely) {
    for (const DeviceKind* kind : device_kinds()) {
        SCOPED_TRACE(kind->name);
        EXPECT_NE(std::string(kind->description), "");
        EXPECT_TRUE(std::filesystem::is_regular_file(test::source_dir() + "/" + kind->registers)) << kind->registers;
        if (kind->pci) {
            // Its registers are where its BARs are: it has BARs, and no fixed ports.
            EXPECT_EQ(kind->io_size, 0u);
            bool has_bar = false;
            for (const PciBarLayout& bar : kind->pci->bars) {
                if (bar.type == PciBarLayout::Type::none) continue;
                has_bar = true;
                EXPECT_EQ(bar.size & (bar.size - 1), 0u) << "a BAR's size is a power of two";
                EXPECT_GE(bar.size, bar.type == PciBarLayout::Type::io ? 4u : 16u);
            }
            EXPECT_TRUE(has_bar);
            EXPECT_EQ(kind->irq == no_irq, kind->pci->interrupt_pin == 0) << "INTx is wired exactly when it has a pin";
        } else {
            EXPECT_GT(kind->io_size, 0u);
        }
        EXPECT_NE(kind->make, nullptr);
        EXPECT_EQ(kind->read == nullptr, kind->keys.empty()) << "a kind reads exactly when it has keys";
        std::set<std::string> keys;
        for (const DeviceKey& key : kind->keys) {
            EXPECT_TRUE(keys.insert(key.name).second) << "twice: " << key.name;
            for (const char* common : {"name", "kind", "irq", "io_base", "driver", "access", "pci_address"})
                EXPECT_NE(std::string(key.name), common) << "every device has it already";
            if (key.type == DeviceKey::Type::integer || key.type == DeviceKey::Type::size)
                EXPECT_LE(key.min, key.max) << key.name;
        }
    }
}

// Their defaults must let one device of each kind share a machine.
TEST(DeviceKinds, DefaultPortsAndLinesDoNotCollide) {
    const auto kinds = device_kinds();
    for (size_t a = 0; a < kinds.size(); ++a)
        for (size_t b = a + 1; b < kinds.size(); ++b) {
            SCOPED_TRACE(std::string(kinds[a]->name) + " and " + kinds[b]->name);
            if (kinds[a]->irq != no_irq) EXPECT_NE(kinds[a]->irq, kinds[b]->irq);
            const uint32_t a_end = uint32_t{kinds[a]->io_base} + kinds[a]->io_size;
            const uint32_t b_end = uint32_t{kinds[b]->io_base} + kinds[b]->io_size;
            EXPECT_TRUE(a_end <= kinds[b]->io_base || b_end <= kinds[a]->io_base);
        }
}

TEST(DeviceKinds, EveryKindAndKeyIsDocumented) {
    const std::string doc = text_of(test::source_dir() + "/docs/system-description.md");
    const std::string devices = text_of(test::source_dir() + "/docs/devices.md");
    for (const DeviceKind* kind : device_kinds()) {
        // docs/devices.md's table of kinds: "| `uart` | `hw/uart_16550.h` | 0x3F8, 4 | ...",
        // "| `pvpanic-pci` | `hw/pvpanic_pci.h` | PCI 1b36:0011, none | ..."
        char where[48];
        if (kind->pci)
            std::snprintf(where, sizeof where, "PCI %04x:%04x", kind->pci->vendor, kind->pci->device);
        else
            std::snprintf(where, sizeof where, "0x%X", kind->io_base);
        const std::string line = kind->irq == no_irq ? "none" : std::to_string(kind->irq);
        char row[160];
        std::snprintf(row, sizeof row, "| `%s` | `%s` | %s, %s |", kind->name, kind->registers, where, line.c_str());
        EXPECT_NE(devices.find(row), std::string::npos) << row << " is not in docs/devices.md";
        for (const DeviceKey& key : kind->keys)
            EXPECT_NE(doc.find("`" + std::string(key.name) + "`"), std::string::npos)
                << kind->name << "'s key " << key.name << " is not in docs/system-description.md";
    }
}

TEST(DeviceKinds, TheReaderNamesEveryKind) {
    std::string kinds, quoted;
    for (size_t i = 0; i < device_kinds().size(); ++i) {
        const std::string name = device_kinds()[i]->name;
        const char* separator = i == 0 ? "" : i + 1 == device_kinds().size() ? " or " : ", ";
        kinds += separator + name;
        quoted += separator + ("\"" + name + "\"");
    }
    EXPECT_NE(problem_of(one_device("floppy")).find("(expected " + kinds + ")"), std::string::npos);
    EXPECT_NE(problem_of("[system]\n[[process]]\nname = \"driver\"\nprogram = \"device_kinds_test_driver\"\n"
                         "[[device]]\ndriver = \"driver\"\n")
                  .find("(add kind = " + quoted + ")"),
              std::string::npos);
}

// A key of one kind is a typo in a table of another, and says which keys
// that kind has.
TEST(DeviceKinds, EachKindRefusesTheKeysOfOthers) {
    for (const DeviceKind* kind : device_kinds()) {
        for (const DeviceKind* other : device_kinds()) {
            for (const DeviceKey& key : other->keys) {
                bool own = false;
                for (const DeviceKey& mine : kind->keys) own = own || std::string(mine.name) == key.name;
                if (own) continue;
                SCOPED_TRACE(std::string(kind->name) + " given " + key.name);
                const std::string problem =
                    problem_of(one_device(kind->name, std::string(key.name) + " = " + valid_value(key) + "\n"));
                EXPECT_NE(problem.find(std::string(path) + ":8: unknown key '" + key.name + "' in [[device]] of kind " +
                                       kind->name),
                          std::string::npos)
                    << problem;
            }
        }
    }
}

// Out of range is refused at the key's line, with the declared range.
TEST(DeviceKinds, NumbersOutsideTheirDeclaredRangeAreRefused) {
    for (const DeviceKind* kind : device_kinds())
        for (const DeviceKey& key : kind->keys) {
            if (key.type != DeviceKey::Type::integer) continue;
            SCOPED_TRACE(std::string(kind->name) + "." + key.name);
            // A block device's other keys are read once it has a disk.
            const std::string disk = std::string(kind->name) == "block" ? "scratch = \"4KiB\"\n" : "";
            const std::string problem = problem_of(
                one_device(kind->name, std::string(key.name) + " = " + std::to_string(key.max + 1) + "\n" + disk));
            EXPECT_NE(problem.find(std::string(path) + ":8: " + key.name + " = " + std::to_string(key.max + 1) +
                                   " is out of range " + std::to_string(key.min) + ".." + std::to_string(key.max)),
                      std::string::npos)
                << problem;
        }
}

// What a table says reaches the kind's settings; what it does not keeps the
// model's default.
TEST(DeviceKinds, SettingsAreTheModelsConfigWithTheTablesValues) {
    test::TempDir dir;
    const std::string disk = dir.file("disk.img");
    std::ofstream(disk) << std::string(4096, '\0');

    SystemDescription uart = parse_system_description(one_device("uart", "baud = 9600\noutput = \"none\"\n"), path);
    EXPECT_EQ(uart.devices[0].settings_as<UartConfig>().baud, 9600u);
    EXPECT_EQ(uart.devices[0].settings_as<UartConfig>().output_path, "none");
    EXPECT_EQ(uart.devices[0].settings_as<UartConfig>().input_start_ns, UartConfig{}.input_start_ns);

    SystemDescription block = parse_system_description(
        one_device("block", "file = \"" + disk + "\"\nsector_time = \"3us\"\nmax_sectors = 8\n"), path);
    const DeviceDescription& device = block.devices[0];
    EXPECT_EQ(device.irq, BlockConfig{}.irq_line);
    EXPECT_EQ(device.io_size, hw::block::io_size);

    SystemDescription nic = parse_system_description(one_device("nic", "latency = \"2us\"\n"), path);
    EXPECT_EQ(nic.devices[0].settings_as<NicConfig>().latency_ns, 2'000u);
    EXPECT_EQ(nic.devices[0].settings_as<NicConfig>().udp_port, NicConfig{}.udp_port);
    EXPECT_EQ(nic.devices[0].io_base, find_device_kind("nic")->io_base);
}

}  // namespace
}  // namespace axl::sim
