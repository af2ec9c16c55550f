#include "sim/machine/uart.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "sim/config/system_description.h"
#include "sim/machine/device_kind.h"
#include "sim/machine/register_width.h"

namespace axl::sim {

namespace reg = hw::uart;

namespace {

constexpr uint64_t bits_per_byte = 10;  // start bit, 8 data bits, stop bit
constexpr uint8_t line_control_divisor_latch = 0x80;
constexpr uint8_t interrupt_enable_bits = 0x0F;  // the four the 16550 has
constexpr uint8_t modem_control_bits = 0x1F;
constexpr uint8_t modem_status_ready = 0xB0;     // DCD, DSR, CTS
constexpr uint8_t interrupt_id_fifos_enabled = 0xC0;

uint64_t byte_time_for(uint32_t baud) {
    if (baud == 0) throw std::runtime_error("uart: the baud rate must not be 0");
    return bits_per_byte * 1'000'000'000ull / baud;
}

std::runtime_error cannot_open(const std::string& what, const std::string& path) {
    return std::runtime_error("cannot open " + what + " " + path + ": " + std::strerror(errno));
}

std::vector<uint8_t> read_whole_file(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) throw cannot_open("UART input file", path);
    std::vector<uint8_t> bytes;
    uint8_t chunk[4096];
    size_t got = 0;
    while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed) throw std::runtime_error("cannot read UART input file " + path);
    return bytes;
}

}  // namespace

void Uart::OutputCloser::operator()(std::FILE* file) const {
    if (owned)
        std::fclose(file);
    else
        std::fflush(file);
}

Uart::Uart(DeviceHost& host, const UartConfig& config)
    : m_host(host), m_irq_line(config.irq_line), m_byte_time_ns(byte_time_for(config.baud)) {
    // Input first: it is read whole, so nothing is left open if it fails.
    if (config.input_path == "-") {
        m_input_from_stdin = true;
    } else if (!config.input_path.empty()) {
        const std::vector<uint8_t> input = read_whole_file(config.input_path);
        m_wire_free_ns = std::max(config.input_start_ns, m_host.now_ns());
        queue_for_wire(input.data(), input.size());
    }

    if (config.output_path.empty() || config.output_path == "-") {
        m_output = std::unique_ptr<std::FILE, OutputCloser>(stdout, OutputCloser{.owned = false});
    } else if (config.output_path != "none") {
        std::FILE* file = std::fopen(config.output_path.c_str(), "wb");
        if (file == nullptr) {
            const std::runtime_error error = cannot_open("UART output file", config.output_path);
            if (m_next_arrival) m_host.cancel(*m_next_arrival);
            throw error;
        }
        m_output = std::unique_ptr<std::FILE, OutputCloser>(file, OutputCloser{.owned = true});
    }
}

Uart::~Uart() {
    if (m_shift_done) m_host.cancel(*m_shift_done);
    if (m_next_arrival) m_host.cancel(*m_next_arrival);
    // m_output's deleter flushes (and closes a file).
}

// --- register access ------------------------------------------------------------------

uint32_t Uart::read(uint16_t offset, uint32_t width) {
    if (offset >= reg::io_size) return unmapped_read(width);
    return read_register(offset);
}

void Uart::write(uint16_t offset, uint32_t /*width*/, uint32_t value) {
    if (offset >= reg::io_size) return;
    // 8-bit registers: a wider write keeps its low byte.
    write_register(offset, static_cast<uint8_t>(value));
}

bool Uart::divisor_latch_selected() const { return (m_line_control & line_control_divisor_latch) != 0; }

uint8_t Uart::read_register(uint16_t offset) {
    switch (offset) {
        case reg::data: return divisor_latch_selected() ? m_divisor_low : pop_received_byte();
        case reg::interrupt_enable: return divisor_latch_selected() ? m_divisor_high : m_interrupt_enable;
        case reg::interrupt_id: return read_interrupt_id();
        case reg::line_control: return m_line_control;
        case reg::modem_control: return m_modem_control;
        case reg::line_status: return read_line_status();
        case reg::modem_status: return modem_status_ready;
        case reg::scratch: return m_scratch;
        default: return 0xFF;
    }
}

