// nic_driver: drives the simulated network card (hw/nic.h) and serves
// the net protocol (kernel/api/protocols/net.h).
//
// The card reaches memory only through its two rings, each one grant to
// HARDWARE made once at start: descriptors first, then one frame buffer per
// descriptor. Frames cross between a client and the rings by safecopy, so a
// client never shares memory with the card.
//
// Receive: every ring descriptor but one is given to the card at start. A
// frame the card wrote stays in its descriptor until a client asks for one;
// then it is copied out, the descriptor is re-armed and given back. Clients
// asking while no frame is there wait in a queue, served oldest first as
// frames arrive. So frames wait in the ring, not in the driver: when clients
// fall behind, the ring fills and the card drops (and counts) what comes next.
//
// Transmit: a send is copied into the next free transmit descriptor and the
// doorbell rung; its reply waits until the card has written the descriptor
// back, so it reports what happened on the wire. With the ring full, sends
// wait in a queue for descriptors to come back.
//
// One receive(any) loop serves clients and interrupts alike: an interrupt is
// acknowledged at the card first (so anything after it raises the line
// again), then both rings are looked at, then the line is re-enabled.
//
// Arguments: io_base, irq (from the [[device]] table). Its rings live on its
// stack: give it stack >= 48 KiB more than the default.
#include <cstddef>
#include <cstdint>

#include "hw/nic.h"
#include "kernel/api/device.h"
#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/net.h"
#include "libsys/checks.h"

namespace {

using namespace axl;
namespace card = axl::hw::nic;

// Set by the [[device]] table that names this driver (docs/system-description.md).
constexpr ProgramOption io_base_option = integer_option("io_base", 0x1200, 0, 0xFFFF, "the card's first port");
constexpr ProgramOption irq_option = integer_option("irq", 11, 0, 63, "the card's interrupt line");

static_assert(net::max_frame_bytes == card::max_frame_bytes, "the protocol promises what the card carries");

constexpr uint32_t rx_ring_size = 16;
constexpr uint32_t tx_ring_size = 8;
constexpr uint32_t buffer_stride = 1536;  // a frame buffer, rounded up to whole cache lines
constexpr uint32_t waiting_max = 16;      // clients waiting per direction (one request each)
constexpr uint32_t logged_errors_max = 8; // card errors logged one by one; counted beyond

static_assert(buffer_stride >= card::max_frame_bytes && buffer_stride % 64 == 0);
static_assert(rx_ring_size >= card::min_ring_size && tx_ring_size >= card::min_ring_size);

// One ring's DMA memory, the layout hw/nic.h asks for: descriptors at
// offset 0 of the grant, frame buffers after them.
template <uint32_t Size>
struct RingMemory {
    card::Descriptor descriptors[Size];
    alignas(64) uint8_t buffers[Size][buffer_stride];

    static uint32_t buffer_offset(uint32_t index) {
        return static_cast<uint32_t>(offsetof(RingMemory, buffers) + size_t{index} * buffer_stride);
    }
};
using RxMemory = RingMemory<rx_ring_size>;
using TxMemory = RingMemory<tx_ring_size>;

// The card writes descriptors behind the compiler's back: read its status
// byte from memory every time.
uint8_t card_status(const card::Descriptor& descriptor) {
    return *static_cast<const volatile uint8_t*>(&descriptor.status);
}

// A fixed-capacity first-in first-out queue (no heap here).
template <typename T, uint32_t Capacity>
class Queue {
public:
    bool empty() const { return m_count == 0; }
    bool full() const { return m_count == Capacity; }
    void push(const T& item) {
        m_items[(m_first + m_count) % Capacity] = item;
        ++m_count;
    }
    T& front() { return m_items[m_first]; }
    void pop() {
        m_first = (m_first + 1) % Capacity;
        --m_count;
    }

private:
    T m_items[Capacity];
    uint32_t m_first = 0;
    uint32_t m_count = 0;
};

struct WaitingReceiver {
    Endpoint client;
    GrantId buffer;
    uint64_t capacity = 0;
};

// What a transmit descriptor's error code means to the client.
Status status_of_card_error(uint8_t code) {
    switch (code) {
        case card::error_none: return Status::ok;
        case card::error_peer: return Status::not_found;
        case card::error_frame_size: return Status::bad_argument;
        default: return Status::bad_address;  // DMA or the host's socket: the frame did not go out
    }
}

class NicDriver {
public:
    NicDriver(RxMemory& rx, TxMemory& tx)
        : m_base(static_cast<uint16_t>(sys::option_int(io_base_option))),
          m_irq(static_cast<uint32_t>(sys::option_int(irq_option))),
          m_rx(rx),
          m_tx(tx) {}

