// QMP for `axl boot` (tools/axl/qmp.h).
#include "tools/axl/qmp.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace axl::tools {
namespace {

using Json = nlohmann::ordered_json;

// A message longer than this is not one QEMU sends for an event: it is dropped.
constexpr size_t longest_message = 1 << 20;

// A string member's value: as it is, but on one line.
void append_text(std::string& out, std::string_view text) {
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u != 0x7f) {
            out += c;
            continue;
        }
        switch (c) {
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default: out += fmt::format("\\u{:04x}", u); break;
        }
    }
}

void append_member(std::string& out, const std::string& key, const Json& value) {
    if (value.is_object()) {
        for (const auto& [name, member] : value.items()) append_member(out, key + "." + name, member);
        return;
    }
    out += ' ';
    out += key;
    out += '=';
    if (value.is_string()) {
        append_text(out, value.get_ref<const std::string&>());
    } else {
        out += value.dump();
    }
}

}  // namespace

std::optional<std::string> qmp_event_line(const Json& message) {
    if (!message.is_object()) return std::nullopt;
    const auto event = message.find("event");
    if (event == message.end() || !event->is_string()) return std::nullopt;
    std::string line = "[qemu] ";
    append_text(line, event->get_ref<const std::string&>());
    const auto data = message.find("data");
    if (data != message.end()) {
        if (data->is_object()) {
            for (const auto& [name, member] : data->items()) append_member(line, name, member);
        } else {
            append_member(line, "data", *data);
        }
    }
    return line;
}

// --- the log's one stream ----------------------------------------------------------------

void EventSplice::serial(std::string_view bytes) {
    if (bytes.empty()) return;
    if (!m_waiting.empty() && !m_line_start) {
        const size_t end = bytes.find('\n');
        if (end == std::string_view::npos) {
            m_out(bytes);
            return;
        }
        m_out(bytes.substr(0, end + 1));
        m_line_start = true;
        bytes.remove_prefix(end + 1);
    }
    flush_events();
    if (bytes.empty()) return;
    m_out(bytes);
    m_line_start = bytes.back() == '\n';
}

void EventSplice::event(std::string_view line) {
    m_waiting.append(line);
    m_waiting.append("\r\n");
    if (m_line_start) flush_events();
}

void EventSplice::finish() {
    if (m_waiting.empty()) return;
    if (!m_line_start) m_out("\r\n");  // the serial output ended inside a line: end it, nothing more will come
    m_line_start = true;
    flush_events();
}

void EventSplice::flush_events() {
    if (m_waiting.empty()) return;
    std::string lines = std::exchange(m_waiting, {});
    m_out(lines);
}

// --- the client ---------------------------------------------------------------------------

QmpClient::QmpClient(std::string socket_path, bool resume, std::function<void(const std::string&)> event,
                     std::function<void(const std::string&)> problem)
    : m_path(std::move(socket_path)), m_resume(resume), m_event(std::move(event)), m_problem(std::move(problem)) {}

QmpClient::~QmpClient() { close(); }

void QmpClient::close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
}

bool QmpClient::try_connect() {
    if (m_fd >= 0) return true;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (m_path.size() >= sizeof address.sun_path) {
        m_last_error = fmt::format("the path is longer than a unix socket's {} bytes", sizeof address.sun_path - 1);
        return false;
    }
    std::copy(m_path.begin(), m_path.end(), address.sun_path);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        m_last_error = std::strerror(errno);
        return false;
    }
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        m_last_error = std::strerror(errno);
        ::close(fd);
        return false;
    }
    m_fd = fd;
    // QEMU reads these after its greeting; the replies are checked in message().
    std::string commands = R"({"execute":"qmp_capabilities","id":"qmp_capabilities"})"
                           "\n";
    if (m_resume) commands += R"({"execute":"cont","id":"cont"})"
                              "\n";
    std::string_view rest = commands;
    while (!rest.empty()) {
        const ssize_t sent = ::send(m_fd, rest.data(), rest.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) {
            say_once("send", fmt::format("cannot send to QEMU's QMP socket {}: {}", m_path, std::strerror(errno)));
            close();
            break;
        }
        rest.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
}

bool QmpClient::read() {
    if (m_fd < 0) return false;
    char buffer[16384];
    const ssize_t got = ::recv(m_fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (got <= 0) {
        // The end, or an error (a reset when QEMU exits): either way, no more events.
        close();
        return false;
    }
    feed(std::string_view(buffer, static_cast<size_t>(got)));
    return true;
}

void QmpClient::drain() {
    while (m_fd >= 0) {
        char buffer[16384];
        const ssize_t got = ::recv(m_fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        feed(std::string_view(buffer, static_cast<size_t>(got)));
    }
    close();
}

void QmpClient::feed(std::string_view bytes) {
    while (!bytes.empty()) {
        const size_t end = bytes.find('\n');
        if (end == std::string_view::npos) {
            m_partial.append(bytes);
            if (m_partial.size() > longest_message) {
                say_once("long", fmt::format("QEMU's QMP socket sent a message longer than {} bytes: dropped",
                                             longest_message));
                m_partial.clear();
            }
            return;
        }
        m_partial.append(bytes.substr(0, end));
        bytes.remove_prefix(end + 1);
        std::string line = std::exchange(m_partial, {});
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) message(line);
    }
}

void QmpClient::message(std::string_view line) {
    const Json parsed = Json::parse(line, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        say_once("json", fmt::format("QEMU's QMP socket sent a line that is not a JSON object: {}",
                                     line.substr(0, 200)));
        return;
    }
    if (std::optional<std::string> event = qmp_event_line(parsed)) {
        m_event(*event);
        return;
    }
    const auto error = parsed.find("error");
    if (error != parsed.end()) {
        const auto id = parsed.find("id");
        const std::string command = id != parsed.end() && id->is_string() ? id->get<std::string>() : "a command";
        const std::string desc = error->is_object() && error->contains("desc") && error->at("desc").is_string()
                                     ? error->at("desc").get<std::string>()
                                     : error->dump();
        say_once("error " + command, fmt::format("QEMU refused {} on its QMP socket: {}", command, desc));
    }
    // Anything else is the greeting or a command's return: nothing to report.
}

void QmpClient::say_once(const std::string& kind, const std::string& text) {
    if (std::find(m_said.begin(), m_said.end(), kind) != m_said.end()) return;
    m_said.push_back(kind);
    m_problem(text);
}

}  // namespace axl::tools
