// storage_check: read-after-write integrity through the whole storage path
// (this workload -> storage_server -> block_driver -> DMA -> the disk).
//
// It fills a region of the store with random bytes, keeping a shadow copy
// in its own memory, then runs `ops` random operations of random sizes (1..max_bytes) at random byte
// offsets: writes of fresh random bytes (the shadow is updated), and reads
// that must match the shadow byte for byte. At the end it reads the whole
// region back, checks it, and logs its checksum: the same seed gives the same
// checksum under every IPC strategy and either device-access model.
//
// Arguments: storage (server name, default "storage"), ops (default 200),
// max_bytes (default 6000), region (bytes, default 131072, at most
// region_max). Give it a stack of 512KiB: the shadow and buffers live there.
#include <cstddef>
#include <cstdint>

#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/integrity.h"
#include "kernel/api/protocols/storage.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using namespace axl::workloads;

constexpr size_t region_max = 256 * 1024;
constexpr size_t transfer_max = 32 * 1024;
constexpr uint32_t retries_max = 8;            // stale-endpoint retries of one request
constexpr uint32_t polls_max = 10'000;         // looking for a restarted store, ...
constexpr uint64_t poll_interval_ns = 10'000;  // ... every 10 us: 100 ms in all

constexpr ProgramOption storage_option = string_option("storage", "storage", "the storage server's process name");
constexpr ProgramOption ops_option = integer_option("ops", 200, 1, 100'000'000, "writes, each read back");
constexpr ProgramOption max_bytes_option =
    integer_option("max_bytes", 6000, 1, transfer_max, "the largest write, in bytes");
constexpr ProgramOption region_option =
    integer_option("region", 128 * 1024, 1, region_max, "bytes of storage the writes fall in");

class StorageCheck {
public:
    StorageCheck(uint8_t* shadow, uint8_t* buffer)
        : m_shadow(shadow),
          m_buffer(buffer),
          m_ops(static_cast<uint64_t>(option_int(ops_option))),
          m_max_bytes(static_cast<uint64_t>(option_int(max_bytes_option))),
          m_region(static_cast<uint64_t>(option_int(region_option))) {}

    void setup() {
        m_storage = lookup_or_fail(option_string(storage_option));
        Message m;
        m.type = storage::size;
        integrity::seal(m);
        check_ok(sendrec(m_storage, m), "ask the store's size");
        if (m.payload.words[1] < m_region)
            fail("the store holds %llu bytes, the region needs %llu", ull(m.payload.words[1]), ull(m_region));
        // The region starts with random bytes it wrote itself, so every byte
        // it later reads has a known value (and the store a checksum of it).
        for (uint64_t offset = 0; offset < m_region; offset += transfer_max) {
            const uint64_t length = m_region - offset < transfer_max ? m_region - offset : transfer_max;
            for (uint64_t i = 0; i < length; ++i) m_shadow[offset + i] = static_cast<uint8_t>(random_u64());
            transfer(storage::write, offset, m_shadow + offset, length);
        }
    }

    void run() {
        for (uint64_t op = 0; op < m_ops; ++op) {
            const uint64_t length = 1 + random_u64() % m_max_bytes;
            const uint64_t bounded = length < m_region ? length : m_region;
            const uint64_t offset = random_u64() % (m_region - bounded + 1);
            if (random_u64() % 5 < 3) {
                for (uint64_t i = 0; i < bounded; ++i) m_buffer[i] = static_cast<uint8_t>(random_u64());
                transfer(storage::write, offset, m_buffer, bounded);
                for (uint64_t i = 0; i < bounded; ++i) m_shadow[offset + i] = m_buffer[i];
                m_written += bounded;
            } else {
                transfer(storage::read, offset, m_buffer, bounded);
                compare(offset, bounded);
                m_read += bounded;
            }
        }
    }

