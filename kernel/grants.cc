// Memory grants and safe copy (kernel/api/grant.h). One fixed table for the
// whole system, with a free list so creating a grant is constant time. Every
// use is checked against the entry: the named granter, the caller as
// grantee, the bounds and the access; the copy itself is the port's, which
// reports unmapped memory instead of faulting.
#include "kernel/kassert.h"
#include "kernel/kernel.h"

namespace axl {

namespace {

bool access_allows(GrantAccess granted, GrantAccess wanted) {
    return (static_cast<uint32_t>(granted) & static_cast<uint32_t>(wanted)) == static_cast<uint32_t>(wanted);
}
}  // namespace

Status Kernel::kcall_grant_create(Endpoint grantee, uintptr_t address, uint64_t bytes, GrantAccess access,
                                  GrantId& grant) {
    Status status = check_kernel_call(KernelCall::grant);
    const uint32_t call = kernel_call_trace_flag | static_cast<uint32_t>(KernelCall::grant);
    // decode
    const uint32_t access_bits = static_cast<uint32_t>(access);
    if (status == Status::ok &&
        (address == 0 || bytes == 0 || address + bytes < address || access_bits == 0 || access_bits > 3))
        status = deny(call, Status::bad_argument);
    if (status == Status::ok && grantee != endpoints::hardware) {
        Status target = check_endpoint(grantee);
        if (target != Status::ok) status = deny(call, target);
    }
    if (status == Status::ok && m_grant_free_head == 0) status = deny(call, Status::no_space);
    // invoke
    if (status == Status::ok) {
        const uint32_t index = m_grant_free_head - 1;
        GrantEntry& entry = m_grants[index];
        m_grant_free_head = entry.next_free;
        uint32_t generation = (entry.generation + 1) & grant_ids::generation_mask;
        if (generation == 0) generation = 1;
        entry.granter = running_process().endpoint;
        running_process().has_granted = true;
        entry.grantee = grantee;
        entry.address = address;
        entry.bytes = bytes;
        entry.access = access;
        entry.generation = generation;
        grant = grant_ids::make(index, generation);
    }
    return finish_kernel_call(KernelCall::grant, status);
}

Status Kernel::kcall_grant_revoke(GrantId grant) {
    Status status = check_kernel_call(KernelCall::grant);
    const uint32_t call = kernel_call_trace_flag | static_cast<uint32_t>(KernelCall::grant);
    const uint32_t index = grant_ids::index(grant);
    GrantEntry& entry = m_grants[index];
    if (status == Status::ok && (entry.granter != running_process().endpoint ||
                                 entry.generation != grant_ids::generation(grant)))
        status = deny(call, Status::bad_argument);  // not a live grant of the caller's
    if (status == Status::ok) {
        entry.granter = endpoints::none;
        entry.next_free = m_grant_free_head;
        m_grant_free_head = index + 1;
    }
    return finish_kernel_call(KernelCall::grant, status);
}

Status Kernel::find_grant(Endpoint granter, GrantId grant, Endpoint grantee, uint64_t offset, uint64_t bytes,
                          GrantAccess access, const GrantEntry*& found) const {
    const GrantEntry& entry = m_grants[grant_ids::index(grant)];
    if (grant.raw == 0 || entry.granter == endpoints::none || entry.generation != grant_ids::generation(grant) ||
        entry.granter != granter)
        return Status::bad_argument;  // no such grant from that granter
    if (entry.grantee != grantee || !access_allows(entry.access, access)) return Status::resource_denied;
    if (bytes == 0 || offset > entry.bytes || bytes > entry.bytes - offset) return Status::bad_argument;
    found = &entry;
    return Status::ok;
}

Status Kernel::kcall_safecopy(Endpoint granter, GrantId grant, uint64_t offset, uintptr_t local, uint64_t bytes,
                              bool to_granter) {
    Status status = check_kernel_call(KernelCall::safecopy);
    const uint32_t call = kernel_call_trace_flag | static_cast<uint32_t>(KernelCall::safecopy);
    const GrantEntry* entry = nullptr;
    if (status == Status::ok && local == 0) status = deny(call, Status::bad_argument);
    if (status == Status::ok) {
        Status target = check_endpoint(granter);
        if (target != Status::ok) status = deny(call, target);
    }
    if (status == Status::ok) {
        status = find_grant(granter, grant, running_process().endpoint, offset, bytes,
                            to_granter ? GrantAccess::write : GrantAccess::read, entry);
        if (status != Status::ok) status = deny(call, status);
    }
    if (status == Status::ok) {
        charge(m_costs.copy_per_kib_ns * ((bytes + 1023) / 1024));
        const uint32_t granter_slot = granter.slot();
        const uintptr_t remote = entry->address + offset;
        const bool copied = to_granter
                                ? platform::copy_memory(m_port, granter_slot, remote, m_running, local, bytes)
                                : platform::copy_memory(m_port, m_running, local, granter_slot, remote, bytes);
        if (!copied) status = deny(call, Status::bad_address);
    }
    return finish_kernel_call(KernelCall::safecopy, status);
}

Status Kernel::dma_window(GrantId grant, uint64_t offset, uint64_t bytes, GrantAccess access, uint32_t& slot,
                          uintptr_t& address) const {
    const GrantEntry& entry = m_grants[grant_ids::index(grant)];
    if (entry.granter == endpoints::none) return Status::bad_argument;
    const GrantEntry* found = nullptr;
    Status status = find_grant(entry.granter, grant, endpoints::hardware, offset, bytes, access, found);
    if (status != Status::ok) return status;
    if (check_endpoint(found->granter) != Status::ok) return Status::dead_endpoint;
    slot = found->granter.slot();
    address = found->address + offset;
    return Status::ok;
}

// A process that ends takes its grants with it.
void Kernel::revoke_grants_of(Endpoint granter) {
    for (uint32_t index = 0; index < config::grant_slots_max; ++index) {
        GrantEntry& entry = m_grants[index];
        if (entry.granter != granter) continue;
        entry.granter = endpoints::none;
        entry.next_free = m_grant_free_head;
        m_grant_free_head = index + 1;
    }
}

}  // namespace axl
