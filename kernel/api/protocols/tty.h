// The console protocol: what a program sends to a tty driver (drivers/uart.cc)
// to print or read text. Text travels inside the message (up to
// chunk_bytes per request), so printing needs no grant; tty_write() below
// splits longer text. A write is answered once its bytes are in the UART's
// transmit FIFO, so a program that has printed and exits loses nothing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/status.h"

namespace axl::tty {

inline constexpr uint32_t write = 0x7701;  // bytes[0] = length (1..chunk_bytes), bytes[8..] = text
inline constexpr uint32_t read = 0x7702;   // bytes[0] = most bytes wanted (1..chunk_bytes)
inline constexpr uint32_t reply = 0x7703;  // words[0] = Status, bytes[1*8..] unused for write;
                                           // read: bytes[0] = length, bytes[8..] = the text
inline constexpr size_t chunk_bytes = 48;
inline constexpr size_t text_offset = 8;

// Sends `length` bytes of `text` to the tty `driver`, in chunks; returns the
// first failure (an IPC status, or the driver's).
inline Status tty_write(Endpoint driver, const char* text, size_t length) {
    while (length > 0) {
        Message m;
        m.type = write;
        const size_t chunk = length < chunk_bytes ? length : chunk_bytes;
        m.payload.bytes[0] = static_cast<uint8_t>(chunk);
        for (size_t i = 0; i < chunk; ++i) m.payload.bytes[text_offset + i] = static_cast<uint8_t>(text[i]);
        Status status = sendrec(driver, m);
        if (status != Status::ok) return status;
        if (m.type != reply) return Status::bad_argument;
        if (static_cast<Status>(m.payload.words[0]) != Status::ok) return static_cast<Status>(m.payload.words[0]);
        text += chunk;
        length -= chunk;
    }
    return Status::ok;
}

inline Status tty_print(Endpoint driver, const char* text) {
    size_t length = 0;
    while (text[length]) ++length;
    return tty_write(driver, text, length);
}

// Waits for input: up to `capacity` (<= chunk_bytes) bytes into `text`;
// `length` says how many came.
inline Status tty_read(Endpoint driver, char* text, size_t capacity, size_t& length) {
    Message m;
    m.type = read;
    m.payload.bytes[0] = static_cast<uint8_t>(capacity < chunk_bytes ? capacity : chunk_bytes);
    Status status = sendrec(driver, m);
    if (status != Status::ok) return status;
    if (m.type != reply) return Status::bad_argument;
    length = m.payload.bytes[0] <= capacity ? m.payload.bytes[0] : capacity;
    for (size_t i = 0; i < length; ++i) text[i] = static_cast<char>(m.payload.bytes[text_offset + i]);
    return Status::ok;
}

}  // namespace axl::tty
