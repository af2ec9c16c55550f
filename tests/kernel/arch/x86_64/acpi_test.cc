// Finding an ACPI table (kernel/arch/x86_64/acpi.h) from the root pointer the
// boot loader copied, in a fake physical memory: through the RSDT (ACPI 1.0,
// as SeaBIOS gives it) and the XSDT (2.0, as OVMF does), every checksum and
// length checked, and each kind of damage named.
#include "kernel/arch/x86_64/acpi.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

namespace acpi = axl::x86_64::acpi;

using Bytes = std::vector<uint8_t>;

// Physical memory: a few regions at their addresses; anything else unreadable.
class FakeMemory {
public:
    void place(uint64_t physical, const Bytes& bytes) { m_regions[physical] = bytes; }
    Bytes& at(uint64_t physical) { return m_regions.at(physical); }
    acpi::PhysicalMemory view() const { return acpi::PhysicalMemory{this, &read}; }

private:
    static const uint8_t* read(const void* context, uint64_t physical, uint64_t bytes) {
        const auto& regions = static_cast<const FakeMemory*>(context)->m_regions;
        auto region = regions.upper_bound(physical);
        if (region == regions.begin()) return nullptr;
        --region;
        const uint64_t offset = physical - region->first;
        if (offset + bytes > region->second.size()) return nullptr;
        return region->second.data() + offset;
    }
    std::map<uint64_t, Bytes> m_regions;
};

template <typename T>
void put(Bytes& bytes, size_t offset, T value) {
    std::memcpy(bytes.data() + offset, &value, sizeof value);
}

void fix_checksum(Bytes& bytes, size_t checksum_offset, size_t count) {
    bytes[checksum_offset] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < count; ++i) sum = static_cast<uint8_t>(sum + bytes[i]);
    bytes[checksum_offset] = static_cast<uint8_t>(-sum);
}

// A system description table: the 36-byte header and `body`, checksum right.
Bytes table(const std::string& signature, const Bytes& body) {
    Bytes bytes(36 + body.size(), 0);
    std::memcpy(bytes.data(), signature.data(), 4);
    if (!body.empty()) std::memcpy(bytes.data() + 36, body.data(), body.size());
    put<uint32_t>(bytes, 4, static_cast<uint32_t>(bytes.size()));
    bytes[8] = 1;
    std::memcpy(bytes.data() + 10, "AXLTST", 6);
    fix_checksum(bytes, 9, bytes.size());
    return bytes;
}

Bytes pointers(const std::vector<uint64_t>& addresses, size_t width) {
    Bytes body(addresses.size() * width, 0);
    for (size_t i = 0; i < addresses.size(); ++i) std::memcpy(body.data() + i * width, &addresses[i], width);
    return body;
}

// The 1.0 root pointer (20 bytes) naming `rsdt`; with `xsdt`, the 2.0 one (36).
Bytes root_pointer(uint32_t rsdt, uint64_t xsdt = 0, bool version2 = false) {
    Bytes bytes(version2 ? 36 : 20, 0);
    std::memcpy(bytes.data(), "RSD PTR ", 8);
    std::memcpy(bytes.data() + 9, "AXLTST", 6);
    bytes[15] = version2 ? 2 : 0;
    put<uint32_t>(bytes, 16, rsdt);
    fix_checksum(bytes, 8, 20);
    if (version2) {
        put<uint32_t>(bytes, 20, 36);
        put<uint64_t>(bytes, 24, xsdt);
        fix_checksum(bytes, 32, 36);
    }
    return bytes;
}

constexpr uint64_t rsdt_at = 0x0FFE'0000, xsdt_at = 0x0FFE'1000, facp_at = 0x0FFE'2000, apic_at = 0x0FFE'3000,
                   second_apic_at = 0x0FFE'4000;

class AcpiTest : public testing::Test {
protected:
    void SetUp() override {
        memory.place(facp_at, table("FACP", Bytes(80, 0x11)));
        memory.place(apic_at, table("APIC", Bytes(8, 0x22)));
        memory.place(rsdt_at, table("RSDT", pointers({facp_at, apic_at}, 4)));
    }
    const char* find(const Bytes& rsdp, const char* signature = "APIC") {
        return acpi::find_table(rsdp.data(), rsdp.size(), memory.view(), signature, found);
    }
    FakeMemory memory;
    acpi::Table found;
};