void Uart::write_register(uint16_t offset, uint8_t value) {
    switch (offset) {
        case reg::data:
            if (divisor_latch_selected())
                m_divisor_low = value;
            else
                write_transmit_holding(value);
            break;
        case reg::interrupt_enable:
            if (divisor_latch_selected())
                m_divisor_high = value;
            else
                write_interrupt_enable(value);
            break;
        case reg::fifo_control: write_fifo_control(value); break;
        case reg::line_control: m_line_control = value; break;
        case reg::modem_control: m_modem_control = value & modem_control_bits; break;
        case reg::scratch: m_scratch = value; break;
        default: break;  // LSR and MSR are read-only
    }
}

uint8_t Uart::read_line_status() {
    uint8_t status = 0;
    if (!m_receive_fifo.empty()) status |= reg::lsr_data_ready;
    if (m_overrun) status |= reg::lsr_overrun;
    if (m_transmit_fifo.empty()) status |= reg::lsr_transmit_empty;
    if (m_transmit_fifo.empty() && !m_shifting) status |= reg::lsr_idle;
    m_overrun = false;  // reported once, as the chip does
    return status;
}

void Uart::write_fifo_control(uint8_t value) {
    m_fifos_enabled = (value & reg::fcr_enable) != 0;
    if (value & reg::fcr_clear_receive) m_receive_fifo.clear();
    // Clearing the transmit FIFO leaves the byte already shifting alone.
    if ((value & reg::fcr_clear_transmit) && !m_transmit_fifo.empty()) {
        m_transmit_fifo.clear();
        on_transmit_fifo_empty();
    }
}

// --- transmit -------------------------------------------------------------------------

void Uart::write_transmit_holding(uint8_t byte) {
    if (m_transmit_fifo.size() >= reg::fifo_bytes) return;  // dropped, as on the chip
    m_transmit_fifo.push_back(byte);
    m_transmit_empty_pending = false;
    if (!m_shifting) start_shifting_next_byte();
}

void Uart::start_shifting_next_byte() {
    m_shifting = m_transmit_fifo.front();
    m_transmit_fifo.pop_front();
    m_shift_done = m_host.schedule(m_host.now_ns() + m_byte_time_ns, [this] { on_byte_sent(); });
    if (m_transmit_fifo.empty()) on_transmit_fifo_empty();
}

void Uart::on_byte_sent() {
    m_shift_done.reset();
    const uint8_t byte = *m_shifting;
    m_shifting.reset();
    emit(byte);
    if (!m_transmit_fifo.empty()) start_shifting_next_byte();
}

void Uart::on_transmit_fifo_empty() {
    m_transmit_empty_pending = true;
    if (m_interrupt_enable & reg::ier_transmit) raise_irq();
}

void Uart::emit(uint8_t byte) {
    if (m_output) std::fputc(byte, m_output.get());
}

void Uart::finish() {
    if (m_shift_done) m_host.cancel(*m_shift_done);
    m_shift_done.reset();
    if (m_shifting) emit(*m_shifting);
    m_shifting.reset();
    for (uint8_t byte : m_transmit_fifo) emit(byte);
    m_transmit_fifo.clear();
    if (m_output) std::fflush(m_output.get());
}

// --- receive --------------------------------------------------------------------------

void Uart::queue_for_wire(const uint8_t* bytes, size_t count) {
    if (count == 0) return;
    const bool wire_was_idle = m_wire_input.empty();
    m_wire_input.insert(m_wire_input.end(), bytes, bytes + count);
    if (wire_was_idle) schedule_next_arrival();
}

void Uart::schedule_next_arrival() {
    const uint64_t start = std::max(m_wire_free_ns, m_host.now_ns());
    m_next_arrival = m_host.schedule(start + m_byte_time_ns, [this] { on_byte_arrived(); });
}

void Uart::on_byte_arrived() {
    m_next_arrival.reset();
    m_wire_free_ns = m_host.now_ns();
    const uint8_t byte = m_wire_input.front();
    m_wire_input.pop_front();
    if (!m_wire_input.empty()) schedule_next_arrival();

    if (m_receive_fifo.size() >= reg::fifo_bytes) {
        m_overrun = true;
        if (m_interrupt_enable & reg::ier_line_status) raise_irq();
        return;
    }
    m_receive_fifo.push_back(byte);
    if (m_interrupt_enable & reg::ier_receive) raise_irq();
}

