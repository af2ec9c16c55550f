// rs: the reincarnation server. It watches the services whose descriptions
// have a [process.restart] table (passed to it as arguments by the system
// description, see docs/system-description.md) and keeps them running:
//
// - Deaths: the kernel tells it of every death (watch_deaths, a notification
//   from SYSTEM, then next_death). A managed service that died, whatever the
//   cause (exit, a real fault, a kill), is restarted from its image, in its
//   slot, with a new endpoint generation.
// - Hangs: with a heartbeat period, it pings the service once a period with
//   a notification (never blocks, and reaches a busy service at its next
//   receive, ahead of queued requests). A service answers from its normal
//   receive loop: any message it sends back counts (drivers answer a message
//   they do not know with their reply). `missed` periods in a row without an
//   answer mean a hang: it kills the service, and the death restarts it.
// - Policy per service: at most `limit` restarts in total, then it gives up
//   and reports; the first restart waits `backoff`, each next one twice as
//   long (up to `backoff_max`); services listed in `with` are killed and
//   restarted along with it; those in `notify` get a notification from rs once
//   it is back (so a client waiting on a stale endpoint looks it up again).
//
// Every decision is logged ("rs: ..."), one line each.
#include <cstddef>
#include <cstdint>

#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/restart_policy.h"
#include "kernel/api/service.h"
#include "libsys/checks.h"