TEST_F(AcpiTest, FindsATableThroughTheRsdt) {
    ASSERT_EQ(find(root_pointer(rsdt_at)), nullptr);
    EXPECT_EQ(found.physical, apic_at);
    EXPECT_EQ(found.length, 44u);
    EXPECT_EQ(std::memcmp(found.bytes, "APIC", 4), 0);
    EXPECT_EQ(found.bytes[36], 0x22);
    ASSERT_EQ(find(root_pointer(rsdt_at), "FACP"), nullptr);
    EXPECT_EQ(found.physical, facp_at);
}

TEST_F(AcpiTest, PrefersTheXsdtOfAVersion2RootPointer) {
    // The XSDT names another APIC table than the RSDT: that one is found.
    memory.place(second_apic_at, table("APIC", Bytes(8, 0x33)));
    memory.place(xsdt_at, table("XSDT", pointers({facp_at, second_apic_at}, 8)));
    ASSERT_EQ(find(root_pointer(rsdt_at, xsdt_at, true)), nullptr);
    EXPECT_EQ(found.physical, second_apic_at);
    // A 2.0 pointer without an XSDT falls back to the RSDT.
    ASSERT_EQ(find(root_pointer(rsdt_at, 0, true)), nullptr);
    EXPECT_EQ(found.physical, apic_at);
}

TEST_F(AcpiTest, ATableTheRootDoesNotListIsNotFound) {
    EXPECT_STREQ(find(root_pointer(rsdt_at), "HPET"), "no such ACPI table");
}

TEST_F(AcpiTest, NoRootPointerIsSaid) {
    EXPECT_STREQ(find(Bytes{}), "no ACPI root pointer from the boot loader");
    Bytes rsdp = root_pointer(rsdt_at);
    rsdp[0] = 'X';
    EXPECT_STREQ(find(rsdp), "the ACPI root pointer's signature is wrong");
}

TEST_F(AcpiTest, EveryChecksumIsChecked) {
    Bytes rsdp = root_pointer(rsdt_at);
    rsdp[9] ^= 1;  // OEM ID
    EXPECT_STREQ(find(rsdp), "the ACPI root pointer's checksum is wrong");

    Bytes rsdp2 = root_pointer(rsdt_at, xsdt_at, true);
    rsdp2[33] ^= 1;  // reserved, in the extended checksum only
    EXPECT_STREQ(find(rsdp2), "the ACPI 2.0 root pointer's extended checksum is wrong");

    memory.at(rsdt_at)[20] ^= 1;
    EXPECT_STREQ(find(root_pointer(rsdt_at)), "the RSDT's checksum is wrong");
    memory.at(rsdt_at)[20] ^= 1;

    memory.at(apic_at)[40] ^= 1;
    EXPECT_STREQ(find(root_pointer(rsdt_at)), "the table's checksum is wrong");
}

TEST_F(AcpiTest, LengthsAndPlacesAreChecked) {
    EXPECT_STREQ(find(root_pointer(0x2000'0000)), "the RSDT is not in memory the kernel maps");
    // A length past the memory there.
    put<uint32_t>(memory.at(rsdt_at), 4, 4096);
    EXPECT_STREQ(find(root_pointer(rsdt_at)), "the RSDT is not in memory the kernel maps");
    put<uint32_t>(memory.at(rsdt_at), 4, 20);
    EXPECT_STREQ(find(root_pointer(rsdt_at)), "the RSDT's length is wrong");
    // Half an entry.
    memory.place(rsdt_at, table("RSDT", Bytes{0, 0x30, 0xFE, 0x0F, 0}));
    EXPECT_STREQ(find(root_pointer(rsdt_at)), "the RSDT's length is not a whole number of entries");
    // A root table of the wrong kind.
    memory.place(rsdt_at, table("XSDT", pointers({apic_at}, 4)));
    EXPECT_STREQ(find(root_pointer(rsdt_at)), "the RSDT's signature is wrong");
}

TEST_F(AcpiTest, AnUnreachableEntryIsSkipped) {
    // The first entry points nowhere; the APIC table behind it is still found.
    memory.place(rsdt_at, table("RSDT", pointers({0x7000'0000, apic_at}, 4)));
    ASSERT_EQ(find(root_pointer(rsdt_at)), nullptr);
    EXPECT_EQ(found.physical, apic_at);
}

}  // namespace
