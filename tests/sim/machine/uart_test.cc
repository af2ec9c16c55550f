#include "sim/machine/uart.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "hw/uart_16550.h"
#include "tests/support/device_test_host.h"
#include "tests/support/temp_dir.h"

namespace axl::sim {
namespace {

namespace reg = hw::uart;
constexpr uint32_t line = 4;
constexpr uint64_t bt = 86'805;  // one byte time at 115200 baud: 10 bits * 1e9 / 115200
constexpr uint8_t thre_temt = reg::lsr_transmit_empty | reg::lsr_idle;

std::string contents_of(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << bytes;
}

struct UartTest : ::testing::Test {
    test::TempDir dir;
    test::DeviceTestHost host;
    std::string output = dir.file("out");
    std::unique_ptr<Uart> uart;

    void make(UartConfig config = {}) {
        if (config.output_path.empty()) config.output_path = output;
        uart = std::make_unique<Uart>(host, config);
    }
    void make_with_input(const std::string& input, uint64_t start_ns = 0) {
        write_file(dir.file("in"), input);
        make(UartConfig{.output_path = output, .input_path = dir.file("in"), .input_start_ns = start_ns});
    }
    uint8_t read(uint16_t offset) { return static_cast<uint8_t>(uart->read(offset, 1)); }
    void write(uint16_t offset, uint8_t value) { uart->write(offset, 1, value); }
    void send(const std::string& bytes) {
        for (char byte : bytes) write(reg::data, static_cast<uint8_t>(byte));
    }
    uint8_t interrupt_id() { return read(reg::interrupt_id) & reg::iir_id_mask; }
    std::string received() {
        std::string bytes;
        while (read(reg::line_status) & reg::lsr_data_ready) bytes += static_cast<char>(read(reg::data));
        return bytes;
    }
    // What the output file holds once the UART is gone (its buffer flushed).
    std::string output_after_destroy() {
        uart.reset();
        return contents_of(output);
    }
    void TearDown() override { EXPECT_EQ(host.scheduled_in_past(), 0u); }
};

// --- transmit -------------------------------------------------------------------------

TEST_F(UartTest, ByteTimeIsTenBitTimes) {
    make();
    EXPECT_EQ(uart->byte_time_ns(), bt);
    uart.reset();
    make(UartConfig{.baud = 9600});
    EXPECT_EQ(uart->byte_time_ns(), 1'041'666u);
}

TEST_F(UartTest, BytesReachTheOutputOneByteTimeApart) {
    const uint64_t start = 1'000;
    const std::vector<std::pair<uint64_t, std::string>> expected = {
        {start, ""},           {start + bt - 1, ""},         {start + bt, "A"},
        {start + 2 * bt - 1, "A"}, {start + 2 * bt, "AB"}, {start + 3 * bt, "ABC"},
        {start + 100 * bt, "ABC"},
    };
    for (const auto& [cutoff, text] : expected) {
        test::DeviceTestHost fresh_host;
        fresh_host.run_until(start);
        {
            Uart fresh(fresh_host, UartConfig{.output_path = output});
            for (char byte : std::string("ABC")) fresh.write(reg::data, 1, static_cast<uint8_t>(byte));
            fresh_host.run_until(cutoff);
        }
        EXPECT_EQ(contents_of(output), text) << "at " << cutoff;
    }
}

TEST_F(UartTest, ThreMeansFifoEmptyAndTemtMeansAllSent) {
    make();
    EXPECT_EQ(read(reg::line_status), thre_temt);
    send("x");
    EXPECT_EQ(read(reg::line_status), reg::lsr_transmit_empty) << "the byte moved into the shifter at once";
    host.run_until(bt);
    EXPECT_EQ(read(reg::line_status), thre_temt);

    send("abc");
    EXPECT_EQ(read(reg::line_status), 0);
    host.run_until(bt + 2 * bt - 1);
    EXPECT_EQ(read(reg::line_status), 0) << "c still queued";
    host.run_until(bt + 2 * bt);
    EXPECT_EQ(read(reg::line_status), reg::lsr_transmit_empty) << "c shifting";
    host.run_until(bt + 3 * bt);
    EXPECT_EQ(read(reg::line_status), thre_temt);
    EXPECT_EQ(output_after_destroy(), "xabc");
}

TEST_F(UartTest, WritingIntoAFullFifoDropsTheByte) {
    make();
    std::string burst;
    for (int i = 0; i < 20; ++i) burst += static_cast<char>('a' + i);
    send(burst);  // one shifting, sixteen queued, three dropped
    EXPECT_EQ(read(reg::line_status) & reg::lsr_transmit_empty, 0);
    host.run_until(bt);
    send("!");  // the FIFO has room for one again
    send("?");  // but not two
    host.run_all();
    EXPECT_EQ(host.now_ns(), 18 * bt);
    EXPECT_EQ(output_after_destroy(), burst.substr(0, 17) + "!");
}

TEST_F(UartTest, ADriverRefillingOnThreKeepsTheWireBusy) {
    make();
    std::string message;
    for (int i = 0; i < 200; ++i) message += static_cast<char>(' ' + i % 90);
    size_t next = 0;
    while (next < message.size()) {
        if (read(reg::line_status) & reg::lsr_transmit_empty) {
            for (uint32_t room = 0; room < reg::fifo_bytes && next < message.size(); ++room)
                send(message.substr(next++, 1));
        }
        host.run_until(host.next_event_time());
    }
    host.run_all();
    EXPECT_EQ(host.now_ns(), message.size() * bt) << "no gap between bytes";
    EXPECT_EQ(output_after_destroy(), message);
}

TEST_F(UartTest, FinishPushesOutWhatIsStillQueued) {
    make();
    send("hello");
    host.run_until(bt);  // "h" sent, "e" shifting
    uart->finish();
    EXPECT_EQ(contents_of(output), "hello") << "flushed by finish, before destruction";
    EXPECT_EQ(host.pending_events(), 0u);
    EXPECT_EQ(read(reg::line_status), thre_temt);
    EXPECT_EQ(output_after_destroy(), "hello") << "nothing twice";
}

TEST_F(UartTest, OutputNoneDiscards) {
    make(UartConfig{.output_path = "none"});
    send("gone");
    host.run_all();
    uart->finish();
    EXPECT_FALSE(std::filesystem::exists(output));
    EXPECT_FALSE(std::filesystem::exists("none"));
}

TEST_F(UartTest, OutputFileIsTruncated) {
    write_file(output, "old contents");
    make();
    send("new");
    host.run_all();
    EXPECT_EQ(output_after_destroy(), "new");
}

// --- receive --------------------------------------------------------------------------

TEST_F(UartTest, InputFileBytesArriveOneByteTimeApartFromTheStart) {
    const uint64_t start = 1'000;
    make_with_input("xyz", start);
    host.run_until(start + bt - 1);
    EXPECT_EQ(read(reg::line_status) & reg::lsr_data_ready, 0);
    host.run_until(start + bt);
    EXPECT_EQ(read(reg::line_status) & reg::lsr_data_ready, reg::lsr_data_ready);
    EXPECT_EQ(read(reg::data), 'x');
    EXPECT_EQ(read(reg::line_status) & reg::lsr_data_ready, 0);
    host.run_until(start + 2 * bt);
    EXPECT_EQ(received(), "y");
    host.run_until(start + 3 * bt);
    EXPECT_EQ(received(), "z");
    EXPECT_EQ(host.pending_events(), 0u) << "input exhausted";
    EXPECT_EQ(read(reg::data), 0) << "an empty FIFO reads 0";
}

TEST_F(UartTest, InputArrivesInOrderWhenTheDriverKeepsUp) {
    std::string input;
    for (int i = 0; i < 1000; ++i) input += static_cast<char>(i * 7);
    make_with_input(input);
    std::string got;
    while (host.next_event_time() != EventQueue::never) {
        host.run_until(host.now_ns() + 10 * bt);  // ten bytes at a time: never overruns
        got += received();
    }
    EXPECT_EQ(got, input);
    EXPECT_EQ(host.now_ns(), 1000 * bt);
}

TEST_F(UartTest, ABytePastAFullFifoIsLostAndFlagsOverrunOnce) {
    std::string input;
    for (int i = 0; i < 20; ++i) input += static_cast<char>('A' + i);
    make_with_input(input);
    host.run_until(16 * bt);
    EXPECT_EQ(read(reg::line_status), reg::lsr_data_ready | thre_temt) << "full, nothing lost yet";
    host.run_until(20 * bt);
    EXPECT_EQ(read(reg::line_status), reg::lsr_data_ready | reg::lsr_overrun | thre_temt);
    EXPECT_EQ(read(reg::line_status), reg::lsr_data_ready | thre_temt) << "reading LSR cleared overrun";
    EXPECT_EQ(received(), input.substr(0, 16));
    EXPECT_EQ(read(reg::data), 0);
}

TEST_F(UartTest, ReceiveInterruptOnEachByteOnlyWhenEnabled) {
    make_with_input("abcd");
    host.run_until(bt);
    EXPECT_EQ(host.irq_count(line), 0u) << "IER.receive off";
    write(reg::interrupt_enable, reg::ier_receive);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{bt})) << "enabled with data waiting";
    EXPECT_EQ(interrupt_id(), reg::iir_receive);
    host.run_until(4 * bt);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{bt, 2 * bt, 3 * bt, 4 * bt}));
    EXPECT_EQ(received(), "abcd");
    EXPECT_EQ(interrupt_id(), reg::iir_none);
}

