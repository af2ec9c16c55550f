// The bare-metal loader's reading of program images, run hosted against the
// real images the build made (build/baremetal/images/*.elf) and against
// damaged copies of them: what the kernel finds in an image, and that no
// input makes it read outside the image.
#include "kernel/arch/x86_64/program_image.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "kernel/api/program.h"
#include "kernel/arch/x86_64/syscall_abi.h"

namespace axl::x86_64 {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t page = 4096;

std::vector<uint8_t> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ImageView view_of(const std::vector<uint8_t>& bytes) { return {bytes.data(), bytes.size()}; }

class ProgramImages : public ::testing::Test {
protected:
    void SetUp() override {
        const char* bin = std::getenv("AXL_BIN_DIR");
        const char* source = std::getenv("AXL_SOURCE_DIR");
        ASSERT_NE(source, nullptr) << "AXL_SOURCE_DIR is set by CTest";
        m_source = source;
        m_images = fs::path(bin ? bin : "build/bin").parent_path() / "baremetal" / "images";
        if (!fs::exists(m_images)) GTEST_SKIP() << "no " << m_images << " (AXL_BUILD_BAREMETAL=OFF?)";
    }

    // Program name -> the image its source file becomes (drivers/uart.cc -> uart.elf;
    // a Linux driver's generated build/linux/drivers/<spec>/program.cc -> <program>.elf).
    std::map<std::string, std::string> programs_by_image_name() const {
        std::map<std::string, std::string> programs;
        const std::regex declaration(R"(AXL_PROGRAM\((\w+),)");
        for (const char* folder : {"drivers", "servers", "workloads"}) {
            for (const auto& entry : fs::directory_iterator(m_source / folder)) {
                if (entry.path().extension() != ".cc") continue;
                std::ifstream in(entry.path());
                const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
                for (std::sregex_iterator it(text.begin(), text.end(), declaration), end; it != end; ++it)
                    programs[(*it)[1]] = entry.path().stem().string() + ".elf";
            }
        }
        const fs::path linux_drivers = m_images.parent_path().parent_path() / "linux" / "drivers";
        if (fs::exists(linux_drivers)) {
            for (const auto& entry : fs::directory_iterator(linux_drivers)) {
                std::ifstream in(entry.path() / "program.cc");
                const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
                for (std::sregex_iterator it(text.begin(), text.end(), declaration), end; it != end; ++it)
                    programs[(*it)[1]] = std::string((*it)[1]) + ".elf";
            }
        }
        return programs;
    }

    std::vector<uint8_t> image(const std::string& name) const { return read_file(m_images / name); }

