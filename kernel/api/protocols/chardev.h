// The chardev protocol: what a program sends to a driver process that serves
// character devices, as Linux drivers do (linux_env/: misc devices and cdevs,
// a watchdog's "watchdog" and "watchdog0"). It is the file interface of
// Linux's /dev, one message per call: open a device by its name, then read,
// write, ioctl and release the handle open returned. Data never travels in
// messages: the client lends the driver its buffer with a grant, which the
// driver sees as user memory (copy_from_user and friends copy through it).
//
//   open     bytes[text_offset..] = the device's name (NUL-terminated, at most
//            name_bytes with the NUL); words[0] = open flags (Linux's:
//            0 read-only, 1 write-only, 2 read-write)
//   read     words: [0] handle, [1] grant (write access to the driver), [2] count
//   write    words: [0] handle, [1] grant (read access to the driver), [2] count
//   ioctl    words: [0] handle, [1] command, [2] grant (0: none), [3] argument.
//            With a grant, the argument passed to the driver is the user
//            address of the grant's first byte (word 3 is ignored); without,
//            word 3 is passed as it is (an integer argument).
//   release  words: [0] handle
//   reply    words: [0] Status, [1] the driver's result: open, the handle;
//            read/write, the bytes moved; ioctl and release, what the driver
//            returned. A negative result is a Linux errno (-2 no such device,
//            -9 a handle that is not the caller's, -14 a bad user buffer, ...).
//
// Status is ok whenever the driver's file operation ran (its result says how
// it went), bad_argument for an unknown request or a malformed name. A handle
// belongs to the client that opened it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/status.h"

namespace axl::chardev {

inline constexpr uint32_t open = 0x7E01;
inline constexpr uint32_t read = 0x7E02;
inline constexpr uint32_t write = 0x7E03;
inline constexpr uint32_t ioctl = 0x7E04;
inline constexpr uint32_t release = 0x7E05;
inline constexpr uint32_t reply = 0x7E06;
inline constexpr size_t text_offset = 8;
inline constexpr size_t name_bytes = Message::payload_bytes - text_offset;

inline constexpr uint64_t read_only = 0;
inline constexpr uint64_t write_only = 1;
inline constexpr uint64_t read_write = 2;

// One call: the IPC status, else the driver's result in `result`.
inline Status call(Endpoint driver, Message& m, int64_t& result) {
    Status status = sendrec(driver, m);
    if (status != Status::ok) return status;
    if (m.type != reply) return Status::bad_argument;
    result = static_cast<int64_t>(m.payload.words[1]);
    return static_cast<Status>(m.payload.words[0]);
}

inline Status open_device(Endpoint driver, const char* name, uint64_t flags, int64_t& handle) {
    Message m;
    m.type = open;
    m.payload.words[0] = flags;
    size_t i = 0;
    for (; name[i] && i + 1 < name_bytes; ++i) m.payload.bytes[text_offset + i] = static_cast<uint8_t>(name[i]);
    if (name[i]) return Status::bad_argument;
    return call(driver, m, handle);
}

inline Status write_grant(Endpoint driver, int64_t handle, GrantId grant, uint64_t count, int64_t& result) {
    Message m;
    m.type = write;
    m.payload.words[0] = static_cast<uint64_t>(handle);
    m.payload.words[1] = grant.raw;
    m.payload.words[2] = count;
    return call(driver, m, result);
}

inline Status ioctl_grant(Endpoint driver, int64_t handle, uint32_t command, GrantId grant, uint64_t argument,
                          int64_t& result) {
    Message m;
    m.type = ioctl;
    m.payload.words[0] = static_cast<uint64_t>(handle);
    m.payload.words[1] = command;
    m.payload.words[2] = grant.raw;
    m.payload.words[3] = argument;
    return call(driver, m, result);
}

inline Status release_handle(Endpoint driver, int64_t handle, int64_t& result) {
    Message m;
    m.type = release;
    m.payload.words[0] = static_cast<uint64_t>(handle);
    return call(driver, m, result);
}

}  // namespace axl::chardev