uint8_t Uart::pop_received_byte() {
    if (m_receive_fifo.empty()) return 0;
    const uint8_t byte = m_receive_fifo.front();
    m_receive_fifo.pop_front();
    return byte;
}

int Uart::host_fd() const { return m_input_from_stdin && !m_stdin_closed ? STDIN_FILENO : -1; }

void Uart::host_input_ready() {
    if (!m_input_from_stdin || m_stdin_closed) return;
    uint8_t bytes[256];
    const ssize_t got = ::read(STDIN_FILENO, bytes, sizeof bytes);
    if (got > 0) {
        queue_for_wire(bytes, static_cast<size_t>(got));
    } else if (got == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
        // End of input (or a broken stdin): stop offering the descriptor, or
        // the machine would find it readable forever.
        m_stdin_closed = true;
    }
}

// --- interrupts -----------------------------------------------------------------------

void Uart::write_interrupt_enable(uint8_t value) {
    const uint8_t turned_on = value & interrupt_enable_bits & ~m_interrupt_enable;
    m_interrupt_enable = value & interrupt_enable_bits;
    bool raise = false;
    if ((turned_on & reg::ier_line_status) && m_overrun) raise = true;
    if ((turned_on & reg::ier_receive) && !m_receive_fifo.empty()) raise = true;
    if ((turned_on & reg::ier_transmit) && m_transmit_fifo.empty()) {
        m_transmit_empty_pending = true;
        raise = true;
    }
    if (raise) raise_irq();
}

uint8_t Uart::pending_interrupt_id() const {
    if ((m_interrupt_enable & reg::ier_line_status) && m_overrun) return reg::iir_line_status;
    if ((m_interrupt_enable & reg::ier_receive) && !m_receive_fifo.empty()) return reg::iir_receive;
    if ((m_interrupt_enable & reg::ier_transmit) && m_transmit_empty_pending) return reg::iir_transmit_empty;
    return reg::iir_none;
}

uint8_t Uart::read_interrupt_id() {
    const uint8_t id = pending_interrupt_id();
    if (id == reg::iir_transmit_empty) m_transmit_empty_pending = false;
    return static_cast<uint8_t>(id | (m_fifos_enabled ? interrupt_id_fifos_enabled : 0));
}

void Uart::raise_irq() { m_host.raise_irq(m_irq_line); }

}  // namespace axl::sim

// ---- kind = "uart" ----

namespace axl::sim {
namespace {

constexpr DeviceKey output_key{"output", DeviceKey::Type::string};
constexpr DeviceKey input_key{"input", DeviceKey::Type::string};
constexpr DeviceKey baud_key{"baud", DeviceKey::Type::integer, 50, 10'000'000};
constexpr DeviceKey input_start_key{"input_start", DeviceKey::Type::duration};
constexpr DeviceKey uart_keys[] = {output_key, input_key, baud_key, input_start_key};

// "-", "none" and "" are not files (UartConfig says what they mean).
std::any read_uart(const DeviceTable& table) {
    UartConfig config;
    if (auto output = table.string(output_key))
        config.output_path =
            *output == "-" || *output == "none" || output->empty() ? *output : table.resolve(*output);
    if (auto input = table.string(input_key)) {
        config.input_path = *input == "-" || input->empty() ? *input : table.resolve(*input);
        if (!config.input_path.empty() && config.input_path != "-") table.require_file(config.input_path, input_key);
    }
    table.read(baud_key, config.baud);
    table.read(input_start_key, config.input_start_ns);
    return config;
}

std::unique_ptr<Device> make_uart(const DeviceDescription& device, DeviceHost& host) {
    UartConfig config = device.settings_as<UartConfig>();
    config.irq_line = device.irq;
    return std::make_unique<Uart>(host, config);
}

}  // namespace

extern constexpr DeviceKind uart_kind{
    .name = "uart",
    .description = "16550A UART: FIFOs, interrupts, to a file or the terminal",
    .registers = "hw/uart_16550.h",
    .io_size = hw::uart::io_size,
    .io_base = 0x3F8,
    .irq = UartConfig::default_irq_line,
    .keys = uart_keys,
    .read = read_uart,
    .make = make_uart,
};

}  // namespace axl::sim
