// A Linux driver process's life: its modules' inits in Linux's order (which
// probe the PCI functions the process was granted), then one receive(any)
// loop that turns hardware notifications into interrupt handlers, alarms into
// timers and work, and requests into calls of the driver's own code.
#include <cstddef>
#include <cstdint>

#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/protocols/linux_driver.h"
#include "linux_env/kit/chardev_server.h"
#include "linux_env/kit/driver_loop.h"
#include "linux_env/kit/lx_kit.h"
#include "linux_env/kit/net_server.h"

namespace axl::linux_env {

namespace {

// A panic request's reason, as text the C half can print.
void panic_on_request(const Message& request) {
    static char reason[linux_driver::reason_bytes + 1];
    size_t length = request.payload.bytes[0];
    if (length > linux_driver::reason_bytes) length = linux_driver::reason_bytes;
    for (size_t i = 0; i < length; ++i) reason[i] = static_cast<char>(request.payload.bytes[linux_driver::text_offset + i]);
    reason[length] = '\0';
    lx_emul_panic(length ? reason : "requested");
}

// What interrupt deliveries took (linux_driver::measure_interrupts).
struct InterruptDeliveries {
    uint64_t count = 0, total_ns = 0, least_ns = ~uint64_t{0}, most_ns = 0;

    void add(uint64_t ns) {
        ++count;
        total_ns += ns;
        if (ns < least_ns) least_ns = ns;
        if (ns > most_ns) most_ns = ns;
    }
};

void answer_measure(const Message& request, const InterruptDeliveries& interrupts, Message& answer) {
    answer.type = linux_driver::reply;
    Status status = Status::ok;
    if (request.payload.words[0] == linux_driver::measure_registers) {
        uint64_t before = 0, after = 0;
        (void)clock(before);
        const long done = lx_emul_measure_register_reads(static_cast<unsigned long>(request.payload.words[1]));
        (void)clock(after);
        if (done < 0) status = Status::not_found;
        answer.payload.words[1] = done < 0 ? 0 : static_cast<uint64_t>(done);
        answer.payload.words[2] = after - before;
    } else if (request.payload.words[0] == linux_driver::measure_interrupts) {
        answer.payload.words[1] = interrupts.count;
        answer.payload.words[2] = interrupts.total_ns;
        answer.payload.words[3] = interrupts.count ? interrupts.least_ns : 0;
        answer.payload.words[4] = interrupts.most_ns;
    } else {
        status = Status::bad_argument;
    }
    answer.payload.words[0] = static_cast<uint64_t>(status);
}

}  // namespace

int32_t run_driver(const char* name, const lx_emul_module* modules, uint32_t module_count,
                   const lx_emul_params* params) {
    if (int error = lx_emul_start(modules, module_count, params); error != 0) {
        log("linux: %s: module init failed: %d", name, error);
        return 1;
    }
    bool serves_net = net_start();
    log("linux: %s: started%s", name, serves_net ? ", serving the net protocol" : "");
    uint64_t alarm_at = 0;
    InterruptDeliveries interrupts;
    for (;;) {
        uint64_t next = lx_emul_run_pending();
        net_poll();
        next = lx_emul_run_pending();
        if (next != alarm_at) {
            lx_kit_wake_at(next);
            alarm_at = next;
        }
        Message message;
        if (receive(endpoints::any, message) != Status::ok) continue;
        if (message.source == endpoints::hardware) {
            uint64_t now = 0;
            if (clock(now) == Status::ok && now >= irq_raised_at_ns(message)) interrupts.add(now - irq_raised_at_ns(message));
            lx_emul_irq(irq_lines_of(message));
            continue;
        }
        if (message.source == endpoints::clock) {
            alarm_at = 0;  // one-shot: it fired
            continue;
        }
        if (message.type == linux_driver::panic) panic_on_request(message);
        Message answer;
        if (message.type == linux_driver::measure) {
            answer_measure(message, interrupts, answer);
            (void)sendnb(message.source, answer);
            continue;
        }
        if (serve_chardev(message, answer)) {
            (void)sendnb(message.source, answer);
            continue;
        }
        bool answered = false;
        if (serve_net(message, answer, answered)) {
            if (answered) (void)sendnb(message.source, answer);
            continue;
        }
        answer.type = linux_driver::reply;
        answer.payload.words[0] = static_cast<uint64_t>(Status::bad_argument);
        (void)sendnb(message.source, answer);
    }
}

}  // namespace axl::linux_env

// The generated entry (C, with the driver's module table) calls this.
extern "C" int lx_kit_run(const char* name, const lx_emul_module* modules, unsigned int module_count,
                          const lx_emul_params* params) {
    return axl::linux_env::run_driver(name, modules, module_count, params);
}
