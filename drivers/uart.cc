// uart_driver: the console. Drives a 16550 UART (hw/uart_16550.h)
// by interrupts and serves the tty protocol (kernel/api/protocols/tty.h), so
// user programs print through it and read what arrives on the line.
//
// One receive loop handles both sides, as MINIX drivers do: a notification
// from HARDWARE means "look at the UART" (drain the receive FIFO, refill the
// transmit FIFO), a request from a client is queued. A write is answered once
// its last byte is in the transmit FIFO, so a client that printed and exits
// loses nothing (the FIFO drains by itself, or is flushed when the run ends).
// Replies go out with sendnb: a client that does not wait for its reply cannot
// block the console.
//
// Arguments: io_base, irq (set by the [[device]] table naming this driver).
#include <cstddef>
#include <cstdint>

#include "hw/uart_16550.h"
#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/tty.h"
#include "libsys/checks.h"

namespace {

using namespace axl;
namespace uart = axl::hw::uart;

// Set by the [[device]] table that names this driver (docs/system-description.md).
constexpr ProgramOption io_base_option = integer_option("io_base", 0x3F8, 0, 0xFFFF, "the UART's first port");
constexpr ProgramOption irq_option = integer_option("irq", 4, 0, 63, "the UART's interrupt line");

class UartDriver {
public:
    UartDriver()
        : m_base(static_cast<uint16_t>(sys::option_int(io_base_option))),
          m_irq(static_cast<uint32_t>(sys::option_int(irq_option))) {}

    void setup() {
        check(io_write(m_base + uart::interrupt_enable, 0), "mask the UART's interrupts");
        check(io_write(m_base + uart::fifo_control, uart::fcr_enable | uart::fcr_clear_receive | uart::fcr_clear_transmit),
              "reset the FIFOs");
        check(io_write(m_base + uart::line_control, 0x03), "set 8 data bits, no parity, 1 stop bit");
        check(io_write(m_base + uart::modem_control, 0x08), "enable the IRQ output (OUT2)");
        check(irq_attach(m_irq), "attach the IRQ line");
        m_interrupts = uart::ier_receive;
        check(io_write(m_base + uart::interrupt_enable, m_interrupts), "enable receive interrupts");
    }

    [[noreturn]] void run() {
        for (;;) {
            Message m;
            check(receive(endpoints::any, m), "receive");
            if (m.source == endpoints::hardware) {
                service_device();
                check(irq_enable(m_irq), "re-enable the IRQ line");
            } else if (m.type == tty::write) {
                queue_write(m);
            } else if (m.type == tty::read) {
                queue_read(m);
            } else {
                answer(m.source, Status::bad_argument);
            }
        }
    }

private:
    struct PendingWrite {
        Endpoint client;
        uint8_t length = 0;
        uint8_t sent = 0;
        uint8_t text[tty::chunk_bytes];
    };
    struct PendingRead {
        Endpoint client;
        uint8_t capacity = 0;
    };
    static constexpr uint32_t writes_max = 32;
    static constexpr uint32_t reads_max = 8;
    static constexpr uint32_t input_bytes = 256;

    void check(Status status, const char* what) {
        if (status != Status::ok) fail("cannot %s: %s", what, to_string(status));
    }

    uint8_t reg(uint16_t offset) {
        uint32_t value = 0;
        check(io_read(static_cast<uint16_t>(m_base + offset), value), "read a UART register");
        return static_cast<uint8_t>(value);
    }
    void set_reg(uint16_t offset, uint8_t value) {
        check(io_write(static_cast<uint16_t>(m_base + offset), value), "write a UART register");
    }

    void answer(Endpoint client, Status status) {
        Message reply;
        reply.type = tty::reply;
        reply.payload.words[0] = static_cast<uint64_t>(status);
        (void)sendnb(client, reply);  // a client that stopped waiting loses its answer, nothing else
    }

