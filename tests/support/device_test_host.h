// Test support (header-only): a DeviceHost for device model tests. Virtual
// time moves only when the test runs events (run_until), a raised IRQ is
// recorded with its time, and DMA reaches a plain byte vector through fake
// grants (raw id -> a window of that memory with an access mode), checked as
// the kernel checks a grant to endpoints::hardware.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel/api/grant.h"
#include "kernel/api/status.h"
#include "sim/machine/device.h"
#include "sim/machine/event_queue.h"

namespace axl::test {

class DeviceTestHost final : public sim::DeviceHost {
public:
    struct RaisedIrq {
        uint32_t line = 0;
        uint64_t at_ns = 0;
        bool operator==(const RaisedIrq&) const = default;
    };
    struct FakeGrant {
        uint64_t memory_offset = 0;  // where the window starts in memory()
        uint64_t bytes = 0;
        GrantAccess access = GrantAccess::read_write;
    };

    explicit DeviceTestHost(size_t memory_bytes = 0) : m_memory(memory_bytes) {}

    // --- DeviceHost ---
    uint64_t now_ns() const override { return m_now_ns; }
    sim::EventQueue::Id schedule(uint64_t at_ns, sim::EventQueue::Action action) override {
        if (at_ns < m_now_ns) ++m_scheduled_in_past;
        return m_events.schedule(at_ns, std::move(action));
    }
    bool cancel(sim::EventQueue::Id id) override { return m_events.cancel(id); }
    void raise_irq(uint32_t line) override { m_irqs.push_back({line, m_now_ns}); }
    Status dma_read(GrantId grant, uint64_t offset, void* to, size_t bytes) override {
        size_t at = 0;
        if (Status status = resolve(grant, offset, bytes, GrantAccess::read, at); status != Status::ok) return status;
        std::memcpy(to, m_memory.data() + at, bytes);
        return Status::ok;
    }
    Status dma_write(GrantId grant, uint64_t offset, const void* from, size_t bytes) override {
        size_t at = 0;
        if (Status status = resolve(grant, offset, bytes, GrantAccess::write, at); status != Status::ok) return status;
        std::memcpy(m_memory.data() + at, from, bytes);
        return Status::ok;
    }

    // Bus addresses: byte offsets into memory() (no grants), for device models
    // programmed with a dma_alloc buffer's bus address.
    Status dma_read_bus(const sim::Device&, uint64_t bus, void* to, size_t bytes) override {
        if (bus > m_memory.size() || bytes > m_memory.size() - bus) return Status::bad_address;
        std::memcpy(to, m_memory.data() + bus, bytes);
        return Status::ok;
    }
    Status dma_write_bus(const sim::Device&, uint64_t bus, const void* from, size_t bytes) override {
        if (bus > m_memory.size() || bytes > m_memory.size() - bus) return Status::bad_address;
        std::memcpy(m_memory.data() + bus, from, bytes);
        return Status::ok;
    }

    void device_event(const sim::Device&, std::string_view what) override {
        m_device_events.push_back({std::string(what), m_now_ns});
    }

    void request_stop(const sim::Device&, std::string_view why) override { m_stops.emplace_back(why); }
    const std::vector<std::string>& stops() const { return m_stops; }

    // --- device events ---
    struct DeviceEvent {
        std::string what;
        uint64_t at_ns = 0;
        bool operator==(const DeviceEvent&) const = default;
    };
    const std::vector<DeviceEvent>& device_events() const { return m_device_events; }

    // --- time ---
    // Fires every event due at or before `ns` in order, time following each
    // one, then leaves time at `ns`.
    void run_until(uint64_t ns) {
        while (m_events.next_time() <= ns) {
            m_now_ns = std::max(m_now_ns, m_events.next_time());
            (void)m_events.fire_next();
        }
        m_now_ns = std::max(m_now_ns, ns);
    }
    // Fires events until none is left (or `limit` fired); how many fired.
    size_t run_all(size_t limit = 1'000'000) {
        size_t fired = 0;
        while (fired < limit && m_events.next_time() != sim::EventQueue::never) {
            m_now_ns = std::max(m_now_ns, m_events.next_time());
            (void)m_events.fire_next();
            ++fired;
        }
        return fired;
    }
    size_t pending_events() const { return m_events.size(); }
    uint64_t next_event_time() const { return m_events.next_time(); }
    // Events a device scheduled before now: always a device bug.
    size_t scheduled_in_past() const { return m_scheduled_in_past; }

    // --- interrupts ---
    const std::vector<RaisedIrq>& irqs() const { return m_irqs; }
    size_t irq_count(uint32_t line) const {
        return static_cast<size_t>(std::count_if(m_irqs.begin(), m_irqs.end(),
                                                 [line](const RaisedIrq& irq) { return irq.line == line; }));
    }
    std::vector<uint64_t> irq_times(uint32_t line) const {
        std::vector<uint64_t> times;
        for (const RaisedIrq& irq : m_irqs)
            if (irq.line == line) times.push_back(irq.at_ns);
        return times;
    }
    void clear_irqs() { m_irqs.clear(); }

    // --- DMA ---
    std::vector<uint8_t>& memory() { return m_memory; }
    void add_grant(uint32_t raw, uint64_t memory_offset, uint64_t bytes, GrantAccess access) {
        m_grants[raw] = FakeGrant{memory_offset, bytes, access};
    }
    void revoke_grant(uint32_t raw) { m_grants.erase(raw); }

private:
    // Where in memory() the access lands, if the grant allows it.
    Status resolve(GrantId grant, uint64_t offset, size_t bytes, GrantAccess needed, size_t& at) const {
        auto found = m_grants.find(grant.raw);
        if (found == m_grants.end()) return Status::resource_denied;
        const FakeGrant& fake = found->second;
        if ((static_cast<uint8_t>(fake.access) & static_cast<uint8_t>(needed)) == 0) return Status::resource_denied;
        if (offset > fake.bytes || bytes > fake.bytes - offset) return Status::resource_denied;
        if (fake.memory_offset + fake.bytes > m_memory.size()) return Status::bad_address;
        at = static_cast<size_t>(fake.memory_offset + offset);
        return Status::ok;
    }

    sim::EventQueue m_events;
    uint64_t m_now_ns = 0;
    size_t m_scheduled_in_past = 0;
    std::vector<RaisedIrq> m_irqs;
    std::vector<DeviceEvent> m_device_events;
    std::vector<std::string> m_stops;
    std::vector<uint8_t> m_memory;
    std::map<uint32_t, FakeGrant> m_grants;
};

}  // namespace axl::test
