// Test support (header-only; include from exactly one *_test.cc per binary).
//
// 1. `axt_script`: one program that runs a small script of IPC and kernel calls
//    from its "script" argument and logs what every call returned, so a test
//    describes each process's behaviour in one line and asserts on the console.
// 2. Helpers to build a SystemDescription in code, run it, and read the report:
//    console lines with endpoints turned back into process names.
//
// Script language: operations separated by ';', tokens by spaces.
//
//   send X [t=T] [w=W] [p=SEED] [f=FORGED]   log "send X -> STATUS"
//   sendnb X ...                              log "sendnb X -> STATUS"
//   sendrec X ...                             log "sendrec X -> STATUS[ src=S type=T w=W]"
//   recv X                                    log "recv X -> STATUS[ src=S type=T w=W]"
//   replyrecv X [t=T] [w=W] ...               reply_receive: sends like sendnb to X, then (only if
//                                             that was ok) receives from any, in one kernel entry;
//                                             "replyrecv X -> STATUS[ src=S type=T w=W]" (the
//                                             message received; "replyrecv last" answers the
//                                             last request and waits for the next)
//   notify X                                  log "notify X -> STATUS"
//   reply [t=T] [w=W]                         send to the last received source; "reply -> STATUS"
//   fill X [t=T] [w=W]                        sendnb until it fails: "fill X -> N STATUS"
//   check SEED                                last received payload == pattern(SEED), all 56 bytes:
//                                             "check -> ok" or "check -> bad byte I got G want E"
//   lookup NAME                               "lookup NAME -> STATUS" (caches the endpoint)
//   yield | compute NS                        logged only when not ok: "yield -> STATUS"
//   clock                                     "clock -> STATUS NS"
//   self                                      "self -> S"
//   log TEXT...                               TEXT
//   exit N                                    exit(N)
//   park                                      receive from the HARDWARE pseudo-endpoint, which
//                                             never sends here: blocks for good (expect = serve)
//   fault null | div | stack                  a real fault inside the process
//   N*OP ...                                  OP N times; w= (default 0) counts up from W
//
// Endpoints X: a process name (looked up on first use and cached: an endpoint
// kept from before that process died stays stale), #SLOT or #SLOT:GEN
// (Endpoint::make), raw:N, any, none, hardware, system, clock, self, last (the
// source of the last received message). A name that cannot be resolved logs
// "resolve NAME -> STATUS" and uses endpoint raw 0.
//
// Sources S are printed "@RAW"; console_of()/lines_of() rewrite "@RAW" into the
// name of the process whose endpoint it is, so a forged or stale source stays
// visible as a number. Notifications print type=notify, w = words[0].
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "kernel/api/calls.h"
#include "kernel/api/endpoint.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/program.h"
#include "kernel/api/status.h"
#include "kernel/config.h"
#include "kernel/ipc_strategy.h"
#include "kernel/process.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"

