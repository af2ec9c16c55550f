// pci: the PCI server (MINIX 3's design: the kernel does not own the bus).
// It alone is granted the configuration mechanism #1 ports 0xCF8..0xCFF. At
// start it enumerates bus 0 (every device number, every function of a
// multi-function device), reads each function's identity and sizes its BARs
// the way an operating system does (decoding off, all ones written, the mask
// read back, the value restored). Then it answers the pci protocol
// (kernel/api/protocols/pci.h): each driver learns about, and may touch the
// configuration space of, only the functions the system description granted
// it.
//
// Nothing here is hosted-only: the same program runs against QEMU's PCI bus
// on bare metal, where the configuration ports are the chipset's.
//
// Arguments (from the description reader, not the file): device_count and
// device.N.driver / ids / direct / address, the grants. When a driver first
// asks about its function, the server grants it the function's BARs and IRQ
// line with the device_grant kernel call (MINIX 3's sys_privctl): on a real
// machine only enumeration learns where the firmware put them.
#include <cstdint>

#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/pci.h"
#include "libsys/checks.h"
#include "libsys/reply.h"

namespace {

using namespace axl;
using sys::check_ok;

constexpr uint16_t config_address_port = 0xCF8;
constexpr uint16_t config_data_port = 0xCFC;
constexpr uint32_t config_enable = 1u << 31;

constexpr uint32_t reg_vendor = 0x00;
constexpr uint32_t reg_command = 0x04;
constexpr uint32_t reg_class_revision = 0x08;
constexpr uint32_t reg_header_type = 0x0E;
constexpr uint32_t reg_bar0 = 0x10;
constexpr uint32_t reg_subsystem = 0x2C;
constexpr uint32_t reg_rom = 0x30;
constexpr uint32_t reg_interrupt = 0x3C;
constexpr uint16_t command_decode = 0x3;  // I/O and memory space enables

// ---- configuration mechanism #1 ------------------------------------------------

uint32_t config_read(uint32_t address, uint32_t offset, uint32_t width) {
    check_ok(io_write(config_address_port, config_enable | address << 8 | (offset & 0xFC), IoWidth::word),
             "writing CONFIG_ADDRESS");
    uint32_t value = 0;
    check_ok(io_read(static_cast<uint16_t>(config_data_port + (offset & 3)), value, static_cast<IoWidth>(width)),
             "reading CONFIG_DATA");
    return value;
}

void config_write(uint32_t address, uint32_t offset, uint32_t width, uint32_t value) {
    check_ok(io_write(config_address_port, config_enable | address << 8 | (offset & 0xFC), IoWidth::word),
             "writing CONFIG_ADDRESS");
    check_ok(io_write(static_cast<uint16_t>(config_data_port + (offset & 3)), value, static_cast<IoWidth>(width)),
             "writing CONFIG_DATA");
}

// ---- what enumeration found ----------------------------------------------------

struct Bar {
    bool present = false;
    bool upper_half = false;  // the high register of the 64-bit BAR before it
    uint64_t base = 0;
    uint64_t size = 0;
    uint64_t flags = 0;
    uint32_t register_value = 0;  // as the firmware left it (what a driver may write back)
};

struct Function {
    uint32_t address = 0;
    uint32_t ids = 0;        // vendor | device << 16
    uint32_t subsystem = 0;  // subsystem vendor | subsystem device << 16
    uint32_t class_revision = 0;
    uint8_t irq_line = 0;
    uint8_t interrupt_pin = 0;
    uint32_t rom_value = 0;
    Bar bars[pci::bar_count];
};

constexpr uint32_t no_function = 0xFFFF'FFFFu;

struct Grant {
    char driver[process_name_bytes] = {};
    uint32_t ids = 0;                   // vendor | device << 16
    bool direct = false;                // the driver's access model
    bool address_fixed = false;         // the description chose the slot
    uint32_t address = no_function;     // the function, once resolved
};

// Everything the server knows, on its stack: a hosted run may hold several
// systems (and threads) in one address space, so no program keeps state in globals.
constexpr uint32_t functions_max = 64;
struct State {
    Function functions[functions_max];
    uint32_t function_count = 0;
    Grant grants[pci::devices_max];
    uint32_t grant_count = 0;
};

// The function at `address` (nullptr if none): of a State, or of a const one.
template <typename StateType>
auto find_function(StateType& state, uint32_t address) -> decltype(&state.functions[0]) {
    for (uint32_t i = 0; i < state.function_count; ++i)
        if (state.functions[i].address == address) return &state.functions[i];
    return nullptr;
}

// Writes all ones to the BAR register at `offset` and reads what sticks.
uint32_t probe_mask(uint32_t address, uint32_t offset, uint32_t original) {
    config_write(address, offset, 4, 0xFFFF'FFFFu);
    const uint32_t mask = config_read(address, offset, 4);
    config_write(address, offset, 4, original);
    return mask;
}

void size_bars(Function& function, uint32_t bar_registers) {
    const uint32_t address = function.address;
    const uint32_t command = config_read(address, reg_command, 2);
    // No decoding while a BAR holds the probe: it must not claim addresses meanwhile.
    config_write(address, reg_command, 2, command & ~uint32_t{command_decode});
    for (uint32_t b = 0; b < bar_registers; ++b) {
        Bar& bar = function.bars[b];
        const uint32_t offset = reg_bar0 + 4 * b;
        const uint32_t original = config_read(address, offset, 4);
        const uint32_t mask = probe_mask(address, offset, original);
        bar.register_value = original;
        if (mask == 0) continue;  // not implemented
        bar.present = true;
        if (original & 1) {
            // I/O: an x86 port is 16 bits; a BAR that implements only those reads 0 above them.
            const uint32_t bits = (mask & ~0x3u) | ((mask >> 16) == 0 ? 0xFFFF'0000u : 0);
            bar.flags = pci::bar_flags::io;
            bar.base = original & ~0x3u;
            bar.size = uint64_t{~bits} + 1;
            continue;
        }
        bar.base = original & ~0xFu;
        uint64_t bits = 0xFFFF'FFFF'0000'0000ull | (mask & ~0xFu);
        if (original & 0x8) bar.flags |= pci::bar_flags::prefetchable;
        if (((original >> 1) & 3) == 2 && b + 1 < bar_registers) {  // 64-bit: the next register is the high half
            const uint32_t high_offset = offset + 4;
            const uint32_t high = config_read(address, high_offset, 4);
            const uint32_t high_mask = probe_mask(address, high_offset, high);
            bar.flags |= pci::bar_flags::memory_64;
            bar.base |= uint64_t{high} << 32;
            bits = uint64_t{high_mask} << 32 | (mask & ~0xFu);
            function.bars[b + 1].upper_half = true;
            function.bars[b + 1].register_value = high;
            ++b;
        }
        bar.size = ~bits + 1;
    }
    const uint32_t rom = config_read(address, reg_rom, 4);
    function.rom_value = rom;
    config_write(address, reg_command, 2, command);
}

void enumerate(State& state) {
    for (uint32_t device = 0; device < 32; ++device) {
        const uint32_t first = pci::bus_address(0, device, 0);
        if ((config_read(first, reg_vendor, 4) & 0xFFFF) == 0xFFFF) continue;
        const bool multi = config_read(first, reg_header_type, 1) & 0x80;
        for (uint32_t fn = 0; fn < (multi ? 8u : 1u); ++fn) {
            const uint32_t address = pci::bus_address(0, device, fn);
            const uint32_t ids = config_read(address, reg_vendor, 4);
            if ((ids & 0xFFFF) == 0xFFFF) continue;
            if (state.function_count == functions_max) {
                log("%02x:%02x.%x and after: more than %u functions, not served", address >> 8, address >> 3 & 31,
                    address & 7, functions_max);
                return;
            }
            Function& function = state.functions[state.function_count++];
            function = Function{};
            function.address = address;
            function.ids = ids;
            function.class_revision = config_read(address, reg_class_revision, 4);
            const uint32_t header = config_read(address, reg_header_type, 1) & 0x7F;
            const uint32_t interrupt = config_read(address, reg_interrupt, 2);
            function.irq_line = static_cast<uint8_t>(interrupt);
            function.interrupt_pin = static_cast<uint8_t>(interrupt >> 8);
            if (header == 0) {
                function.subsystem = config_read(address, reg_subsystem, 4);
                size_bars(function, 6);
            } else if (header == 1) {
                size_bars(function, 2);  // a PCI-to-PCI bridge has two (its buses are not enumerated)
            }
            log("%02x:%02x.%x %04x:%04x class %06x%s", address >> 8, address >> 3 & 31, address & 7, ids & 0xFFFF,
                ids >> 16, function.class_revision >> 8, header > 1 ? " (header type not enumerated)" : "");
            for (uint32_t b = 0; b < pci::bar_count; ++b) {
                const Bar& bar = function.bars[b];
                if (!bar.present) continue;
                log("  BAR%u %s %#llx size %#llx%s", b, bar.flags & pci::bar_flags::io ? "io" : "mem",
                    sys::ull(bar.base), sys::ull(bar.size), bar.flags & pci::bar_flags::memory_64 ? " 64-bit" : "");
            }
        }
    }
}

// ---- BARs the firmware left unplaced --------------------------------------------
// A firmware need not place every BAR (OVMF leaves pvpanic-pci's at 0): as an
// operating system does, the server places a granted function's unplaced BARs
// itself, above every BAR the firmware placed (the host bridge's window
// continues there), each aligned to its size, and turns the decoding on.
// Memory stays below 0xFEC00000 (the I/O APIC and the local APIC above it),
// ports between 0xC000 and 0xFFFF.

uint64_t align_up(uint64_t value, uint64_t alignment) { return (value + alignment - 1) & ~(alignment - 1); }

void place_unplaced_bars(State& state, uint32_t address) {
    Function* function = find_function(state, address);
    if (!function) return;
    uint64_t memory_end = 0, io_end = 0xC000;
    for (uint32_t i = 0; i < state.function_count; ++i)
        for (const Bar& bar : state.functions[i].bars) {
            if (!bar.present || bar.base == 0 || bar.upper_half) continue;
            uint64_t& end = bar.flags & pci::bar_flags::io ? io_end : memory_end;
            if (bar.base + bar.size > end) end = bar.base + bar.size;
        }
    uint32_t decode = 0;
    for (uint32_t b = 0; b < pci::bar_count; ++b) {
        Bar& bar = function->bars[b];
        if (!bar.present || bar.upper_half || bar.base != 0 || bar.size == 0) continue;
        const bool io = bar.flags & pci::bar_flags::io;
        uint64_t& end = io ? io_end : memory_end;
        const uint64_t base = align_up(end, bar.size < 0x1000 && !io ? 0x1000 : bar.size);
        if (base + bar.size > (io ? 0x10000 : 0xFEC0'0000ull) || (!io && memory_end == 0)) {
            log("%02x:%02x.%x BAR%u: unplaced, and no room to place it", address >> 8, address >> 3 & 31,
                address & 7, b);
            continue;
        }
        const uint32_t offset = reg_bar0 + 4 * b;
        const uint32_t value = static_cast<uint32_t>(base) | (bar.register_value & (io ? 0x3u : 0xFu));
        config_write(address, offset, 4, value);
        if (bar.flags & pci::bar_flags::memory_64) config_write(address, offset + 4, 4, 0);
        bar.base = base;
        bar.register_value = value;
        end = base + bar.size;
        decode |= io ? 0x1u : 0x2u;
        log("%02x:%02x.%x BAR%u placed at %#llx (the firmware left it unplaced)", address >> 8, address >> 3 & 31,
            address & 7, b, sys::ull(base));
    }
    if (decode) config_write(address, reg_command, 2, config_read(address, reg_command, 2) | decode);
}

// ---- grants ----------------------------------------------------------------------

void read_grants(State& state) {
    const int64_t count = sys::option_int(pci::device_count_key, 0, 0, pci::devices_max);
    char key[pci::key_bytes];
    for (uint32_t i = 0; i < static_cast<uint32_t>(count); ++i) {
        Grant& grant = state.grants[state.grant_count++];
        pci::grant_key(key, i, pci::driver_field);
        const char* name = arg_string(key, "");
        uint32_t n = 0;
        while (name[n] && n + 1 < process_name_bytes) {
            grant.driver[n] = name[n];
            ++n;
        }
        if (n == 0) fail("argument %s: no driver named", key);
        pci::grant_key(key, i, pci::ids_field);
        grant.ids = static_cast<uint32_t>(sys::option_int(key, 0, 0, 0xFFFF'FFFFll));
        pci::grant_key(key, i, pci::direct_field);
        grant.direct = sys::option_int(key, 0, 0, 1) != 0;
        pci::grant_key(key, i, pci::address_field);
        const int64_t address = sys::option_int(key, -1, -1, 0xFFFF);
        grant.address_fixed = address >= 0;
        if (grant.address_fixed) grant.address = static_cast<uint32_t>(address);
    }
}

bool taken(const State& state, uint32_t address) {
    for (uint32_t i = 0; i < state.grant_count; ++i)
        if (state.grants[i].address == address) return true;
    return false;
}

// Each grant to a function: the fixed slots first (their IDs must match, when
// given), then the others to the first free function with their IDs.
void resolve_grants(State& state) {
    for (uint32_t pass = 0; pass < 2; ++pass) {
        for (uint32_t i = 0; i < state.grant_count; ++i) {
            Grant& grant = state.grants[i];
            if (grant.address_fixed != (pass == 0)) continue;
            if (grant.address_fixed) {
                const Function* function = find_function(state, grant.address);
                if (function && (grant.ids == 0 || function->ids == grant.ids)) continue;
                log("device.%u for %s: %02x:%02x.%x %s", i, grant.driver, grant.address >> 8,
                    grant.address >> 3 & 31, grant.address & 7,
                    function ? "has other vendor and device IDs" : "holds no function");
                grant.address = no_function;
                continue;
            }
            for (uint32_t f = 0; f < state.function_count && grant.address == no_function; ++f)
                if (state.functions[f].ids == grant.ids && !taken(state, state.functions[f].address))
                    grant.address = state.functions[f].address;
            if (grant.address == no_function)
                log("device.%u for %s: no free function %04x:%04x on bus 0", i, grant.driver, grant.ids & 0xFFFF,
                    grant.ids >> 16);
        }
    }
}

// Is `address` granted to the process `caller` (its driver's name resolved now)?
bool granted(Endpoint caller, const Grant& grant) {
    Endpoint endpoint;
    return lookup(grant.driver, endpoint) == Status::ok && endpoint == caller;
}

// The function's registers and line, added to the driver's rights (again at
// each `device` request: a grant the driver already holds changes nothing).
Status grant_resources(Endpoint driver, const Grant& grant, const Function& function) {
    for (uint32_t b = 0; b < pci::bar_count; ++b) {
        const Bar& bar = function.bars[b];
        if (!bar.present || bar.size == 0) continue;
        const DeviceResource kind = bar.flags & pci::bar_flags::io ? DeviceResource::io : DeviceResource::mmio;
        const Status status = device_grant(driver, kind, bar.base, bar.base + bar.size - 1, grant.direct);
        if (status != Status::ok) {
            log("BAR%u of %02x:%02x.%x to %s: %s", b, function.address >> 8, function.address >> 3 & 31,
                function.address & 7, grant.driver, to_string(status));
            return status;
        }
    }
    // Line 0xFF (or above the lines a kernel has) means not connected.
    if (function.interrupt_pin != 0 && function.irq_line < irq_lines_max) {
        const Status status = device_grant(driver, DeviceResource::irq, function.irq_line, function.irq_line, false);
        if (status != Status::ok) return status;
    }
    return Status::ok;
}

const Function* callers_function(const State& state, Endpoint caller, uint32_t address) {
    for (uint32_t i = 0; i < state.grant_count; ++i)
        if (state.grants[i].address == address && granted(caller, state.grants[i]))
            return find_function(state, address);
    return nullptr;
}

// ---- requests --------------------------------------------------------------------

Status answer_device(const State& state, Endpoint caller, uint64_t index, Message& reply) {
    uint64_t seen = 0;
    for (uint32_t i = 0; i < state.grant_count; ++i) {
        if (!granted(caller, state.grants[i])) continue;
        if (seen++ != index) continue;
        const Function* function = find_function(state, state.grants[i].address);
        if (!function) return Status::not_found;  // granted, but nothing answers there
        if (const Status granted_now = grant_resources(caller, state.grants[i], *function); granted_now != Status::ok)
            return granted_now;
        uint64_t present = 0;
        for (uint32_t b = 0; b < pci::bar_count; ++b)
            if (function->bars[b].present) present |= uint64_t{1} << b;
        reply.payload.words[1] = function->address;
        reply.payload.words[2] = function->ids | uint64_t{function->subsystem} << 32;
        reply.payload.words[3] = function->class_revision >> 8 | uint64_t{function->class_revision & 0xFF} << 24;
        reply.payload.words[4] = function->irq_line | uint64_t{function->interrupt_pin} << 8;
        reply.payload.words[5] = present;
        return Status::ok;
    }
    // Not one of the system's PCI drivers at all: refused, not merely absent.
    return seen == 0 ? Status::resource_denied : Status::not_found;
}

Status answer_bar(const State& state, Endpoint caller, const Message& request, Message& reply) {
    const Function* function = callers_function(state, caller, static_cast<uint32_t>(request.payload.words[0]));
    if (!function) return Status::resource_denied;
    const uint64_t index = request.payload.words[1];
    if (index >= pci::bar_count) return Status::bad_argument;
    const Bar& bar = function->bars[index];
    if (!bar.present) return Status::not_found;
    reply.payload.words[1] = bar.base;
    reply.payload.words[2] = bar.size;
    reply.payload.words[3] = bar.flags;
    return Status::ok;
}

bool valid_access(uint64_t offset, uint64_t width) {
    return (width == 1 || width == 2 || width == 4) && offset < pci::config_bytes && offset % width == 0;
}

// A BAR (or the ROM BAR) register may only get its sizing probe (all ones in
// its address bits) or the value the firmware gave it: the driver's
// privileges name that range, and another device may sit anywhere else.
bool acceptable_bar_write(const Function& function, uint64_t offset, uint64_t width, uint32_t value) {
    const bool touches_bars = offset + width > reg_bar0 && offset < reg_bar0 + 4 * pci::bar_count;
    const bool touches_rom = offset + width > reg_rom && offset < reg_rom + 4;
    if (!touches_bars && !touches_rom) return true;
    if (width != 4) return false;
    const bool probe = (value | 0x7FFu) == 0xFFFF'FFFFu;
    if (touches_rom) return probe || value == function.rom_value;
    return probe || value == function.bars[(offset - reg_bar0) / 4].register_value;
}

Status answer_config(const State& state, Endpoint caller, const Message& request, bool write, Message& reply) {
    const Function* function = callers_function(state, caller, static_cast<uint32_t>(request.payload.words[0]));
    if (!function) return Status::resource_denied;
    const uint64_t offset = request.payload.words[1];
    const uint64_t width = request.payload.words[2];
    if (!valid_access(offset, width)) return Status::bad_argument;
    if (!write) {
        reply.payload.words[1] = config_read(function->address, static_cast<uint32_t>(offset), static_cast<uint32_t>(width));
        return Status::ok;
    }
    const auto value = static_cast<uint32_t>(request.payload.words[3]);
    if (!acceptable_bar_write(*function, offset, width, value)) return Status::bad_argument;
    config_write(function->address, static_cast<uint32_t>(offset), static_cast<uint32_t>(width), value);
    return Status::ok;
}

}  // namespace

AXL_PROGRAM(pci, "the PCI server: enumerates bus 0 through ports 0xCF8..0xCFF and answers each driver about the "
                 "PCI functions the system description granted it (kernel/api/protocols/pci.h)") {
    State state;
    read_grants(state);
    enumerate(state);
    resolve_grants(state);
    for (uint32_t i = 0; i < state.grant_count; ++i)
        if (state.grants[i].address != no_function) place_unplaced_bars(state, state.grants[i].address);
    log("%u functions on bus 0, %u granted to drivers", state.function_count, state.grant_count);
    Message message;
    Status status = receive(endpoints::any, message);
    uint64_t failed_replies = 0;
    for (;;) {
        check_ok(status, "receive");
        if (message.type == message_types::notify) {
            status = receive(endpoints::any, message);
            continue;
        }
        const Endpoint caller = message.source;
        const Message request = message;
        Message reply;
        reply.type = pci::reply;
        Status result = Status::bad_argument;
        switch (request.type) {
            case pci::device: result = answer_device(state, caller, request.payload.words[0], reply); break;
            case pci::bar: result = answer_bar(state, caller, request, reply); break;
            case pci::config_read: result = answer_config(state, caller, request, false, reply); break;
            case pci::config_write: result = answer_config(state, caller, request, true, reply); break;
            default: break;
        }
        reply.payload.words[0] = static_cast<uint64_t>(static_cast<int64_t>(result));
        message = reply;
        status = sys::reply_then_receive(caller, message, failed_replies);
    }
}
