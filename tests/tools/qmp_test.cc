// QMP for `axl boot` (tools/axl/qmp.h): the line each QEMU event becomes,
// the events put between the serial output's lines, and the client against a
// stand-in for QEMU's socket that greets, replies and reports events the way
// QEMU 7.2 does (the messages below are QEMU's own, recorded from a run).
#include "tools/axl/qmp.h"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace axl::tools {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::optional<std::string> line_of(const char* message) { return qmp_event_line(Json::parse(message)); }

TEST(QmpEventLine, NamesTheEventAndItsDataWithoutTheTimestamp) {
    EXPECT_EQ(line_of(R"({"timestamp": {"seconds": 1796679711, "microseconds": 820105}, "event": "WATCHDOG",
                          "data": {"action": "debug"}})"),
              "[qemu] WATCHDOG action=debug");
    EXPECT_EQ(line_of(R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"})"), "[qemu] STOP");
    EXPECT_EQ(line_of(R"({"event": "RESUME", "data": {}})"), "[qemu] RESUME");
}

TEST(QmpEventLine, KeepsQemusOrderAndWritesScalarsAsJsonDoes) {
    EXPECT_EQ(line_of(R"({"event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-reset"}})"),
              "[qemu] SHUTDOWN guest=true reason=guest-reset");
    // Not sorted: the order QEMU's schema gives.
    EXPECT_EQ(line_of(R"({"event": "X", "data": {"zeta": 1, "alpha": -2.5, "none": null, "no": false}})"),
              "[qemu] X zeta=1 alpha=-2.5 none=null no=false");
}

TEST(QmpEventLine, FlattensObjectsAndWritesArraysAsJson) {
    EXPECT_EQ(line_of(R"({"event": "GUEST_PANICKED",
                          "data": {"action": "run", "info": {"type": "hyper-v", "arg1": 7, "deeper": {"x": "y"}}}})"),
              "[qemu] GUEST_PANICKED action=run info.type=hyper-v info.arg1=7 info.deeper.x=y");
    EXPECT_EQ(line_of(R"({"event": "X", "data": {"empty": {}, "list": ["a", 1], "after": "z"}})"),
              "[qemu] X list=[\"a\",1] after=z");
    // A data that is not an object, which QEMU does not send, is not lost.
    EXPECT_EQ(line_of(R"({"event": "X", "data": [1, 2]})"), "[qemu] X data=[1,2]");
}

TEST(QmpEventLine, StringsStayUnquotedAndOnOneLine) {
    EXPECT_EQ(line_of(R"({"event": "BLOCK_IO_ERROR", "data": {"device": "ide0-cd0", "reason": "Input/output error"}})"),
              "[qemu] BLOCK_IO_ERROR device=ide0-cd0 reason=Input/output error");
    EXPECT_EQ(line_of(R"({"event": "X", "data": {"text": "two\nlines\tand\u0001"}})"),
              "[qemu] X text=two\\nlines\\tand\\u0001");
}

TEST(QmpEventLine, IsNothingForMessagesThatAreNotEvents) {
    EXPECT_FALSE(line_of(R"({"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}}, "capabilities": ["oob"]}})"));
    EXPECT_FALSE(line_of(R"({"return": {}})"));
    EXPECT_FALSE(line_of(R"({"error": {"class": "GenericError", "desc": "no"}})"));
    EXPECT_FALSE(line_of(R"({"event": 3})"));
    EXPECT_FALSE(line_of(R"([1, 2])"));
}

// What EventSplice hands on, one string per call.
struct Spliced {
    std::vector<std::string> pieces;
    EventSplice splice{[this](std::string_view bytes) { pieces.emplace_back(bytes); }};
    std::string all() const {
        std::string text;
        for (const std::string& piece : pieces) text += piece;
        return text;
    }
};