namespace axl::test {

// ---- the script interpreter (runs inside a process) -------------------------------

// The 56-byte pattern `check` expects and `p=` sends: every byte depends on the
// seed and its index, so a lost, shifted or zeroed byte anywhere is caught.
inline uint8_t pattern_byte(uint64_t seed, uint32_t index) {
    uint64_t x = seed * 0x9E37'79B9'7F4A'7C15ull + index * 0xBF58'476D'1CE4'E5B9ull;
    x ^= x >> 29;
    return static_cast<uint8_t>(x ^ (x >> 8) ^ (index * 37u + 11u));
}

namespace detail {

inline std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string current;
    for (char c : text) {
        if (c == separator) {
            parts.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    parts.push_back(current);
    return parts;
}

inline std::vector<std::string> tokens(const std::string& text) {
    std::vector<std::string> out;
    std::string current;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n') {
            if (!current.empty()) out.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) out.push_back(current);
    return out;
}

inline std::string show(Endpoint e) {
    if (e == endpoints::any) return "any";
    if (e == endpoints::none) return "none";
    if (e == endpoints::hardware) return "hardware";
    if (e == endpoints::system) return "system";
    if (e == endpoints::clock) return "clock";
    return "@" + std::to_string(e.raw);
}

inline std::string show_type(uint32_t type) {
    return type == message_types::notify ? std::string("notify") : std::to_string(type);
}

class Interpreter {
public:
    int32_t run(const std::string& script) {
        for (const std::string& raw_op : split(script, ';')) {
            std::vector<std::string> words = tokens(raw_op);
            if (words.empty()) continue;
            uint64_t repeat = 1;
            if (size_t star = words[0].find('*'); star != std::string::npos) {
                repeat = std::stoull(words[0].substr(0, star));
                words[0] = words[0].substr(star + 1);
            }
            for (uint64_t i = 0; i < repeat; ++i) execute(words, i);
        }
        return 0;
    }

private:
    struct Options {
        uint32_t type = 1;
        uint64_t word = 0;
        bool has_pattern = false;
        uint64_t pattern = 0;
        bool forge = false;
        std::string forged;
    };

    Options options(const std::vector<std::string>& words, size_t first, uint64_t iteration) {
        Options o;
        for (size_t i = first; i < words.size(); ++i) {
            const std::string& w = words[i];
            if (w.rfind("t=", 0) == 0) o.type = static_cast<uint32_t>(std::stoull(w.substr(2)));
            else if (w.rfind("w=", 0) == 0) o.word = std::stoull(w.substr(2));
            else if (w.rfind("p=", 0) == 0) o.has_pattern = true, o.pattern = std::stoull(w.substr(2));
            else if (w.rfind("f=", 0) == 0) o.forge = true, o.forged = w.substr(2);
            else fail("script: unknown option '%s'", w.c_str());
        }
        o.word += iteration;
        return o;
    }

    Message build(const Options& o) {
        Message m;
        m.type = o.type;
        if (o.has_pattern) {
            for (uint32_t i = 0; i < Message::payload_bytes; ++i) m.payload.bytes[i] = pattern_byte(o.pattern, i);
        } else {
            m.payload.words[0] = o.word;
        }
        if (o.forge) m.source = resolve(o.forged);
        return m;
    }

    Endpoint resolve(const std::string& spec) {
        if (spec == "any") return endpoints::any;
        if (spec == "none") return endpoints::none;
        if (spec == "hardware") return endpoints::hardware;
        if (spec == "system") return endpoints::system;
        if (spec == "clock") return endpoints::clock;
        if (spec == "self") return axl::self();
        if (spec == "last") return m_last.source;
        if (spec.rfind("raw:", 0) == 0) return Endpoint{static_cast<uint32_t>(std::stoull(spec.substr(4)))};
        if (!spec.empty() && spec[0] == '#') {
            std::vector<std::string> parts = split(spec.substr(1), ':');
            uint32_t slot = static_cast<uint32_t>(std::stoul(parts[0]));
            uint32_t generation = parts.size() > 1 ? static_cast<uint32_t>(std::stoul(parts[1])) : 1;
            return Endpoint::make(slot, generation);
        }
        if (auto found = m_cache.find(spec); found != m_cache.end()) return found->second;
        Endpoint e{0};
        Status status = axl::lookup(spec.c_str(), e);
        if (status != Status::ok) {
            axl::log("resolve %s -> %s", spec.c_str(), to_string(status));
            return Endpoint{0};
        }
        m_cache[spec] = e;
        return e;
    }

    void log_received(const char* what, const std::string& target, Status status, const Message& m) {
        if (status == Status::ok)
            axl::log("%s %s -> ok src=%s type=%s w=%llu", what, target.c_str(), show(m.source).c_str(),
                     show_type(m.type).c_str(), static_cast<unsigned long long>(m.payload.words[0]));
        else
            axl::log("%s %s -> %s", what, target.c_str(), to_string(status));
    }