TEST_F(UartTest, EnablingReceiveWithNothingWaitingRaisesNothing) {
    make();
    write(reg::interrupt_enable, reg::ier_receive);
    EXPECT_EQ(host.irq_count(line), 0u);
}

TEST_F(UartTest, LineStatusInterruptOnOverrunAndIirPriorities) {
    std::string input(17, 'q');
    make_with_input(input);
    write(reg::interrupt_enable, reg::ier_line_status);
    host.run_until(16 * bt);
    EXPECT_EQ(host.irq_count(line), 0u);
    host.run_until(17 * bt);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{17 * bt})) << "the overrun";

    write(reg::interrupt_enable, reg::ier_line_status | reg::ier_receive | reg::ier_transmit);
    EXPECT_EQ(interrupt_id(), reg::iir_line_status) << "line status first";
    EXPECT_EQ(interrupt_id(), reg::iir_line_status) << "IIR does not clear it";
    (void)read(reg::line_status);
    EXPECT_EQ(interrupt_id(), reg::iir_receive) << "then received data";
    EXPECT_EQ(received(), std::string(16, 'q'));
    EXPECT_EQ(interrupt_id(), reg::iir_transmit_empty) << "then transmit empty";
    EXPECT_EQ(interrupt_id(), reg::iir_none) << "reading IIR cleared transmit empty";
}

