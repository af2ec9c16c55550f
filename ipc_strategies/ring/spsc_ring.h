// SpscRing: a bounded single-producer/single-consumer ring of messages whose
// slots live in storage its owner provides and whose capacity (a power of two)
// is set at boot from the system description.
//
// Why not boost::lockfree::spsc_queue (which this strategy used first and which
// the benchmarks keep as the baseline): its capacity is a compile-time
// constant, and its run-time-sized variant allocates through an allocator and
// throws, neither of which the freestanding kernel has. This ring also keeps
// each side's copy of the other side's index (as FastForward and Rigtorp's
// SPSCQueue do), so while a stream flows the producer rereads the consumer's
// index only when its copy says "full", and the consumer the producer's only
// when its copy says "empty": between host threads a cache line crosses once
// per batch instead of on every message.
//
// "Producer" and "consumer" are roles, not threads: another thread may take a
// role over as long as a happens-before edge (the kernel lock, a release/
// acquire pair) separates it from the previous holder.
#pragma once

#include <atomic>
#include <cstdint>

#include "kernel/api/message.h"

namespace axl {

class SpscRing {
public:
    // `slots` holds `capacity` messages; capacity is a power of two.
    void attach(Message* slots, uint32_t capacity) {
        m_slots = slots;
        m_mask = capacity - 1;
    }

    // Producer.
    bool push(const Message& message) {
        const uint64_t tail = m_producer.tail.load(std::memory_order_relaxed);
        if (tail - m_producer.head_seen > m_mask) {
            m_producer.head_seen = m_consumer.head.load(std::memory_order_acquire);
            if (tail - m_producer.head_seen > m_mask) return false;
        }
        m_slots[tail & m_mask] = message;
        m_producer.tail.store(tail + 1, std::memory_order_release);
        return true;
    }

    // Consumer.
    bool pop(Message& out) {
        const uint64_t head = m_consumer.head.load(std::memory_order_relaxed);
        if (head == m_consumer.tail_seen) {
            m_consumer.tail_seen = m_producer.tail.load(std::memory_order_acquire);
            if (head == m_consumer.tail_seen) return false;
        }
        out = m_slots[head & m_mask];
        m_consumer.head.store(head + 1, std::memory_order_release);
        return true;
    }

    // Any thread: messages in the ring at some moment during the call.
    uint32_t size() const {
        const uint64_t head = m_consumer.head.load(std::memory_order_acquire);
        const uint64_t tail = m_producer.tail.load(std::memory_order_acquire);
        return static_cast<uint32_t>(tail - head);
    }

private:
    // One cache line per side: neither side's stores disturb the other's line
    // except the one index the other must eventually read.
    struct alignas(64) Producer {
        std::atomic<uint64_t> tail{0};  // next slot to fill
        uint64_t head_seen = 0;         // the consumer's head, as last read
    };
    struct alignas(64) Consumer {
        std::atomic<uint64_t> head{0};  // next slot to empty
        uint64_t tail_seen = 0;         // the producer's tail, as last read
    };
    Producer m_producer;
    Consumer m_consumer;
    Message* m_slots = nullptr;
    uint64_t m_mask = 0;
};

}  // namespace axl