namespace {

using namespace axl;
using namespace axl::sys;

constexpr uint32_t group_max = 8;  // names in one `with` or `notify` list
constexpr uint64_t never = ~uint64_t{0};

bool same_name(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

void copy_name(char* to, const char* from) {
    size_t i = 0;
    for (; from[i] && i + 1 < process_name_bytes; ++i) to[i] = from[i];
    to[i] = '\0';
}

// A `with` or `notify` list: names past group_max, or too long to be a
// process name, are dropped.
struct NameList {
    char names[group_max][process_name_bytes] = {};
    uint32_t count = 0;

    void add(const char* name, size_t length) {
        if (count == group_max || length >= process_name_bytes) return;
        for (size_t i = 0; i < length; ++i) names[count][i] = name[i];
        names[count][length] = '\0';
        count += 1;
    }
};

// What rs was started with (kernel/api/protocols/restart_policy.h).
struct ProgramArguments {
    int64_t integer(const char* key, int64_t fallback) const { return arg_int(key, fallback); }
    const char* string(const char* key, const char* fallback) const { return arg_string(key, fallback); }
};

struct Service {
    char name[process_name_bytes] = {};
    Endpoint endpoint;
    restart_policy::Policy<NameList> policy;
    // State
    uint32_t restarts = 0;
    uint32_t missed = 0;
    bool awaiting_answer = false;
    bool down = false;
    bool gave_up = false;
    uint64_t next_backoff = 0;
    uint64_t restart_at = never;
    uint64_t next_ping = never;
    uint64_t died_at = 0;
};

class ReincarnationServer {
public:
    void setup() {
        m_count = static_cast<uint32_t>(
            option_int(restart_policy::service_count_key, 0, 0, restart_policy::services_max));
        for (uint32_t i = 0; i < m_count; ++i) {
            Service& s = m_services[i];
            copy_name(s.name, restart_policy::decode(ProgramArguments{}, i, s.policy));
            s.next_backoff = s.policy.backoff_ns;
            if (lookup(s.name, s.endpoint) != Status::ok) fail("rs: service '%s' is not running", s.name);
        }
        check_ok(watch_deaths(), "watch deaths");
        const uint64_t now = now_ns();
        for (uint32_t i = 0; i < m_count; ++i) {
            Service& s = m_services[i];
            if (s.policy.heartbeat_ns) s.next_ping = now + s.policy.heartbeat_ns;
        }
        rearm(now);
        log("rs: watching %u services", m_count);
    }

    [[noreturn]] void run() {
        for (;;) {
            Message m;
            check_ok(receive(endpoints::any, m), "receive");
            const uint64_t now = now_ns();
            if (m.source == endpoints::system) {
                take_deaths(now);
            } else if (m.source == endpoints::clock) {
                m_alarm_at = never;
            } else if (Service* s = find(m.source)) {
                s->awaiting_answer = false;  // any message from it: it is alive
                s->missed = 0;
            }
            tick(now);
            rearm(now);
        }
    }

private:
    static uint64_t now_ns() {
        uint64_t now = 0;
        (void)clock(now);
        return now;
    }

    Service* find(Endpoint endpoint) {
        for (uint32_t i = 0; i < m_count; ++i)
            if (m_services[i].endpoint == endpoint) return &m_services[i];
        return nullptr;
    }
    Service* find(const char* name) {
        for (uint32_t i = 0; i < m_count; ++i)
            if (same_name(m_services[i].name, name)) return &m_services[i];
        return nullptr;
    }

    void take_deaths(uint64_t now) {
        Death death;
        while (next_death(death) == Status::ok) {
            Service* s = find(death.endpoint);
            if (!s || s->down) continue;  // not ours, or an incarnation already handled
            const char* how = death.kind == DeathKind::exited    ? "exited"
                              : death.kind == DeathKind::faulted ? "faulted"
                                                                 : "was killed";
            log("rs: %s %s (status %d)", s->name, how, death.status);
            failed(*s, now);
        }
    }

    // A service is down: schedule its restart per its policy, and take down
    // the services that go with it.
    void failed(Service& s, uint64_t now) {
        s.down = true;
        s.died_at = now;
        s.awaiting_answer = false;
        s.missed = 0;
        s.next_ping = never;
        if (s.restarts >= s.policy.limit) {
            s.gave_up = true;
            log("rs: giving up on %s after %u restarts", s.name, s.restarts);
            return;
        }
        s.restart_at = now + s.next_backoff;
        s.next_backoff = s.next_backoff ? s.next_backoff * 2 : 0;
        if (s.next_backoff > s.policy.backoff_max_ns) s.next_backoff = s.policy.backoff_max_ns;
        for (uint32_t i = 0; i < s.policy.with.count; ++i) {
            Service* other = find(s.policy.with.names[i]);
            if (!other || other->down) continue;
            log("rs: stopping %s with %s", other->name, s.name);
            if (kill(other->endpoint) == Status::ok) {
                other->down = true;  // its death record follows; restart it with this one
                other->died_at = now;
                other->next_ping = never;
                other->restart_at = s.restart_at;
            }
        }
    }

    void tick(uint64_t now) {
        for (uint32_t i = 0; i < m_count; ++i) {
            Service& s = m_services[i];
            if (s.down && !s.gave_up && s.restart_at <= now) bring_back(s, now);
            if (!s.down && s.policy.heartbeat_ns && s.next_ping <= now) heartbeat(s, now);
        }
    }

    void bring_back(Service& s, uint64_t now) {
        Endpoint fresh;
        Status status = restart(s.endpoint, fresh);
        if (status != Status::ok) {
            log("rs: cannot restart %s: %s", s.name, to_string(status));
            s.gave_up = true;
            return;
        }
        s.endpoint = fresh;
        s.down = false;
        s.restart_at = never;
        s.restarts += 1;
        if (s.policy.heartbeat_ns) s.next_ping = now + s.policy.heartbeat_ns;
        log("rs: restarted %s (restart %u, %llu ns after it went down)", s.name, s.restarts,
            ull(now - s.died_at));
        for (uint32_t i = 0; i < s.policy.notify.count; ++i) {
            Endpoint listener;
            if (lookup(s.policy.notify.names[i], listener) == Status::ok) (void)notify(listener);
        }
    }

    void heartbeat(Service& s, uint64_t now) {
        s.next_ping = now + s.policy.heartbeat_ns;
        if (s.awaiting_answer && ++s.missed >= s.policy.missed) {
            log("rs: %s missed %u heartbeats: hung, killing it", s.name, s.missed);
            if (kill(s.endpoint) != Status::ok) failed(s, now);  // already dead: its record follows
            return;
        }
        (void)notify(s.endpoint);
        s.awaiting_answer = true;
    }

    // One alarm for the earliest heartbeat or restart.
    void rearm(uint64_t now) {
        uint64_t next = never;
        for (uint32_t i = 0; i < m_count; ++i) {
            const Service& s = m_services[i];
            if (s.down && !s.gave_up && s.restart_at < next) next = s.restart_at;
            if (!s.down && s.policy.heartbeat_ns && s.next_ping < next) next = s.next_ping;
        }
        if (next == m_alarm_at) return;
        m_alarm_at = next;
        if (next != never) (void)set_alarm(next > now ? next - now : 1);
    }

    Service m_services[restart_policy::services_max];
    uint32_t m_count = 0;
    uint64_t m_alarm_at = never;
};

}  // namespace

AXL_PROGRAM(rs, "the reincarnation server: restarts services that die or hang, per their [process.restart] policy") {
    ReincarnationServer server;
    server.setup();
    server.run();
}
