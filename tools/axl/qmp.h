// QEMU's machine protocol (QMP) as `axl boot` uses it: what QEMU's device
// models do (a watchdog firing, a guest panic through pvpanic, a reset, the
// machine stopping or resuming) arrives as QMP events, which become lines of
// the boot's log and echo, `[qemu] EVENT key=value ...`, so that a boot test
// can --expect or --forbid them like the kernel's own lines
// (docs/bare-metal-boot.md, "QEMU's events").
//
// QMP is one JSON object a line over a socket: QEMU greets, the client asks
// for command mode (qmp_capabilities), and from then on QEMU sends events as
// they happen and a reply to each command.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace axl::tools {

// The line for one QMP message if it is an event ({"event": NAME, "data":
// {...}, "timestamp": {...}}), nullopt for anything else (the greeting, a
// command's reply). The form: "[qemu] NAME", then each member of `data`, in
// the order QEMU sent them, as " key=value":
//   - a string as it is, unquoted (a control character escaped as in JSON,
//     so that the line stays one line);
//   - a number, true, false or null as JSON writes it;
//   - an object's members flattened, key.member=value (nothing for an empty one);
//   - an array as compact JSON.
// The timestamp is left out: two runs print the same lines.
//   {"event":"WATCHDOG","data":{"action":"debug"},...}  ->  [qemu] WATCHDOG action=debug
std::optional<std::string> qmp_event_line(const nlohmann::ordered_json& message);

// The log of a boot test is one stream: QEMU's serial output as it comes, and
// the event lines put in between two of its lines, never inside one, so that
// a text the kernel prints is never split by an event. An event that arrives
// while the serial output is in the middle of a line waits for the end of
// that line (or for finish()). Each event line ends in "\r\n", as the
// kernel's lines do.
class EventSplice {
public:
    explicit EventSplice(std::function<void(std::string_view)> out) : m_out(std::move(out)) {}

    void serial(std::string_view bytes);
    void event(std::string_view line);  // the line without its end
    void finish();                      // the events still waiting: out now

private:
    void flush_events();

    std::function<void(std::string_view)> m_out;
    bool m_line_start = true;
    std::string m_waiting;
};

// A QMP client on QEMU's unix socket, for a loop that polls it along with
// other descriptors. QEMU makes the socket some time after it starts, so
// connecting is tried again (try_connect) until it works or the caller gives
// up. Once connected, it asks for command mode and, if `resume`, sends `cont`
// (for a QEMU started with -S, so that the guest runs only once every event
// can be seen). Events go to `event` as lines (qmp_event_line); what goes
// wrong once connected (a command refused, a line that is not JSON) goes to
// `problem`, each kind once.
class QmpClient {
public:
    QmpClient(std::string socket_path, bool resume, std::function<void(const std::string&)> event,
              std::function<void(const std::string&)> problem);
    ~QmpClient();
    QmpClient(const QmpClient&) = delete;
    QmpClient& operator=(const QmpClient&) = delete;

    // One attempt, without waiting. True once a connection has been made
    // (fd() says whether it lasts: sending the commands can fail); false,
    // with last_error() saying why, if there is none yet.
    bool try_connect();
    bool connected() const { return m_fd >= 0; }
    const std::string& last_error() const { return m_last_error; }
    const std::string& socket_path() const { return m_path; }

    // The descriptor to poll for input; -1 when not connected (yet, or any more).
    int fd() const { return m_fd; }
    // Reads what the socket holds (call it when poll says so). False when the
    // connection has ended (QEMU exited, or an error): the socket is closed.
    bool read();
    // What is left to read, without waiting: the last events of a QEMU that
    // has exited. Closes the socket.
    void drain();

private:
    void feed(std::string_view bytes);
    void message(std::string_view line);
    void say_once(const std::string& kind, const std::string& text);
    void close();

    std::string m_path;
    bool m_resume;
    std::function<void(const std::string&)> m_event;
    std::function<void(const std::string&)> m_problem;
    int m_fd = -1;
    std::string m_last_error;
    std::string m_partial;  // a message not yet ended by its newline
    std::vector<std::string> m_said;
};

}  // namespace axl::tools