    void setup() {
        set_reg(card::control, card::reset);
        for (uint32_t i = 0; i < rx_ring_size; ++i) arm_rx(i);
        for (card::Descriptor& descriptor : m_tx.descriptors) descriptor = card::Descriptor{};
        check(grant_create(endpoints::hardware, &m_rx, sizeof m_rx, GrantAccess::read_write, m_rx_grant),
              "grant the receive ring");
        check(grant_create(endpoints::hardware, &m_tx, sizeof m_tx, GrantAccess::read_write, m_tx_grant),
              "grant the transmit ring");
        set_reg(card::rx_ring_grant, m_rx_grant.raw);
        set_reg(card::rx_ring_size, rx_ring_size);
        set_reg(card::tx_ring_grant, m_tx_grant.raw);
        set_reg(card::tx_ring_size, tx_ring_size);
        set_reg(card::rx_tail, rx_ring_size - 1);  // every descriptor but the one that keeps head != tail
        if (const uint32_t error = reg(card::error); error != card::error_none)
            fail("the card refused its rings: error %u", error);
        check(irq_attach(m_irq), "attach the IRQ line");
        set_reg(card::interrupt_enable, card::int_all);
        set_reg(card::control, card::rx_enable | card::tx_enable);
        log("ready: io_base %#x irq %u, %u receive and %u transmit descriptors", unsigned{m_base}, m_irq, rx_ring_size,
            tx_ring_size);
    }

    [[noreturn]] void run() {
        for (;;) {
            Message m;
            check(receive(endpoints::any, m), "receive");
            if (m.source == endpoints::hardware) {
                on_interrupt();
                continue;
            }
            if (m.type == message_types::notify) continue;  // no one else has anything to tell us
            switch (m.type) {
                case net::send: on_send(m); break;
                case net::receive: on_receive(m); break;
                case net::info: on_info(m); break;
                default: reply_status(m.source, Status::bad_argument); break;
            }
        }
    }

private:
    void check(Status status, const char* what) {
        if (status != Status::ok) fail("cannot %s: %s", what, to_string(status));
    }
    uint32_t reg(uint16_t offset) {
        uint32_t value = 0;
        check(io_read(static_cast<uint16_t>(m_base + offset), value, IoWidth::word), "read a card register");
        return value;
    }
    void set_reg(uint16_t offset, uint32_t value) {
        check(io_write(static_cast<uint16_t>(m_base + offset), value, IoWidth::word), "write a card register");
    }

    // A client that died or stopped waiting loses its reply; the driver goes on.
    void send_reply(Endpoint client, Message& reply) {
        reply.type = net::reply;
        const Status status = sendnb(client, reply);
        if (status != Status::ok) {
            ++m_lost_replies;
            log("reply to slot %u failed: %s (%llu lost replies)", client.slot(), to_string(status),
                static_cast<unsigned long long>(m_lost_replies));
        }
    }
    void reply_status(Endpoint client, Status status) {
        Message reply;
        reply.payload.words[0] = static_cast<uint64_t>(status);
        send_reply(client, reply);
    }

    // ---- interrupts ----

    void on_interrupt() {
        const uint32_t cause = reg(card::interrupt_status);
        set_reg(card::interrupt_status, cause);
        if (cause & card::int_error) {
            const uint32_t code = reg(card::error);
            set_reg(card::error, 0);
            if (++m_card_errors <= logged_errors_max)
                log("card error %u (%llu so far)", code, static_cast<unsigned long long>(m_card_errors));
        }
        reap_transmitted();
        deliver_received();
        check(irq_enable(m_irq), "re-enable the IRQ line");
    }

    // ---- transmit ----

    bool tx_ring_full() const { return (m_tx_tail + 1) % tx_ring_size == m_tx_reaped; }

    void on_send(const Message& request) {
        const uint64_t length = request.payload.words[1];
        const uint64_t peer = request.payload.words[2];
        if (length > card::max_frame_bytes || peer >= card::peer_slots) {
            reply_status(request.source, Status::bad_argument);
            return;
        }
        if (!tx_ring_full()) {
            queue_frame(request);
        } else if (!m_waiting_senders.full()) {
            m_waiting_senders.push(request);
        } else {
            reply_status(request.source, Status::no_space);
        }
    }

    // Copies the frame into the next transmit descriptor and rings the
    // doorbell; the reply goes out when the card writes the descriptor back.
    void queue_frame(const Message& request) {
        const uint32_t slot = m_tx_tail;
        const GrantId frame{static_cast<uint32_t>(request.payload.words[0])};
        const auto length = static_cast<uint16_t>(request.payload.words[1]);
        if (length != 0) {
            const Status status = safecopy_from(request.source, frame, 0, m_tx.buffers[slot], length);
            if (status != Status::ok) {
                reply_status(request.source, status);
                return;
            }
        }
        card::Descriptor& descriptor = m_tx.descriptors[slot];
        descriptor = card::Descriptor{};
        descriptor.buffer_offset = TxMemory::buffer_offset(slot);
        descriptor.length = length;
        descriptor.peer = static_cast<uint8_t>(request.payload.words[2]);
        m_tx_owner[slot] = request.source;
        m_tx_tail = (slot + 1) % tx_ring_size;
        set_reg(card::tx_tail, m_tx_tail);
    }