TEST(EventSplice, PassesTheSerialOutputOnUnchanged) {
    Spliced s;
    s.splice.serial("GRUB\x1b[2J\r\n");
    s.splice.serial("verdict: pa");
    s.splice.serial("ss\r\n");
    s.splice.finish();
    EXPECT_EQ(s.all(), "GRUB\x1b[2J\r\nverdict: pass\r\n");
}

TEST(EventSplice, AnEventBetweenLinesGoesOutAtOnce) {
    Spliced s;
    s.splice.event("[qemu] RESUME");  // before any serial output
    s.splice.serial("line\r\n");
    s.splice.event("[qemu] WATCHDOG action=debug");
    EXPECT_EQ(s.all(), "[qemu] RESUME\r\nline\r\n[qemu] WATCHDOG action=debug\r\n");
}

TEST(EventSplice, AnEventInsideALineWaitsForItsEnd) {
    Spliced s;
    s.splice.serial("verdict: pa");
    s.splice.event("[qemu] WATCHDOG action=debug");
    s.splice.event("[qemu] GUEST_PANICKED action=run");
    EXPECT_EQ(s.all(), "verdict: pa") << "nothing may split the line";
    s.splice.serial("ss");
    s.splice.serial("\r\nnext li");
    s.splice.serial("ne\r\n");
    EXPECT_EQ(s.all(),
              "verdict: pass\r\n[qemu] WATCHDOG action=debug\r\n[qemu] GUEST_PANICKED action=run\r\nnext line\r\n");
}

TEST(EventSplice, FinishEndsAnUnfinishedLineBeforeTheEventsStillWaiting) {
    Spliced s;
    s.splice.serial("hung mid-line");
    s.splice.event("[qemu] WATCHDOG action=reset");
    s.splice.finish();
    EXPECT_EQ(s.all(), "hung mid-line\r\n[qemu] WATCHDOG action=reset\r\n");
    // Nothing waiting: the serial output stays as it ended.
    Spliced quiet;
    quiet.splice.serial("no end");
    quiet.splice.finish();
    EXPECT_EQ(quiet.all(), "no end");
}

