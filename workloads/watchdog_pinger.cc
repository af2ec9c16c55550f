// watchdog_pinger: a watchdog daemon, through the chardev protocol
// (kernel/api/protocols/chardev.h), as a Linux program would use
// /dev/watchdog: open it (which starts the watchdog), set its timeout with
// WDIOC_SETTIMEOUT, ping it `pings` times every `interval_ms`, then either
// stop it the way Linux's watchdog API allows (write the magic 'V', then
// close: `magic_close` = 1) or stop pinging and keep it open for `linger_ms`
// (the watchdog then fires: the machine's "watchdog reset"). It serves any
// driver of Linux's watchdog API: linux_i6300esb and linux_ib700wdt.
//
// A driver that dies (a crash, a fault campaign) takes its open files with
// it: the daemon looks the driver up again once rs has restarted it, opens
// the device anew and sets the timeout again, as a Linux watchdog daemon
// reopens /dev/watchdog. The device's own timer keeps running meanwhile, so a
// restart that takes too long is a reset, as it should be.
#include <cstddef>
#include <cstdint>

#include "kernel/api/grant.h"
#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/chardev.h"
#include "libsys/sleep.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using namespace axl::workloads;

constexpr ProgramOption driver_option = string_option("driver", "watchdog", "the watchdog driver's process name");
constexpr ProgramOption device_option = string_option("device", "watchdog", "the device's name, as in /dev");
constexpr ProgramOption timeout_option = integer_option("timeout_s", 2, 1, 3600, "the timeout to set, in seconds");
constexpr ProgramOption pings_option = integer_option("pings", 10, 0, 1'000'000, "pings before it stops pinging");
constexpr ProgramOption interval_option =
    integer_option("interval_ms", 500, 1, 3'600'000, "virtual time between pings, in milliseconds");
constexpr ProgramOption magic_close_option =
    integer_option("magic_close", 1, 0, 1, "1: write 'V' and close (the watchdog stops); 0: leave it open");
constexpr ProgramOption linger_option =
    integer_option("linger_ms", 0, 0, 3'600'000, "after the last ping with magic_close = 0: wait this long, then exit");

// Linux's watchdog ioctls (the _IOR/_IOWR encoding of 'W' 5 and 'W' 6 on an int).
constexpr uint32_t wdioc_keepalive = 0x8004'5705;
constexpr uint32_t wdioc_settimeout = 0xC004'5706;


class WatchdogPinger {
public:
    WatchdogPinger()
        : m_driver_name(option_string(driver_option)),
          m_device(option_string(device_option)),
          m_timeout(option_int(timeout_option)),
          m_pings(option_int(pings_option)),
          m_interval(static_cast<uint64_t>(option_int(interval_option))),
          m_magic_close(option_int(magic_close_option) != 0),
          m_linger(static_cast<uint64_t>(option_int(linger_option))) {}

    void setup() {
        if (!open_watchdog(lookup_or_fail(m_driver_name))) (void)again(Status::dead_endpoint, "open the watchdog");
    }

    void run() {
        for (int64_t ping = 0; ping < m_pings; ++ping) {
            sleep_ms(m_interval);
            int64_t result = 0;
            if (ping % 2 == 0) {
                m_buffer[0] = 'x';
                while (again(chardev::write_grant(m_driver, m_handle, m_grant, 1, result), "ping by write")) {
                }
                if (result != 1) fail("ping %lld by write: expected 1 byte written, got %lld", sll(ping), sll(result));
            } else {
                while (again(chardev::ioctl_grant(m_driver, m_handle, wdioc_keepalive, m_grant, 0, result),
                             "ping by WDIOC_KEEPALIVE")) {
                }
                if (result != 0) fail("ping %lld by ioctl: expected 0, got %lld", sll(ping), sll(result));
            }
        }
        if (m_magic_close) {
            int64_t result = 0;
            m_buffer[0] = 'V';
            while (again(chardev::write_grant(m_driver, m_handle, m_grant, 1, result), "write the magic 'V'")) {
                m_buffer[0] = 'V';
            }
            check_ok(chardev::release_handle(m_driver, m_handle, result), "close the watchdog");
            if (result != 0) fail("close: expected 0, got %lld", sll(result));
        } else if (m_linger) {
            sleep_ms(m_linger);
        }
    }