    fs::path m_source;
    fs::path m_images;
};

TEST_F(ProgramImages, EveryImageIsAcceptedAndItsSegmentsAreNeverWritableAndExecutable) {
    size_t images = 0;
    for (const auto& entry : fs::directory_iterator(m_images)) {
        const std::vector<uint8_t> bytes = read_file(entry.path());
        const ImageView view = view_of(bytes);
        EXPECT_EQ(check_image(view), nullptr) << entry.path();
        ImageSegment segments[image_segments_max];
        const uint32_t count = loadable_segments(view, segments);
        ASSERT_GE(count, 2u) << entry.path();
        bool entry_in_code = false;
        for (uint32_t s = 0; s < count; ++s) {
            EXPECT_FALSE(segments[s].writable && segments[s].executable) << entry.path();
            EXPECT_GE(segments[s].virtual_address, user_image_base);
            const uint64_t start = image_entry(view);
            if (segments[s].executable && start >= segments[s].virtual_address &&
                start < segments[s].virtual_address + segments[s].memory_size)
                entry_in_code = true;
            // Pages are never shared between segments (the loader refuses that).
            for (uint32_t t = s + 1; t < count; ++t)
                EXPECT_LE((segments[s].virtual_address + segments[s].memory_size + page - 1) / page,
                          segments[t].virtual_address / page)
                    << entry.path() << " segments " << s << " and " << t;
        }
        EXPECT_TRUE(entry_in_code) << entry.path();
        ++images;
    }
    EXPECT_GE(images, 10u);
}

TEST_F(ProgramImages, EachProgramIsFoundInItsOwnImageAndNoOther) {
    const auto programs = programs_by_image_name();
    ASSERT_GE(programs.size(), 20u);
    std::map<std::string, std::vector<uint8_t>> images;
    for (const auto& [program, image_name] : programs) images.try_emplace(image_name, image(image_name));
    for (const auto& [program, image_name] : programs) {
        for (const auto& [name, bytes] : images) {
            const uint64_t entry = find_program(view_of(bytes), program.c_str());
            if (name == image_name)
                EXPECT_NE(entry, 0u) << program << " not found in " << name;
            else
                EXPECT_EQ(entry, 0u) << program << " found in " << name << " too";
        }
    }
    EXPECT_EQ(find_program(view_of(image("pingpong.elf")), "pingpong"), 0u) << "names match whole";
    EXPECT_EQ(find_program(view_of(image("pingpong.elf")), ""), 0u);
}

// Offsets into an ELF-64 file (System V gABI), to damage a copy.
constexpr size_t program_headers_offset = 32, program_header_count_offset = 56;
constexpr size_t segment_flags = 4, segment_virtual_address = 16;

size_t first_segment(const std::vector<uint8_t>& bytes, uint32_t flags_wanted) {
    uint64_t table;
    uint16_t count;
    std::memcpy(&table, &bytes[program_headers_offset], 8);
    std::memcpy(&count, &bytes[program_header_count_offset], 2);
    for (uint16_t i = 0; i < count; ++i) {
        const size_t at = table + size_t{i} * 56;
        uint32_t type, flags;
        std::memcpy(&type, &bytes[at], 4);
        std::memcpy(&flags, &bytes[at + segment_flags], 4);
        if (type == 1 && (flags & flags_wanted) == flags_wanted) return at;
    }
    return 0;
}

TEST_F(ProgramImages, DamagedImagesAreRefusedWithTheReason) {
    const std::vector<uint8_t> good = image("pingpong.elf");

    std::vector<uint8_t> writable_code = good;
    const size_t code = first_segment(writable_code, 1);
    ASSERT_NE(code, 0u);
    writable_code[code + segment_flags] |= 2;
    EXPECT_STREQ(check_image(view_of(writable_code)), "a segment is both writable and executable");

    std::vector<uint8_t> low = good;
    const uint64_t zero_page = 0x1000;
    std::memcpy(&low[code + segment_virtual_address], &zero_page, 8);
    EXPECT_STREQ(check_image(view_of(low)), "a segment lies outside the program area");

    std::vector<uint8_t> not_elf = good;
    not_elf[1] = 'X';
    EXPECT_STREQ(check_image(view_of(not_elf)), "not an x86-64 ELF executable");
    EXPECT_EQ(find_program(view_of(not_elf), "pingpong_client"), 0u);

    const std::vector<uint8_t> cut(good.begin(), good.begin() + 200);
    EXPECT_NE(check_image(view_of(cut)), nullptr);
    EXPECT_EQ(find_program(view_of(cut), "pingpong_client"), 0u);
    EXPECT_NE(check_image(ImageView{good.data(), 0}), nullptr);
}

// Every prefix and thousands of random corruptions: the reader answers
// (accepts, refuses, finds or not) without reading outside the image. The
// copy sits at the end of its allocation with nothing after it, so under
// AddressSanitizer (the asan preset) an overread is reported.
TEST_F(ProgramImages, NoDamageMakesTheReaderLeaveTheImage) {
    const std::vector<uint8_t> good = image("pingpong.elf");
    auto probe = [](const std::vector<uint8_t>& bytes) {
        std::vector<uint8_t> exact(bytes);  // its own allocation, exactly this size
        const ImageView view = view_of(exact);
        (void)check_image(view);
        (void)find_program(view, "pingpong_client");
        ImageSegment segments[image_segments_max];
        (void)loadable_segments(view, segments);
        (void)image_entry(view);
    };
    for (size_t length = 0; length < good.size(); length += 97)
        probe(std::vector<uint8_t>(good.begin(), good.begin() + static_cast<ptrdiff_t>(length)));
    std::mt19937_64 random(6);
    for (int round = 0; round < 3000; ++round) {
        std::vector<uint8_t> damaged = good;
        const int changes = 1 + static_cast<int>(random() % 8);
        for (int c = 0; c < changes; ++c) {
            // Mostly the headers and tables, where offsets and sizes live.
            const size_t at = random() % 4 == 0 ? random() % damaged.size() : random() % 256;
            damaged[at] = static_cast<uint8_t>(random());
        }
        probe(damaged);
    }
}

// A crafted image, built here rather than by the linker: `segments` loadable
// read-only program headers that all map the whole file, `sections` section
// headers that are all named .axl_programs (section 0 doubles as the names
// section) and all hold the same `records` program records, each naming
// ".axl_programs" except record `wanted_at`, which names "wanted".
// One record of .axl_programs is the program's ProgramInfo.
constexpr uint64_t record_bytes = sizeof(ProgramInfo);

std::vector<uint8_t> crafted_image(uint32_t segments, uint32_t sections, uint32_t records, uint32_t wanted_at) {
    const uint64_t program_headers = 64, section_headers = program_headers + uint64_t{segments} * 56;
    // The names take less than a record, and section 0 (the names) starts one
    // record before the table, so its records are the table's, one behind.
    const uint64_t strings = section_headers + uint64_t{sections} * 64, table = strings + record_bytes;
    const uint64_t size = table + uint64_t{records} * record_bytes, base = user_image_base;
    std::vector<uint8_t> bytes(size);
    auto put = [&bytes](uint64_t at, uint64_t value, size_t width) { std::memcpy(&bytes[at], &value, width); };
    std::memcpy(&bytes[0], "\x7f" "ELF\x02\x01\x01", 7);
    put(16, 2, 2), put(18, 62, 2), put(20, 1, 4), put(24, base, 8), put(32, program_headers, 8);
    put(40, section_headers, 8), put(52, 64, 2), put(54, 56, 2), put(56, segments, 2), put(58, 64, 2);
    put(60, sections, 2), put(62, 0, 2);
    for (uint32_t i = 0; i < segments; ++i) {
        const uint64_t at = program_headers + uint64_t{i} * 56;
        put(at, 1, 4), put(at + 4, 4, 4), put(at + 16, base, 8), put(at + 32, size, 8), put(at + 40, size, 8);
    }
    for (uint32_t i = 0; i < sections; ++i) {
        const uint64_t at = section_headers + uint64_t{i} * 64;
        put(at + 4, 1, 4), put(at + 24, i == 0 ? strings : table, 8), put(at + 32, uint64_t{records} * record_bytes, 8);
    }
    std::memcpy(&bytes[strings], ".axl_programs\0wanted\0", 21);
    for (uint32_t i = 0; i < records; ++i) {
        put(table + uint64_t{i} * record_bytes, base + strings + (i == wanted_at ? 14 : 0), 8);
        put(table + uint64_t{i} * record_bytes + 16, 0x401000 + i, 8);  // the entry
    }
    return bytes;
}

TEST(CraftedProgramImages, AProgramIsFoundAmongTheFirstRecordsOfTheSection) {
    const std::vector<uint8_t> bytes = crafted_image(2, 2, 10, 3);
    EXPECT_EQ(check_image(view_of(bytes)), nullptr);
    EXPECT_EQ(find_program(view_of(bytes), "wanted"), 0x401003u);
}

// Found by fuzz/program_image_fuzzer.cc (the input is
// fuzz/regressions/program_image/quadratic_search.elf): every record of every
// section named .axl_programs walked every program header, so 100 KB of
// headers and records kept find_program, and the kernel's boot, busy for
// minutes. Now only the first such section and its first image_programs_max
// records are read, and check_image refuses an image that lists more.
TEST(CraftedProgramImages, TooManyProgramsAreRefusedAndTheSearchStaysShort) {
    const std::vector<uint8_t> bytes = crafted_image(600, 600, 1200, 1000);
    EXPECT_EQ(find_program(view_of(bytes), "wanted"), 0u) << "record 1000 is past image_programs_max";
    EXPECT_EQ(find_program(view_of(bytes), "absent"), 0u);
    EXPECT_NE(check_image(view_of(bytes)), nullptr);

    const std::vector<uint8_t> listing = crafted_image(2, 2, image_programs_max + 1, 0);
    EXPECT_STREQ(check_image(view_of(listing)), "too many programs in .axl_programs");
    EXPECT_EQ(crafted_image(2, 2, image_programs_max, 0).size() + record_bytes, listing.size());
    EXPECT_EQ(check_image(view_of(crafted_image(2, 2, image_programs_max, 0))), nullptr);
}

}  // namespace
}  // namespace axl::x86_64
