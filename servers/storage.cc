// storage_server: a byte-addressed store on top of a block driver (the
// storage protocol, kernel/api/protocols/storage.h). Clients read and write
// any offset and length; the server turns that into whole-sector requests,
// reading the sectors a write only partly covers first (read-modify-write).
//
// Data path of a write: client memory -> (safecopy from the client's grant)
// the server's buffer -> (the block driver's safecopy from the server's grant)
// the driver's DMA window -> (DMA) the disk. Reads go the other way.
//
// When the block driver dies (its request returns dead_endpoint), the server
// waits for the reincarnation server to bring it back (a notification from
// rs), looks it up again, grants its buffer to the new incarnation and
// re-issues the request that was in flight: sector reads and writes are
// idempotent, so clients see nothing but the delay.
//
// End to end, it keeps a checksum of every sector it wrote (the first
// checksummed_sectors_max sectors) and checks sectors it reads against it: a
// sector that arrives corrupted (a bit flipped by DMA, say) is read again, up
// to reread_max times, before the error goes to the client.
//
// Arguments: block (the block driver's name, default "block"), rs (the
// reincarnation server's name; without one a driver death is fatal).
#include <cstddef>
#include <cstdint>

#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/block.h"
#include "kernel/api/protocols/integrity.h"
#include "libsys/sealed_reply.h"
#include "kernel/api/protocols/storage.h"
#include "libsys/checks.h"

namespace {

using namespace axl;

constexpr uint32_t buffer_sectors = 32;
constexpr size_t buffer_bytes = buffer_sectors * block::sector_bytes;
constexpr uint32_t checksummed_sectors_max = 8192;  // 4 MiB
constexpr uint32_t reread_max = 3;

constexpr ProgramOption block_option = string_option("block", "block", "the block driver's process name");
constexpr ProgramOption rs_option =
    string_option("rs", "", "the reincarnation server's process name, to be told of restarts (\"\": none)");

uint32_t sector_checksum(const uint8_t* sector) {
    uint32_t hash = 2166136261u;  // FNV-1a
    for (uint32_t i = 0; i < block::sector_bytes; ++i) hash = (hash ^ sector[i]) * 16777619u;
    return hash | 1u;  // never 0: 0 marks "not known"
}

class StorageServer {
public:
    explicit StorageServer(uint8_t* buffer) : m_buffer(buffer) {}

    void setup() {
        m_driver_name = sys::option_string(block_option);
        check(lookup(m_driver_name, m_driver), "look up the block driver");
        const char* rs = sys::option_string(rs_option);
        if (*rs) check(lookup(rs, m_rs), "look up the reincarnation server");
        check(grant_create(m_driver, m_buffer, buffer_bytes, GrantAccess::read_write, m_grant),
              "grant the buffer to the block driver");
        Message m;
        m.type = block::info;
        integrity::seal(m);
        check(sendrec(m_driver, m), "ask the block driver for the disk's size");
        if (static_cast<Status>(m.payload.words[0]) != Status::ok || m.payload.words[3] != block::sector_bytes)
            fail("the block driver refused the info request");
        m_size = m.payload.words[1] * block::sector_bytes;
    }

    [[noreturn]] void run() {
        for (;;) {
            Message m;
            check(receive(endpoints::any, m), "receive");
            Message reply;
            reply.type = storage::reply;
            const bool is_request = m.type == storage::size || m.type == storage::read || m.type == storage::write;
            sys::reply_sealed(m, is_request, reply, [&](Message& answer) {
                if (m.type == storage::size) {
                    answer.payload.words[0] = static_cast<uint64_t>(Status::ok);
                    answer.payload.words[1] = m_size;
                } else {
                    serve(m, answer);
                }
            });
        }
    }

private:
    void check(Status status, const char* what) {
        if (status != Status::ok) fail("cannot %s: %s", what, to_string(status));
    }

    void serve(const Message& request, Message& reply) {
        const bool writing = request.type == storage::write;
        const uint64_t offset = request.payload.words[0];
        const uint64_t length = request.payload.words[1];
        const GrantId grant{static_cast<uint32_t>(request.payload.words[2])};
        Status status = length == 0 || offset > m_size || length > m_size - offset ? Status::bad_argument : Status::ok;
        uint64_t done = 0;
        while (status == Status::ok && done < length) {
            // One buffer's worth of sectors at a time.
            const uint64_t position = offset + done;
            const uint64_t first_sector = position / block::sector_bytes;
            const size_t within = position % block::sector_bytes;
            uint64_t piece = buffer_bytes - within;
            if (piece > length - done) piece = length - done;
            const uint64_t sectors = (within + piece + block::sector_bytes - 1) / block::sector_bytes;
            if (writing) {
                // Sectors the piece covers only partly keep their other bytes.
                const bool partial = within != 0 || (within + piece) % block::sector_bytes != 0;
                if (partial) status = disk(block::read, first_sector, sectors, reply);
                if (status == Status::ok)
                    status = safecopy_from(request.source, grant, done, m_buffer + within, piece);
                if (status == Status::ok) status = disk(block::write, first_sector, sectors, reply);
            } else {
                status = disk(block::read, first_sector, sectors, reply);
                if (status == Status::ok) status = safecopy_to(request.source, grant, done, m_buffer + within, piece);
            }
            if (status == Status::ok) done += piece;
        }
        reply.payload.words[0] = static_cast<uint64_t>(status);
        reply.payload.words[1] = done;
    }