    void reap_transmitted() {
        while (m_tx_reaped != m_tx_tail && (card_status(m_tx.descriptors[m_tx_reaped]) & card::status_done)) {
            const card::Descriptor& descriptor = m_tx.descriptors[m_tx_reaped];
            Message reply;
            reply.payload.words[0] = static_cast<uint64_t>(status_of_card_error(descriptor.error));
            reply.payload.words[1] = descriptor.error == card::error_none ? descriptor.length : 0;
            reply.payload.words[2] = descriptor.error;
            send_reply(m_tx_owner[m_tx_reaped], reply);
            m_tx_reaped = (m_tx_reaped + 1) % tx_ring_size;
        }
        while (!m_waiting_senders.empty() && !tx_ring_full()) {
            const Message request = m_waiting_senders.front();
            m_waiting_senders.pop();
            queue_frame(request);
        }
    }

    // ---- receive ----

    void arm_rx(uint32_t index) {
        card::Descriptor& descriptor = m_rx.descriptors[index];
        descriptor = card::Descriptor{};
        descriptor.buffer_offset = RxMemory::buffer_offset(index);
        descriptor.capacity = card::max_frame_bytes;
    }

    void on_receive(const Message& request) {
        const uint64_t capacity = request.payload.words[1];
        if (capacity == 0) {
            reply_status(request.source, Status::bad_argument);
            return;
        }
        if (m_waiting_receivers.full()) {
            reply_status(request.source, Status::no_space);
            return;
        }
        m_waiting_receivers.push(WaitingReceiver{
            request.source, GrantId{static_cast<uint32_t>(request.payload.words[0])}, capacity});
        deliver_received();
    }

    // Hands frames the card has written to waiting clients, oldest first.
    void deliver_received() {
        while (!m_waiting_receivers.empty() && (card_status(m_rx.descriptors[m_rx_next]) & card::status_done)) {
            const WaitingReceiver receiver = m_waiting_receivers.front();
            m_waiting_receivers.pop();
            const card::Descriptor& descriptor = m_rx.descriptors[m_rx_next];
            const uint64_t length = descriptor.length;
            const uint64_t copied = length < receiver.capacity ? length : receiver.capacity;
            Status status = Status::ok;
            if (copied != 0)
                status = safecopy_to(receiver.client, receiver.buffer, 0, m_rx.buffers[m_rx_next], copied);
            Message reply;
            reply.payload.words[0] = static_cast<uint64_t>(status);
            reply.payload.words[1] = length;
            reply.payload.words[2] = descriptor.peer;
            send_reply(receiver.client, reply);
            // A client whose grant refused the copy has not got the frame:
            // it stays for the next one.
            if (status != Status::ok) continue;
            arm_rx(m_rx_next);
            set_reg(card::rx_tail, m_rx_next);  // gives the card every descriptor up to this one
            m_rx_next = (m_rx_next + 1) % rx_ring_size;
        }
    }

    void on_info(const Message& request) {
        Message reply;
        reply.payload.words[0] = static_cast<uint64_t>(Status::ok);
        reply.payload.words[1] = card::max_frame_bytes;
        reply.payload.words[2] = reg(card::frames_received);
        reply.payload.words[3] = reg(card::frames_dropped);
        reply.payload.words[4] = reg(card::frames_sent);
        reply.payload.words[5] = reg(card::errors);
        send_reply(request.source, reply);
    }

    const uint16_t m_base;
    const uint32_t m_irq;
    RxMemory& m_rx;
    TxMemory& m_tx;
    GrantId m_rx_grant;
    GrantId m_tx_grant;

    uint32_t m_rx_next = 0;    // the next descriptor the card fills, as far as the driver has consumed
    uint32_t m_tx_tail = 0;    // the next free transmit descriptor
    uint32_t m_tx_reaped = 0;  // the oldest transmit descriptor not yet answered
    Endpoint m_tx_owner[tx_ring_size];
    Queue<Message, waiting_max> m_waiting_senders;
    Queue<WaitingReceiver, waiting_max> m_waiting_receivers;
    uint64_t m_card_errors = 0;
    uint64_t m_lost_replies = 0;
};

}  // namespace

AXL_PROGRAM(nic_driver, "network card driver: frames by DMA rings over a host UDP socket (net protocol)",
            io_base_option, irq_option) {
    // Each instance has its own rings, on its own stack.
    RxMemory rx;
    TxMemory tx;
    NicDriver driver(rx, tx);
    driver.setup();
    driver.run();
}