TEST_F(UartTest, OverrunWhileLineStatusEnabledLaterStillRaisesOnEnable) {
    make_with_input(std::string(17, 'q'));
    host.run_until(17 * bt);
    EXPECT_EQ(host.irq_count(line), 0u);
    write(reg::interrupt_enable, reg::ier_line_status);
    EXPECT_EQ(host.irq_count(line), 1u);
}

// --- transmit interrupts --------------------------------------------------------------

TEST_F(UartTest, EnablingTransmitInterruptWithAnEmptyFifoRaisesAtOnce) {
    make();
    EXPECT_EQ(read(reg::interrupt_id), reg::iir_none);
    host.run_until(500);
    write(reg::interrupt_enable, reg::ier_transmit);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{500}));
    EXPECT_EQ(interrupt_id(), reg::iir_transmit_empty);
    EXPECT_EQ(interrupt_id(), reg::iir_none);
    write(reg::interrupt_enable, reg::ier_transmit);  // already on: no new edge
    EXPECT_EQ(host.irq_count(line), 1u);
}

TEST_F(UartTest, TransmitInterruptWhenTheFifoBecomesEmpty) {
    make();
    write(reg::interrupt_enable, reg::ier_transmit);
    (void)read(reg::interrupt_id);
    host.clear_irqs();
    send("abc");  // a shifts at once (FIFO empty again: an edge), b and c queue
    EXPECT_EQ(interrupt_id(), reg::iir_none) << "writing THR cleared the cause";
    host.run_until(2 * bt - 1);
    EXPECT_EQ(interrupt_id(), reg::iir_none);
    host.run_until(2 * bt);  // c moves into the shifter: FIFO empty
    EXPECT_EQ(interrupt_id(), reg::iir_transmit_empty);
    host.run_all();
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{0, 2 * bt}));
    EXPECT_EQ(output_after_destroy(), "abc");
}

