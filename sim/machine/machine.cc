#include "sim/machine/machine.h"

#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "sim/config/system_description.h"
#include "sim/port/hosted_port.h"

namespace axl::sim {

Machine::Machine(Port& port)
    : m_port(port),
      m_controller([this](uint64_t at_ns, EventQueue::Action action) { schedule(at_ns, std::move(action)); },
                   [this](uint32_t line, uint64_t at_ns) { m_port.kernel->interrupt(line, at_ns); }) {}

Machine::~Machine() = default;

void Machine::attach(std::string name, uint16_t base, std::unique_ptr<Device> device) {
    m_bus.push_back({base, device->io_size(), device.get()});
    m_names.push_back(std::move(name));
    m_devices.push_back(std::move(device));
}

void Machine::attach_pci(std::string name, PciAddress address, const std::array<uint32_t, pci_bar_count>& bars,
                         std::unique_ptr<Device> device) {
    auto* function = dynamic_cast<PciFunction*>(device.get());
    if (!function) throw std::logic_error("device '" + name + "' of a PCI kind is not a PciFunction");
    if (!m_pci) {
        m_pci = std::make_unique<PciBus>(*this);
        m_bus.push_back({PciBus::config_address_port, PciBus::ports, m_pci.get()});
    }
    uint16_t enable = 0;
    for (uint32_t bar = 0; bar < pci_bar_count; ++bar) {
        const PciBarLayout& layout = function->profile().bars[bar];
        if (layout.type == PciBarLayout::Type::none) continue;
        function->firmware_set_bar(bar, bars[bar]);
        enable |= layout.type == PciBarLayout::Type::io ? pci_config::command_io : pci_config::command_memory;
    }
    function->firmware_enable(enable);
    m_pci->attach(address, *function);
    m_names.push_back(std::move(name));
    m_devices.push_back(std::move(device));
}

void Machine::device_event(const Device& device, std::string_view what) {
    size_t index = 0;
    while (index < m_devices.size() && m_devices[index].get() != &device) ++index;
    const uint64_t at = now_ns();
    m_device_events.push_back({at, index < m_names.size() ? m_names[index] : std::string("?"), std::string(what)});
    // In the trace and the digest: which device, which event of the run, and
    // the name (hashed, FNV-1a) so two runs that differ only in it differ.
    uint32_t hash = 2166136261u;
    for (char c : what) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
    if (m_port.tracer)
        m_port.tracer->record(TraceEvent{.time_ns = at,
                                         .kind = TraceKind::device_event,
                                         .cpu = 0,
                                         .a = static_cast<uint32_t>(index),
                                         .b = static_cast<uint32_t>(m_device_events.size() - 1),
                                         .c = hash});
}

void Machine::request_stop(const Device& device, std::string_view why) {
    if (!m_stop_requested.empty()) return;  // the first one ends it
    size_t index = 0;
    while (index < m_devices.size() && m_devices[index].get() != &device) ++index;
    m_stop_requested = (index < m_names.size() ? m_names[index] : std::string("?")) + ": " + std::string(why);
    // A stop asked from inside a process's register access must take effect
    // before that CPU runs on: the kernel comes back to the loop now.
    m_port.kernel->event_scheduled(now_ns());
}

Device* Machine::device(const std::string& name) const {
    for (size_t i = 0; i < m_names.size(); ++i)
        if (m_names[i] == name) return m_devices[i].get();
    return nullptr;
}

Device* Machine::device_at(uint16_t port, uint16_t& offset) const {
    for (const Mapping& mapping : m_bus) {
        if (port >= mapping.base && uint32_t{port} < uint32_t{mapping.base} + mapping.size) {
            offset = static_cast<uint16_t>(port - mapping.base);
            return mapping.device;
        }
    }
    return nullptr;
}

uint32_t Machine::io_read(uint16_t port, uint32_t width) {
    uint16_t offset = 0;
    Device* device = device_at(port, offset);
    const uint32_t all_ones = width >= 4 ? 0xFFFF'FFFFu : (1u << (8 * width)) - 1;
    uint32_t value = all_ones;
    if (!device) {
        // PCI I/O BARs decode after the fixed devices; nothing answers: the bus floats high.
        if (m_pci && m_pci->io_read(port, width, value)) return value & all_ones;
        return all_ones;
    }
    return device->read(offset, width) & all_ones;
}

void Machine::io_write(uint16_t port, uint32_t width, uint32_t value) {
    uint16_t offset = 0;
    if (Device* device = device_at(port, offset))
        device->write(offset, width, value);
    else if (m_pci)
        (void)m_pci->io_write(port, width, value);
}

uint32_t Machine::mmio_read(uint64_t address, uint32_t width) {
    if (m_pci) return m_pci->mmio_read(address, width);
    return width >= 4 ? 0xFFFF'FFFFu : (1u << (8 * width)) - 1;
}

void Machine::mmio_write(uint64_t address, uint32_t width, uint32_t value) {
    if (m_pci) m_pci->mmio_write(address, width, value);
}

uint64_t Machine::now_ns() const {
    const Kernel& kernel = *m_port.kernel;
    return kernel.running() != no_slot ? kernel.now_ns() : m_event_now_ns;
}

EventQueue::Id Machine::schedule(uint64_t at_ns, EventQueue::Action action) {
    EventQueue::Id id = m_port.events.schedule(at_ns, std::move(action));
    // A process's call may schedule an event earlier than the one the loop
    // announced: the kernel must come back before a clock passes it.
    m_port.kernel->event_scheduled(at_ns);
    return id;
}

bool Machine::cancel(EventQueue::Id id) { return m_port.events.cancel(id); }

void Machine::timer_arm(uint64_t at_ns) {
    if (m_timer_armed) m_port.events.cancel(m_timer_event);
    m_timer_armed = at_ns != platform::never_ns;
    if (!m_timer_armed) return;
    m_timer_event = schedule(at_ns, [this, at_ns] {
        m_timer_armed = false;
        m_port.kernel->timer_expired(at_ns);
    });
}

Status Machine::dma_read(GrantId grant, uint64_t offset, void* to, size_t bytes) {
    uint32_t slot = 0;
    uintptr_t address = 0;
    Status status = m_port.kernel->dma_window(grant, offset, bytes, GrantAccess::read, slot, address);
    if (status != Status::ok) return status;
    return safe_copy(to, reinterpret_cast<const void*>(address), bytes) ? Status::ok : Status::bad_address;
}

Status Machine::dma_write(GrantId grant, uint64_t offset, const void* from, size_t bytes) {
    uint32_t slot = 0;
    uintptr_t address = 0;
    Status status = m_port.kernel->dma_window(grant, offset, bytes, GrantAccess::write, slot, address);
    if (status != Status::ok) return status;
    return safe_copy(reinterpret_cast<void*>(address), from, bytes) ? Status::ok : Status::bad_address;
}

bool Machine::dma_allocate(uint32_t slot, uint64_t bytes, GrantId window, uintptr_t& address, uint64_t& bus) {
    // First fit in the bus space, between the mappings (kept in bus order).
    uint64_t at = dma_bus_first;
    for (const auto& [base, mapping] : m_dma) {
        if (base >= at + bytes) break;
        at = base + mapping.bytes;
    }
    if (at + bytes > dma_bus_end || at + bytes < at) return false;
    auto memory = std::make_unique<std::byte[]>(bytes);  // value-initialised: zeroed
    address = reinterpret_cast<uintptr_t>(memory.get());
    bus = at;
    m_dma.emplace(at, DmaMapping{.bytes = bytes, .window = window, .slot = slot, .memory = std::move(memory)});
    return true;
}

void Machine::dma_release(uint32_t slot) { std::erase_if(m_dma, [&](const auto& entry) { return entry.second.slot == slot; }); }

uint32_t Machine::driver_slot(const Device& device) const {
    size_t index = 0;
    while (index < m_devices.size() && m_devices[index].get() != &device) ++index;
    if (index == m_devices.size() || m_port.system == nullptr) return no_slot;
    for (const DeviceDescription& described : m_port.system->devices) {
        if (described.name != m_names[index]) continue;
        const auto& processes = m_port.system->processes;
        for (size_t slot = 0; slot < processes.size(); ++slot)
            if (processes[slot].name == described.driver) return static_cast<uint32_t>(slot);
    }
    return no_slot;
}

const Machine::DmaMapping* Machine::dma_mapping(const Device& device, uint64_t bus, size_t bytes,
                                                uint64_t& offset) const {
    auto found = m_dma.upper_bound(bus);
    if (found == m_dma.begin()) return nullptr;
    --found;
    offset = bus - found->first;
    if (offset >= found->second.bytes || bytes > found->second.bytes - offset) return nullptr;
    // Only its own driver's buffers: each device is a domain of its own.
    if (found->second.slot != driver_slot(device)) return nullptr;
    return &found->second;
}

Status Machine::dma_read_bus(const Device& device, uint64_t bus, void* to, size_t bytes) {
    uint64_t offset = 0;
    const DmaMapping* mapping = dma_mapping(device, bus, bytes, offset);
    return mapping ? dma_read(mapping->window, offset, to, bytes) : Status::bad_address;
}

Status Machine::dma_write_bus(const Device& device, uint64_t bus, const void* from, size_t bytes) {
    uint64_t offset = 0;
    const DmaMapping* mapping = dma_mapping(device, bus, bytes, offset);
    return mapping ? dma_write(mapping->window, offset, from, bytes) : Status::bad_address;
}

bool Machine::has_host_input() const {
    for (const auto& device : m_devices)
        if (device->host_fd() >= 0) return true;
    return false;
}

void Machine::wait_for_host_input(int timeout_ms, uint64_t virtual_now_ns) {
    std::vector<pollfd> fds;
    std::vector<Device*> owners;
    for (const auto& device : m_devices) {
        if (device->host_fd() < 0) continue;
        fds.push_back({device->host_fd(), POLLIN, 0});
        owners.push_back(device.get());
    }
    if (fds.empty()) return;
    if (::poll(fds.data(), fds.size(), timeout_ms) <= 0) return;
    m_event_now_ns = virtual_now_ns;
    for (size_t i = 0; i < fds.size(); ++i)
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) owners[i]->host_input_ready();
}

void Machine::finish() {
    for (const auto& device : m_devices) device->finish();
}

// process_vm_readv on our own process copies like memcpy but returns EFAULT
// for an unmapped range instead of raising SIGSEGV: a grant to memory its
// owner has since freed fails the copy, and never crashes the simulator.
bool safe_copy(void* to, const void* from, size_t bytes) {
    if (bytes == 0) return true;
    iovec local{to, bytes};
    iovec remote{const_cast<void*>(from), bytes};
    const ssize_t copied = ::process_vm_readv(::getpid(), &local, 1, &remote, 1, 0);
    return copied == static_cast<ssize_t>(bytes);
}

}  // namespace axl::sim