// A stand-in for QEMU's side of the QMP socket, in a directory of its own.
class QmpClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string name = (fs::temp_directory_path() / "axl-qmp-test-XXXXXX").string();
        ASSERT_NE(::mkdtemp(name.data()), nullptr) << std::strerror(errno);
        m_dir = name;
        m_path = (m_dir / "qmp.sock").string();
    }
    void TearDown() override {
        if (m_listener >= 0) ::close(m_listener);
        if (m_peer >= 0) ::close(m_peer);
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
    }

    void listen_now() {
        m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_GE(m_listener, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        m_path.copy(address.sun_path, sizeof address.sun_path - 1);
        ASSERT_EQ(::bind(m_listener, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0)
            << std::strerror(errno);
        ASSERT_EQ(::listen(m_listener, 1), 0);
    }
    void accept_now() {
        m_peer = ::accept(m_listener, nullptr, nullptr);
        ASSERT_GE(m_peer, 0) << std::strerror(errno);
    }
    void send_text(std::string_view text) {
        ASSERT_EQ(::send(m_peer, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
    }
    // What the client sent, up to `lines` lines.
    std::string received(int lines) {
        std::string text;
        char c;
        while (lines > 0 && ::read(m_peer, &c, 1) == 1) {
            text += c;
            if (c == '\n') --lines;
        }
        return text;
    }
    // Reads until the client has everything the stand-in sent (read() after
    // a send can come before the bytes are there; a socket pair is quick).
    void read_all(QmpClient& client) {
        for (int i = 0; i < 100 && client.read(); ++i) ::usleep(1000);
    }

    fs::path m_dir;
    std::string m_path;
    int m_listener = -1;
    int m_peer = -1;
    std::vector<std::string> m_events;
    std::vector<std::string> m_problems;
    std::function<void(const std::string&)> m_on_event = [this](const std::string& line) { m_events.push_back(line); };
    std::function<void(const std::string&)> m_on_problem = [this](const std::string& text) {
        m_problems.push_back(text);
    };
};

TEST_F(QmpClientTest, TriesAgainUntilQemuHasMadeItsSocket) {
    QmpClient client(m_path, false, m_on_event, m_on_problem);
    EXPECT_FALSE(client.try_connect());
    EXPECT_EQ(client.last_error(), "No such file or directory");
    EXPECT_EQ(client.fd(), -1);
    listen_now();
    EXPECT_TRUE(client.try_connect());
    EXPECT_TRUE(client.connected());
    EXPECT_GE(client.fd(), 0);
    EXPECT_TRUE(m_problems.empty());
}

TEST_F(QmpClientTest, NegotiatesAndTurnsEventsIntoLines) {
    listen_now();
    QmpClient client(m_path, false, m_on_event, m_on_problem);
    ASSERT_TRUE(client.try_connect());
    accept_now();
    EXPECT_EQ(received(1), "{\"execute\":\"qmp_capabilities\",\"id\":\"qmp_capabilities\"}\n");
    // QEMU's lines end in \r\n; a message may come in pieces.
    send_text(R"({"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian"}, "capabilities": ["oob"]}})"
              "\r\n"
              R"({"return": {}, "id": "qmp_capabilities"})"
              "\r\n"
              R"({"timestamp": {"seconds": 1796679711, "microseconds": 820105}, "event": "WATCH)");
    read_all(client);
    EXPECT_TRUE(m_events.empty());
    send_text(R"(DOG", "data": {"action": "debug"}})"
              "\r\n"
              R"({"timestamp": {"seconds": 1796679713, "microseconds": 722691}, "event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-reset"}})"
              "\r\n");
    read_all(client);
    EXPECT_EQ(m_events, (std::vector<std::string>{"[qemu] WATCHDOG action=debug",
                                                  "[qemu] SHUTDOWN guest=true reason=guest-reset"}));
    EXPECT_TRUE(m_problems.empty()) << m_problems.front();
    // QEMU exits: the end of the connection.
    ::close(m_peer);
    m_peer = -1;
    read_all(client);
    EXPECT_FALSE(client.read());
    EXPECT_EQ(client.fd(), -1);
}

TEST_F(QmpClientTest, ResumesAGuestHeldByMinusS) {
    listen_now();
    QmpClient client(m_path, true, m_on_event, m_on_problem);
    ASSERT_TRUE(client.try_connect());
    accept_now();
    EXPECT_EQ(received(2),
              "{\"execute\":\"qmp_capabilities\",\"id\":\"qmp_capabilities\"}\n{\"execute\":\"cont\",\"id\":\"cont\"}\n");
}

TEST_F(QmpClientTest, SaysOnceWhatWentWrongAndGoesOn) {
    listen_now();
    QmpClient client(m_path, true, m_on_event, m_on_problem);
    ASSERT_TRUE(client.try_connect());
    accept_now();
    send_text(R"({"id": "cont", "error": {"class": "GenericError", "desc": "Resetting the Virtual Machine is required"}})"
              "\r\nnot json\r\n[1]\r\n"
              R"({"event": "STOP"})"
              "\r\n");
    ::close(m_peer);  // the last events are still read after QEMU's end
    m_peer = -1;
    client.drain();
    EXPECT_EQ(client.fd(), -1);
    EXPECT_EQ(m_events, std::vector<std::string>{"[qemu] STOP"});
    ASSERT_EQ(m_problems.size(), 2u);
    EXPECT_EQ(m_problems[0], "QEMU refused cont on its QMP socket: Resetting the Virtual Machine is required");
    EXPECT_EQ(m_problems[1], "QEMU's QMP socket sent a line that is not a JSON object: not json");
}

TEST_F(QmpClientTest, RefusesAPathTooLongForAUnixSocket) {
    QmpClient client(std::string(200, 'x'), false, m_on_event, m_on_problem);
    EXPECT_FALSE(client.try_connect());
    EXPECT_EQ(client.last_error(), "the path is longer than a unix socket's 107 bytes");
}

}  // namespace
}  // namespace axl::tools
