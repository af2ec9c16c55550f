#include "kernel/arch/x86_64/fw_cfg.h"

#include <cstdint>

#include "kernel/arch/x86_64/x86.h"

namespace axl::x86_64::fw_cfg {

namespace {
constexpr uint16_t selector_port = 0x510, data_port = 0x511;
constexpr uint16_t signature_key = 0x0000, directory_key = 0x0019;

void select(uint16_t key) { x86::outw(selector_port, key); }
uint8_t next_byte() { return x86::inb(data_port); }
uint32_t next_big_endian(uint32_t bytes) {
    uint32_t value = 0;
    for (uint32_t i = 0; i < bytes; ++i) value = value << 8 | next_byte();
    return value;
}
}  // namespace

bool read_file(const char* name, char* out, size_t capacity) {
    if (capacity == 0) return false;
    out[0] = '\0';
    select(signature_key);
    const char signature[] = "QEMU";
    for (int i = 0; i < 4; ++i)
        if (next_byte() != static_cast<uint8_t>(signature[i])) return false;
    select(directory_key);
    const uint32_t count = next_big_endian(4);
    for (uint32_t entry = 0; entry < count && entry < 4096; ++entry) {
        const uint32_t size = next_big_endian(4);
        const uint16_t key = static_cast<uint16_t>(next_big_endian(2));
        (void)next_big_endian(2);
        char file_name[56];
        for (char& c : file_name) c = static_cast<char>(next_byte());
        bool same = true;
        for (size_t i = 0; i < sizeof file_name; ++i) {
            if (file_name[i] != name[i]) {
                same = false;
                break;
            }
            if (name[i] == '\0') break;
        }
        if (!same) continue;
        select(key);
        size_t length = 0;
        for (uint32_t i = 0; i < size; ++i) {
            const char c = static_cast<char>(next_byte());
            if (length + 1 < capacity) out[length++] = c;
        }
        out[length] = '\0';
        return true;
    }
    return false;
}

}  // namespace axl::x86_64::fw_cfg
