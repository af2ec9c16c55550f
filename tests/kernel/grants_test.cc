// Grants and safe copy: a grant lets exactly its grantee copy, within its
// bounds, in the directions it allows, until it is revoked or its granter
// ends. A copy from memory that is no longer mapped fails with bad_address
// and crashes nothing.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>
#include <string>
#include <vector>

#include "kernel/api/grant.h"
#include "tests/support/script_program.h"

namespace {
using namespace axl;

// The granter: grants a 64-byte buffer to "user" (read), a second one
// (write), one to "other", one over memory it then unmaps, and sends the
// grant ids to "user"; then waits for "user" to finish and checks what was
// written into its buffer; then revokes and lets "user" try again.
AXL_PROGRAM(kt_granter, "grants_test: makes grants and checks what the grantee did with them") {
    char readable[64];
    char writable[64] = {};
    for (int i = 0; i < 64; ++i) readable[i] = static_cast<char>('a' + i % 26);
    Endpoint user, other;
    if (lookup("user", user) != Status::ok || lookup("other", other) != Status::ok) return 1;
    GrantId to_read, to_write, to_other, unmapped;
    log("grant read -> %s", to_string(grant_create(user, readable, sizeof readable, GrantAccess::read, to_read)));
    log("grant write -> %s", to_string(grant_create(user, writable, sizeof writable, GrantAccess::write, to_write)));
    log("grant other -> %s", to_string(grant_create(other, readable, 8, GrantAccess::read, to_other)));
    void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    log("grant unmapped -> %s", to_string(grant_create(user, page, 4096, GrantAccess::read_write, unmapped)));
    munmap(page, 4096);
    log("grant zero bytes -> %s", to_string(grant_create(user, readable, 0, GrantAccess::read, unmapped)));
    Message m;
    m.payload.words[0] = to_read.raw;
    m.payload.words[1] = to_write.raw;
    m.payload.words[2] = to_other.raw;
    GrantId unmapped_again;
    (void)grant_create(user, page, 4096, GrantAccess::read_write, unmapped_again);
    m.payload.words[3] = unmapped_again.raw;
    if (sendrec(user, m) != Status::ok) return 2;
    log("written: %.5s", writable);
    log("revoke -> %s", to_string(grant_revoke(to_read)));
    log("revoke again -> %s", to_string(grant_revoke(to_read)));
    m.payload.words[0] = to_read.raw;
    if (sendrec(user, m) != Status::ok) return 3;
    return 0;
}

AXL_PROGRAM(kt_grantee, "grants_test: uses the grants it was sent and logs each result") {
    Message m;
    if (receive(endpoints::any, m) != Status::ok) return 1;
    const Endpoint granter = m.source;
    const GrantId to_read{static_cast<uint32_t>(m.payload.words[0])};
    const GrantId to_write{static_cast<uint32_t>(m.payload.words[1])};
    const GrantId to_other{static_cast<uint32_t>(m.payload.words[2])};
    const GrantId unmapped{static_cast<uint32_t>(m.payload.words[3])};
    char buffer[80] = {};
    log("read 0..10 -> %s", to_string(safecopy_from(granter, to_read, 0, buffer, 10)));
    log("got %.10s", buffer);
    log("read 60..70 -> %s", to_string(safecopy_from(granter, to_read, 60, buffer, 10)));
    log("read at 64 -> %s", to_string(safecopy_from(granter, to_read, 64, buffer, 1)));
    log("read huge offset -> %s", to_string(safecopy_from(granter, to_read, ~size_t{0} - 2, buffer, 4)));
    log("write into read grant -> %s", to_string(safecopy_to(granter, to_read, 0, "xx", 2)));
    log("read from write grant -> %s", to_string(safecopy_from(granter, to_write, 0, buffer, 2)));
    log("write -> %s", to_string(safecopy_to(granter, to_write, 0, "HELLO", 5)));
    log("someone else's grant -> %s", to_string(safecopy_from(granter, to_other, 0, buffer, 2)));
    log("wrong granter -> %s", to_string(safecopy_from(self(), to_read, 0, buffer, 2)));
    log("made-up grant -> %s", to_string(safecopy_from(granter, GrantId{12345}, 0, buffer, 2)));
    log("unmapped -> %s", to_string(safecopy_from(granter, unmapped, 0, buffer, 16)));
    log("into a bad local buffer -> %s",
        to_string(safecopy_from(granter, to_read, 0, reinterpret_cast<void*>(16), 8)));
    m = Message{};
    if (reply_receive(granter, m) != Status::ok) return 2;
    log("after revoke -> %s", to_string(safecopy_from(granter, to_read, 0, buffer, 2)));
    (void)sendnb(granter, m);
    return 0;
}
}  // namespace

namespace axl::test {
namespace {

class Grants : public ::testing::TestWithParam<IpcStrategyKind> {};

TEST_P(Grants, OnlyTheGranteeCopiesWithinBoundsAndAccessUntilRevoked) {
    SystemBuilder b(GetParam());
    auto& granter = b.add_program("granter", "kt_granter");
    granter.kernel_calls |= bit(KernelCall::grant);
    granter.primitives = bit(Primitive::sendrec);
    granter.all_destinations = true;
    auto& user = b.add_program("user", "kt_grantee");
    user.kernel_calls |= bit(KernelCall::safecopy);
    user.primitives = bit(Primitive::receive) | bit(Primitive::reply_receive) | bit(Primitive::sendnb);
    user.all_destinations = true;
    b.add_parked("other", "log parked");
    sim::RunReport r = run(b);
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "granter"), L("grant read -> ok", "grant write -> ok", "grant other -> ok",
                                        "grant unmapped -> ok", "grant zero bytes -> bad_argument", "written: HELLO",
                                        "revoke -> ok", "revoke again -> bad_argument"));
    EXPECT_EQ(lines_of(r, "user"),
              L("read 0..10 -> ok", "got abcdefghij", "read 60..70 -> bad_argument", "read at 64 -> bad_argument",
                "read huge offset -> bad_argument", "write into read grant -> resource_denied",
                "read from write grant -> resource_denied", "write -> ok", "someone else's grant -> resource_denied",
                "wrong granter -> bad_argument", "made-up grant -> bad_argument", "unmapped -> bad_address",
                "into a bad local buffer -> bad_address", "after revoke -> bad_argument"));
}

INSTANTIATE_TEST_SUITE_P(Strategies, Grants,
                         ::testing::Values(IpcStrategyKind::rendezvous, IpcStrategyKind::ring,
                                           IpcStrategyKind::queue),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace axl::test
