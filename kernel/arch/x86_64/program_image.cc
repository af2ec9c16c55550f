#include "kernel/arch/x86_64/program_image.h"

#include "kernel/api/program.h"
#include "kernel/arch/x86_64/syscall_abi.h"

namespace axl::x86_64 {

namespace {

// The parts of the ELF-64 format the loader reads (System V gABI).
struct FileHeader {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, program_headers, section_headers;
    uint32_t flags;
    uint16_t header_size, program_header_size, program_header_count, section_header_size, section_header_count,
        section_names_index;
};
struct ProgramHeader {
    uint32_t type, flags;
    uint64_t offset, virtual_address, physical_address, file_size, memory_size, align;
};
struct SectionHeader {
    uint32_t name, type;
    uint64_t flags, address, offset, size;
    uint32_t link, info;
    uint64_t align, entry_size;
};
constexpr uint32_t segment_load = 1;
constexpr uint32_t flag_execute = 1, flag_write = 2;

// AXL_PROGRAM's record in .axl_programs (kernel/api/program.h ProgramInfo);
// the loader reads the name and the entry, the options are the host's.
struct ProgramRecord {
    uint64_t name, description, entry, options, option_count;
};
static_assert(sizeof(ProgramRecord) == sizeof(ProgramInfo), "a record of .axl_programs is a ProgramInfo");

template <typename T>
bool read(ImageView image, uint64_t offset, T& out) {
    if (offset > image.size || sizeof(T) > image.size - offset) return false;
    __builtin_memcpy(&out, image.bytes + offset, sizeof(T));
    return true;
}

bool header_of(ImageView image, FileHeader& header) {
    return read(image, 0, header) && header.ident[0] == 0x7F && header.ident[1] == 'E' && header.ident[2] == 'L' &&
           header.ident[3] == 'F' && header.ident[4] == 2 /* 64-bit */ && header.ident[5] == 1 /* little endian */ &&
           header.type == 2 /* executable */ && header.machine == 62 /* x86-64 */;
}

bool segment(ImageView image, const FileHeader& header, uint32_t index, ProgramHeader& out) {
    return read(image, header.program_headers + uint64_t{index} * header.program_header_size, out);
}

bool section(ImageView image, const FileHeader& header, uint32_t index, SectionHeader& out) {
    return read(image, header.section_headers + uint64_t{index} * header.section_header_size, out);
}

// The file offset holding virtual address `address`, if a segment's file part has it.
// Stops at the first program header past the end of the file (check_image
// refuses such an image), so a header count of 65535 costs only what the file holds.
bool file_offset_of(ImageView image, const FileHeader& header, uint64_t address, uint64_t& offset) {
    for (uint32_t i = 0; i < header.program_header_count; ++i) {
        ProgramHeader ph;
        if (!segment(image, header, i, ph)) return false;
        if (ph.type != segment_load) continue;
        if (address >= ph.virtual_address && address - ph.virtual_address < ph.file_size) {
            offset = ph.offset + (address - ph.virtual_address);
            return true;
        }
    }
    return false;
}

bool string_equals(ImageView image, uint64_t offset, const char* text) {
    for (size_t i = 0;; ++i) {
        if (offset + i >= image.size) return false;
        const char c = static_cast<char>(image.bytes[offset + i]);
        if (c != text[i]) return false;
        if (c == '\0') return true;
    }
}

// The image's .axl_programs section: the first section of that name (the
// linker merges every object's into one; a second is never looked at, so
// the search cannot multiply by a crafted image's section count).
bool programs_section(ImageView image, const FileHeader& header, SectionHeader& out) {
    if (header.section_header_size < sizeof(SectionHeader)) return false;
    SectionHeader names;
    if (!section(image, header, header.section_names_index, names)) return false;
    for (uint32_t i = 0; i < header.section_header_count; ++i) {
        if (!section(image, header, i, out)) return false;
        if (string_equals(image, names.offset + out.name, ".axl_programs")) return true;
    }
    return false;
}

}  // namespace

const char* check_image(ImageView image) {
    FileHeader header;
    if (!header_of(image, header)) return "not an x86-64 ELF executable";
    if (header.program_header_size < sizeof(ProgramHeader)) return "bad program header size";
    bool loads = false;
    for (uint32_t i = 0; i < header.program_header_count; ++i) {
        ProgramHeader ph;
        if (!segment(image, header, i, ph)) return "program headers run past the end of the file";
        if (ph.type != segment_load) continue;
        loads = true;
        if ((ph.flags & flag_write) && (ph.flags & flag_execute)) return "a segment is both writable and executable";
        if (ph.file_size > ph.memory_size || ph.offset > image.size || ph.file_size > image.size - ph.offset)
            return "a segment runs past the end of the file";
        if (ph.virtual_address < user_image_base || ph.virtual_address >= stack_top ||
            ph.memory_size > stack_top - ph.virtual_address)
            return "a segment lies outside the program area";
    }
    if (!loads) return "no loadable segment";
    uint32_t count = 0;
    for (uint32_t i = 0; i < header.program_header_count; ++i) {
        ProgramHeader ph;
        if (segment(image, header, i, ph) && ph.type == segment_load) ++count;
    }
    if (count > image_segments_max) return "too many loadable segments";
    SectionHeader programs;
    if (programs_section(image, header, programs) && programs.size / sizeof(ProgramRecord) > image_programs_max)
        return "too many programs in .axl_programs";
    return nullptr;
}

uint64_t find_program(ImageView image, const char* program) {
    FileHeader header;
    SectionHeader programs;
    if (!header_of(image, header) || !programs_section(image, header, programs)) return 0;
    // Each record costs a walk of the program headers: at most image_programs_max
    // of them, whatever the section's size says (check_image refuses more).
    for (uint64_t i = 0; i < image_programs_max && i < programs.size / sizeof(ProgramRecord); ++i) {
        ProgramRecord record;
        uint64_t name_offset;
        if (!read(image, programs.offset + i * sizeof(ProgramRecord), record)) return 0;
        if (file_offset_of(image, header, record.name, name_offset) && string_equals(image, name_offset, program))
            return record.entry;
    }
    return 0;
}

uint32_t loadable_segments(ImageView image, ImageSegment (&out)[image_segments_max]) {
    FileHeader header;
    if (!header_of(image, header)) return 0;
    uint32_t count = 0;
    for (uint32_t i = 0; i < header.program_header_count && count < image_segments_max; ++i) {
        ProgramHeader ph;
        if (!segment(image, header, i, ph) || ph.type != segment_load || ph.memory_size == 0) continue;
        out[count++] = ImageSegment{ph.offset, ph.virtual_address, ph.file_size, ph.memory_size,
                                    (ph.flags & flag_write) != 0, (ph.flags & flag_execute) != 0};
    }
    return count;
}

uint64_t image_entry(ImageView image) {
    FileHeader header;
    return header_of(image, header) ? header.entry : 0;
}

}  // namespace axl::x86_64
