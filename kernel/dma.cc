// DMA buffers (kernel/api/device.h's dma_alloc). The kernel checks the call
// and the caller's budget and records the buffer as a grant to
// endpoints::hardware, made on the caller's behalf and revoked when it ends
// like any of its grants; the port allocates the memory and says where a
// device reaches it (platform::dma_allocate). On the hosted port that grant
// is what the simulated devices' DMA goes through (Kernel::dma_window, an
// IOMMU's check); bare metal has no IOMMU yet, and the grant only records
// the buffer.
#include "kernel/kernel.h"

namespace axl {

Status Kernel::kcall_dma(uint64_t bytes, uintptr_t& address, uint64_t& bus) {
    Status status = check_kernel_call(KernelCall::dma);
    const uint32_t call = kernel_call_trace_flag | static_cast<uint32_t>(KernelCall::dma);
    // decode
    if (status == Status::ok && bytes == 0) status = deny(call, Status::bad_argument);
    const uint64_t pages_bytes =
        bytes > config::dma_bytes_max ? ~uint64_t{0}
                                      : (bytes + config::dma_page_bytes - 1) / config::dma_page_bytes *
                                            config::dma_page_bytes;
    const uint32_t slot = m_running;
    if (status == Status::ok) {
        const uint64_t budget = m_device_rights[running_process().privilege].dma_bytes;
        if (pages_bytes > budget || m_dma_bytes[slot] > budget - pages_bytes) status = deny(call, Status::no_space);
    }
    if (status == Status::ok && m_grant_free_head == 0) status = deny(call, Status::no_space);
    // invoke
    if (status == Status::ok) {
        const uint32_t index = m_grant_free_head - 1;
        GrantEntry& entry = m_grants[index];
        uint32_t generation = (entry.generation + 1) & grant_ids::generation_mask;
        if (generation == 0) generation = 1;
        const GrantId window = grant_ids::make(index, generation);
        uintptr_t mapped = 0;
        uint64_t bus_address = 0;
        if (!platform::dma_allocate(m_port, slot, pages_bytes, window, mapped, bus_address)) {
            status = deny(call, Status::no_space);
        } else {
            m_grant_free_head = entry.next_free;
            entry.granter = running_process().endpoint;
            running_process().has_granted = true;
            entry.grantee = endpoints::hardware;
            entry.address = mapped;
            entry.bytes = pages_bytes;
            entry.access = GrantAccess::read_write;
            entry.generation = generation;
            m_dma_bytes[slot] += pages_bytes;
            address = mapped;
            bus = bus_address;
        }
    }
    return finish_kernel_call(KernelCall::dma, status);
}

}  // namespace axl
