// The simulated UART: the subset of a 16550A in hw/uart_16550.h, with
// 16-byte transmit and receive FIFOs and a wire whose speed is the configured
// baud rate (a byte is 10 bit times: start, 8 data, stop).
//
// Transmit: a byte written to THR joins the FIFO; whenever the shift register
// is idle the FIFO's head moves into it at once and leaves the wire one byte
// time later, when it is written to the output. So on an idle UART a burst
// of 17 bytes is taken (one shifting, 16 queued) and the 18th is dropped, as
// on the chip. THRE means the FIFO is empty (the driver may write 16 more),
// TEMT that the shift register is idle too. Output is buffered host I/O,
// flushed by finish() and the destructor; finish() also pushes out what was
// still queued, since the run ended before the wire could carry it.
//
// Receive: input bytes are queued for the wire and arrive one byte time
// apart, each one byte time after the wire could start carrying it (a file:
// byte i arrives at input_start_ns + (i + 1) * byte time). A byte arriving
// with the receive FIFO full is lost and sets LSR.overrun.
//
// Interrupts are edges on the line: on each received byte (IER.receive), when
// the transmit FIFO becomes empty (IER.transmit), on an overrun
// (IER.line_status), and when one of these IER bits is turned on while its
// condition already holds, so a driver that enables late misses nothing. IIR
// names the highest-priority cause: line status > receive > transmit empty.
//
// Simplifications: the FIFOs are always in use (FCR.enable only shows in
// IIR's top bits); there are no trigger levels or character timeouts; LCR,
// MCR, SCR and the divisor latch are plain storage (the baud rate comes from
// the configuration); MSR always reads 0xB0 (DCD, DSR, CTS: a cable is
// plugged and the other end ready).
//
// Input from the host's stdin (input_path "-") depends on wall-clock timing,
// so a run using it is not reproducible; every other configuration is.
//
// The host must outlive the UART: the destructor cancels its pending events.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "hw/uart_16550.h"
#include "sim/machine/device.h"

namespace axl::sim {

struct UartConfig {
    // A constant of its own: the device kinds' constexpr tables take it without
    // building a config (clang 14 cannot, its std::string member in the way).
    static constexpr uint32_t default_irq_line = 4;
    uint32_t irq_line = default_irq_line;
    uint32_t baud = 115200;
    // "" or "-": the host's stdout; "none": discarded; else a file, created
    // or truncated.
    std::string output_path{};
    // "": no input; "-": the host's stdin (through host_fd()); else a file
    // whose bytes arrive on the wire, one per byte time, from input_start_ns.
    std::string input_path{};
    uint64_t input_start_ns = 0;
};

class Uart final : public Device {
public:
    // Throws std::runtime_error("cannot open ...: reason") if a file cannot
    // be opened, or if the baud rate is 0.
    Uart(DeviceHost& host, const UartConfig& config);
    ~Uart() override;
    Uart(const Uart&) = delete;
    Uart& operator=(const Uart&) = delete;

    uint16_t io_size() const override { return hw::uart::io_size; }
    uint32_t read(uint16_t offset, uint32_t width) override;
    void write(uint16_t offset, uint32_t width, uint32_t value) override;
    void finish() override;
    int host_fd() const override;
    void host_input_ready() override;

    // 10 bit times at the configured baud rate.
    uint64_t byte_time_ns() const { return m_byte_time_ns; }

private:
    struct OutputCloser {
        bool owned;  // false for stdout, which is flushed, never closed
        void operator()(std::FILE* file) const;
    };

    uint8_t read_register(uint16_t offset);
    void write_register(uint16_t offset, uint8_t value);
    bool divisor_latch_selected() const;

    // Transmit side.
    void write_transmit_holding(uint8_t byte);
    void start_shifting_next_byte();
    void on_byte_sent();
    void on_transmit_fifo_empty();
    void emit(uint8_t byte);

    // Receive side.
    void queue_for_wire(const uint8_t* bytes, size_t count);
    void schedule_next_arrival();
    void on_byte_arrived();
    uint8_t pop_received_byte();

    // Interrupts.
    void write_interrupt_enable(uint8_t value);
    uint8_t read_interrupt_id();
    uint8_t pending_interrupt_id() const;
    void raise_irq();

    uint8_t read_line_status();
    void write_fifo_control(uint8_t value);

    DeviceHost& m_host;
    const uint32_t m_irq_line;
    const uint64_t m_byte_time_ns;
    std::unique_ptr<std::FILE, OutputCloser> m_output;  // null: output discarded
    bool m_input_from_stdin = false;
    bool m_stdin_closed = false;

    // Registers kept as storage.
    uint8_t m_interrupt_enable = 0;
    uint8_t m_line_control = 0;
    uint8_t m_modem_control = 0;
    uint8_t m_scratch = 0;
    uint8_t m_divisor_low = 0;
    uint8_t m_divisor_high = 0;
    bool m_fifos_enabled = false;

    std::deque<uint8_t> m_transmit_fifo;
    std::optional<uint8_t> m_shifting;  // the byte on the wire, if any
    std::optional<EventQueue::Id> m_shift_done;
    // Set when the transmit FIFO empties; cleared by writing THR or by the
    // IIR read that reports it (the 16550's rule).
    bool m_transmit_empty_pending = false;

    std::deque<uint8_t> m_receive_fifo;
    bool m_overrun = false;
    std::deque<uint8_t> m_wire_input;   // bytes still to cross the wire
    uint64_t m_wire_free_ns = 0;        // when the wire finishes its last scheduled byte
    std::optional<EventQueue::Id> m_next_arrival;
};

}  // namespace axl::sim
