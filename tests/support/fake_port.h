// A fake port for kernel unit tests (as Hubris tests its kernel core against a
// fake arch): kernel/platform.h defined with no fibers, no devices and no
// threads, recording what the kernel asked of the machine. A test binary whose
// name ends in `_core_test` links the kernel core with this port instead of
// the hosted one (tests/CMakeLists.txt), so the core's own logic (the boot
// builder, privileges, slots) is tested without running any program.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ipc_strategies/strategy_factory.h"
#include "kernel/boot/boot_image.h"
#include "kernel/kernel.h"
#include "kernel/trace.h"

namespace axl {

struct Port {
    std::vector<uint32_t> contexts_created;    // slots, in the order the kernel created them
    std::vector<uint32_t> contexts_destroyed;
    std::vector<uint32_t> rights_changed;  // slots, by device_rights_changed
    std::vector<std::unique_ptr<std::byte[]>> dma;  // buffers, by dma_allocate
    std::vector<uint32_t> dma_slots;                // whose, in the same order
    uint64_t dma_bus_bytes = 0;
    std::vector<TraceEvent> trace;
    std::string console;
};

namespace test {

// A kernel on the fake port, with the strategy an image names.
class FakeMachine {
public:
    explicit FakeMachine(uint32_t cpus = 1, IpcStrategyKind ipc = IpcStrategyKind::rendezvous, uint32_t slots = 64);
    FakeMachine(const FakeMachine&) = delete;
    FakeMachine& operator=(const FakeMachine&) = delete;
    ~FakeMachine();

    Port port;
    Kernel& kernel() { return *m_kernel; }

private:
    StrategyHolder m_strategy;
    std::vector<unsigned char> m_buffer;
    Kernel* m_kernel = nullptr;
};

// A boot image built up in a test, owning its storage.
class ImageBuilder {
public:
    ImageBuilder& cpus(uint32_t count);
    // A privilege (returns its index) and a destination between two.
    uint32_t privilege(const std::string& name, const PrivilegeSpec& spec = {});
    ImageBuilder& destination(uint32_t from, uint32_t to);
    // A process of `privilege`, pinned to `cpu` (-1: any), possibly dedicated.
    ImageBuilder& process(const std::string& name, const std::string& program, uint32_t privilege,
                          int32_t cpu = -1, bool dedicated = false,
                          boot::Expectation expect = boot::Expectation::exit);
    // The image; valid until the builder changes again.
    const boot::BootImage& image();

private:
    boot::TextOffset keep(const std::string& text);

    uint32_t m_cpus = 1;
    std::vector<boot::ImagePrivilege> m_privileges;
    std::vector<boot::ImageDestination> m_destinations;
    std::vector<boot::ImageProcess> m_processes;
    std::vector<char> m_text;
    boot::BootImage m_image;
};

}  // namespace test
}  // namespace axl