    void execute(const std::vector<std::string>& w, uint64_t iteration) {
        const std::string& op = w[0];
        auto target = [&]() -> const std::string& {
            if (w.size() < 2) fail("script: '%s' needs an endpoint", op.c_str());
            return w[1];
        };
        if (op == "send" || op == "sendnb") {
            Message m = build(options(w, 2, iteration));
            Endpoint e = resolve(target());
            Status s = op == "send" ? axl::send(e, m) : axl::sendnb(e, m);
            axl::log("%s %s -> %s", op.c_str(), w[1].c_str(), to_string(s));
        } else if (op == "sendrec") {
            Message m = build(options(w, 2, iteration));
            Endpoint e = resolve(target());
            Status s = axl::sendrec(e, m);
            if (s == Status::ok) m_last = m;
            log_received("sendrec", w[1], s, m);
        } else if (op == "replyrecv") {
            Message m = build(options(w, 2, iteration));
            Endpoint e = resolve(target());
            Status s = axl::reply_receive(e, m);
            if (s == Status::ok) m_last = m;
            log_received("replyrecv", w[1], s, m);
        } else if (op == "recv") {
            Endpoint e = resolve(target());
            Message m;
            Status s = axl::receive(e, m);
            if (s == Status::ok) m_last = m;
            log_received("recv", w[1], s, m);
        } else if (op == "notify") {
            Endpoint e = resolve(target());
            Status s = axl::notify(e);
            axl::log("notify %s -> %s", w[1].c_str(), to_string(s));
        } else if (op == "reply") {
            Message m = build(options(w, 1, iteration));
            Status s = axl::send(m_last.source, m);
            axl::log("reply -> %s", to_string(s));
        } else if (op == "fill") {
            Options o = options(w, 2, iteration);
            Endpoint e = resolve(target());
            uint64_t sent = 0;
            Status s = Status::ok;
            for (; sent < 10'000; ++sent) {
                Message m = build(o);
                m.payload.words[0] = o.word + sent;
                s = axl::sendnb(e, m);
                if (s != Status::ok) break;
            }
            axl::log("fill %s -> %llu %s", w[1].c_str(), static_cast<unsigned long long>(sent), to_string(s));
        } else if (op == "check") {
            uint64_t seed = std::stoull(target());
            for (uint32_t i = 0; i < Message::payload_bytes; ++i) {
                if (m_last.payload.bytes[i] != pattern_byte(seed, i)) {
                    axl::log("check -> bad byte %u got %u want %u", i, m_last.payload.bytes[i], pattern_byte(seed, i));
                    return;
                }
            }
            axl::log("check -> ok");
        } else if (op == "lookup") {
            Endpoint e{0};
            Status s = axl::lookup(target().c_str(), e);
            if (s == Status::ok) m_cache[w[1]] = e;
            axl::log("lookup %s -> %s", w[1].c_str(), to_string(s));
        } else if (op == "yield") {
            Status s = axl::yield();
            if (s != Status::ok) axl::log("yield -> %s", to_string(s));
        } else if (op == "compute") {
            Status s = axl::compute(std::stoull(target()));
            if (s != Status::ok) axl::log("compute -> %s", to_string(s));
        } else if (op == "clock") {
            uint64_t ns = 0;
            Status s = axl::clock(ns);
            axl::log("clock -> %s %llu", to_string(s), static_cast<unsigned long long>(ns));
        } else if (op == "self") {
            axl::log("self -> %s", show(axl::self()).c_str());
        } else if (op == "log") {
            std::string text;
            for (size_t i = 1; i < w.size(); ++i) text += (i > 1 ? " " : "") + w[i];
            axl::log("%s", text.c_str());
        } else if (op == "park") {
            Message m;
            Status s = axl::receive(endpoints::hardware, m);
            axl::log("park -> %s", to_string(s));
        } else if (op == "exit") {
            axl::exit(static_cast<int32_t>(std::stol(target())));
        } else if (op == "fault") {
            fault(target());
        } else {
            fail("script: unknown operation '%s'", op.c_str());
        }
    }

