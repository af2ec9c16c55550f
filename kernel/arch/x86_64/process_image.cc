#include "kernel/arch/x86_64/process_image.h"

#include "kernel/arch/x86_64/address_space.h"
#include "kernel/arch/x86_64/clock.h"
#include "kernel/arch/x86_64/physical_memory.h"
#include "kernel/arch/x86_64/port.h"
#include "kernel/arch/x86_64/syscall_abi.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/kernel.h"

namespace axl::x86_64 {

namespace {

bool ends_with(const char* text, const char* suffix) {
    size_t length = 0, suffix_length = 0;
    while (text[length]) ++length;
    while (suffix[suffix_length]) ++suffix_length;
    if (suffix_length > length) return false;
    for (size_t i = 0; i < suffix_length; ++i)
        if (text[length - suffix_length + i] != suffix[i]) return false;
    return true;
}

// Writes `text` into the block at `used` (advanced); its offset, 0 if it does not fit.
uint32_t put_string(uint8_t* block, uint32_t& used, const char* text) {
    const uint32_t start = used;
    for (size_t i = 0;; ++i) {
        if (used >= startup_block_bytes) return 0;
        block[used++] = static_cast<uint8_t>(text[i]);
        if (!text[i]) return start;
    }
}

alignas(8) uint8_t g_block[startup_block_bytes];

// The ranges of `rights` the process reaches itself (access = "direct").
void write_direct_ranges(StartupBlock& block, const DeviceRights& rights) {
    block.direct_port_range_count = 0;
    for (uint32_t r = 0; r < rights.io_range_count; ++r) {
        if (!rights.io[r].direct || block.direct_port_range_count == startup_port_ranges_max) continue;
        block.direct_port_ranges[block.direct_port_range_count++] = {rights.io[r].first, rights.io[r].last};
    }
    block.direct_memory_range_count = 0;
    for (uint32_t r = 0; r < rights.mmio_range_count; ++r) {
        if (!rights.mmio[r].direct || block.direct_memory_range_count == startup_memory_ranges_max) continue;
        block.direct_memory_ranges[block.direct_memory_range_count++] = {rights.mmio[r].first, rights.mmio[r].last};
    }
}

const char* build_startup_block(const Port& port, uint32_t slot, const boot::ImageProcess& description) {
    const boot::BootImage& system = *port.system;
    for (uint8_t& byte : g_block) byte = 0;
    StartupBlock& block = *reinterpret_cast<StartupBlock*>(g_block);
    block.magic = StartupBlock::magic_value;
    block.seed = system.seed;
    block.tsc_hz = clock::tsc_hz();
    block.slot = slot;
    block.arg_count = description.arg_count;
    const char* name = system.string(description.name);
    for (size_t i = 0; name[i] && i + 1 < sizeof block.name; ++i) block.name[i] = name[i];
    write_direct_ranges(block, port.kernel->device_rights(port.kernel->process(slot).privilege));
    uint32_t used = static_cast<uint32_t>(sizeof(StartupBlock) + description.arg_count * sizeof(StartupArg));
    if (used > startup_block_bytes) return "too many arguments for the startup block";
    for (uint32_t a = 0; a < description.arg_count; ++a) {
        const boot::ImageArg& arg = system.args[description.first_arg + a];
        StartupArg& out = block.args[a];
        out.key_offset = put_string(g_block, used, system.string(arg.key));
        out.string_offset = arg.is_int ? 0 : put_string(g_block, used, system.string(arg.string_value));
        out.value = arg.is_int ? arg.int_value : 0;
        if (!out.key_offset || (!arg.is_int && !out.string_offset)) return "arguments too long for the startup block";
    }
    return nullptr;
}

// Copies the image's segments into fresh frames mapped in `space`, each page
// with its segment's rights (check_image refused writable and executable).
const char* load_image(ImageView image, AddressSpace& space) {
    ImageSegment segments[image_segments_max];
    const uint32_t count = loadable_segments(image, segments);
    for (uint32_t s = 0; s < count; ++s) {
        const ImageSegment& segment = segments[s];
        const uint64_t file_begin = segment.virtual_address, file_end = file_begin + segment.file_size;
        const uint64_t end = segment.virtual_address + segment.memory_size;
        for (uint64_t page = segment.virtual_address & ~(page_size - 1); page < end; page += page_size) {
            uint64_t already;
            if (space.translate(page, false, already)) return "two segments share a page";
            const uint64_t frame = frames::allocate();
            if (!frame) return "out of memory";
            // The part of this page the file provides; the rest stays zero.
            uint8_t* to = static_cast<uint8_t*>(phys_to_virt(frame));
            const uint64_t copy_begin = page > file_begin ? page : file_begin;
            const uint64_t copy_end = page + page_size < file_end ? page + page_size : file_end;
            for (uint64_t address = copy_begin; address < copy_end; ++address)
                to[address - page] = image.bytes[segment.file_offset + (address - file_begin)];
            if (!space.map(page, frame, segment.writable, segment.executable)) {
                frames::release(frame);
                return "out of memory";
            }
        }
    }
    return nullptr;
}

}  // namespace

bool find_program_image(const Port& port, const char* program, ImageView& image, uint64_t& entry) {
    for (uint32_t m = 0; m < port.boot->module_count; ++m) {
        const BootModule& module = port.boot->modules[m];
        if (!ends_with(module.name, ".elf")) continue;
        const ImageView view{static_cast<const uint8_t*>(phys_to_virt(module.start)), module.end - module.start};
        if (check_image(view)) continue;
        entry = find_program(view, program);
        if (entry) {
            image = view;
            return true;
        }
    }
    return false;
}

const char* build_process_image(Port& port, uint32_t slot) {
    ProcessContext& process = port.processes[slot];
    // Slot i runs process i of the boot image (kernel/boot/build_system.h).
    const boot::ImageProcess& description = port.system->processes[slot];
    ImageView image;
    uint64_t entry;
    if (!find_program_image(port, port.system->string(description.program), image, entry))
        return "no boot module defines the program";
    process.space.destroy();  // and with it the previous incarnation's DMA buffers
    process.dma_next = dma_area_base;
    if (!process.space.create()) return "out of memory for page tables";
    if (const char* problem = load_image(image, process.space)) return problem;

    const uint64_t stack_pages = (description.stack_bytes + page_size - 1) / page_size;
    for (uint64_t page = 0; page < stack_pages; ++page) {
        const uint64_t frame = frames::allocate();
        if (!frame || !process.space.map(stack_top - (page + 1) * page_size, frame, true, false))
            return "out of memory for the stack";
    }
    if (const char* problem = build_startup_block(port, slot, description)) return problem;
    for (uint64_t offset = 0; offset < startup_block_bytes; offset += page_size) {
        const uint64_t frame = frames::allocate();
        if (!frame) return "out of memory for the startup block";
        __builtin_memcpy(phys_to_virt(frame), g_block + offset, page_size);
        if (!process.space.map(startup_block_address + offset, frame, false, false))
            return "out of memory for the startup block";
    }

    process.frame = TrapFrame{};
    process.frame.rip = image_entry(image);
    process.frame.cs = x86::user_code;
    process.frame.ss = x86::user_data;
    process.frame.rflags = x86::rflags_if | x86::rflags_reserved;
    process.frame.rsp = stack_top;
    process.frame.rdi = entry;
    process.frame.rsi = startup_block_address;
    process.fpu = cpu::fpu_initial_state();
    process.message = Message{};
    process.in_call = false;
    process.copy_out_to = 0;
    return open_direct_devices(port, slot);
}

const char* open_direct_devices(Port& port, uint32_t slot) {
    ProcessContext& process = port.processes[slot];
    const uint16_t privilege = port.kernel->process(slot).privilege;
    const DeviceRights& rights = port.kernel->device_rights(privilege);
    process.direct_ports_of = 0;
    for (uint32_t r = 0; r < rights.io_range_count; ++r)
        if (rights.io[r].direct) process.direct_ports_of = privilege;
    for (uint32_t r = 0; r < rights.mmio_range_count; ++r) {
        const MmioRange& range = rights.mmio[r];
        if (!range.direct) continue;
        if (range.last >= user_space_end || range.first < user_image_base)
            return "a direct memory range outside the user half cannot be mapped at its address";
        for (uint64_t page = range.first & ~(page_size - 1); page <= range.last; page += page_size) {
            uint64_t frame;
            if (process.space.translate(page, false, frame))
                return "a direct memory range overlaps the program's own memory";
            if (!process.space.mapped(page) && !process.space.map_device(page, page))
                return "out of memory for the page tables of a direct memory range";
        }
    }
    // The startup block's lists, in place: it is read-only to the process only.
    uint64_t block_frame;
    if (!process.space.translate(startup_block_address, false, block_frame)) return "no startup block";
    write_direct_ranges(*static_cast<StartupBlock*>(phys_to_virt(block_frame)), rights);
    return nullptr;
}

}  // namespace axl::x86_64