    // A disk request with the end-to-end check: writes record the sectors'
    // checksums, reads are verified against them and repeated on a mismatch.
    Status disk(uint32_t type, uint64_t first_sector, uint64_t sectors, Message& reply) {
        if (type == block::write) {
            Status status = disk_once(type, first_sector, sectors, reply);
            for (uint64_t i = 0; status == Status::ok && i < sectors; ++i)
                if (first_sector + i < checksummed_sectors_max)
                    m_checksums[first_sector + i] = sector_checksum(m_buffer + i * block::sector_bytes);
            return status;
        }
        for (uint32_t attempt = 0;; ++attempt) {
            Status status = disk_once(type, first_sector, sectors, reply);
            if (status != Status::ok) return status;
            const uint64_t bad = first_corrupt_sector(first_sector, sectors);
            if (bad == ~uint64_t{0}) return Status::ok;
            m_rereads += 1;
            log("storage: sector %llu failed its checksum, reading again (attempt %u)",
                static_cast<unsigned long long>(bad), attempt + 1);
            if (attempt + 1 == reread_max) return Status::bad_address;
        }
    }

    uint64_t first_corrupt_sector(uint64_t first_sector, uint64_t sectors) const {
        for (uint64_t i = 0; i < sectors; ++i) {
            const uint64_t sector = first_sector + i;
            if (sector >= checksummed_sectors_max || m_checksums[sector] == 0) continue;
            if (sector_checksum(m_buffer + i * block::sector_bytes) != m_checksums[sector]) return sector;
        }
        return ~uint64_t{0};
    }

    Status disk_once(uint32_t type, uint64_t first_sector, uint64_t sectors, Message& reply) {
        Message m;
        Status status;
        uint64_t resends = 0;
        for (;;) {
            m = Message{};
            m.type = type;
            m.payload.words[0] = first_sector;
            m.payload.words[1] = sectors;
            m.payload.words[2] = m_grant.raw;
            m.payload.words[3] = 0;
            integrity::seal(m);
            status = sendrec(m_driver, m);
            if (status == Status::dead_endpoint) {
                reconnect();  // then the same request again
                continue;
            }
            // A request or reply corrupted on the way: the same request again
            // (sector reads and writes are idempotent).
            if (status == Status::ok && (!integrity::intact(m) || m.payload.words[5] == integrity::resend)) {
                if (++resends > resends_max) return Status::bad_address;
                log("storage: a block message arrived corrupted, sending the request again");
                continue;
            }
            break;
        }
        if (status != Status::ok) return status;
        reply.payload.words[2] = m.payload.words[2];  // the device's error code, if any
        return static_cast<Status>(m.payload.words[0]);
    }

    // The driver died: wait until the reincarnation server has started it
    // again, and make the buffer's grant to the new incarnation.
    void reconnect() {
        if (m_rs == Endpoint{}) fail("the block driver died and no reincarnation server brings it back");
        (void)grant_revoke(m_grant);
        for (;;) {
            Endpoint fresh;
            if (lookup(m_driver_name, fresh) == Status::ok && fresh != m_driver) {
                m_driver = fresh;
                break;
            }
            Message back;  // rs notifies this server once the driver is back
            check(receive(m_rs, back), "wait for the reincarnation server");
        }
        check(grant_create(m_driver, m_buffer, buffer_bytes, GrantAccess::read_write, m_grant),
              "grant the buffer to the new block driver");
        m_reconnects += 1;
        log("storage: block driver back (reconnect %llu), re-issuing the request in flight",
            static_cast<unsigned long long>(m_reconnects));
    }

    uint8_t* const m_buffer;
    const char* m_driver_name = "block";
    Endpoint m_rs;
    uint64_t m_reconnects = 0;
    uint64_t m_rereads = 0;
    static constexpr uint64_t resends_max = 8;  // in a row, before the error goes to the client
    uint32_t m_checksums[checksummed_sectors_max] = {};  // 0: not known
    Endpoint m_driver;
    GrantId m_grant;
    uint64_t m_size = 0;
};

}  // namespace

AXL_PROGRAM(storage_server, "byte-addressed storage on a block driver (storage protocol)",
            block_option, rs_option) {
    alignas(64) uint8_t buffer[buffer_bytes];  // on the stack: each instance has its own
    StorageServer server(buffer);
    server.setup();
    server.run();
}