    static void fault(const std::string& kind);

    std::map<std::string, Endpoint> m_cache;
    Message m_last;
};

// Real faults, written so the compiler keeps them.
[[gnu::noinline]] inline uint64_t recurse_forever(uint64_t depth) {
    volatile uint8_t frame[512];
    frame[depth % sizeof frame] = static_cast<uint8_t>(depth);
    return recurse_forever(depth + 1) + frame[(depth * 7) % sizeof frame];
}

inline void Interpreter::fault(const std::string& kind) {
    if (kind == "null") {
        volatile int* volatile pointer = nullptr;
        *pointer = 42;
    } else if (kind == "div") {
        volatile int zero = 0;
        volatile int result = 7 / zero;
        (void)result;
    } else if (kind == "stack") {
        volatile uint64_t sink = recurse_forever(0);
        (void)sink;
    } else {
        fail("script: unknown fault '%s'", kind.c_str());
    }
    axl::log("fault %s -> survived", kind.c_str());
}

}  // namespace detail

}  // namespace axl::test

AXL_PROGRAM(axt_script, "test support: runs the IPC script in its 'script' argument, logging every result",
            axl::string_option("script", "", "the IPC script (tests/support/script_program.h)")) {
    axl::test::detail::Interpreter interpreter;
    return interpreter.run(axl::arg_string("script", ""));
}

namespace axl::test {

// ---- building and running systems -----------------------------------------------------

inline constexpr IpcStrategyKind all_strategies[] = {IpcStrategyKind::rendezvous, IpcStrategyKind::ring,
                                                     IpcStrategyKind::queue};
inline constexpr IpcStrategyKind buffered_strategies[] = {IpcStrategyKind::ring, IpcStrategyKind::queue};

inline std::string strategy_param_name(const ::testing::TestParamInfo<IpcStrategyKind>& test_info) {
    return to_string(test_info.param);
}

// How many messages a strategy keeps for one receiver from senders on one CPU
// before a sender blocks.
inline uint32_t buffer_capacity(IpcStrategyKind kind) {
    switch (kind) {
        case IpcStrategyKind::rendezvous: return 0;
        case IpcStrategyKind::ring: return config::ring_capacity;
        case IpcStrategyKind::queue: return config::queue_capacity;
    }
    return 0;
}

// A system of script processes. Every process starts with every primitive,
// every kernel call, every destination and expect = exit; tests narrow that.
class SystemBuilder {
public:
    explicit SystemBuilder(IpcStrategyKind ipc = IpcStrategyKind::rendezvous, uint32_t cpus = 1) {
        m_system.path = "test.toml";
        m_system.name = "test";
        m_system.ipc = ipc;
        m_system.cpus = cpus;
        m_system.seed = 1;
        m_system.processes.reserve(256);  // references returned by add() stay valid
    }

    sim::ProcessDescription& add(const std::string& name, const std::string& script) {
        sim::ProcessDescription& p = add_program(name, "axt_script");
        p.args["script"] = script;
        return p;
    }

    // A process that stays alive after its script (parked, expect = serve), so
    // its endpoint stays valid for receive(from it) under every strategy.
    sim::ProcessDescription& add_parked(const std::string& name, const std::string& script) {
        sim::ProcessDescription& p = add(name, script + "; park");
        p.expect = sim::Expectation::serve;
        return p;
    }

    sim::ProcessDescription& add_program(const std::string& name, const std::string& program) {
        sim::ProcessDescription p;
        p.name = name;
        p.program = program;
        p.line = static_cast<uint32_t>(m_system.processes.size() + 1);
        p.primitives = all_primitives;
        p.kernel_calls = all_kernel_calls;
        p.all_destinations = true;
        p.expect = sim::Expectation::exit;
        m_system.processes.push_back(std::move(p));
        return m_system.processes.back();
    }

