// adversary: a process that tries to get past its privileges with every call
// kernel/api/ offers, and the processes it must never reach. Each attempt has
// one documented status (docs/kernel.md, "What a process cannot do"); the
// first attempt that gets another ends the run with a reason naming the
// attempt, the call, its target and both statuses.
//
//   adversary_probe        forged and random endpoints as destinations and
//                          sources, pseudo-endpoints, a spoofed `source`,
//                          kernel-reserved message types, device registers and
//                          IRQ lines it was not given, grants used by the wrong
//                          process, out of bounds, after revoke, with the wrong
//                          access, under guessed ids, and the grant table run full
//   adversary_unprivileged every primitive and every kernel call of kernel/api/
//                          without the privilege: each call_denied
//   adversary_sharer       a process sharing its privilege: notify and alarm
//                          refused (a notification names its source by privilege)
//   adversary_victim       must never be reached: any message but the judge's
//                          fails it, naming the sender and the type
//   adversary_lender       the adversary's one legitimate peer: lends it grants,
//                          reports the source the kernel stamped on its
//                          messages, checks its lent memory is intact
//   adversary_judge        when the adversary is done: asks the victim and the
//                          lender, proves the grant the adversary was refused
//                          works for its real grantee, gives the verdict
//
// Layout the probe relies on (documented: docs/architecture.md, "Image process
// i gets kernel slot i"; kernel/api/endpoint.h, generations start at 1): the
// argument `system` lists every process of the description in image order,
// so the process at position i is Endpoint::make(i, 1) while it lives, and
// every other endpoint names no process.
#include <cstddef>
#include <cstdint>

#include "kernel/api/calls.h"
#include "kernel/api/device.h"
#include "kernel/api/endpoint.h"
#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/program.h"
#include "kernel/api/service.h"
#include "kernel/api/status.h"
#include "workloads/workload.h"

// A new primitive or kernel call must get its attempt without privilege in
// adversary_unprivileged below (and tests/workloads/adversary_test.cc checks
// that every call declared in kernel/api/ is tried here).
static_assert(axl::primitive_count == 6, "a new IPC primitive: try it without privilege in adversary_unprivileged");
static_assert(axl::kernel_call_count == 16, "a new kernel call: try it without privilege in adversary_unprivileged");

namespace {

using namespace axl;
using namespace axl::workloads;

namespace types {
inline constexpr uint32_t ask_grants = 0x501;   // adversary -> lender: lend me your grants
inline constexpr uint32_t spoof_probe = 0x502;  // adversary -> lender: what source did you see?
inline constexpr uint32_t spoofed = 0x503;      // adversary -> lender, by send/sendnb, source forged
inline constexpr uint32_t done = 0x504;         // adversary -> judge: words[0] = attempts
inline constexpr uint32_t report = 0x505;       // judge -> victim, lender
inline constexpr uint32_t verdict = 0x506;      // judge -> adversary
inline constexpr uint32_t probe = 0x507;        // what every refused attempt carries
}  // namespace types

// Where nothing is mapped in either port's address-space layout (as in isolation.cc).
constexpr uintptr_t unmapped_address = 0x0000'1234'5678'0000ull;
constexpr size_t lent_bytes = 64;

// ---- the system's layout, from the `system` argument -------------------------------------

constexpr uint32_t names_max = 32;

struct NameList {
    char names[names_max][process_name_bytes] = {};
    uint32_t count = 0;

    int32_t index_of(const char* name) const {
        for (uint32_t i = 0; i < count; ++i) {
            uint32_t c = 0;
            while (names[i][c] && names[i][c] == name[c]) ++c;
            if (names[i][c] == name[c]) return static_cast<int32_t>(i);
        }
        return -1;
    }
};

// "a,b,c" -> {a, b, c}; a name too long or too many names fail loudly.
NameList parse_names(const char* key) {
    NameList list;
    const char* text = arg_string(key, "");
    uint32_t length = 0;
    for (const char* p = text;; ++p) {
        if (*p == ',' || *p == '\0') {
            if (length > 0) {
                if (list.count == names_max) fail("argument %s: more than %u names", key, names_max);
                list.names[list.count][length] = '\0';
                list.count += 1;
            }
            length = 0;
            if (*p == '\0') break;
            continue;
        }
        if (length + 1 >= process_name_bytes) fail("argument %s: a name longer than %u characters", key, process_name_bytes - 1);
        list.names[list.count][length++] = *p;
    }
    return list;
}

// Waits until every process named in `key` has ended (lookup says not_found).
void wait_for_exits(const NameList& names) {
    for (uint32_t i = 0; i < names.count; ++i) {
        Endpoint endpoint;
        uint32_t rounds = 0;
        while (lookup(names.names[i], endpoint) == Status::ok) {
            if (++rounds > 1'000'000) fail("%s is still alive after a million yields", names.names[i]);
            (void)yield();
        }
    }
}

Endpoint first_incarnation(uint32_t slot) { return Endpoint::make(slot, 1); }

// ---- attempts and their expected statuses ----------------------------------------------------

uint64_t g_attempts = 0;

void expect(Status got, Status wanted, const char* call, uint64_t target, const char* why) {
    g_attempts += 1;
    if (got != wanted)
        fail("attempt %llu: %s on %#llx (%s): expected %s, got %s", ull(g_attempts), call, ull(target), why,
             to_string(wanted), to_string(got));
}

// What a process may be to the probe.
enum class Role : uint8_t { none, allowed, denied, self, ended };

struct Layout {
    NameList names;
    Role roles[names_max] = {};
    uint32_t self_slot = 0;
    Endpoint lender, judge, victim;

