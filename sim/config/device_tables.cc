#include "sim/config/device_tables.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <tuple>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernel/api/calls.h"
#include "kernel/api/protocols/pci.h"
#include "kernel/config.h"
#include "sim/machine/device_kind.h"
#include "sim/machine/pci_firmware.h"
#include "sim/machine/pci_function.h"

namespace axl::sim {
namespace {

using toml_support::line_of;
using toml_support::spoken_list;

// The keys of every [[device]] table, whatever its kind.
const std::vector<std::string> common_keys = {"name", "kind", "irq", "io_base", "driver", "access"};
// A PCI kind's table has no io_base (its BARs are placed by the firmware) but may say where it sits.
const std::vector<std::string> pci_common_keys = {"name", "kind", "irq", "pci_address", "driver", "access"};

// The program that serves the pci protocol (kernel/api/protocols/pci.h).
constexpr const char* pci_server_program = "pci";
static_assert(pci_bar_count == std::tuple_size_v<decltype(DeviceDescription::pci_bars)>);

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
    std::vector<std::string> known = kind->pci ? pci_common_keys : common_keys;
    for (const DeviceKey& key : kind->keys) known.emplace_back(key.name);
    if (kind->pci && table.get("io_base"))
        reader.fail(line_of(*table.get("io_base")),
                    "device of PCI kind " + *kind_name + " has no io_base: the firmware places its BARs (set "
                    "pci_address = \"00:03.0\" to choose its slot)");
    if (kind->irq == no_irq) {
        if (table.get("irq"))
            reader.fail(line_of(*table.get("irq")), "device of kind " + *kind_name + " raises no interrupt: drop irq");
        known.erase(std::find(known.begin(), known.end(), "irq"));
    }
    reader.reject_unknown_keys(table, "[[device]] of kind " + *kind_name, known);
    device.kind = kind;
    device.io_size = kind->io_size;
    device.pci = kind->pci != nullptr;
    if (auto address = reader.string(table, "pci_address")) {
        auto parsed = parse_pci_address(*address);
        if (!parsed || parsed->bus != 0)
            reader.fail(line_of(*table.get("pci_address")),
                        "pci_address '" + *address + "' is not a function on bus 0 (expected \"00:DD.F\", "
                        "hexadecimal device 01..1f and function 0..7, e.g. \"00:03.0\")");
        if (parsed->device == 0)
            reader.fail(line_of(*table.get("pci_address")),
                        "pci_address '" + *address + "' is the host bridge's slot (00:00.x); use device 01..1f");
        device.pci_address = parsed->raw();
    }