    sim::SystemDescription& system() { return m_system; }
    const sim::SystemDescription& system() const { return m_system; }

private:
    sim::SystemDescription m_system;
};

inline sim::RunReport run_traced(const sim::SystemDescription& system, sim::TraceLevel level) {
    sim::RunOptions options;
    options.echo_console = false;
    options.trace_level = level;
    sim::Simulator simulator(system, options);
    return simulator.run();
}

// Everything a process can observe, and everything the report says about it,
// must be the same with tracing on and off: the kernel may take different
// code paths (fast paths are only used with tracing off, on one CPU) but must
// keep the same semantics and charge the same virtual time.
inline void expect_same_behaviour(const sim::RunReport& traced, const sim::RunReport& untraced) {
    EXPECT_EQ(traced.console, untraced.console) << "console differs with tracing off";
    EXPECT_EQ(traced.messages, untraced.messages) << "messages differ with tracing off";
    EXPECT_EQ(traced.virtual_ns, untraced.virtual_ns) << "virtual time differs with tracing off";
    EXPECT_EQ(traced.ok, untraced.ok);
    // Failure lines may quote host addresses (a fault's stack), which differ per run.
    auto without_addresses = [](std::vector<std::string> lines) {
        for (std::string& line : lines) {
            std::string out;
            for (size_t i = 0; i < line.size(); ++i) {
                if (line.compare(i, 2, "0x") == 0) {
                    out += "0x?";
                    i += 2;
                    while (i < line.size() && std::isxdigit(static_cast<unsigned char>(line[i]))) ++i;
                    --i;
                } else {
                    out += line[i];
                }
            }
            line = out;
        }
        return lines;
    };
    EXPECT_EQ(without_addresses(traced.failures), without_addresses(untraced.failures));
    ASSERT_EQ(traced.processes.size(), untraced.processes.size());
    for (size_t i = 0; i < traced.processes.size(); ++i) {
        const sim::ProcessReport& a = traced.processes[i];
        const sim::ProcessReport& b = untraced.processes[i];
        SCOPED_TRACE("process " + a.name + " with tracing off");
        EXPECT_EQ(a.state, b.state);
        EXPECT_EQ(a.exit_status, b.exit_status);
        EXPECT_EQ(a.counters.sent, b.counters.sent);
        EXPECT_EQ(a.counters.received, b.counters.received);
        EXPECT_EQ(a.counters.notifies_sent, b.counters.notifies_sent);
        EXPECT_EQ(a.counters.kernel_calls, b.counters.kernel_calls);
        EXPECT_EQ(a.counters.denied, b.counters.denied);
        EXPECT_EQ(a.counters.blocked, b.counters.blocked);
        EXPECT_EQ(a.counters.cpu_ns, b.counters.cpu_ns);
    }
}

// Runs the system twice, with the trace digest (the default) and with tracing
// off, checks both behave the same, and returns the traced report.
inline sim::RunReport run(const sim::SystemDescription& system) {
    sim::RunReport traced = run_traced(system, sim::TraceLevel::digest);
    sim::RunReport untraced = run_traced(system, sim::TraceLevel::off);
    expect_same_behaviour(traced, untraced);
    return traced;
}

inline sim::RunReport run(const SystemBuilder& builder) { return run(builder.system()); }

// "@RAW" -> the name of the process whose endpoint RAW is (unknown ones stay).
inline std::string name_endpoints(const sim::RunReport& report, const std::string& line) {
    std::string out;
    for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] != '@' || i + 1 >= line.size() || line[i + 1] < '0' || line[i + 1] > '9') {
            out += line[i];
            continue;
        }
        size_t end = i + 1;
        while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
        uint64_t raw = std::stoull(line.substr(i + 1, end - i - 1));
        std::string name;
        for (const sim::ProcessReport& p : report.processes)
            if (p.endpoint.raw == raw) name = p.name;
        out += name.empty() ? line.substr(i, end - i) : name;
        i = end - 1;
    }
    return out;
}