TEST_F(UartTest, NoTransmitInterruptWhenDisabled) {
    make();
    send("abcdef");
    host.run_all();
    EXPECT_EQ(host.irq_count(line), 0u);
    EXPECT_EQ(interrupt_id(), reg::iir_none);
}

TEST_F(UartTest, IirTopBitsShowFifosEnabled) {
    make();
    EXPECT_EQ(read(reg::interrupt_id), 0x01);
    write(reg::fifo_control, reg::fcr_enable);
    EXPECT_EQ(read(reg::interrupt_id), 0xC1);
    write(reg::interrupt_enable, reg::ier_transmit);
    EXPECT_EQ(read(reg::interrupt_id), 0xC2);
    write(reg::fifo_control, 0);
    EXPECT_EQ(read(reg::interrupt_id), 0x01);
}

// --- FIFO control and plain registers -------------------------------------------------

TEST_F(UartTest, FifoControlClearsTheFifos) {
    make_with_input("abc");
    host.run_until(3 * bt);
    write(reg::fifo_control, reg::fcr_enable | reg::fcr_clear_receive);
    EXPECT_EQ(read(reg::line_status) & reg::lsr_data_ready, 0);
    EXPECT_EQ(read(reg::data), 0);

    send("12345");
    write(reg::fifo_control, reg::fcr_enable | reg::fcr_clear_transmit);
    EXPECT_EQ(read(reg::line_status), reg::lsr_transmit_empty) << "queue cleared, 1 still shifting";
    host.run_all();
    EXPECT_EQ(output_after_destroy(), "1");
}

TEST_F(UartTest, PlainRegistersKeepWhatIsWritten) {
    make();
    write(reg::line_control, 0x03);
    write(reg::modem_control, 0x0B);
    write(reg::scratch, 0x5A);
    EXPECT_EQ(read(reg::line_control), 0x03);
    EXPECT_EQ(read(reg::modem_control), 0x0B);
    EXPECT_EQ(read(reg::scratch), 0x5A);
    EXPECT_EQ(read(reg::modem_status), 0xB0);
    write(reg::modem_status, 0);
    write(reg::line_status, 0);
    EXPECT_EQ(read(reg::modem_status), 0xB0) << "read-only";
    EXPECT_EQ(read(reg::line_status), thre_temt) << "read-only";
}

TEST_F(UartTest, DivisorLatchSharesOffsetsZeroAndOne) {
    make();
    write(reg::line_control, 0x80 | 0x03);
    write(reg::data, 0x01);  // divisor low, not a byte to send
    write(reg::interrupt_enable, 0x00);
    EXPECT_EQ(read(reg::data), 0x01);
    EXPECT_EQ(read(reg::interrupt_enable), 0x00);
    write(reg::line_control, 0x03);
    write(reg::interrupt_enable, reg::ier_receive);
    write(reg::line_control, 0x83);
    EXPECT_EQ(read(reg::interrupt_enable), 0x00) << "divisor high";
    write(reg::line_control, 0x03);
    EXPECT_EQ(read(reg::interrupt_enable), reg::ier_receive);
    EXPECT_EQ(host.pending_events(), 0u) << "nothing was transmitted";
}

