// The CPU's own tables and modes: GDT with the TSS, IDT, syscall/sysret, and
// the FPU/SSE state user programs may use.
#pragma once

#include <cstdint>

namespace axl::x86_64::cpu {

void initialise();
// Where the CPU saves a ring-3 context on an interrupt: just past the frame
// of the process about to run (entry.S).
void set_kernel_entry_stack(uint64_t top);
// The TSS's I/O permission bitmap: ports [first, last] become accessible to
// ring 3 (`open`) or not. Every port starts closed.
void set_io_ports(uint16_t first, uint16_t last, bool open);

// FPU/SSE registers of a process (fxsave area).
struct alignas(16) FpuState {
    uint8_t bytes[512];
};
void fpu_save(FpuState& state);
void fpu_restore(const FpuState& state);
const FpuState& fpu_initial_state();

}  // namespace axl::x86_64::cpu
