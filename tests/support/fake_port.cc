#include "tests/support/fake_port.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "kernel/cost_model.h"
#include "kernel/platform.h"

namespace axl {
namespace platform {

void context_create(Port& port, uint32_t slot) { port.contexts_created.push_back(slot); }
void context_destroy(Port& port, uint32_t slot) { port.contexts_destroyed.push_back(slot); }
void fence_other_cpus(Port&) {}
void console_write(Port& port, const char* text, size_t length) { port.console.append(text, length); }
// No devices: a port nothing answers reads as all ones.
uint32_t io_read(Port&, uint16_t, uint32_t width) { return width == 4 ? ~uint32_t{0} : (1u << (8 * width)) - 1; }
void io_write(Port&, uint16_t, uint32_t, uint32_t) {}
uint32_t mmio_read(Port&, uint64_t, uint32_t width) { return width == 4 ? ~uint32_t{0} : (1u << (8 * width)) - 1; }
void mmio_write(Port&, uint64_t, uint32_t, uint32_t) {}
void device_rights_changed(Port& port, uint32_t slot) { port.rights_changed.push_back(slot); }
bool dma_allocate(Port& port, uint32_t slot, uint64_t bytes, GrantId, uintptr_t& address, uint64_t& bus) {
    port.dma.push_back(std::make_unique<std::byte[]>(bytes));
    address = reinterpret_cast<uintptr_t>(port.dma.back().get());
    bus = 0x10'0000 + port.dma_bus_bytes;
    port.dma_bus_bytes += bytes;
    port.dma_slots.push_back(slot);
    return true;
}
void irq_mask(Port&, uint32_t) {}
void irq_unmask(Port&, uint32_t) {}
void timer_arm(Port&, uint64_t) {}
// No process memory either: every copy finds its range unmapped.
bool copy_memory(Port&, uint32_t, uintptr_t, uint32_t, uintptr_t, size_t) { return false; }
void trace(Port& port, const TraceEvent& event) { port.trace.push_back(event); }
void panic(const char* message) {
    std::fprintf(stderr, "kernel panic on the fake port: %s\n", message);
    std::abort();
}

}  // namespace platform

namespace test {

FakeMachine::FakeMachine(uint32_t cpus, IpcStrategyKind ipc, uint32_t slots) {
    const StrategyShape shape{.slots = slots, .cpus = cpus, .ring_capacity = config::ring_capacity};
    m_buffer.resize(StrategyHolder::buffer_bytes(ipc, shape) + 64);
    void* aligned = m_buffer.data() + (64 - reinterpret_cast<uintptr_t>(m_buffer.data()) % 64) % 64;
    IpcStrategy& strategy = m_strategy.construct(ipc, shape, aligned, m_buffer.size() - 64);
    // The kernel's tables are large (every process slot): on the heap.
    m_kernel = new Kernel(port, strategy, CostModel{}, cpus);
    m_kernel->set_tracing(true);
}

FakeMachine::~FakeMachine() { delete m_kernel; }

ImageBuilder& ImageBuilder::cpus(uint32_t count) {
    m_cpus = count;
    return *this;
}

boot::TextOffset ImageBuilder::keep(const std::string& text) {
    const auto offset = static_cast<boot::TextOffset>(m_text.size());
    m_text.insert(m_text.end(), text.begin(), text.end());
    m_text.push_back('\0');
    return offset;
}

uint32_t ImageBuilder::privilege(const std::string& name, const PrivilegeSpec& spec) {
    m_privileges.push_back(boot::ImagePrivilege{
        .name = keep(name), .line = static_cast<uint32_t>(100 + m_privileges.size()), .spec = spec});
    return static_cast<uint32_t>(m_privileges.size() - 1);
}

ImageBuilder& ImageBuilder::destination(uint32_t from, uint32_t to) {
    m_destinations.push_back(boot::ImageDestination{.from = from, .to = to});
    return *this;
}

ImageBuilder& ImageBuilder::process(const std::string& name, const std::string& program, uint32_t privilege,
                                    int32_t cpu, bool dedicated, boot::Expectation expect) {
    m_processes.push_back(boot::ImageProcess{.name = keep(name),
                                             .program = keep(program),
                                             .line = static_cast<uint32_t>(200 + m_processes.size()),
                                             .privilege = privilege,
                                             .priority = 8,
                                             .expect = expect,
                                             .dedicated = dedicated,
                                             .cpu = cpu,
                                             .quantum_ns = config::default_quantum_ns,
                                             .stack_bytes = 64 * 1024,
                                             .first_arg = 0,
                                             .arg_count = 0});
    return *this;
}

const boot::BootImage& ImageBuilder::image() {
    m_image.cpus = m_cpus;
    m_image.privileges = boot::table_over(m_privileges);
    m_image.destinations = boot::table_over(m_destinations);
    m_image.processes = boot::table_over(m_processes);
    m_image.text = m_text.data();
    m_image.text_used = static_cast<uint32_t>(m_text.size());
    m_image.text_capacity = m_image.text_used;
    return m_image;
}

}  // namespace test
}  // namespace axl