TEST_F(UartTest, UnknownOffsetsReadAllOnesAndIgnoreWrites) {
    make();
    for (uint16_t offset : {uint16_t{8}, uint16_t{9}, uint16_t{0x100}, uint16_t{0xFFFF}}) {
        EXPECT_EQ(uart->read(offset, 1), 0xFFu);
        EXPECT_EQ(uart->read(offset, 2), 0xFFFFu);
        EXPECT_EQ(uart->read(offset, 4), 0xFFFF'FFFFu);
        uart->write(offset, 4, 0x41);
    }
    EXPECT_EQ(host.pending_events(), 0u);
}

TEST_F(UartTest, WideAccessesUseTheLowByte) {
    make();
    uart->write(reg::data, 4, 0x1234'5641);
    uart->write(reg::scratch, 2, 0xBEEF);
    EXPECT_EQ(uart->read(reg::scratch, 4), 0xEFu);
    host.run_all();
    EXPECT_EQ(output_after_destroy(), "A");
}

TEST_F(UartTest, GarbageFromAMisbehavingDriverNeverBreaksIt) {
    std::string input(300, 'z');
    write_file(dir.file("in"), input);
    make(UartConfig{.output_path = "none", .input_path = dir.file("in")});
    std::mt19937_64 random(7);
    for (int i = 0; i < 50'000; ++i) {
        const auto offset = static_cast<uint16_t>(random() % 12);
        const auto width = static_cast<uint32_t>(random() % 6);
        if (random() % 2)
            uart->write(offset, width, static_cast<uint32_t>(random()));
        else
            (void)uart->read(offset, width);
        host.run_until(host.now_ns() + random() % (bt / 4));
    }
    EXPECT_LE(host.pending_events(), 2u) << "at most a byte leaving and one arriving";
    uart->finish();
}

// --- configuration and host input -----------------------------------------------------

TEST_F(UartTest, FilesThatCannotBeOpenedThrow) {
    const std::string missing_dir = dir.file("no/such/dir/out");
    try {
        Uart bad(host, UartConfig{.output_path = missing_dir});
        FAIL() << "no exception";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("cannot open"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find(missing_dir), std::string::npos) << error.what();
    }
    EXPECT_THROW(Uart(host, UartConfig{.output_path = "none", .input_path = dir.file("missing")}), std::runtime_error);
    // An input scheduled before the output failed leaves no event behind.
    write_file(dir.file("in"), "abc");
    EXPECT_THROW(Uart(host, UartConfig{.output_path = missing_dir, .input_path = dir.file("in")}), std::runtime_error);
    EXPECT_EQ(host.pending_events(), 0u);
    EXPECT_THROW(Uart(host, UartConfig{.baud = 0, .output_path = "none"}), std::runtime_error);
}

TEST_F(UartTest, OnlyStdinInputOffersAHostDescriptor) {
    make();
    EXPECT_EQ(uart->host_fd(), -1);
    uart.reset();
    make_with_input("abc");
    EXPECT_EQ(uart->host_fd(), -1);
    uart.reset();
    make(UartConfig{.output_path = output, .input_path = "-"});
    EXPECT_EQ(uart->host_fd(), 0);
}

// Stdin replaced by a pipe for the test's duration.
class PipedStdin {
public:
    PipedStdin() {
        int ends[2];
        if (::pipe(ends) != 0) throw std::runtime_error("pipe");
        m_saved_stdin = ::dup(STDIN_FILENO);
        ::dup2(ends[0], STDIN_FILENO);
        ::close(ends[0]);
        m_writer = ends[1];
    }
    ~PipedStdin() {
        close_writer();
        ::dup2(m_saved_stdin, STDIN_FILENO);
        ::close(m_saved_stdin);
    }
    void send(const std::string& bytes) {
        ASSERT_EQ(::write(m_writer, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    }
    void close_writer() {
        if (m_writer >= 0) ::close(m_writer);
        m_writer = -1;
    }

private:
    int m_saved_stdin = -1;
    int m_writer = -1;
};

TEST_F(UartTest, StdinBytesArriveFromNowPacedByByteTime) {
    PipedStdin stdin_pipe;
    make(UartConfig{.output_path = output, .input_path = "-"});
    write(reg::interrupt_enable, reg::ier_receive);
    host.run_until(5'000);
    stdin_pipe.send("hi");
    uart->host_input_ready();
    host.run_until(5'000 + bt + bt / 2);
    stdin_pipe.send("!");
    uart->host_input_ready();  // queued behind "i", still on the wire
    host.run_all();
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{5'000 + bt, 5'000 + 2 * bt, 5'000 + 3 * bt}));
    EXPECT_EQ(received(), "hi!");
    stdin_pipe.close_writer();
    uart->host_input_ready();
    EXPECT_EQ(uart->host_fd(), -1) << "end of input: nothing more to wait for";
}

TEST(UartLifetime, DestroyingTheUartCancelsItsEvents) {
    test::TempDir dir;
    test::DeviceTestHost host;
    write_file(dir.file("in"), "abc");
    {
        Uart uart(host, UartConfig{.output_path = "none", .input_path = dir.file("in")});
        uart.write(reg::data, 1, 'x');
        EXPECT_EQ(host.pending_events(), 2u);
    }
    EXPECT_EQ(host.pending_events(), 0u);
}

}  // namespace
}  // namespace axl::sim
