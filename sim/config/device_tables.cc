#include "sim/config/device_tables.h"

#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernel/api/calls.h"
#include "kernel/config.h"
#include "sim/machine/device_kind.h"

namespace axl::sim {
namespace {

using toml_support::line_of;
using toml_support::spoken_list;

// The keys of every [[device]] table, whatever its kind.
const std::vector<std::string> common_keys = {"name", "kind", "irq", "io_base", "driver", "access"};

std::vector<std::string> kind_names(bool quoted) {
    std::vector<std::string> names;
    for (const DeviceKind* kind : device_kinds())
        names.push_back(quoted ? "\"" + std::string(kind->name) + "\"" : std::string(kind->name));
    return names;
}

std::string port_range(uint16_t base, uint16_t size) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%X..0x%X", base, base + size - 1u);
    return text;
}

// A kind's view of its table: the description reader's typed access, limited
// to the kind's own keys.
class KindTable final : public DeviceTable {
public:
    KindTable(const DescriptionReader& reader, const toml::table& table, const DeviceDescription& device)
        : m_reader(reader), m_table(table), m_device(device) {}

    const std::string& device_name() const override { return m_device.name; }
    bool has(const DeviceKey& key) const override { return m_table.get(key.name) != nullptr; }
    std::optional<std::string> string(const DeviceKey& key) const override {
        return m_reader.string(m_table, key.name);
    }
    std::optional<int64_t> integer(const DeviceKey& key) const override {
        return m_reader.integer(m_table, key.name, key.min, key.max);
    }
    std::optional<uint64_t> duration_ns(const DeviceKey& key) const override {
        return m_reader.duration_or_zero_ns(m_table, key.name);
    }
    std::optional<uint64_t> size_bytes(const DeviceKey& key) const override {
        return m_reader.size_bytes(m_table, key.name, static_cast<uint64_t>(key.min), static_cast<uint64_t>(key.max));
    }
    std::string resolve(const std::string& path) const override { return m_reader.resolve(path); }
    void require_file(const std::string& path, const DeviceKey& key) const override {
        m_reader.require_file(path, key.name, line(key));
    }
    uint32_t line() const override { return m_device.line; }
    uint32_t line(const DeviceKey& key) const override {
        const toml::node* node = m_table.get(key.name);
        return node ? line_of(*node) : m_device.line;
    }
    void fail(uint32_t at, const std::string& problem) const override { m_reader.fail(at, problem); }

private:
    const DescriptionReader& m_reader;
    const toml::table& m_table;
    const DeviceDescription& m_device;
};

DeviceDescription read_device(const DescriptionReader& reader, const toml::table& table) {
    DeviceDescription device;
    device.line = line_of(table);
    auto kind_name = reader.string(table, "kind");
    if (!kind_name)
        reader.fail(device.line, "device has no kind (add kind = " + spoken_list(kind_names(true)) + ")");
    const DeviceKind* kind = find_device_kind(*kind_name);
    if (kind == nullptr)
        reader.fail(line_of(*table.get("kind")),
                    "unknown device kind '" + *kind_name + "' (expected " + spoken_list(kind_names(false)) + ")");
    std::vector<std::string> known = common_keys;
    for (const DeviceKey& key : kind->keys) known.emplace_back(key.name);
    reader.reject_unknown_keys(table, "[[device]] of kind " + *kind_name, known);
    device.kind = kind;
    device.io_size = kind->io_size;

    auto name = reader.string(table, "name");
    device.name = name ? *name : *kind_name;
    if (name) check_process_name(reader, *name, line_of(*table.get("name")));
    device.irq = static_cast<uint32_t>(reader.integer(table, "irq", 0, config::irq_lines - 1).value_or(kind->irq));
    device.io_base = static_cast<uint16_t>(
        reader.integer(table, "io_base", 0, 0x10000 - kind->io_size).value_or(kind->io_base));

    auto driver = reader.string(table, "driver");
    if (!driver)
        reader.fail(device.line, "device '" + device.name + "' has no driver (add driver = \"<process name>\")");
    device.driver = *driver;
    auto access = reader.string(table, "access");
    if (access && *access != "kernel" && *access != "direct")
        reader.fail(line_of(*table.get("access")),
                    "unknown access '" + *access + "' (expected kernel: every register access is a kernel call, or "
                                                   "direct: the registers are opened to the driver)");
    device.direct = access && *access == "direct";

    if (kind->read) device.settings = kind->read(KindTable(reader, table, device));
    return device;
}

// The driver gets the device's registers, its IRQ line, the kernel calls
// to use them, and two arguments: io_base and irq (unless set already).
void grant_to_driver(const DescriptionReader& reader, const DeviceDescription& device, const toml::table& table,
                     ProcessTables& tables) {
    const uint32_t line = line_of(*table.get("driver"));
    const NameUse* found = tables.find(device.driver);
    if (found == nullptr)
        reader.fail(line, "driver '" + device.driver + "' of device '" + device.name +
                              "' is not a process of this system");
    const TableSource& source = tables.tables()[found->table];
    if (found->replica >= 0 || source.replicated())
        reader.fail(line, "driver '" + device.driver + "' is a replicated process; a device needs a driver of its "
                                                        "own (its IRQ notifications name one process)");
    ProcessDescription& driver = tables.process_of(source);
    DeviceRights& rights = driver.device_rights;
    if (rights.io_range_count == config::io_ranges_max)
        reader.fail(line, "driver '" + device.driver + "' has too many devices");
    rights.io[rights.io_range_count++] =
        IoRange{device.io_base, static_cast<uint16_t>(device.io_base + device.io_size - 1), device.direct};
    rights.irq_lines |= uint64_t{1} << device.irq;
    driver.kernel_calls |= bit(KernelCall::device_io) | bit(KernelCall::irq_control);
    driver.args.try_emplace("io_base", static_cast<int64_t>(device.io_base));
    driver.args.try_emplace("irq", static_cast<int64_t>(device.irq));
}

}  // namespace