// The whole console, "[name] text", with endpoints named.
inline std::vector<std::string> console_of(const sim::RunReport& report) {
    std::vector<std::string> lines;
    for (const std::string& line : report.console) lines.push_back(name_endpoints(report, line));
    return lines;
}

// One process's lines, without the "[name] " prefix, with endpoints named.
inline std::vector<std::string> lines_of(const sim::RunReport& report, const std::string& name) {
    std::vector<std::string> lines;
    const std::string prefix = "[" + name + "] ";
    for (const std::string& line : report.console)
        if (line.rfind(prefix, 0) == 0) lines.push_back(name_endpoints(report, line.substr(prefix.size())));
    return lines;
}

// Index in console_of(report) of the first line equal to "[name] text"; -1 if none.
inline long position(const sim::RunReport& report, const std::string& name, const std::string& text) {
    std::vector<std::string> lines = console_of(report);
    const std::string wanted = "[" + name + "] " + text;
    for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i] == wanted) return static_cast<long>(i);
    return -1;
}

inline const sim::ProcessReport& process(const sim::RunReport& report, const std::string& name) {
    for (const sim::ProcessReport& p : report.processes)
        if (p.name == name) return p;
    ADD_FAILURE() << "no process named " << name;
    static sim::ProcessReport missing;
    return missing;
}

// What to print when an assertion on a report fails.
inline std::string describe(const sim::RunReport& report) {
    std::string text = "system " + report.system_name + " under " + to_string(report.ipc) + " on " +
                       std::to_string(report.cpus) + " cpu(s); ok=" + (report.ok ? "true" : "false") +
                       "\nfailures:\n";
    for (const std::string& failure : report.failures) text += "  " + failure + "\n";
    text += "processes:\n";
    for (const sim::ProcessReport& p : report.processes)
        text += "  " + p.name + " state=" + std::to_string(static_cast<int>(p.state)) +
                " exit=" + std::to_string(p.exit_status) + " sent=" + std::to_string(p.counters.sent) +
                " received=" + std::to_string(p.counters.received) +
                " denied=" + std::to_string(p.counters.denied) +
                " blocked=" + std::to_string(p.counters.blocked) + (p.fault.empty() ? "" : " fault=" + p.fault) +
                "\n";
    text += "console:\n";
    for (const std::string& line : console_of(report)) text += "  " + line + "\n";
    return text;
}

// From lines "recv X -> ok src=S type=T w=W" (and "replyrecv X -> ok ...",
// whose message is the next one received): the sequence "S:W" (type notify
// shows as "S:notify").
inline std::vector<std::string> received(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const std::string& line : lines) {
        if (line.rfind("recv ", 0) != 0 && line.rfind("replyrecv ", 0) != 0) continue;
        if (line.find("-> ok") == std::string::npos) continue;
        size_t src = line.find("src=");
        size_t type = line.find(" type=");
        size_t word = line.find(" w=");
        std::string source = line.substr(src + 4, type - src - 4);
        std::string type_text = line.substr(type + 6, word - type - 6);
        out.push_back(source + ":" + (type_text == "notify" ? type_text : line.substr(word + 3)));
    }
    return out;
}

// "N*op" spelled out is sometimes clearer in expectations: "S:0".."S:n-1".
inline std::vector<std::string> sequence(const std::string& source, uint64_t from, uint64_t count) {
    std::vector<std::string> out;
    for (uint64_t i = 0; i < count; ++i) out.push_back(source + ":" + std::to_string(from + i));
    return out;
}

inline std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace axl::test

namespace axl::test {
// L("a", "b"): a vector of lines, usable inside EXPECT_EQ (no braces).
using Lines = std::vector<std::string>;
template <typename... Text>
Lines L(const Text&... text) {
    return Lines{std::string(text)...};
}
}  // namespace axl::test
