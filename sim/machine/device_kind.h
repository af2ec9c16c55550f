// Device kinds: what `kind = "..."` in a [[device]] table may name. Each kind
// is described once, beside its model (sim/machine/<model>.cc): its name, what
// `axl list` says of it, its registers' defaults, the keys of its own it
// accepts, how it reads them and how it builds its model. The description
// reader, the machine and `axl list` know kinds only through device_kinds().
#pragma once

#include <any>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "sim/machine/device.h"

namespace axl::sim {

struct DeviceDescription;
struct PciProfile;  // sim/machine/pci_function.h

// A key of a kind's own (beyond name, kind, irq, io_base, driver and access,
// which every [[device]] table has), with the range a number must lie in.
struct DeviceKey {
    enum class Type : uint8_t {
        string,    // kept as written; paths among them are resolved by the kind
        integer,   // min..max
        duration,  // nanoseconds, or a string with a unit ("50us"); 0 allowed
        size,      // bytes, or a string with a binary unit ("4MiB"); min..max
    };
    const char* name;
    Type type;
    int64_t min = 0;
    int64_t max = 0;
};

// Its [[device]] table as a kind reads it. Each getter takes one of the
// kind's own keys, returns nullopt when the table does not set it, and
// reports a wrong type or an out-of-range value as the description's
// "file:line: problem" error, like every other key of the file.
class DeviceTable {
public:
    virtual ~DeviceTable() = default;
    virtual const std::string& device_name() const = 0;
    virtual bool has(const DeviceKey& key) const = 0;
    virtual std::optional<std::string> string(const DeviceKey& key) const = 0;
    virtual std::optional<int64_t> integer(const DeviceKey& key) const = 0;
    virtual std::optional<uint64_t> duration_ns(const DeviceKey& key) const = 0;
    virtual std::optional<uint64_t> size_bytes(const DeviceKey& key) const = 0;
    // Paths in a description are relative to its file.
    virtual std::string resolve(const std::string& path) const = 0;
    // Fails, at the key's line, unless `path` is an existing regular file.
    virtual void require_file(const std::string& path, const DeviceKey& key) const = 0;
    virtual uint32_t line() const = 0;  // of the [[device]] table
    virtual uint32_t line(const DeviceKey& key) const = 0;
    [[noreturn]] virtual void fail(uint32_t line, const std::string& problem) const = 0;

    // `field` keeps its value (the model's default) unless the table sets `key`.
    template <typename Field>
    void read(const DeviceKey& key, Field& field) const {
        if constexpr (std::is_same_v<Field, std::string>) {
            if (auto value = string(key)) field = *value;
        } else {
            static_assert(std::is_integral_v<Field>, "a device key is read into a string or an integer");
            std::optional<uint64_t> value;
            switch (key.type) {
                case DeviceKey::Type::integer:
                    if (auto number = integer(key)) value = static_cast<uint64_t>(*number);
                    break;
                case DeviceKey::Type::duration: value = duration_ns(key); break;
                case DeviceKey::Type::size: value = size_bytes(key); break;
                case DeviceKey::Type::string: break;
            }
            if (value) field = static_cast<Field>(*value);
        }
    }
};

// DeviceKind::irq of a device that raises no interrupt: its table takes no
// `irq`, it uses no line and its driver is granted none.
inline constexpr uint32_t no_irq = 0xFFFF'FFFFu;

struct DeviceKind {
    const char* name;         // kind = "<name>"
    const char* description;  // one line for `axl list`
    const char* registers;    // the hw/ header with its register layout
    uint16_t io_size;         // ports its registers take
    uint16_t io_base;         // default port (free ports of the hosted bus; COM1 for the UART)
    uint32_t irq;             // default IRQ line, or no_irq
    std::span<const DeviceKey> keys;
    // Reads the kind's own keys into its settings (DeviceDescription::settings);
    // nullptr for a kind without keys of its own.
    std::any (*read)(const DeviceTable& table);
    // Builds the model. Throws std::runtime_error when it cannot start (a
    // file it cannot open, a socket it cannot bind).
    std::unique_ptr<Device> (*make)(const DeviceDescription& device, DeviceHost& host);
    // A PCI kind: its identity and BARs (make builds a PciFunction). It has no
    // fixed ports (io_size 0): the firmware places its BARs, and its table
    // takes `pci_address` instead of `io_base`. nullptr: a device on the fixed port bus.
    const PciProfile* pci = nullptr;
};

// Every kind, in the order `axl list` and error messages give them.
std::span<const DeviceKind* const> device_kinds();
// The kind named `name`, or nullptr.
const DeviceKind* find_device_kind(std::string_view name);

}  // namespace axl::sim