    auto name = reader.string(table, "name");
    device.name = name ? *name : *kind_name;
    if (name) check_process_name(reader, *name, line_of(*table.get("name")));
    device.irq = kind->irq == no_irq
                     ? no_irq
                     : static_cast<uint32_t>(reader.integer(table, "irq", 0, config::irq_lines - 1).value_or(kind->irq));
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

// The process `driver = "..."` names: one of the system's, not replicated.
ProcessDescription& driver_of(const DescriptionReader& reader, const DeviceDescription& device,
                              const toml::table& table, ProcessTables& tables) {
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
    return driver;
}

// The driver gets the device's registers, its IRQ line, the kernel calls
// to use them, and two arguments: io_base and irq (unless set already).
void grant_to_driver(const DescriptionReader& reader, const DeviceDescription& device, const toml::table& table,
                     ProcessTables& tables) {
    const uint32_t line = line_of(*table.get("driver"));
    ProcessDescription& driver = driver_of(reader, device, table, tables);
    DeviceRights& rights = driver.device_rights;
    if (rights.io_range_count == config::io_ranges_max)
        reader.fail(line, "driver '" + device.driver + "' has too many devices");
    rights.io[rights.io_range_count++] =
        IoRange{device.io_base, static_cast<uint16_t>(device.io_base + device.io_size - 1), device.direct};
    driver.kernel_calls |= bit(KernelCall::device_io);
    driver.args.try_emplace("io_base", static_cast<int64_t>(device.io_base));
    if (device.irq != no_irq) {
        rights.irq_lines |= uint64_t{1} << device.irq;
        driver.kernel_calls |= bit(KernelCall::irq_control);
        driver.args.try_emplace("irq", static_cast<int64_t>(device.irq));
    }
}

std::string hex(uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%llX", static_cast<unsigned long long>(value));
    return text;
}

// A PCI device's driver gets the calls to use a device and the PCI server as
// a destination: it learns from the server where its device is, and the
// server grants it the BARs' ranges and the IRQ line then (device_grant), as
// on a real machine, where only enumeration finds them.
void grant_pci_to_driver(const DescriptionReader& reader, const DeviceDescription& device, const toml::table& table,
                         ProcessTables& tables, const ProcessDescription& server) {
    const uint32_t line = line_of(*table.get("driver"));
    ProcessDescription& driver = driver_of(reader, device, table, tables);
    if (&driver == &server) reader.fail(line, "the PCI server cannot drive device '" + device.name + "'");
    driver.kernel_calls |= bit(KernelCall::device_io) | bit(KernelCall::device_mmio) | bit(KernelCall::lookup);
    if (device.kind->pci->interrupt_pin != 0) driver.kernel_calls |= bit(KernelCall::irq_control);
    driver.primitives |= bit(Primitive::sendrec);
    if (!driver.all_destinations &&
        std::find(driver.destinations.begin(), driver.destinations.end(), server.name) == driver.destinations.end())
        driver.destinations.push_back(server.name);
    driver.args.try_emplace("pci_server", server.name);
}

// Bus addresses, BARs and the PCI server, once every [[device]] is read.
void wire_pci(const DescriptionReader& reader, const toml::array& tables_in_file, ProcessTables& tables,
              SystemDescription& system, const std::vector<const toml::table*>& device_tables) {
    std::vector<DeviceDescription*> functions;
    for (DeviceDescription& device : system.devices)
        if (device.pci) functions.push_back(&device);
    (void)tables_in_file;
    if (functions.empty()) return;
    auto table_of = [&](const DeviceDescription& device) -> const toml::table& {
        return *device_tables[static_cast<size_t>(&device - system.devices.data())];
    };
    auto address_line = [&](const DeviceDescription& device) {
        const toml::node* node = table_of(device).get("pci_address");
        return node ? line_of(*node) : device.line;
    };
    // Addresses: the ones the file gives, then the others from 00:03.0 up in file order.
    std::unordered_map<uint16_t, const DeviceDescription*> taken;
    for (DeviceDescription* device : functions) {
        if (!table_of(*device).get("pci_address")) continue;
        if (auto [found, inserted] = taken.try_emplace(device->pci_address, device); !inserted)
            reader.fail(address_line(*device), "pci_address " + to_string(PciAddress::of(device->pci_address)) +
                                                   " of device '" + device->name + "' is taken by device '" +
                                                   found->second->name + "' (line " +
                                                   std::to_string(found->second->line) + ")");
    }
    uint8_t next_slot = 3;  // as QEMU's PC: 00:01 and 00:02 are the ISA bridge and VGA there
    for (DeviceDescription* device : functions) {
        if (table_of(*device).get("pci_address")) continue;
        while (next_slot < 32 && taken.count(PciAddress{0, next_slot, 0}.raw())) ++next_slot;
        if (next_slot == 32) reader.fail(device->line, "no free slot on PCI bus 0 for device '" + device->name + "'");
        device->pci_address = PciAddress{0, next_slot++, 0}.raw();
        taken.emplace(device->pci_address, device);
    }
    for (DeviceDescription* device : functions) {
        const PciAddress address = PciAddress::of(device->pci_address);
        if (address.function != 0 && !taken.count(PciAddress{0, address.device, 0}.raw()))
            reader.fail(address_line(*device), "device '" + device->name + "' is function " +
                                                   std::to_string(address.function) + " of PCI device " +
                                                   to_string(PciAddress{0, address.device, 0}).substr(0, 5) +
                                                   ", which has no function 0 (enumeration would never find it)");
    }
    // BARs, as the firmware assigns them.
    std::vector<pci_firmware::Function> firmware_input;
    for (DeviceDescription* device : functions)
        firmware_input.push_back({PciAddress::of(device->pci_address), device->kind->pci});
    std::vector<std::array<uint32_t, pci_bar_count>> bases;
    try {
        bases = pci_firmware::assign_bars(firmware_input);
    } catch (const std::runtime_error& error) {
        reader.fail(functions.front()->line, error.what());
    }
    for (size_t i = 0; i < functions.size(); ++i) functions[i]->pci_bars = bases[i];
    // Fixed devices must leave the configuration ports and the I/O BARs alone.
    for (const DeviceDescription& fixed : system.devices) {
        if (fixed.pci) continue;
        const uint32_t end = uint32_t{fixed.io_base} + fixed.io_size;
        auto overlaps = [&](uint32_t first, uint32_t size) { return fixed.io_base < first + size && first < end; };
        if (overlaps(0xCF8, 8))
            reader.fail(fixed.line, "device '" + fixed.name + "' registers " + port_range(fixed.io_base, fixed.io_size) +
                                        " overlap the PCI configuration ports 0xCF8..0xCFF; set io_base");
        for (const DeviceDescription* function : functions)
            for (uint32_t bar = 0; bar < pci_bar_count; ++bar)
                if (function->kind->pci->bars[bar].type == PciBarLayout::Type::io &&
                    overlaps(function->pci_bars[bar], function->kind->pci->bars[bar].size))
                    reader.fail(fixed.line, "device '" + fixed.name + "' registers " +
                                                port_range(fixed.io_base, fixed.io_size) + " overlap the I/O BAR " +
                                                std::to_string(bar) + " of PCI device '" + function->name + "' at " +
                                                hex(function->pci_bars[bar]) + "; set io_base");
    }
    // The PCI server: exactly one process runs it.
    ProcessDescription* server = nullptr;
    for (ProcessDescription& process : system.processes) {
        if (process.program != pci_server_program) continue;
        if (server)
            reader.fail(process.line, "process '" + process.name + "' would be a second PCI server ('" +
                                          server->name + "' on line " + std::to_string(server->line) +
                                          " is one); a system has at most one");
        if (!process.group.empty()) reader.fail(process.line, "the PCI server must not be replicated");
        server = &process;
    }
    if (!server)
        reader.fail(functions.front()->line,
                    "device '" + functions.front()->name + "' is a PCI device, and PCI devices need the PCI server: "
                    "add [[process]] name = \"pci\", program = \"pci\", expect = \"serve\"");
    if (functions.size() > pci::devices_max)
        reader.fail(functions[pci::devices_max]->line, "more than " + std::to_string(pci::devices_max) +
                                                            " PCI devices");
    // It alone may touch the configuration mechanism.
    DeviceRights& rights = server->device_rights;
    if (rights.io_range_count == config::io_ranges_max)
        reader.fail(server->line, "the PCI server has too many port ranges");
    rights.io[rights.io_range_count++] = IoRange{0xCF8, 0xCFF, false};
    server->kernel_calls |= bit(KernelCall::device_io) | bit(KernelCall::lookup) | bit(KernelCall::device_grant);
    server->primitives |= bit(Primitive::receive) | bit(Primitive::sendnb) | bit(Primitive::reply_receive);
    // It answers whoever asks, if only to refuse: any process may be a destination of its replies.
    server->all_destinations = true;
    server->args[pci::device_count_key] = static_cast<int64_t>(functions.size());
    char key[pci::key_bytes];
    for (size_t i = 0; i < functions.size(); ++i) {
        const DeviceDescription& device = *functions[i];
        grant_pci_to_driver(reader, device, table_of(device), tables, *server);
        pci::grant_key(key, static_cast<uint32_t>(i), pci::driver_field);
        server->args[key] = device.driver;
        pci::grant_key(key, static_cast<uint32_t>(i), pci::ids_field);
        server->args[key] = static_cast<int64_t>(device.kind->pci->vendor | uint32_t{device.kind->pci->device} << 16);
        pci::grant_key(key, static_cast<uint32_t>(i), pci::direct_field);
        server->args[key] = static_cast<int64_t>(device.direct ? 1 : 0);
        // The slot only when the description chose it: otherwise the server
        // finds the device by its IDs, as it must on a real machine.
        if (table_of(device).get("pci_address")) {
            pci::grant_key(key, static_cast<uint32_t>(i), pci::address_field);
            server->args[key] = static_cast<int64_t>(device.pci_address);
        }
    }
}

}  // namespace

void read_device_tables(const DescriptionReader& reader, const toml::table& root, ProcessTables& tables,
                        SystemDescription& system) {
    const toml::node* node = root.get("device");
    if (node == nullptr) return;
    const toml::array* devices = node->as_array();
    if (devices == nullptr || !devices->is_array_of_tables())
        reader.fail(line_of(*node), "device must be an array of tables: write each one as [[device]]");
    std::vector<const toml::table*> device_tables;           // parallel to system.devices
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
            if (other.irq == device.irq && device.irq != no_irq) user = &other;
        if (user)
            reader.fail(table.get("irq") ? line_of(*table.get("irq")) : device.line,
                        "IRQ line " + std::to_string(device.irq) + " of device '" + device.name +
                            "' is already used by device '" + user->name + "' (line " + std::to_string(user->line) +
                            "); IRQ lines are not shared, set irq");
        if (auto [found, inserted] = driven_by.try_emplace(device.driver, device.name); !inserted)
            reader.fail(line_of(*table.get("driver")), "process '" + device.driver + "' already drives device '" +
                                                           found->second + "'; a driver drives one device (start "
                                                           "another driver process for this one)");
        if (!device.pci) grant_to_driver(reader, device, table, tables);  // PCI: once placed (wire_pci)
        system.devices.push_back(std::move(device));
        device_tables.push_back(&table);
    }
    wire_pci(reader, *devices, tables, system, device_tables);
}

}  // namespace axl::sim
