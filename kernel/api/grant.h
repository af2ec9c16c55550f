// Memory grants and safe copy: how bulk data moves between processes, and
// between a driver and its device's DMA engine (MINIX 3's safecopies). A
// process grants a range of its own memory to one other process, for reading,
// writing or both; the grantee names the grant in a safecopy kernel call and
// the kernel copies, after checking the grant's owner, grantee, bounds and
// access. Revoking a grant makes every later use fail. A grant to
// endpoints::hardware is a DMA window: devices reach driver memory only
// through such grants (the kernel checks them as an IOMMU would).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/status.h"

namespace axl {

struct GrantId {
    uint32_t raw = 0;  // 0 is never a valid grant
    constexpr bool operator==(const GrantId&) const = default;
};

enum class GrantAccess : uint8_t {
    read = 1,        // the grantee may copy from the range
    write = 2,       // the grantee may copy into the range
    read_write = 3,
};

Status grant_create(Endpoint grantee, const void* address, size_t bytes, GrantAccess access, GrantId& grant);
Status grant_revoke(GrantId grant);

// Copies `bytes` from offset `offset` of `granter`'s grant into `to`.
Status safecopy_from(Endpoint granter, GrantId grant, size_t offset, void* to, size_t bytes);
// Copies `bytes` from `from` into `granter`'s grant at `offset`.
Status safecopy_to(Endpoint granter, GrantId grant, size_t offset, const void* from, size_t bytes);

}  // namespace axl
