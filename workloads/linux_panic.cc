// linux_panic: makes a Linux driver process panic, as its kernel would
// (kernel/api/protocols/linux_driver.h): after `delay_ms` of virtual time it
// asks the driver (arg "driver") to run Linux's panic() with a reason. The
// driver's panic notifiers run (pvpanic reports the panic to its device),
// then the process ends with a fault, which rs answers per its policy. It
// does so `panics` times, each time waiting until rs has started the driver
// again (a new endpoint under its name), so a run shows the driver coming
// back and probing its device anew.
#include <cstddef>
#include <cstdint>

#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/linux_driver.h"
#include "libsys/sleep.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using namespace axl::workloads;

constexpr ProgramOption driver_option = string_option("driver", "pvpanic", "the Linux driver's process name");
constexpr ProgramOption delay_option =
    integer_option("delay_ms", 1, 0, 3'600'000, "virtual time before the panic, in milliseconds");
constexpr ProgramOption reason_option = string_option("reason", "requested by linux_panic", "the panic's reason");
constexpr ProgramOption panics_option =
    integer_option("panics", 1, 1, 1000, "panics, each after the driver was restarted from the previous one");


class LinuxPanic {
public:
    LinuxPanic()
        : m_driver_name(option_string(driver_option)),
          m_delay(static_cast<uint64_t>(option_int(delay_option))),
          m_reason(option_string(reason_option)),
          m_panics(option_int(panics_option)) {}

    void setup() { m_driver = lookup_or_fail(m_driver_name); }

    void run() {
        for (int64_t panic = 0; panic < m_panics; ++panic) {
            if (panic > 0) wait_for_restart();
            sleep_ms(m_delay);
            ask_to_panic();
        }
        wait_for_restart();
    }

    void check() {
        log("ok: %s panicked %lld times and was started again each time: %s", m_driver_name, sll(m_panics), m_reason);
    }

private:
    // Until rs has started the driver again: its name names a new endpoint.
    void wait_for_restart() {
        for (uint32_t attempt = 0; attempt < 1000; ++attempt) {
            Endpoint now{};
            if (lookup(m_driver_name, now) == Status::ok && now != m_driver) {
                m_driver = now;
                return;
            }
            sleep_ms(1);
        }
        fail("%s was not started again within 1 s of its panic", m_driver_name);
    }

    void ask_to_panic() {
        Message request;
        request.type = linux_driver::panic;
        size_t length = 0;
        while (m_reason[length] && length < linux_driver::reason_bytes) {
            request.payload.bytes[linux_driver::text_offset + length] = static_cast<uint8_t>(m_reason[length]);
            ++length;
        }
        request.payload.bytes[0] = static_cast<uint8_t>(length);
        check_ok(send(m_driver, request), "ask the driver to panic");
    }

    const char* m_driver_name;
    uint64_t m_delay;
    const char* m_reason;
    int64_t m_panics;
    Endpoint m_driver{};
};

}  // namespace

AXL_PROGRAM(linux_panic, "makes a Linux driver process run Linux's panic(): its panic notifiers, then its end",
            driver_option, delay_option, reason_option, panics_option) {
    return run_workload<LinuxPanic>();
}
