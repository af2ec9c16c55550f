// kernel_main: from boot.S to the first process. Brings the machine up,
// reads the system file GRUB loaded, builds the same Kernel the hosted port
// builds from a system description, and runs it.
#include <new>

#include "ipc_strategies/strategy_factory.h"
#include "kernel/arch/x86_64/address_space.h"
#include "kernel/arch/x86_64/clock.h"
#include "kernel/arch/x86_64/console.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/fw_cfg.h"
#include "kernel/arch/x86_64/interrupt_controller.h"
#include "kernel/arch/x86_64/multiboot.h"
#include "kernel/arch/x86_64/physical_memory.h"
#include "kernel/arch/x86_64/port.h"
#include "kernel/arch/x86_64/process_image.h"
#include "kernel/arch/x86_64/run_verdict.h"
#include "kernel/arch/x86_64/screen.h"
#include "kernel/arch/x86_64/serial.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/boot/build_system.h"
#include "kernel/boot/system_file.h"
#include "kernel/kernel.h"
#include "kernel/lib/c_string.h"

extern "C" {
extern char __kernel_end[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
}

namespace axl::x86_64 {

namespace {

Port g_port;
BootInformation g_boot;
boot::SystemFile g_system;
alignas(Kernel) unsigned char g_kernel_storage[sizeof(Kernel)];
// Raw storage, as for the kernel: the run never ends by returning, so nothing
// here is ever destroyed, and a static with a destructor would need atexit.
alignas(StrategyHolder) unsigned char g_strategy_storage[sizeof(StrategyHolder)];
alignas(64) unsigned char g_strategy_buffers[2 << 20];

// The command line: GRUB's, then QEMU's fw_cfg file on top (later words win).
struct Options {
    char system[64] = "pingpong";
    bool ipc_given = false;
    IpcStrategyKind ipc = IpcStrategyKind::rendezvous;
    // interrupts=pic keeps the 8259s even where the I/O APIC could be used
    // (the boot tests run both); interrupts=ioapic is the default.
    interrupt_controller::Kind interrupts = interrupt_controller::Kind::io_apic;
};

void parse_command_line(const char* line, Options& options) {
    for (const char* at = line; *at;) {
        while (*at == ' ') ++at;
        char word[96];
        size_t length = 0;
        while (*at && *at != ' ') {
            if (length + 1 < sizeof word) word[length++] = *at;
            ++at;
        }
        word[length] = '\0';
        if (length == 0) continue;
        char* value = word;
        while (*value && *value != '=') ++value;
        if (*value == '=') *value++ = '\0';
        if (c_string::equal(word, "system")) {
            size_t i = 0;
            for (; value[i] && i + 1 < sizeof options.system; ++i) options.system[i] = value[i];
            options.system[i] = '\0';
        } else if (c_string::equal(word, "ipc")) {
            if (const StrategyInfo* strategy = find_strategy(value)) {
                options.ipc = strategy->kind;
                options.ipc_given = true;
            } else {
                console::print("[kernel] ignoring ipc=%s: %s\n", value, strategy_names());
            }
        } else if (c_string::equal(word, "interrupts")) {
            if (c_string::equal(value, "pic"))
                options.interrupts = interrupt_controller::Kind::pic;
            else if (c_string::equal(value, "ioapic"))
                options.interrupts = interrupt_controller::Kind::io_apic;
            else
                console::print("[kernel] ignoring interrupts=%s: pic or ioapic\n", value);
        } else {
            console::print("[kernel] ignoring unknown option '%s'\n", word);
        }
    }
}

[[noreturn]] void refuse(const char* what, const char* detail) {
    console::print("[kernel] cannot boot: %s%s%s\n", what, detail[0] ? ": " : "", detail);
    end_with_verdict(false);
}

const BootModule* find_module(const char* name) {
    for (uint32_t m = 0; m < g_boot.module_count; ++m) {
        const char* module = g_boot.modules[m].name;
        // The module's command line is its path; match the file name.
        const char* base = module;
        for (const char* c = module; *c; ++c)
            if (*c == '/') base = c + 1;
        if (c_string::equal(base, name)) return &g_boot.modules[m];
    }
    return nullptr;
}

IpcStrategy& make_strategy(IpcStrategyKind kind, uint32_t slots) {
    const StrategyShape shape{.slots = slots, .cpus = 1, .ring_capacity = g_system.ring_capacity};
    const size_t bytes = StrategyHolder::buffer_bytes(kind, shape);
    if (bytes > sizeof g_strategy_buffers) refuse("the IPC strategy needs more memory than set aside", to_string(kind));
    return (new (g_strategy_storage) StrategyHolder)->construct(kind, shape, g_strategy_buffers, bytes);
}

bool has_program_image(const void*, const char* program) {
    ImageView image;
    uint64_t entry;
    return find_program_image(g_port, program, image, entry);
}

void build_system(Kernel& kernel) {
    for (uint32_t p = 0; p < g_system.privileges.count; ++p) {
        const boot::ImagePrivilege& privilege = g_system.privileges[p];
        if (privilege.spec.devices.irq_lines & (uint64_t{1} << clock::tick_line))
            refuse("IRQ line 0 is the kernel's clock", g_system.string(privilege.name));
    }
    boot::BuildFailure failure;
    if (!boot::build_system(kernel, g_system, &has_program_image, nullptr, failure))
        refuse(boot::describe(failure.step), boot::failure_subject(g_system, failure));
}

void report_images() {
    for (uint32_t m = 0; m < g_boot.module_count; ++m) {
        const BootModule& module = g_boot.modules[m];
        const ImageView view{static_cast<const uint8_t*>(phys_to_virt(module.start)), module.end - module.start};
        size_t length = 0;
        while (module.name[length]) ++length;
        if (length < 4 || !c_string::equal(module.name + length - 4, ".elf")) continue;
        if (const char* problem = check_image(view)) console::print("[kernel] ignoring %s: %s\n", module.name, problem);
    }
}

}  // namespace

Port& the_port() { return g_port; }

}  // namespace axl::x86_64

extern "C" [[noreturn]] void axl_kernel_main(uint32_t magic, uint32_t information) {
    using namespace axl;
    using namespace axl::x86_64;
    // Static objects the compiler could not initialise at build time.
    for (void (**constructor)() = __init_array_start; constructor != __init_array_end; ++constructor) (*constructor)();
    serial::initialise(serial::com1);
    build_kernel_address_space();
    if (!read_boot_information(magic, information, direct_map_base, g_boot)) {
        console::print("[kernel] not started by a Multiboot2 loader (magic %#x)\n", magic);
        end_with_verdict(false);
    }
    screen::initialise(g_boot.framebuffer);
    if (g_boot.modules_dropped)
        console::print("[kernel] %u boot modules beyond the %u this kernel holds were left out "
                       "(BootInformation::modules_max)\n", g_boot.modules_dropped, BootInformation::modules_max);
    console::print("Axolotl on x86-64 (%s, %s console)\n", g_boot.uefi ? "UEFI" : "BIOS",
                   g_boot.framebuffer.kind == Framebuffer::Kind::vga_text ? "VGA text"
                   : g_boot.framebuffer.kind == Framebuffer::Kind::rgb   ? "framebuffer"
                                                                          : "serial");
    frames::initialise(g_boot, reinterpret_cast<uint64_t>(__kernel_end) - kernel_vma);
    cpu::initialise();

    Options options;
    parse_command_line(g_boot.command_line, options);
    char extra[256];
    if (fw_cfg::read_file("opt/axolotl/cmdline", extra, sizeof extra)) parse_command_line(extra, options);

    interrupt_controller::initialise(options.interrupts, g_boot);
    clock::initialise();

    char system_name[80];
    {
        size_t i = 0;
        for (; options.system[i] && i + 5 < sizeof system_name; ++i) system_name[i] = options.system[i];
        const char suffix[] = ".sys";
        for (size_t s = 0; s < sizeof suffix; ++s) system_name[i + s] = suffix[s];
    }
    const BootModule* system_module = find_module(system_name);
    if (!system_module) refuse("no boot module named", system_name);
    boot::ParseError error;
    if (!boot::parse_system_file(static_cast<const char*>(phys_to_virt(system_module->start)),
                                 system_module->end - system_module->start, g_system, error)) {
        console::print("[kernel] %s:%u: %s\n", system_name, error.line, error.message);
        end_with_verdict(false);
    }
    if (options.ipc_given) g_system.ipc = options.ipc;
    report_images();
    console::print("[kernel] %llu MiB free, TSC %llu Hz; system %s, %u processes, ipc %s\n",
                   static_cast<unsigned long long>(frames::free_count() * page_size >> 20),
                   static_cast<unsigned long long>(clock::tsc_hz()), g_system.string(g_system.name),
                   g_system.processes.count, to_string(g_system.ipc));

    g_port.boot = &g_boot;
    g_port.system = &g_system;
    IpcStrategy& strategy = make_strategy(g_system.ipc, g_system.processes.count);
    // Real time is measured, not modelled: every cost is zero and the port
    // charges each process the time that actually passed (account_time).
    Kernel& kernel = *new (g_kernel_storage) Kernel(g_port, strategy, CostModel{}, 1);
    g_port.kernel = &kernel;
    build_system(kernel);

    interrupt_controller::unmask(clock::tick_line);
    g_port.last_charge_ns = clock::now_ns();
    idle(g_port);
}