    Role role_of(Endpoint endpoint) const {
        if (endpoint.slot() >= names.count || endpoint.generation() != 1) return Role::none;
        return roles[endpoint.slot()];
    }
    // An endpoint that names no live process: bad_endpoint if its slot holds
    // none (never used, out of range, pseudo), dead_endpoint if it does.
    Status not_a_process(Endpoint endpoint) const {
        return endpoint.slot() < names.count ? Status::dead_endpoint : Status::bad_endpoint;
    }
};

// The documented status of sending to `destination` (send, sendnb, sendrec,
// notify, reply_receive); false: a destination the probe may really reach.
bool send_status(const Layout& layout, Endpoint destination, Status& status) {
    switch (layout.role_of(destination)) {
        case Role::allowed: return false;
        case Role::denied:
        case Role::self: status = Status::destination_denied; return true;
        case Role::ended: status = Status::dead_endpoint; return true;
        case Role::none: status = layout.not_a_process(destination); return true;
    }
    return false;
}

// The documented status of receive(from); false: a source it would wait for.
bool receive_status(const Layout& layout, Endpoint from, Status& status) {
    if (from == endpoints::any || from == endpoints::hardware || from == endpoints::system || from == endpoints::clock)
        return false;
    switch (layout.role_of(from)) {
        case Role::allowed:
        case Role::denied: return false;
        case Role::self: status = Status::deadlock; return true;  // waiting for itself closes a cycle
        case Role::ended: status = Status::dead_endpoint; return true;
        case Role::none: status = layout.not_a_process(from); return true;
    }
    return false;
}

// Every primitive at one endpoint, each with its documented status.
void every_primitive_at(const Layout& layout, Endpoint target, const char* why) {
    Status wanted;
    if (send_status(layout, target, wanted)) {
        Message m;
        m.type = types::probe;
        m.source = layout.victim;  // a forged source, for good measure
        expect(send(target, m), wanted, "send", target.raw, why);
        expect(sendnb(target, m), wanted, "sendnb", target.raw, why);
        Message call = m;
        expect(sendrec(target, call), wanted, "sendrec", target.raw, why);
        expect(notify(target), wanted, "notify", target.raw, why);
        Message reply = m;
        expect(reply_receive(target, reply), wanted, "reply_receive", target.raw, why);
    }
    if (receive_status(layout, target, wanted)) {
        Message m;
        expect(receive(target, m), wanted, "receive", target.raw, why);
    }
}

Layout learn_layout() {
    Layout layout;
    layout.names = parse_names("system");
    const NameList allowed = parse_names("allowed");
    wait_for_exits(parse_names("short_lived"));
    const Endpoint me = self();
    for (uint32_t slot = 0; slot < layout.names.count; ++slot) {
        const char* name = layout.names.names[slot];
        Endpoint endpoint;
        const Status status = lookup(name, endpoint);
        if (status == Status::not_found) {
            layout.roles[slot] = Role::ended;
            continue;
        }
        check_ok(status, "lookup of a process of the `system` argument");
        if (endpoint != first_incarnation(slot))
            fail("argument system: %s is endpoint %#x, expected %#x (slot %u, generation 1): list every process in "
                 "image order",
                 name, endpoint.raw, first_incarnation(slot).raw, slot);
        layout.roles[slot] = endpoint == me ? Role::self : allowed.index_of(name) >= 0 ? Role::allowed : Role::denied;
        if (endpoint == me) layout.self_slot = slot;
    }
    if (layout.role_of(me) != Role::self) fail("argument system: does not list this process (%#x)", me.raw);
    layout.lender = lookup_or_fail(arg_string("lender", "lender"));
    layout.judge = lookup_or_fail(arg_string("judge", "judge"));
    layout.victim = lookup_or_fail(arg_string("victim", "victim"));
    if (layout.role_of(layout.victim) != Role::denied) fail("the victim must not be among `allowed`");
    return layout;
}

// ---- the probe's phases -------------------------------------------------------------------

struct LentGrants {
    GrantId readable;    // read-only, to the probe: 64 bytes of a known pattern
    GrantId judges;      // read-write, to the judge, not the probe
    GrantId revoked;     // write, to the probe, revoked before it was handed over
    GrantId unmapped;    // read, to the probe, over memory nobody mapped
};

uint8_t lent_pattern(size_t i) { return static_cast<uint8_t>(i * 7 + 1); }

LentGrants borrow(const Layout& layout) {
    Message m;
    m.type = types::ask_grants;
    check_ok(sendrec(layout.lender, m), "sendrec(lender, ask_grants)");
    if (m.source != layout.lender || m.type != types::ask_grants)
        fail("lender's answer: source %#x type %#x, expected %#x type %#x", m.source.raw, m.type, layout.lender.raw,
             types::ask_grants);
    return LentGrants{GrantId{static_cast<uint32_t>(m.payload.words[0])},
                      GrantId{static_cast<uint32_t>(m.payload.words[1])},
                      GrantId{static_cast<uint32_t>(m.payload.words[2])},
                      GrantId{static_cast<uint32_t>(m.payload.words[3])}};
}

// A forged `source` never survives: the kernel stamps the sender on every
// path (delivered directly, kept by a strategy, blocked sender, notification).
void spoof_sources(const Layout& layout) {
    const Endpoint me = self();
    const Endpoint forged[] = {layout.victim, layout.judge, layout.lender, endpoints::hardware, endpoints::system,
                               endpoints::clock,  endpoints::any,  endpoints::none, Endpoint{0},
                               Endpoint::make(layout.names.count + 5, 1)};
    for (const Endpoint source : forged) {
        Message m;
        m.type = types::spoofed;
        m.source = source;
        expect(send(layout.lender, m), Status::ok, "send with a forged source", source.raw, "to the lender");
        // sendnb: ok, or would_block while the lender is not waiting (a documented outcome): retry.
        Status status = Status::would_block;
        for (uint32_t tries = 0; status == Status::would_block && tries < 100'000; ++tries) {
            status = sendnb(layout.lender, m);
            if (status == Status::would_block) (void)yield();
        }
        expect(status, Status::ok, "sendnb with a forged source", source.raw, "to the lender");
        expect(notify(layout.lender), Status::ok, "notify", layout.lender.raw, "the lender");
        Message question;
        question.type = types::spoof_probe;
        question.source = source;
        expect(sendrec(layout.lender, question), Status::ok, "sendrec with a forged source", source.raw,
               "to the lender");
        const Endpoint seen{static_cast<uint32_t>(question.payload.words[0])};
        const Endpoint seen_spoofed{static_cast<uint32_t>(question.payload.words[1])};
        const uint64_t spoofed_count = question.payload.words[2];
        const Endpoint seen_notifier{static_cast<uint32_t>(question.payload.words[3])};
        if (seen != me || seen_spoofed != me || seen_notifier != me)
            fail("forged source %#x: the lender saw sendrec from %#x, send/sendnb from %#x, notify from %#x; "
                 "expected %#x for all",
                 source.raw, seen.raw, seen_spoofed.raw, seen_notifier.raw, me.raw);
        if (spoofed_count != 2)
            fail("forged source %#x: the lender got %llu of the send and the sendnb, expected 2", source.raw,
                 ull(spoofed_count));
    }
}

// Types at or above kernel_first are the kernel's: refused before the
// destination is even looked at, so even at a peer the probe may send to.
void reserved_types(const Layout& layout) {
    const uint32_t reserved[] = {message_types::kernel_first, message_types::notify, message_types::kernel_first + 2,
                                 0xFFFF'FFFFu};
    const Endpoint targets[] = {layout.lender, layout.victim, endpoints::none, Endpoint::make(layout.names.count, 1)};
    for (const uint32_t type : reserved) {
        for (const Endpoint target : targets) {
            Message m;
            m.type = type;
            expect(send(target, m), Status::bad_argument, "send of a reserved type", type, "kernel-reserved");
            expect(sendnb(target, m), Status::bad_argument, "sendnb of a reserved type", type, "kernel-reserved");
            Message call = m;
            expect(sendrec(target, call), Status::bad_argument, "sendrec of a reserved type", type, "kernel-reserved");
            Message reply = m;
            expect(reply_receive(target, reply), Status::bad_argument, "reply_receive of a reserved type", type,
                   "kernel-reserved");
        }
    }
}

void forged_endpoints(const Layout& layout, uint64_t random_count) {
    // Every slot x generation 0..7 of the first 64 slots.
    for (uint32_t slot = 0; slot < 64; ++slot)
        for (uint32_t generation = 0; generation < 8; ++generation)
            every_primitive_at(layout, Endpoint::make(slot, generation), "slot x generation");
    // Every pseudo-endpoint slot, with its own generation and others.
    const uint32_t pseudo_generations[] = {0u, 1u, 2u, Endpoint::generation_mask - 1, Endpoint::generation_mask};
    for (uint32_t slot = endpoints::pseudo_slot_first; slot <= Endpoint::slot_mask; ++slot)
        for (const uint32_t generation : pseudo_generations)
            every_primitive_at(layout, Endpoint::make(slot, generation), "pseudo-endpoint");
    const Endpoint named[] = {endpoints::any,   endpoints::none,       endpoints::hardware, endpoints::system,
                              endpoints::clock, Endpoint{0},           Endpoint{0xFFFF'FFFFu},
                              Endpoint::make(layout.self_slot, 2),     Endpoint::make(layout.victim.slot(), 0),
                              Endpoint::make(layout.victim.slot(), 2), Endpoint::make(layout.lender.slot(), 2)};
    for (const Endpoint endpoint : named) every_primitive_at(layout, endpoint, "named");
    // Random endpoints from the run's seed: anywhere, near the used slots, among the pseudo ones.
    for (uint64_t i = 0; i < random_count; ++i) {
        const uint64_t r = random_u64();
        const uint32_t generation = static_cast<uint32_t>(r >> 40);
        Endpoint endpoint;
        switch (r & 3) {
            case 0: endpoint = Endpoint{static_cast<uint32_t>(r >> 8)}; break;
            case 1: endpoint = Endpoint::make(static_cast<uint32_t>(r >> 8) % 16, generation % 4); break;
            case 2: endpoint = Endpoint::make(endpoints::pseudo_slot_first + static_cast<uint32_t>(r >> 8) % 16, generation); break;
            default: endpoint = Endpoint::make(static_cast<uint32_t>(r >> 8), generation % 3); break;
        }
        every_primitive_at(layout, endpoint, "random");
    }
}

// With device_io, device_mmio, irq_control and alarm, but no port range, no memory range and no line.
void devices_not_granted() {
    for (uint32_t port = 0; port <= 0xFFFF; ++port) {
        uint32_t value = 0xDEAD'BEEF;
        expect(io_read(static_cast<uint16_t>(port), value), Status::resource_denied, "io_read", port, "a port not granted");
        if (value != 0xDEAD'BEEF) fail("io_read of port %#x was refused but wrote %#x into the result", port, value);
    }
    const uint16_t ports[] = {0x0000, 0x0020, 0x0060, 0x0064, 0x0070, 0x0080, 0x00A0, 0x01F0,
                              0x02F8, 0x03F8, 0x0CF8, 0x0CFC, 0x0510, 0x0604, 0xFFFC, 0xFFFF};
    const IoWidth widths[] = {IoWidth::byte, IoWidth::half, IoWidth::word};
    for (const uint16_t port : ports) {
        for (const IoWidth width : widths) {
            uint32_t value = 0;
            expect(io_read(port, value, width), Status::resource_denied, "io_read (any width)", port, "a port not granted");
            expect(io_write(port, 0x5A, width), Status::resource_denied, "io_write", port, "a port not granted");
        }
        uint32_t value = 0;
        expect(io_read(port, value, static_cast<IoWidth>(3)), Status::bad_argument, "io_read of width 3", port, "no such width");
        expect(io_write(port, 0, static_cast<IoWidth>(8)), Status::bad_argument, "io_write of width 8", port, "no such width");
    }
    // Memory-mapped registers: the firmware's PCI window, low memory, the top, a wrapping access.
    const uint64_t addresses[] = {0x0, 0xA0000, 0xFEB0'0000, 0xFEB0'0FFC, 0xFEBF'FFFC, 0xFEC0'0000,
                                  0xFEE0'0000, 0xFFFF'FFFC, 0x1'0000'0000, 0xFFFF'FFFF'FFFF'FFFEull};
    for (const uint64_t address : addresses) {
        for (const IoWidth width : widths) {
            uint32_t value = 0xDEAD'BEEF;
            expect(mmio_read(address, value, width), Status::resource_denied, "mmio_read", address, "memory not granted");
            if (value != 0xDEAD'BEEF) fail("mmio_read of %#llx was refused but wrote %#x into the result", static_cast<unsigned long long>(address), value);
            expect(mmio_write(address, 0x5A, width), Status::resource_denied, "mmio_write", address, "memory not granted");
        }
        uint32_t value = 0;
        expect(mmio_read(address, value, static_cast<IoWidth>(3)), Status::bad_argument, "mmio_read of width 3", address, "no such width");
        expect(mmio_write(address, 0, static_cast<IoWidth>(8)), Status::bad_argument, "mmio_write of width 8", address, "no such width");
    }
    for (uint32_t line = 0; line < irq_lines_max; ++line) {
        expect(irq_attach(line), Status::resource_denied, "irq_attach", line, "a line not granted");
        expect(irq_attach(line, IrqPolicy::auto_reenable), Status::resource_denied, "irq_attach", line, "a line not granted");
        expect(irq_enable(line), Status::resource_denied, "irq_enable", line, "a line not granted");
        expect(irq_disable(line), Status::resource_denied, "irq_disable", line, "a line not granted");
        expect(irq_detach(line), Status::resource_denied, "irq_detach", line, "a line not granted");
    }
    const uint32_t no_lines[] = {irq_lines_max, irq_lines_max + 1, 1000u, 0xFFFF'FFFFu};
    for (const uint32_t line : no_lines) {
        expect(irq_attach(line), Status::bad_argument, "irq_attach", line, "no such line");
        expect(irq_enable(line), Status::bad_argument, "irq_enable", line, "no such line");
        expect(irq_disable(line), Status::bad_argument, "irq_disable", line, "no such line");
        expect(irq_detach(line), Status::bad_argument, "irq_detach", line, "no such line");
    }
    expect(irq_attach(0, static_cast<IrqPolicy>(2)), Status::bad_argument, "irq_attach", 0, "no such policy");
    expect(set_alarm(0xFFFF'FFFF'FFFF'FFFFull), Status::bad_argument, "set_alarm", 0xFFFF'FFFF'FFFF'FFFFull, "too far away");
    expect(set_alarm(0), Status::ok, "set_alarm", 0, "cancel, as any process with the call may");
    expect(compute(0xFFFF'FFFF'FFFF'FFFFull), Status::bad_argument, "compute", 0xFFFF'FFFF'FFFF'FFFFull, "longer than an hour");
}

// Names the kernel must refuse without looking anything up.
void bad_names() {
    Endpoint endpoint = endpoints::none;
    expect(lookup(nullptr, endpoint), Status::bad_argument, "lookup(nullptr)", 0, "no name");
    expect(lookup("", endpoint), Status::bad_argument, "lookup(\"\")", 0, "an empty name");
    expect(lookup("abcdefghijklmnopqrstuvwx", endpoint), Status::bad_argument, "lookup of 24 characters", 24,
           "longer than any name");
    expect(lookup("nobody-by-this-name", endpoint), Status::not_found, "lookup", 0, "a name nobody has");
    if (endpoint != endpoints::none) fail("a refused lookup wrote %#x into its result", endpoint.raw);
}

uint8_t g_own[lent_bytes];                 // the probe's own memory, for its own grants
GrantId g_exhaustion[8192];                // the grant table run full (the kernel's has 4,096 entries)

void grants(const Layout& layout, const LentGrants& lent) {
    uint8_t buffer[lent_bytes] = {};
    // Positive control: the read-only grant really is the probe's and works.
    expect(safecopy_from(layout.lender, lent.readable, 0, buffer, lent_bytes), Status::ok, "safecopy_from",
           lent.readable.raw, "the grant lent to it, in bounds");
    for (size_t i = 0; i < lent_bytes; ++i)
        if (buffer[i] != lent_pattern(i)) fail("lent grant, byte %zu: expected %#x, got %#x", i, lent_pattern(i), buffer[i]);
    expect(safecopy_from(layout.lender, lent.readable, lent_bytes - 1, buffer, 1), Status::ok, "safecopy_from",
           lent.readable.raw, "its last byte");

    // Wrong access, wrong process, after revoke, unmapped memory.
    expect(safecopy_to(layout.lender, lent.readable, 0, buffer, 8), Status::resource_denied, "safecopy_to",
           lent.readable.raw, "a read-only grant");
    expect(safecopy_from(layout.lender, lent.judges, 0, buffer, 8), Status::resource_denied, "safecopy_from",
           lent.judges.raw, "a grant to the judge");
    expect(safecopy_to(layout.lender, lent.judges, 0, buffer, 8), Status::resource_denied, "safecopy_to",
           lent.judges.raw, "a grant to the judge");
    expect(safecopy_to(layout.lender, lent.revoked, 0, buffer, 8), Status::bad_argument, "safecopy_to",
           lent.revoked.raw, "a revoked grant");
    expect(safecopy_from(layout.lender, lent.revoked, 0, buffer, 8), Status::bad_argument, "safecopy_from",
           lent.revoked.raw, "a revoked grant");
    expect(safecopy_from(layout.lender, lent.unmapped, 0, buffer, 8), Status::bad_address, "safecopy_from",
           lent.unmapped.raw, "a grant over unmapped memory");

    // Out of bounds, and bad local buffers.
    struct Bounds {
        size_t offset, bytes;
    };
    const Bounds outside[] = {{0, lent_bytes + 1}, {lent_bytes, 1}, {lent_bytes - 1, 2},   {1, lent_bytes},
                              {0, 0},              {lent_bytes + 1, 0}, {~size_t{0}, 1},   {1, ~size_t{0}},
                              {~size_t{0}, ~size_t{0}}};
    for (const Bounds& b : outside)
        expect(safecopy_from(layout.lender, lent.readable, b.offset, buffer, b.bytes), Status::bad_argument,
               "safecopy_from out of bounds", (uint64_t{b.offset} << 32) ^ b.bytes, "offset, bytes");
    expect(safecopy_from(layout.lender, lent.readable, 0, nullptr, 8), Status::bad_argument, "safecopy_from", 0,
           "into a null buffer");
    expect(safecopy_from(layout.lender, lent.readable, 0, reinterpret_cast<void*>(unmapped_address), 8),
           Status::bad_address, "safecopy_from", unmapped_address, "into unmapped memory");
    // Into its own code: the kernel must not write where the process could not.
    const void* code = reinterpret_cast<const void*>(&lent_pattern);
    const uint8_t code_before = *static_cast<const volatile uint8_t*>(code);
    expect(safecopy_from(layout.lender, lent.readable, 0, const_cast<void*>(code), 8), Status::bad_address,
           "safecopy_from", reinterpret_cast<uintptr_t>(code), "into its own code");
    if (*static_cast<const volatile uint8_t*>(code) != code_before) fail("a refused safecopy changed the probe's code");

    // Wrong granter: the grant is the lender's, no one else's.
    const Endpoint granters[] = {layout.victim, layout.judge, self()};
    for (const Endpoint granter : granters)
        expect(safecopy_from(granter, lent.readable, 0, buffer, 8), Status::bad_argument, "safecopy_from", granter.raw,
               "naming a process that is not the granter");
    expect(safecopy_from(endpoints::hardware, lent.readable, 0, buffer, 8), Status::bad_endpoint, "safecopy_from",
           endpoints::hardware.raw, "a pseudo-endpoint as granter");
    expect(safecopy_from(Endpoint::make(layout.lender.slot(), 2), lent.readable, 0, buffer, 8), Status::dead_endpoint,
           "safecopy_from", Endpoint::make(layout.lender.slot(), 2).raw, "the lender's next generation as granter");

    // Guessed ids: every id with an index below 8,192 and generation 0..3,
    // and 4,096 random ones; only the lent ids are anything but bad_argument.
    auto guessed = [&](GrantId id) {
        Status from = Status::bad_argument, to = Status::bad_argument;
        if (id == lent.readable) from = Status::ok, to = Status::resource_denied;
        if (id == lent.judges) from = to = Status::resource_denied;
        if (id == lent.unmapped) from = Status::bad_address, to = Status::resource_denied;
        expect(safecopy_from(layout.lender, id, 0, buffer, 8), from, "safecopy_from", id.raw, "a guessed grant id");
        expect(safecopy_to(layout.lender, id, 0, g_own, 8), to, "safecopy_to", id.raw, "a guessed grant id");
        expect(grant_revoke(id), Status::bad_argument, "grant_revoke", id.raw, "a grant that is not its own");
    };
    for (uint32_t generation = 0; generation < 4; ++generation)
        for (uint32_t index = 0; index < 8192; ++index) guessed(GrantId{generation << 12 | index});
    for (uint32_t i = 0; i < 4096; ++i) guessed(GrantId{static_cast<uint32_t>(random_u64())});
    expect(grant_revoke(lent.readable), Status::bad_argument, "grant_revoke", lent.readable.raw, "the lender's grant");
    expect(safecopy_from(layout.lender, lent.readable, 0, buffer, 8), Status::ok, "safecopy_from", lent.readable.raw,
           "the lent grant, still there after the refused revoke");

    // Creating grants: malformed ranges and access, grantees that are no process.
    GrantId untouched{0xABCD};
    const auto create = [&](Endpoint grantee, const void* address, size_t bytes, GrantAccess access, Status wanted,
                            const char* why) {
        expect(grant_create(grantee, address, bytes, access, untouched), wanted, "grant_create", grantee.raw, why);
        if (untouched.raw != 0xABCD) fail("a refused grant_create (%s) wrote %#x into its result", why, untouched.raw);
    };
    create(layout.lender, nullptr, 8, GrantAccess::read, Status::bad_argument, "a null address");
    create(layout.lender, g_own, 0, GrantAccess::read, Status::bad_argument, "zero bytes");
    create(layout.lender, g_own, ~size_t{0}, GrantAccess::read, Status::bad_argument, "a range that wraps");
    const uint32_t no_access[] = {0u, 4u, 7u, 255u};
    for (const uint32_t access : no_access)
        create(layout.lender, g_own, 8, static_cast<GrantAccess>(access), Status::bad_argument, "no such access");
    const Endpoint grantees[] = {endpoints::any,
                                 endpoints::none,
                                 endpoints::system,
                                 endpoints::clock,
                                 Endpoint{0xFFFF'FFFFu},
                                 Endpoint::make(layout.names.count, 1),
                                 Endpoint::make(layout.victim.slot(), 2),
                                 Endpoint{0}};
    for (const Endpoint grantee : grantees) {
        Status wanted = layout.not_a_process(grantee);
        create(grantee, g_own, 8, GrantAccess::read, wanted, "a grantee that is no process");
    }
    for (uint32_t slot = 0; slot < layout.names.count; ++slot)
        if (layout.roles[slot] == Role::ended)
            create(first_incarnation(slot), g_own, 8, GrantAccess::read, Status::dead_endpoint, "a grantee that ended");

    // Its own grant: revoked once, then never again.
    GrantId own;
    expect(grant_create(layout.lender, g_own, 8, GrantAccess::read, own), Status::ok, "grant_create", layout.lender.raw,
           "its own memory to the lender");
    expect(grant_revoke(own), Status::ok, "grant_revoke", own.raw, "its own grant");
    expect(grant_revoke(own), Status::bad_argument, "grant_revoke", own.raw, "its own grant, already revoked");

    // The table runs full (no_space), and is whole again once revoked.
    uint32_t created = 0;
    Status status = Status::ok;
    while (status == Status::ok) {
        if (created == sizeof g_exhaustion / sizeof g_exhaustion[0]) fail("%u grants and no no_space yet", created);
        status = grant_create(layout.lender, g_own, 8, GrantAccess::read, g_exhaustion[created]);
        if (status == Status::ok) created += 1;
    }
    expect(status, Status::no_space, "grant_create", created, "the grant table full");
    for (uint32_t i = 0; i < created; ++i)
        expect(grant_revoke(g_exhaustion[i]), Status::ok, "grant_revoke", g_exhaustion[i].raw, "one of its own");
    expect(grant_create(layout.lender, g_own, 8, GrantAccess::read, own), Status::ok, "grant_create", created,
           "after the table was emptied again");
    expect(grant_revoke(own), Status::ok, "grant_revoke", own.raw, "its own grant");
    log("the grant table took %u grants from it before no_space", created);
}

}  // namespace

AXL_PROGRAM(adversary_probe, "tries to get past its privileges with every call of kernel/api/; each attempt must get its documented status (adversary)",
            axl::integer_option("random_endpoints", 20'000, 0, 10'000'000, "random endpoints to try"),
            axl::string_option("system", "", "every process name of the system, comma-separated"),
            axl::string_option("allowed", "", "the names it may reach, comma-separated"),
            axl::string_option("short_lived", "", "processes to wait for until they exit, comma-separated"),
            axl::string_option("lender", "lender", "the lender's process name"),
            axl::string_option("judge", "judge", "the judge's process name"),
            axl::string_option("victim", "victim", "the victim's process name")) {
    const uint64_t random_count = static_cast<uint64_t>(option_int("random_endpoints", 20'000, 0, 10'000'000));
    const Layout layout = learn_layout();
    const LentGrants lent = borrow(layout);
    spoof_sources(layout);
    reserved_types(layout);
    forged_endpoints(layout, random_count);
    devices_not_granted();
    bad_names();
    grants(layout, lent);

    Message m;
    m.type = types::done;
    m.payload.words[0] = g_attempts;
    check_ok(sendrec(layout.judge, m), "sendrec(judge, done)");
    if (m.source != layout.judge || m.type != types::verdict || m.payload.words[0] != 1)
        fail("the judge's verdict: source %#x type %#x word %llu, expected %#x type %#x word 1", m.source.raw, m.type,
             ull(m.payload.words[0]), layout.judge.raw, types::verdict);
    log("ok: %llu attempts, each refused with its documented status; the victim was never reached",
        ull(g_attempts));
    return 0;
}

// Without the privilege, every call is call_denied and changes nothing: the
// results it would write keep their values. Run once with only `log` (it
// says what failed) and once with no kernel call at all (`mute`: its log
// lines must never appear; a failed check is its exit status, 100 + attempt).
AXL_PROGRAM(adversary_unprivileged, "every primitive and kernel call without its privilege: each call_denied (adversary)",
            axl::integer_option("victim_slot", 0, 0, 131071, "the victim's process slot")) {
    const Endpoint victim = first_incarnation(static_cast<uint32_t>(arg_int("victim_slot", 0)));
    int32_t attempt = 0;
    auto denied = [&](Status got, const char* call) {
        attempt += 1;
        if (got == Status::call_denied) return;
        log("attempt %d: %s without its privilege: expected call_denied, got %s", attempt, call, to_string(got));
        exit(100 + attempt);
    };
    auto unchanged = [&](bool same, const char* call) {
        attempt += 1;
        if (same) return;
        log("attempt %d: %s was denied but wrote its result", attempt, call);
        exit(100 + attempt);
    };
    Message m;
    m.type = types::probe;
    denied(send(victim, m), "send");
    denied(receive(victim, m), "receive");
    denied(receive(endpoints::any, m), "receive(any)");
    denied(sendrec(victim, m), "sendrec");
    denied(notify(victim), "notify");
    denied(sendnb(victim, m), "sendnb");
    denied(reply_receive(victim, m), "reply_receive");
    denied(yield(), "yield");
    denied(compute(1000), "compute");
    Endpoint endpoint = endpoints::none;
    denied(lookup("victim", endpoint), "lookup");
    unchanged(endpoint == endpoints::none, "lookup");
    uint64_t now = 12345;
    denied(clock(now), "clock");
    unchanged(now == 12345, "clock");
    unchanged(self() == endpoints::none, "self (must return endpoints::none)");
    uint32_t value = 0xDEAD'BEEF;
    denied(io_read(0x3F8, value), "io_read");
    unchanged(value == 0xDEAD'BEEF, "io_read");
    denied(io_write(0x80, 0x5A), "io_write");
    denied(mmio_read(0xFEB0'0000, value), "mmio_read");
    unchanged(value == 0xDEAD'BEEF, "mmio_read");
    denied(mmio_write(0xFEB0'0000, 0x5A), "mmio_write");
    denied(device_grant(victim, DeviceResource::io, 0x3F8, 0x3FF, true), "device_grant");
    denied(irq_attach(4), "irq_attach");
    denied(irq_enable(4), "irq_enable");
    denied(irq_disable(4), "irq_disable");
    denied(irq_detach(4), "irq_detach");
    denied(set_alarm(1000), "set_alarm");
    DmaBuffer dma{.address = nullptr, .bus = 0xD0A, .bytes = 0};
    denied(dma_alloc(4096, dma), "dma_alloc");
    unchanged(dma.address == nullptr && dma.bus == 0xD0A && dma.bytes == 0, "dma_alloc");
    static uint8_t memory[16];
    GrantId grant{0xABCD};
    denied(grant_create(victim, memory, sizeof memory, GrantAccess::read, grant), "grant_create");
    unchanged(grant.raw == 0xABCD, "grant_create");
    denied(grant_revoke(GrantId{1u << 12}), "grant_revoke");
    denied(safecopy_from(victim, GrantId{1u << 12}, 0, memory, 8), "safecopy_from");
    denied(safecopy_to(victim, GrantId{1u << 12}, 0, memory, 8), "safecopy_to");
    denied(watch_deaths(), "watch_deaths");
    Death death;
    death.status = 777;
    denied(next_death(death), "next_death");
    unchanged(death.status == 777 && death.endpoint.raw == 0, "next_death");
    denied(kill(victim), "kill");
    Endpoint fresh = endpoints::none;
    denied(restart(victim, fresh), "restart");
    unchanged(fresh == endpoints::none, "restart");
    log("ok: %d attempts without privilege, each call_denied", attempt);
    return 0;
}

// Replicas share one privilege structure, and a notification (or an alarm's)
// names its source by privilege: a sharer may not notify or set an alarm.
AXL_PROGRAM(adversary_sharer, "shares its privilege: notify and set_alarm refused with call_denied (adversary)",
            axl::string_option("lender", "lender", "the lender's process name")) {
    const Endpoint lender = lookup_or_fail(arg_string("lender", "lender"));
    Status status = notify(lender);
    if (status != Status::call_denied) fail("notify from a shared privilege: expected call_denied, got %s", to_string(status));
    status = set_alarm(1000);
    if (status != Status::call_denied)
        fail("set_alarm with a shared privilege: expected call_denied, got %s", to_string(status));
    log("ok: notify and set_alarm refused to a shared privilege (call_denied)");
    return 0;
}

// Must never be reached: the judge's report request is the only message it
// accepts; anything else fails it at once, naming what reached it.
AXL_PROGRAM(adversary_victim, "fails if any message but the judge's reaches it (adversary)",
            axl::string_option("judge", "judge", "the judge's process name")) {
    const Endpoint judge = lookup_or_fail(arg_string("judge", "judge"));
    Message m;
    Status status = receive(endpoints::any, m);
    for (uint64_t reports = 0;; ++reports) {
        check_ok(status, "receive");
        if (m.source != judge || m.type != types::report)
            fail("reached by a message of type %#x from %#x (words %#llx %#llx)", m.type, m.source.raw,
                 ull(m.payload.words[0]), ull(m.payload.words[1]));
        m = Message{};
        m.type = types::report;
        m.payload.words[0] = 0;  // messages from anyone else: it would have failed
        status = reply_receive(judge, m);
    }
}

namespace {
alignas(64) uint8_t g_readable[lent_bytes];
alignas(64) uint8_t g_judges[lent_bytes];
alignas(64) uint8_t g_revoked[lent_bytes];
}  // namespace

// The adversary's one legitimate peer. Lends grants, reports the source the
// kernel stamped on each message, and fails at once on any message the
// kernel should have refused (a reserved type, a notification from anyone
// but the adversary, a message from anyone else).
AXL_PROGRAM(adversary_lender, "lends the adversary grants and checks every source the kernel stamped (adversary)",
            axl::string_option("adversary", "adversary", "the adversary's process name"),
            axl::string_option("judge", "judge", "the judge's process name")) {
    const Endpoint adversary = lookup_or_fail(arg_string("adversary", "adversary"));
    const Endpoint judge = lookup_or_fail(arg_string("judge", "judge"));
    for (size_t i = 0; i < lent_bytes; ++i) g_readable[i] = lent_pattern(i), g_judges[i] = g_revoked[i] = 0x11;
    GrantId readable{}, judges{}, revoked{}, unmapped{};
    Endpoint last_spoofed = endpoints::none, last_notifier = endpoints::none;
    uint64_t spoofed_count = 0;
    Message m;
    Status status = receive(endpoints::any, m);
    for (;;) {
        check_ok(status, "receive");
        const Endpoint from = m.source;
        if (m.type == message_types::notify) {
            if (from != adversary) fail("a notification from %#x, which may not notify", from.raw);
            last_notifier = from;
            status = receive(endpoints::any, m);
            continue;
        }
        if (message_types::reserved(m.type)) fail("a message of the kernel's type %#x from %#x", m.type, from.raw);
        if (from != adversary && from != judge) fail("a message of type %#x from %#x", m.type, from.raw);
        const uint32_t type = m.type;
        Message reply;
        reply.type = type;
        switch (type) {
            case types::ask_grants:
                if (from != adversary) fail("ask_grants from %#x", from.raw);
                check_ok(grant_create(adversary, g_readable, lent_bytes, GrantAccess::read, readable), "grant_create");
                check_ok(grant_create(judge, g_judges, lent_bytes, GrantAccess::read_write, judges), "grant_create");
                check_ok(grant_create(adversary, g_revoked, lent_bytes, GrantAccess::write, revoked), "grant_create");
                check_ok(grant_revoke(revoked), "grant_revoke");
                check_ok(grant_create(adversary, reinterpret_cast<const void*>(unmapped_address), lent_bytes,
                                      GrantAccess::read, unmapped),
                         "grant_create over unmapped memory");
                reply.payload.words[0] = readable.raw;
                reply.payload.words[1] = judges.raw;
                reply.payload.words[2] = revoked.raw;
                reply.payload.words[3] = unmapped.raw;
                break;
            case types::spoofed:
                last_spoofed = from;
                spoofed_count += 1;
                status = receive(endpoints::any, m);
                continue;
            case types::spoof_probe:
                reply.payload.words[0] = from.raw;
                reply.payload.words[1] = last_spoofed.raw;
                reply.payload.words[2] = spoofed_count;
                reply.payload.words[3] = last_notifier.raw;
                last_spoofed = last_notifier = endpoints::none;
                spoofed_count = 0;
                break;
            case types::report:
                if (from != judge) fail("report from %#x", from.raw);
                for (size_t i = 0; i < lent_bytes; ++i) {
                    if (g_readable[i] != lent_pattern(i)) fail("the read-only lent memory changed at byte %zu", i);
                    if (g_judges[i] != 0x11) fail("the judge's lent memory changed at byte %zu", i);
                    if (g_revoked[i] != 0x11) fail("the memory of the revoked grant changed at byte %zu", i);
                }
                reply.payload.words[0] = 1;
                reply.payload.words[1] = judges.raw;
                break;
            default: fail("a message of unknown type %#x from %#x", type, from.raw);
        }
        m = reply;
        status = reply_receive(from, m);
    }
}

// When the adversary is done: every victim asked, the grant the adversary was
// refused used by its real grantee (so the refusal was about the grantee, not
// a broken grant), the verdict sent back.
AXL_PROGRAM(adversary_judge, "asks the victims once the adversary is done, and gives the verdict (adversary)",
            axl::string_option("adversary", "adversary", "the adversary's process name"),
            axl::string_option("victim", "victim", "the victim's process name"),
            axl::string_option("lender", "lender", "the lender's process name"),
            axl::string_option("short_lived", "", "processes to wait for until they exit, comma-separated")) {
    const Endpoint adversary = lookup_or_fail(arg_string("adversary", "adversary"));
    const Endpoint victim = lookup_or_fail(arg_string("victim", "victim"));
    const Endpoint lender = lookup_or_fail(arg_string("lender", "lender"));
    Message m;
    check_ok(receive(adversary, m), "receive(adversary)");
    if (m.type != types::done) fail("the adversary sent type %#x, expected done", m.type);
    const uint64_t attempts = m.payload.words[0];
    wait_for_exits(parse_names("short_lived"));

    Message question;
    question.type = types::report;
    const Status asked = sendrec(victim, question);
    if (asked != Status::ok) fail("the victim did not answer (%s): it failed, see its reason above", to_string(asked));
    if (question.payload.words[0] != 0) fail("the victim was reached %llu times", ull(question.payload.words[0]));

    question = Message{};
    question.type = types::report;
    const Status reported = sendrec(lender, question);
    if (reported != Status::ok) fail("the lender did not answer (%s): it failed, see its reason above", to_string(reported));
    if (question.payload.words[0] != 1) fail("the lender's memory was changed");
    const GrantId judges{static_cast<uint32_t>(question.payload.words[1])};
    uint8_t buffer[lent_bytes] = {};
    check_ok(safecopy_from(lender, judges, 0, buffer, lent_bytes), "safecopy_from(lender, the judge's grant)");
    for (size_t i = 0; i < lent_bytes; ++i)
        if (buffer[i] != 0x11) fail("the judge's grant, byte %zu: expected 0x11, got %#x", i, buffer[i]);

    Message verdict;
    verdict.type = types::verdict;
    verdict.payload.words[0] = 1;
    check_ok(send(adversary, verdict), "send(adversary, verdict)");
    log("ok: %llu attempts by the adversary; the victim was never reached, the lender's memory is intact, "
        "and the grant refused to the adversary works for the judge",
        ull(attempts));
    return 0;
}