    void check() {
        log("ok: pinged %lld times every %llu ms, timeout %d s, %s, reopened %u times", sll(m_pings), ull(m_interval),
            m_timeout_set, m_magic_close ? "stopped by the magic close" : "left running", m_reopened);
    }

private:
    // Opens the device on `driver`, lends it the buffer and sets the timeout:
    // true, or false if the driver died meanwhile.
    bool open_watchdog(Endpoint driver) {
        m_driver = driver;
        if (m_grant.raw != 0) (void)grant_revoke(m_grant);
        check_ok(grant_create(m_driver, m_buffer, sizeof m_buffer, GrantAccess::read_write, m_grant),
                 "grant the buffer to the driver");
        Status status = chardev::open_device(m_driver, m_device, chardev::write_only, m_handle);
        if (status == Status::dead_endpoint) return false;
        check_ok(status, "open the watchdog");
        if (m_handle < 0) fail("open %s: expected a handle, got errno %lld", m_device, sll(-m_handle));
        int32_t timeout = static_cast<int32_t>(m_timeout);
        store(&timeout, sizeof timeout);
        int64_t result = 0;
        status = chardev::ioctl_grant(m_driver, m_handle, wdioc_settimeout, m_grant, 0, result);
        if (status == Status::dead_endpoint) return false;
        check_ok(status, "WDIOC_SETTIMEOUT");
        if (result != 0) fail("WDIOC_SETTIMEOUT %lld: expected 0, got %lld", sll(m_timeout), sll(result));
        load(&timeout, sizeof timeout);
        m_timeout_set = timeout;
        log("watchdog %s open, timeout %d s", m_device, timeout);
        return true;
    }

    // After a call: false if it went through; true (call again) if the driver
    // had died and is now restarted and the device reopened (each time the
    // driver dies again meanwhile, it waits for the next incarnation).
    bool again(Status status, const char* what) {
        if (status != Status::dead_endpoint) {
            check_ok(status, what);
            return false;
        }
        for (uint32_t attempt = 0; attempt < 1000; ++attempt) {
            Endpoint now{};
            if (lookup(m_driver_name, now) == Status::ok && now != m_driver) {
                ++m_reopened;
                if (open_watchdog(now)) return true;
                continue;  // it died again before it was open: wait for the next one
            }
            sleep_ms(1);
        }
        fail("%s: the driver died and was not started again within 1 s", what);
    }

    void store(const void* from, size_t bytes) {
        for (size_t i = 0; i < bytes; ++i) m_buffer[i] = static_cast<const uint8_t*>(from)[i];
    }
    void load(void* to, size_t bytes) const {
        for (size_t i = 0; i < bytes; ++i) static_cast<uint8_t*>(to)[i] = m_buffer[i];
    }

    const char* m_driver_name;
    const char* m_device;
    int64_t m_timeout;
    int64_t m_pings;
    uint64_t m_interval;
    bool m_magic_close;
    uint64_t m_linger;
    Endpoint m_driver{};
    GrantId m_grant{};
    int64_t m_handle = -1;
    int32_t m_timeout_set = 0;
    uint32_t m_reopened = 0;
    uint8_t m_buffer[16] = {};
};

}  // namespace

AXL_PROGRAM(watchdog_pinger, "a watchdog daemon: opens a Linux watchdog driver's device, sets the timeout, pings it, "
                             "then stops it by the magic close or leaves it to fire",
            driver_option, device_option, timeout_option, pings_option, interval_option, magic_close_option,
            linger_option) {
    return run_workload<WatchdogPinger>();
}