    void queue_write(const Message& m) {
        const uint8_t length = m.payload.bytes[0];
        if (length == 0 || length > tty::chunk_bytes) return answer(m.source, Status::bad_argument);
        if (m_write_count == writes_max) return answer(m.source, Status::would_block);
        PendingWrite& slot = m_writes[(m_write_head + m_write_count) % writes_max];
        slot.client = m.source;
        slot.length = length;
        slot.sent = 0;
        for (uint32_t i = 0; i < length; ++i) slot.text[i] = m.payload.bytes[tty::text_offset + i];
        m_write_count += 1;
        fill_transmit_fifo();
    }

    void queue_read(const Message& m) {
        const uint8_t capacity = m.payload.bytes[0];
        if (capacity == 0 || capacity > tty::chunk_bytes) return answer(m.source, Status::bad_argument);
        if (m_read_count == reads_max) return answer(m.source, Status::would_block);
        m_reads[(m_read_head + m_read_count) % reads_max] = PendingRead{m.source, capacity};
        m_read_count += 1;
        serve_reads();
    }

    void service_device() {
        (void)reg(uart::interrupt_id);  // acknowledges a transmit-empty cause
        // Everything that arrived, however many interrupts it took.
        while (reg(uart::line_status) & uart::lsr_data_ready) {
            const uint8_t byte = reg(uart::data);
            if (m_input_count == input_bytes) {
                m_input_dropped += 1;
                continue;
            }
            m_input[(m_input_head + m_input_count) % input_bytes] = byte;
            m_input_count += 1;
        }
        fill_transmit_fifo();
        serve_reads();
    }

    // THRE means the whole FIFO is free: up to fifo_bytes go in at once.
    void fill_transmit_fifo() {
        if (m_write_count > 0 && (reg(uart::line_status) & uart::lsr_transmit_empty)) {
            uint32_t room = uart::fifo_bytes;
            while (room > 0 && m_write_count > 0) {
                PendingWrite& head = m_writes[m_write_head];
                while (room > 0 && head.sent < head.length) {
                    set_reg(uart::data, head.text[head.sent++]);
                    room -= 1;
                }
                if (head.sent < head.length) break;
                answer(head.client, Status::ok);
                m_write_head = (m_write_head + 1) % writes_max;
                m_write_count -= 1;
            }
        }
        // The transmit-empty interrupt only while there is more to send.
        const uint8_t wanted = m_write_count > 0 ? (uart::ier_receive | uart::ier_transmit) : uart::ier_receive;
        if (wanted != m_interrupts) {
            m_interrupts = wanted;
            set_reg(uart::interrupt_enable, wanted);
        }
    }

    void serve_reads() {
        while (m_read_count > 0 && m_input_count > 0) {
            const PendingRead& reader = m_reads[m_read_head];
            Message reply;
            reply.type = tty::reply;
            uint8_t length = 0;
            while (length < reader.capacity && m_input_count > 0) {
                reply.payload.bytes[tty::text_offset + length++] = m_input[m_input_head];
                m_input_head = (m_input_head + 1) % input_bytes;
                m_input_count -= 1;
            }
            reply.payload.bytes[0] = length;
            (void)sendnb(reader.client, reply);
            m_read_head = (m_read_head + 1) % reads_max;
            m_read_count -= 1;
        }
    }

    const uint16_t m_base;
    const uint32_t m_irq;
    uint8_t m_interrupts = 0;
    PendingWrite m_writes[writes_max];
    uint32_t m_write_head = 0;
    uint32_t m_write_count = 0;
    PendingRead m_reads[reads_max];
    uint32_t m_read_head = 0;
    uint32_t m_read_count = 0;
    uint8_t m_input[input_bytes] = {};
    uint32_t m_input_head = 0;
    uint32_t m_input_count = 0;
    uint64_t m_input_dropped = 0;
};

}  // namespace

AXL_PROGRAM(uart_driver, "16550 UART driver: the console (tty protocol), by interrupts",
            io_base_option, irq_option) {
    UartDriver driver;  // on the process's stack: every instance has its own state
    driver.setup();
    driver.run();
}