    void check() {
        uint64_t checksum = 0xCBF2'9CE4'8422'2325ull;  // FNV-1a over the region as read back
        for (uint64_t offset = 0; offset < m_region; offset += transfer_max) {
            const uint64_t length = m_region - offset < transfer_max ? m_region - offset : transfer_max;
            transfer(storage::read, offset, m_buffer, length);
            compare(offset, length);
            for (uint64_t i = 0; i < length; ++i) checksum = (checksum ^ m_buffer[i]) * 0x100'0000'01B3ull;
        }
        log("ok: %llu ops, %llu bytes written, %llu read back and matched, region checksum %016llx",
            ull(m_ops), ull(m_written), ull(m_read + m_region), ull(checksum));
    }

private:
    void transfer(uint32_t type, uint64_t offset, uint8_t* data, uint64_t length) {
        const GrantAccess access = type == storage::write ? GrantAccess::read : GrantAccess::write;
        Message m;
        for (uint32_t attempt = 0;; ++attempt) {
            GrantId grant;
            check_ok(grant_create(m_storage, data, length, access, grant), "grant a buffer to the store");
            m = Message{};
            m.type = type;
            m.payload.words[0] = offset;
            m.payload.words[1] = length;
            m.payload.words[2] = grant.raw;
            integrity::seal(m);
            const Status status = sendrec(m_storage, m);
            check_ok(grant_revoke(grant), "revoke the buffer's grant");
            if (status == Status::ok && attempt < retries_max &&
                (!integrity::intact(m) || m.payload.words[5] == integrity::resend)) {
                log("client: a storage message arrived corrupted, sending the request again");
                continue;  // the same request again: reads and writes of a range are idempotent
            }
            if (status != Status::dead_endpoint || attempt == retries_max) {
                check_ok(status, "send a request to the store");
                break;
            }
            wait_for_store();  // restarted by the reincarnation server: look it up, retry
        }
        const auto status = static_cast<Status>(m.payload.words[0]);
        if (m.type != storage::reply || status != Status::ok || m.payload.words[1] != length)
            fail("%s of %llu bytes at %llu: %s, %llu bytes done, device error %llu",
                 type == storage::write ? "write" : "read", ull(length), ull(offset), to_string(status),
                 ull(m.payload.words[1]), ull(m.payload.words[2]));
    }

    // The store's endpoint went stale: it died and is being restarted. Poll
    // for the new incarnation (a client holds no notification privilege).
    void wait_for_store() {
        const char* name = option_string(storage_option);
        for (uint32_t poll = 0; poll < polls_max; ++poll) {
            Endpoint fresh;
            if (lookup(name, fresh) == Status::ok && fresh != m_storage) {
                m_storage = fresh;
                return;
            }
            check_ok(compute(poll_interval_ns), "wait");
        }
        fail("the store did not come back within %llu ns", ull(polls_max * poll_interval_ns));
    }

    void compare(uint64_t offset, uint64_t length) {
        for (uint64_t i = 0; i < length; ++i)
            if (m_buffer[i] != m_shadow[offset + i])
                fail("byte %llu read back as %u, expected %u (read of %llu bytes at %llu)", ull(offset + i),
                     m_buffer[i], m_shadow[offset + i], ull(length), ull(offset));
    }

    uint8_t* const m_shadow;
    uint8_t* const m_buffer;
    const uint64_t m_ops;
    const uint64_t m_max_bytes;
    const uint64_t m_region;
    Endpoint m_storage;
    uint64_t m_written = 0;
    uint64_t m_read = 0;
};

}  // namespace

AXL_PROGRAM(storage_check, "random writes and read-backs through the storage server, checked byte for byte",
            storage_option, ops_option, max_bytes_option, region_option) {
    alignas(64) uint8_t shadow[region_max];
    alignas(64) uint8_t buffer[transfer_max];
    StorageCheck workload(shadow, buffer);
    workload.setup();
    workload.run();
    workload.check();
    return 0;
}