void read_device_tables(const DescriptionReader& reader, const toml::table& root, ProcessTables& tables,
                        SystemDescription& system) {
    const toml::node* node = root.get("device");
    if (node == nullptr) return;
    const toml::array* devices = node->as_array();
    if (devices == nullptr || !devices->is_array_of_tables())
        reader.fail(line_of(*node), "device must be an array of tables: write each one as [[device]]");
    std::unordered_map<std::string, uint32_t> names;         // device name -> line
    std::unordered_map<std::string, std::string> driven_by;  // driver -> device name
    for (const toml::node& element : *devices) {
        const toml::table& table = *element.as_table();
        DeviceDescription device = read_device(reader, table);
        if (auto [found, inserted] = names.try_emplace(device.name, device.line); !inserted)
            reader.fail(table.get("name") ? line_of(*table.get("name")) : device.line,
                        "duplicate device name '" + device.name + "' (first used on line " +
                            std::to_string(found->second) + ")");
        for (const DeviceDescription& other : system.devices) {
            const uint32_t end = uint32_t{device.io_base} + device.io_size;
            const uint32_t other_end = uint32_t{other.io_base} + other.io_size;
            if (device.io_base < other_end && other.io_base < end)
                reader.fail(table.get("io_base") ? line_of(*table.get("io_base")) : device.line,
                            "device '" + device.name + "' registers " + port_range(device.io_base, device.io_size) +
                                " overlap device '" + other.name + "' " + port_range(other.io_base, other.io_size) +
                                " (line " + std::to_string(other.line) + "); set io_base");
        }
        const DeviceDescription* user = nullptr;
        for (const DeviceDescription& other : system.devices)
            if (other.irq == device.irq) user = &other;
        if (user)
            reader.fail(table.get("irq") ? line_of(*table.get("irq")) : device.line,
                        "IRQ line " + std::to_string(device.irq) + " of device '" + device.name +
                            "' is already used by device '" + user->name + "' (line " + std::to_string(user->line) +
                            "); IRQ lines are not shared, set irq");
        if (auto [found, inserted] = driven_by.try_emplace(device.driver, device.name); !inserted)
            reader.fail(line_of(*table.get("driver")), "process '" + device.driver + "' already drives device '" +
                                                           found->second + "'; a driver drives one device (start "
                                                           "another driver process for this one)");
        grant_to_driver(reader, device, table, tables);
        system.devices.push_back(std::move(device));
    }
}

}  // namespace axl::sim
