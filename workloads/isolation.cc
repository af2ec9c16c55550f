// isolation: processes that break the rules of memory and privilege, each killed alone
// while a pingpong pair next to them goes on. The same programs fault on both
// ports: hosted, the fault guard turns the signal into the process's death
// (sim/port/fault_guard.h); on x86-64, the CPU's page protection raises the fault
// and the kernel kills the process (kernel/arch/x86_64/traps.cc).
//
// Each waits `delay` yields first, so that it faults while the others are in
// the middle of their work.
#include <cstdint>

#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/program.h"
#include "kernel/api/status.h"
#include "workloads/workload.h"

namespace {

using namespace axl;

void wait_a_little() {
    const int64_t delay = arg_int("delay", 50);
    for (int64_t i = 0; i < delay; ++i) (void)yield();
}

// Where nothing is mapped in either port's address space layout: well above
// the program image, well below any stack.
constexpr uintptr_t unmapped_address = 0x0000'1234'5678'0000ull;

[[gnu::noinline, gnu::used]] int32_t returns_zero() { return 0; }

// A `ret` instruction, as data: executing it must fault (no page is both
// writable and executable).
alignas(64) uint8_t g_code_in_data[64] = {0xC3};

}  // namespace

AXL_PROGRAM(fault_bad_pointer, "writes through a pointer to unmapped memory (isolation)") {
    wait_a_little();
    *reinterpret_cast<volatile uint64_t*>(unmapped_address) = 42;
    fail("wrote to unmapped memory at %#llx and lived", workloads::ull(unmapped_address));
}

AXL_PROGRAM(fault_write_code, "writes over its own code (isolation)") {
    wait_a_little();
    volatile uint8_t* code = reinterpret_cast<volatile uint8_t*>(&returns_zero);
    code[0] = 0xC3;
    fail("overwrote its own code and lived");
}

AXL_PROGRAM(fault_execute_data, "jumps into its data (isolation)") {
    wait_a_little();
    auto* data_as_code = reinterpret_cast<void (*)()>(reinterpret_cast<uintptr_t>(g_code_in_data));
    data_as_code();
    fail("executed its data and lived");
}

// Recursion with no end (the compiler cannot know: the flag is volatile) and
// a frame it cannot drop: the stack runs into the unmapped gap below it.
volatile bool g_deeper = true;
[[gnu::noinline]] uint64_t descend(uint64_t depth) {
    volatile uint8_t frame[512];
    frame[depth % sizeof frame] = static_cast<uint8_t>(depth);
    return (g_deeper ? descend(depth + 1) : 0) + frame[(depth + 1) % sizeof frame];
}

AXL_PROGRAM(fault_stack_overflow, "recurses until its stack runs out (isolation)") {
    wait_a_little();
    (void)descend(0);
    fail("recursed for ever and lived");
}

AXL_PROGRAM(fault_privileged_instruction, "executes hlt, which only the kernel may (isolation)") {
    wait_a_little();
    asm volatile("hlt");  // ring 3 (bare metal) or a Linux process (hosted): a protection fault
    fail("executed hlt and lived");
}

// A device register reached with an I/O instruction, without the port opened
// to it (no [[device]] grants it any): the CPU refuses it, as it refuses hlt.
AXL_PROGRAM(fault_port_io, "reads a device register (the PIC's mask, port 0x21) with an in instruction (isolation)") {
    wait_a_little();
    uint8_t value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(uint16_t{0x21}));
    fail("read port 0x21 directly (%#x) and lived", value);
}

AXL_PROGRAM(fault_bad_message, "hands the kernel a message at an unmapped address (isolation)") {
    wait_a_little();
    Endpoint server;
    if (lookup(arg_string("server", "server"), server) != Status::ok) fail("no server to send to");
    (void)sendrec(server, *reinterpret_cast<Message*>(unmapped_address));
    fail("sendrec with an unmapped message returned");
}

// A message of a type the kernel reserves for itself (a notification) would
// let a process pass itself off as the kernel. Every sending primitive must
// refuse it with bad_argument before anything is delivered.
AXL_PROGRAM(forge_kernel_message, "sends a notification-typed message on every primitive: each refused (isolation)") {
    wait_a_little();
    Endpoint server;
    if (lookup(arg_string("server", "server"), server) != Status::ok) fail("no server to send to");
    Message forged;
    forged.type = message_types::notify;
    forged.payload.words[0] = 0;  // "from HARDWARE"
    struct Attempt {
        const char* primitive;
        Status status;
    };
    const Attempt attempts[] = {
        {"send", send(server, forged)},
        {"sendnb", sendnb(server, forged)},
        {"sendrec", sendrec(server, forged)},
        {"reply_receive", reply_receive(server, forged)},
    };
    for (const Attempt& attempt : attempts)
        if (attempt.status != Status::bad_argument)
            fail("%s of a reserved message type: expected status bad_argument, got %s", attempt.primitive,
                 to_string(attempt.status));
    log("ok: a reserved message type was refused on send, sendnb, sendrec and reply_receive");
    return 0;
}
