// The system file parser (format: docs/system-file.md). Freestanding: no
// heap, no libc, no exceptions; every read of the input is bounded by its
// length, and every write by the capacities of the image's tables.
//
// One pass, line by line. Each line is split at single spaces into its record
// kind and key=value fields; values are percent-encoded, so a field never
// holds a space or a second '='. Records come in a fixed order (system,
// privilege, io, destination, process, arg) so that every name a record
// refers to was defined on an earlier line.
#include "kernel/boot/system_file.h"

#include "ipc_strategies/strategy_factory.h"
#include "kernel/api/calls.h"
#include "kernel/lib/c_string.h"

namespace axl::boot {

namespace {

// A piece of the input: never NUL-terminated, always bounded.
struct Slice {
    const char* data;
    uint32_t size;
};

bool equals(Slice slice, const char* word) {
    uint32_t i = 0;
    for (; i < slice.size; ++i)
        if (word[i] == '\0' || word[i] != slice.data[i]) return false;
    return word[i] == '\0';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Bytes a value may hold as they are; every other byte is written %XX.
bool is_plain(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == '_' || c == '/' ||
           c == ':' || c == '-';
}

bool is_name_byte(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '.' || c == '-';
}

// ---- error messages ----------------------------------------------------------------

// Appends to a fixed buffer, always NUL-terminated, cutting what does not fit.
class MessageWriter {
public:
    MessageWriter(char* buffer, uint32_t capacity) : m_buffer(buffer), m_capacity(capacity) { m_buffer[0] = '\0'; }

    MessageWriter& operator<<(const char* text) {
        while (*text != '\0') put(*text++);
        return *this;
    }
    MessageWriter& operator<<(char c) {
        put(c);
        return *this;
    }
    // Input text, as it stands (bytes that would not print as '?'), cut after 40 bytes.
    MessageWriter& operator<<(Slice slice) {
        constexpr uint32_t shown_max = 40;
        for (uint32_t i = 0; i < slice.size && i < shown_max; ++i) {
            const char c = slice.data[i];
            put(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (slice.size > shown_max) *this << "...";
        return *this;
    }
    MessageWriter& number(uint64_t value) {
        char digits[20];
        uint32_t count = 0;
        do {
            digits[count++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (count > 0) put(digits[--count]);
        return *this;
    }
    MessageWriter& signed_number(int64_t value) {
        if (value >= 0) return number(static_cast<uint64_t>(value));
        put('-');
        return number(0 - static_cast<uint64_t>(value));
    }
    MessageWriter& hex(uint64_t value) {
        *this << "0x";
        char digits[16];
        uint32_t count = 0;
        do {
            digits[count++] = "0123456789abcdef"[value & 0xf];
            value >>= 4;
        } while (value != 0);
        while (count > 0) put(digits[--count]);
        return *this;
    }

private:
    void put(char c) {
        if (m_length + 1 >= m_capacity) return;
        m_buffer[m_length++] = c;
        m_buffer[m_length] = '\0';
    }

    char* m_buffer;
    uint32_t m_capacity;
    uint32_t m_length = 0;
};

// ---- records -----------------------------------------------------------------------

enum class Kind : uint8_t { system, privilege, io, destination, process, arg, count };

constexpr uint32_t keys_max = 9;

struct RecordInfo {
    const char* name;
    const char* keys[keys_max];
    uint32_t key_count;
};

// Indexes into each record's keys, in the order of the tables below.
namespace system_key {
enum : uint32_t { name, cpus, ipc, ring_capacity, seed };
}
namespace privilege_key {
enum : uint32_t { name, primitives, kernel_calls, all_destinations, irq_lines, dma_bytes };
}
namespace io_key {
enum : uint32_t { privilege, first, last, direct };
}
namespace destination_key {
enum : uint32_t { privilege, to };
}
namespace process_key {
enum : uint32_t { name, program, privilege, priority, cpu, quantum_ns, stack_bytes, expect, dedicated };
}
namespace arg_key {
enum : uint32_t { process, key, int_value, string_value };
}

constexpr RecordInfo records[] = {
    {"system", {"name", "cpus", "ipc", "ring_capacity", "seed"}, 5},
    {"privilege", {"name", "primitives", "kernel_calls", "all_destinations", "irq_lines", "dma_bytes"}, 6},
    {"io", {"privilege", "first", "last", "direct"}, 4},
    {"destination", {"privilege", "to"}, 2},
    {"process",
     {"name", "program", "privilege", "priority", "cpu", "quantum_ns", "stack_bytes", "expect", "dedicated"},
     9},
    {"arg", {"process", "key", "int", "string"}, 4},
};
static_assert(sizeof(records) / sizeof(records[0]) == static_cast<uint32_t>(Kind::count));

constexpr const char* header_word = "axolotl-system";
constexpr const char* record_order = "system, privilege, io, destination, process, arg";

// The fields of one record, by key index.
struct Fields {
    Slice values[keys_max];
    uint32_t present = 0;  // bit per key index

    bool has(uint32_t key) const { return (present >> key) & 1u; }
};

class Parser {
public:
    Parser(const char* text, size_t length, BootImage& out, ParseError& error)
        : m_text(text), m_length(length), m_out(out), m_error(error) {}

    bool run();

private:
    // Starts an error message for the current line.
    MessageWriter fail() { return fail_at(m_line); }
    MessageWriter fail_at(uint32_t line) {
        m_error.line = line;
        return MessageWriter(m_error.message, sizeof(m_error.message));
    }

    bool parse_line(Slice line);
    bool parse_header(Slice line, uint32_t rest);
    bool split_fields(Kind kind, Slice line, uint32_t start, Fields& fields);
    bool parse_system(const Fields& fields);
    bool parse_privilege(const Fields& fields);
    bool parse_io(const Fields& fields);
    bool parse_destination(const Fields& fields);
    bool parse_process(const Fields& fields);
    bool parse_arg(const Fields& fields);

    const char* key_name(uint32_t key) const { return records[static_cast<uint32_t>(m_kind)].keys[key]; }

    // Value decoders: false (with the error written) when the value is wrong.
    bool check_encoding(Slice value, uint32_t key);
    bool store_text(Slice value, uint32_t key, TextOffset& offset, uint32_t& length);
    bool store_name(Slice value, uint32_t key, TextOffset& offset);
    bool store_word(Slice value, uint32_t key, TextOffset& offset);
    bool unsigned_value(Slice value, uint32_t key, uint64_t max, uint64_t& out);
    bool signed_value(Slice value, uint32_t key, int64_t& out);
    bool flag_value(Slice value, uint32_t key, bool& out);
    bool privilege_reference(Slice value, uint32_t key, uint32_t& index);
    bool process_reference(Slice value, uint32_t key, uint32_t& index);
    bool decoded_equals(Slice value, const char* text) const;

    const char* m_text;
    size_t m_length;
    BootImage& m_out;
    ParseError& m_error;
    uint32_t m_line = 0;
    Kind m_kind = Kind::system;     // of the record being parsed
    bool m_header_seen = false;
    uint32_t m_header_line = 0;
    bool m_system_seen = false;
    uint32_t m_system_line = 0;
    Kind m_last_kind = Kind::system;  // of the latest record, for the order check
};

bool Parser::run() {
    m_out.clear();
    m_error.line = 0;
    m_error.message[0] = '\0';

    if (m_length > system_file_size_max) {
        MessageWriter message = fail_at(0);
        message << "the system file has ";
        message.number(m_length) << " bytes; at most ";
        message.number(system_file_size_max) << " (system_file_size_max)";
        return false;
    }
    size_t position = 0;
    while (position < m_length) {
        ++m_line;
        size_t end = position;
        while (end < m_length && m_text[end] != '\n') ++end;
        size_t size = end - position;
        if (size > 0 && m_text[end - 1] == '\r') --size;  // a CR LF line end
        if (size > system_file_line_bytes_max) {
            MessageWriter message = fail();
            message << "line of ";
            message.number(size) << " bytes; at most ";
            message.number(system_file_line_bytes_max) << " (system_file_line_bytes_max)";
            return false;
        }
        for (size_t i = 0; i < size; ++i) {
            if (m_text[position + i] == '\0') {
                MessageWriter message = fail();
                message << "NUL byte in column ";
                message.number(i + 1) << " (a system file is text)";
                return false;
            }
        }
        if (!parse_line(Slice{m_text + position, static_cast<uint32_t>(size)})) return false;
        position = end < m_length ? end + 1 : end;
    }
    if (!m_header_seen) {
        fail_at(0) << "no header: a system file starts with the line 'axolotl-system 1'";
        return false;
    }
    if (!m_system_seen) {
        fail_at(0) << "no 'system' record (it follows the header)";
        return false;
    }
    if (m_out.processes.count == 0) {
        fail_at(0) << "no 'process' record: a system needs at least one process";
        return false;
    }
    return true;
}

bool Parser::parse_line(Slice line) {
    // Blank lines (spaces and tabs only) and comments.
    bool blank = true;
    for (uint32_t i = 0; i < line.size; ++i)
        if (line.data[i] != ' ' && line.data[i] != '\t') blank = false;
    if (blank) return true;
    if (line.data[0] == '#') return true;
    if (line.data[0] == ' ' || line.data[0] == '\t') {
        fail() << "line starts with white space (records start in column 1)";
        return false;
    }

    uint32_t word_end = 0;
    while (word_end < line.size && line.data[word_end] != ' ') ++word_end;
    const Slice word{line.data, word_end};

    if (equals(word, header_word)) return parse_header(line, word_end);
    uint32_t kind_index = 0;
    while (kind_index < static_cast<uint32_t>(Kind::count) && !equals(word, records[kind_index].name)) ++kind_index;
    if (!m_header_seen) {
        fail() << "missing header: the first line that is not a comment must be 'axolotl-system 1', not '"
               << word << "'";
        return false;
    }
    if (kind_index == static_cast<uint32_t>(Kind::count)) {
        fail() << "unknown record '" << word << "' (records: " << record_order << ")";
        return false;
    }
    const Kind kind = static_cast<Kind>(kind_index);
    if (kind == Kind::system && m_system_seen) {
        MessageWriter message = fail();
        message << "second 'system' record (the first is on line ";
        message.number(m_system_line) << ")";
        return false;
    }
    if (kind != Kind::system && !m_system_seen) {
        fail() << "'" << records[kind_index].name << "' record before the 'system' record (which follows the header)";
        return false;
    }
    if (kind < m_last_kind) {
        fail() << "'" << records[kind_index].name << "' record after a '"
               << records[static_cast<uint32_t>(m_last_kind)].name << "' record; records come in the order "
               << record_order;
        return false;
    }
    m_kind = kind;
    m_last_kind = kind;

    Fields fields;
    if (!split_fields(kind, line, word_end, fields)) return false;
    switch (kind) {
        case Kind::system: return parse_system(fields);
        case Kind::privilege: return parse_privilege(fields);
        case Kind::io: return parse_io(fields);
        case Kind::destination: return parse_destination(fields);
        case Kind::process: return parse_process(fields);
        case Kind::arg: return parse_arg(fields);
        case Kind::count: break;
    }
    return false;
}

// `rest`: where the line goes on after the word "axolotl-system".
bool Parser::parse_header(Slice line, uint32_t rest) {
    if (m_header_seen) {
        MessageWriter message = fail();
        message << "second header (the first is on line ";
        message.number(m_header_line) << ")";
        return false;
    }
    if (rest + 1 >= line.size) {
        fail() << "header without a version: write 'axolotl-system 1'";
        return false;
    }
    uint32_t end = rest + 1;
    while (end < line.size && line.data[end] != ' ') ++end;
    const Slice version{line.data + rest + 1, end - rest - 1};
    if (version.size == 0) {
        fail() << "header without a version (or with two spaces before it): write 'axolotl-system 1'";
        return false;
    }
    if (end < line.size) {
        fail() << "unexpected '" << Slice{line.data + end, line.size - end}
               << "' after the header's version (write 'axolotl-system 1')";
        return false;
    }
    if (!equals(version, "1")) {
        fail() << "system file version '" << version << "' is not supported: this kernel reads version 1";
        return false;
    }
    m_header_seen = true;
    m_header_line = m_line;
    return true;
}

bool Parser::split_fields(Kind kind, Slice line, uint32_t start, Fields& fields) {
    const RecordInfo& info = records[static_cast<uint32_t>(kind)];
    uint32_t position = start;
    while (position < line.size) {
        // line.data[position] is the space before the next field.
        const uint32_t field_start = position + 1;
        uint32_t field_end = field_start;
        while (field_end < line.size && line.data[field_end] != ' ') ++field_end;
        if (field_end == field_start) {
            MessageWriter message = fail();
            message << "empty field at column ";
            message.number(field_start + 1) << " (fields are separated by one space, and none ends the line)";
            return false;
        }
        const Slice field{line.data + field_start, field_end - field_start};
        uint32_t equals_at = 0;
        while (equals_at < field.size && field.data[equals_at] != '=') ++equals_at;
        if (equals_at == field.size) {
            fail() << "field '" << field << "' is not key=value";
            return false;
        }
        const Slice key{field.data, equals_at};
        if (key.size == 0) {
            fail() << "field '" << field << "' has no key before its '='";
            return false;
        }
        uint32_t index = 0;
        while (index < info.key_count && !equals(key, info.keys[index])) ++index;
        if (index == info.key_count) {
            MessageWriter message = fail();
            message << "unknown key '" << key << "' in a '" << info.name << "' record (keys:";
            for (uint32_t k = 0; k < info.key_count; ++k) message << ' ' << info.keys[k];
            message << ")";
            return false;
        }
        if (fields.has(index)) {
            fail() << "key '" << info.keys[index] << "' appears twice in this record";
            return false;
        }
        fields.present |= 1u << index;
        fields.values[index] = Slice{field.data + equals_at + 1, field.size - equals_at - 1};
        position = field_end;
    }
    for (uint32_t index = 0; index < info.key_count; ++index) {
        if (kind == Kind::arg && (index == arg_key::int_value || index == arg_key::string_value)) continue;
        if (kind == Kind::privilege && index == privilege_key::dma_bytes) continue;  // optional: 0
        if (!fields.has(index)) {
            fail() << "'" << info.name << "' record without '" << info.keys[index] << "'";
            return false;
        }
    }
    if (kind == Kind::arg) {
        const bool is_int = fields.has(arg_key::int_value), is_string = fields.has(arg_key::string_value);
        if (is_int == is_string) {
            fail() << (is_int ? "'arg' record with both 'int' and 'string'; it takes one of them"
                              : "'arg' record without a value: it takes 'int' or 'string'");
            return false;
        }
    }
    return true;
}

// ---- values --------------------------------------------------------------------------

bool Parser::check_encoding(Slice value, uint32_t key) {
    for (uint32_t i = 0; i < value.size; ++i) {
        const char c = value.data[i];
        if (c == '%') {
            if (value.size - i < 3 || hex_value(value.data[i + 1]) < 0 || hex_value(value.data[i + 2]) < 0) {
                const uint32_t shown = value.size - i < 3 ? value.size - i : 3;
                fail() << "bad percent-encoding '" << Slice{value.data + i, shown} << "' in the value of '"
                       << key_name(key) << "' (a '%' takes two hex digits)";
                return false;
            }
            if (hex_value(value.data[i + 1]) == 0 && hex_value(value.data[i + 2]) == 0) {
                fail() << "'%00' (a NUL byte) in the value of '" << key_name(key) << "'";
                return false;
            }
            i += 2;
        } else if (!is_plain(c)) {
            MessageWriter message = fail();
            message << "byte ";
            message.hex(static_cast<unsigned char>(c));
            if (c > 0x20 && c < 0x7f) message << " ('" << c << "')";
            message << " in the value of '" << key_name(key) << "' must be percent-encoded";
            return false;
        }
    }
    return true;
}

// Decodes a checked value into the text pool.
bool Parser::store_text(Slice value, uint32_t key, TextOffset& offset, uint32_t& length) {
    if (!check_encoding(value, key)) return false;
    uint32_t decoded = 0;
    for (uint32_t i = 0; i < value.size; ++i, ++decoded)
        if (value.data[i] == '%') i += 2;
    if (m_out.text_capacity - m_out.text_used < decoded + 1) {
        MessageWriter message = fail();
        message << "the decoded strings take more than ";
        message.number(m_out.text_capacity) << " bytes (system_file_text_bytes)";
        return false;
    }
    offset = m_out.text_used;
    char* to = m_out.text + m_out.text_used;
    for (uint32_t i = 0; i < value.size; ++i) {
        if (value.data[i] == '%') {
            *to++ = static_cast<char>(hex_value(value.data[i + 1]) * 16 + hex_value(value.data[i + 2]));
            i += 2;
        } else {
            *to++ = value.data[i];
        }
    }
    *to = '\0';
    m_out.text_used += decoded + 1;
    length = decoded;
    return true;
}

bool Parser::store_name(Slice value, uint32_t key, TextOffset& offset) {
    uint32_t length = 0;
    if (!store_text(value, key, offset, length)) return false;
    const char* name = m_out.string(offset);
    bool valid = length >= 1 && length <= system_file_name_bytes_max;
    for (uint32_t i = 0; i < length; ++i)
        if (!is_name_byte(name[i])) valid = false;
    if (!valid) {
        MessageWriter message = fail();
        message << "'" << key_name(key) << "' '" << value << "' is not a name: 1..";
        message.number(system_file_name_bytes_max) << " bytes of A-Z a-z 0-9 _ . -";
        return false;
    }
    return true;
}

bool Parser::store_word(Slice value, uint32_t key, TextOffset& offset) {
    uint32_t length = 0;
    if (!store_text(value, key, offset, length)) return false;
    if (length < 1 || length > system_file_word_bytes_max) {
        MessageWriter message = fail();
        message << "'" << key_name(key) << "' must be 1..";
        message.number(system_file_word_bytes_max) << " bytes long, not ";
        message.number(length);
        return false;
    }
    return true;
}

// Decimal (no leading zeros), or 0x hexadecimal.
bool Parser::unsigned_value(Slice value, uint32_t key, uint64_t max, uint64_t& out) {
    uint64_t result = 0;
    bool valid = value.size > 0, overflow = false;
    if (value.size >= 2 && value.data[0] == '0' && (value.data[1] == 'x' || value.data[1] == 'X')) {
        valid = value.size > 2;
        for (uint32_t i = 2; i < value.size && valid; ++i) {
            const int digit = hex_value(value.data[i]);
            if (digit < 0) valid = false;
            else if (result >> 60 != 0) overflow = true;
            else result = result * 16 + static_cast<uint64_t>(digit);
        }
    } else {
        for (uint32_t i = 0; i < value.size && valid; ++i) {
            if (!is_digit(value.data[i])) {
                valid = false;
                break;
            }
            const uint64_t digit = static_cast<uint64_t>(value.data[i] - '0');
            if (result > (~uint64_t{0} - digit) / 10) overflow = true;
            else result = result * 10 + digit;
        }
    }
    if (!valid) {
        fail() << "'" << key_name(key) << "' is not a number: '" << value << "'";
        return false;
    }
    if (value.size > 1 && value.data[0] == '0' && is_digit(value.data[1])) {
        fail() << "'" << key_name(key) << "' is '" << value
               << "': a decimal number has no leading zero (hexadecimal starts with 0x)";
        return false;
    }
    if (overflow || result > max) {
        MessageWriter message = fail();
        message << "'" << key_name(key) << "' is '" << value << "'; at most ";
        message.number(max);
        return false;
    }
    out = result;
    return true;
}

// Decimal, with an optional '-', within int64_t.
bool Parser::signed_value(Slice value, uint32_t key, int64_t& out) {
    const bool negative = value.size > 0 && value.data[0] == '-';
    const uint32_t first = negative ? 1 : 0;
    bool digits = value.size > first;
    for (uint32_t i = first; i < value.size; ++i)
        if (!is_digit(value.data[i])) digits = false;
    if (!digits) {
        fail() << "'" << key_name(key) << "' is not a number: '" << value << "' (signed numbers are decimal)";
        return false;
    }
    if (value.size - first > 1 && value.data[first] == '0') {
        fail() << "'" << key_name(key) << "' is '" << value << "': a decimal number has no leading zero";
        return false;
    }
    const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    uint64_t magnitude = 0;
    for (uint32_t i = first; i < value.size; ++i) {
        const uint64_t digit = static_cast<uint64_t>(value.data[i] - '0');
        if (magnitude > (limit - digit) / 10) {
            fail() << "'" << key_name(key) << "' is '" << value << "'; it must fit 64 signed bits";
            return false;
        }
        magnitude = magnitude * 10 + digit;
    }
    out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
    return true;
}

bool Parser::flag_value(Slice value, uint32_t key, bool& out) {
    if (equals(value, "0") || equals(value, "1")) {
        out = value.data[0] == '1';
        return true;
    }
    fail() << "'" << key_name(key) << "' is '" << value << "'; it must be 0 or 1";
    return false;
}

// Whether `value` (already checked) decodes to `text`.
bool Parser::decoded_equals(Slice value, const char* text) const {
    uint32_t at = 0;
    for (uint32_t i = 0; i < value.size; ++i, ++at) {
        char c = value.data[i];
        if (c == '%') {
            c = static_cast<char>(hex_value(value.data[i + 1]) * 16 + hex_value(value.data[i + 2]));
            i += 2;
        }
        if (text[at] == '\0' || text[at] != c) return false;
    }
    return text[at] == '\0';
}

bool Parser::privilege_reference(Slice value, uint32_t key, uint32_t& index) {
    if (!check_encoding(value, key)) return false;
    for (uint32_t i = 0; i < m_out.privileges.count; ++i) {
        if (decoded_equals(value, m_out.string(m_out.privileges[i].name))) {
            index = i;
            return true;
        }
    }
    fail() << "'" << key_name(key) << "' names privilege '" << value << "', which no earlier 'privilege' record defines";
    return false;
}

bool Parser::process_reference(Slice value, uint32_t key, uint32_t& index) {
    if (!check_encoding(value, key)) return false;
    // Args come grouped by process: the latest process with args is the likely one.
    for (uint32_t i = m_out.processes.count; i-- > 0;) {
        if (decoded_equals(value, m_out.string(m_out.processes[i].name))) {
            index = i;
            return true;
        }
    }
    fail() << "'" << key_name(key) << "' names process '" << value << "', which no 'process' record defines";
    return false;
}

// ---- the records -------------------------------------------------------------------

bool Parser::parse_system(const Fields& fields) {
    BootImage& out = m_out;
    if (!store_word(fields.values[system_key::name], system_key::name, out.name)) return false;
    uint64_t cpus = 0, capacity = 0;
    if (!unsigned_value(fields.values[system_key::cpus], system_key::cpus, config::cpus_max, cpus)) return false;
    if (cpus == 0) {
        MessageWriter message = fail();
        message << "'cpus' is 0; a system has 1..";
        message.number(config::cpus_max) << " (config::cpus_max)";
        return false;
    }
    out.cpus = static_cast<uint32_t>(cpus);
    const Slice ipc = fields.values[system_key::ipc];
    const StrategyInfo* strategy = nullptr;
    for (const StrategyInfo& known : ipc_strategies)
        if (equals(ipc, known.name)) strategy = &known;
    if (strategy == nullptr) {
        fail() << "unknown ipc strategy '" << ipc << "' (" << strategy_names() << ")";
        return false;
    }
    out.ipc = strategy->kind;
    if (!unsigned_value(fields.values[system_key::ring_capacity], system_key::ring_capacity,
                        config::ring_capacity_max, capacity))
        return false;
    if (capacity == 0 || (capacity & (capacity - 1)) != 0) {
        MessageWriter message = fail();
        message << "'ring_capacity' is ";
        message.number(capacity) << "; it must be a power of two (1..";
        message.number(config::ring_capacity_max) << ")";
        return false;
    }
    out.ring_capacity = static_cast<uint32_t>(capacity);
    if (!unsigned_value(fields.values[system_key::seed], system_key::seed, ~uint64_t{0}, out.seed)) return false;
    m_system_seen = true;
    m_system_line = m_line;
    return true;
}

bool Parser::parse_privilege(const Fields& fields) {
    if (m_out.privileges.full()) {
        MessageWriter message = fail();
        message << "more than ";
        message.number(m_out.privileges.capacity) << " 'privilege' records (system_file_privileges_max)";
        return false;
    }
    ImagePrivilege& privilege = m_out.privileges[m_out.privileges.count];
    privilege.line = m_line;
    privilege.spec = PrivilegeSpec{};
    const Slice name = fields.values[privilege_key::name];
    if (!store_name(name, privilege_key::name, privilege.name)) return false;
    for (uint32_t i = 0; i < m_out.privileges.count; ++i) {
        if (c_string::equal(m_out.string(m_out.privileges[i].name), m_out.string(privilege.name))) {
            MessageWriter message = fail();
            message << "privilege '" << name << "' is defined twice (first on line ";
            message.number(m_out.privileges[i].line) << ")";
            return false;
        }
    }
    uint64_t primitives = 0, kernel_calls = 0;
    if (!unsigned_value(fields.values[privilege_key::primitives], privilege_key::primitives, ~uint32_t{0},
                        primitives))
        return false;
    if ((primitives & ~uint64_t{all_primitives}) != 0) {
        MessageWriter message = fail();
        message << "'primitives' ";
        message.hex(primitives) << " has bits beyond the ";
        message.number(primitive_count) << " primitives (mask ";
        message.hex(all_primitives) << ")";
        return false;
    }
    if (!unsigned_value(fields.values[privilege_key::kernel_calls], privilege_key::kernel_calls, ~uint32_t{0},
                        kernel_calls))
        return false;
    if ((kernel_calls & ~uint64_t{all_kernel_calls}) != 0) {
        MessageWriter message = fail();
        message << "'kernel_calls' ";
        message.hex(kernel_calls) << " has bits beyond the ";
        message.number(kernel_call_count) << " kernel calls (mask ";
        message.hex(all_kernel_calls) << ")";
        return false;
    }
    privilege.spec.primitives = static_cast<uint32_t>(primitives);
    privilege.spec.kernel_calls = static_cast<uint32_t>(kernel_calls);
    if (!flag_value(fields.values[privilege_key::all_destinations], privilege_key::all_destinations,
                    privilege.spec.all_destinations))
        return false;
    static_assert(config::irq_lines == 64, "irq_lines is one 64-bit mask");
    if (!unsigned_value(fields.values[privilege_key::irq_lines], privilege_key::irq_lines, ~uint64_t{0},
                        privilege.spec.devices.irq_lines))
        return false;
    if (fields.has(privilege_key::dma_bytes) &&
        !unsigned_value(fields.values[privilege_key::dma_bytes], privilege_key::dma_bytes, config::dma_bytes_max,
                        privilege.spec.devices.dma_bytes))
        return false;
    ++m_out.privileges.count;
    return true;
}

bool Parser::parse_io(const Fields& fields) {
    uint32_t index = 0;
    if (!privilege_reference(fields.values[io_key::privilege], io_key::privilege, index)) return false;
    DeviceRights& rights = m_out.privileges[index].spec.devices;
    if (rights.io_range_count == config::io_ranges_max) {
        MessageWriter message = fail();
        message << "privilege '" << fields.values[io_key::privilege] << "' has more than ";
        message.number(config::io_ranges_max) << " 'io' records (config::io_ranges_max)";
        return false;
    }
    uint64_t first = 0, last = 0;
    bool direct = false;
    if (!unsigned_value(fields.values[io_key::first], io_key::first, 0xffff, first)) return false;
    if (!unsigned_value(fields.values[io_key::last], io_key::last, 0xffff, last)) return false;
    if (last < first) {
        MessageWriter message = fail();
        message << "io range ";
        message.hex(first) << "..";
        message.hex(last) << " ends before it starts";
        return false;
    }
    if (!flag_value(fields.values[io_key::direct], io_key::direct, direct)) return false;
    rights.io[rights.io_range_count++] =
        IoRange{static_cast<uint16_t>(first), static_cast<uint16_t>(last), direct};
    return true;
}

bool Parser::parse_destination(const Fields& fields) {
    uint32_t from = 0, to = 0;
    if (!privilege_reference(fields.values[destination_key::privilege], destination_key::privilege, from))
        return false;
    if (!privilege_reference(fields.values[destination_key::to], destination_key::to, to)) return false;
    for (const ImageDestination& destination : m_out.destinations) {
        if (destination.from == from && destination.to == to) {
            fail() << "destination '" << fields.values[destination_key::to] << "' of privilege '"
                   << fields.values[destination_key::privilege] << "' is given twice";
            return false;
        }
    }
    if (m_out.destinations.full()) {
        MessageWriter message = fail();
        message << "more than ";
        message.number(m_out.destinations.capacity) << " 'destination' records (system_file_destinations_max)";
        return false;
    }
    m_out.destinations[m_out.destinations.count++] = ImageDestination{from, to};
    return true;
}

bool Parser::parse_process(const Fields& fields) {
    if (m_out.processes.full()) {
        MessageWriter message = fail();
        message << "more than ";
        message.number(m_out.processes.capacity) << " 'process' records (system_file_processes_max)";
        return false;
    }
    ImageProcess& process = m_out.processes[m_out.processes.count];
    process.line = m_line;
    process.first_arg = 0;
    process.arg_count = 0;
    const Slice name = fields.values[process_key::name];
    if (!store_name(name, process_key::name, process.name)) return false;
    for (uint32_t i = 0; i < m_out.processes.count; ++i) {
        if (c_string::equal(m_out.string(m_out.processes[i].name), m_out.string(process.name))) {
            MessageWriter message = fail();
            message << "process '" << name << "' is defined twice (first on line ";
            message.number(m_out.processes[i].line) << ")";
            return false;
        }
    }
    if (!store_word(fields.values[process_key::program], process_key::program, process.program)) return false;
    if (!privilege_reference(fields.values[process_key::privilege], process_key::privilege, process.privilege))
        return false;
    uint64_t priority = 0;
    if (!unsigned_value(fields.values[process_key::priority], process_key::priority, config::priority_levels - 1,
                        priority))
        return false;
    process.priority = static_cast<uint8_t>(priority);
    int64_t cpu = 0;
    if (!signed_value(fields.values[process_key::cpu], process_key::cpu, cpu)) return false;
    if (cpu < -1 || cpu >= static_cast<int64_t>(m_out.cpus)) {
        MessageWriter message = fail();
        message << "'cpu' is ";
        message.signed_number(cpu) << "; it is -1 (any) or a cpu of the system, 0..";
        message.number(m_out.cpus - 1);
        return false;
    }
    process.cpu = static_cast<int32_t>(cpu);
    if (!unsigned_value(fields.values[process_key::quantum_ns], process_key::quantum_ns, ~uint64_t{0},
                        process.quantum_ns))
        return false;
    if (process.quantum_ns == 0) {
        fail() << "'quantum_ns' is 0; a quantum is at least 1 ns";
        return false;
    }
    if (!unsigned_value(fields.values[process_key::stack_bytes], process_key::stack_bytes,
                        system_file_stack_bytes_max, process.stack_bytes))
        return false;
    if (process.stack_bytes < system_file_stack_bytes_min) {
        MessageWriter message = fail();
        message << "'stack_bytes' is ";
        message.number(process.stack_bytes) << "; at least ";
        message.number(system_file_stack_bytes_min);
        return false;
    }
    const Slice expect = fields.values[process_key::expect];
    if (equals(expect, "exit")) {
        process.expect = Expectation::exit;
    } else if (equals(expect, "serve")) {
        process.expect = Expectation::serve;
    } else if (equals(expect, "fault")) {
        process.expect = Expectation::fault;
    } else {
        fail() << "'expect' is '" << expect << "'; it is exit, serve or fault";
        return false;
    }
    if (!flag_value(fields.values[process_key::dedicated], process_key::dedicated, process.dedicated)) return false;
    if (process.dedicated && process.cpu < 0) {
        fail() << "'dedicated' is 1 but the process is not pinned ('cpu' is -1)";
        return false;
    }
    ++m_out.processes.count;
    return true;
}

bool Parser::parse_arg(const Fields& fields) {
    uint32_t process_index = 0;
    const Slice process_name = fields.values[arg_key::process];
    if (!process_reference(process_name, arg_key::process, process_index)) return false;
    if (m_out.args.full()) {
        MessageWriter message = fail();
        message << "more than ";
        message.number(m_out.args.capacity) << " 'arg' records (system_file_args_max)";
        return false;
    }
    ImageProcess& process = m_out.processes[process_index];
    if (m_out.args.count > 0) {
        const uint32_t previous = m_out.args[m_out.args.count - 1].process;
        if (previous > process_index) {
            fail() << "arg of process '" << process_name << "' after the args of process '"
                   << m_out.string(m_out.processes[previous].name)
                   << "'; args come grouped by process, in the order of the processes";
            return false;
        }
    }
    ImageArg& arg = m_out.args[m_out.args.count];
    arg.process = process_index;
    arg.line = m_line;
    const Slice key = fields.values[arg_key::key];
    if (!store_word(key, arg_key::key, arg.key)) return false;
    for (uint32_t i = 0; i < process.arg_count; ++i) {
        const ImageArg& other = m_out.args[process.first_arg + i];
        if (c_string::equal(m_out.string(other.key), m_out.string(arg.key))) {
            MessageWriter message = fail();
            message << "arg '" << key << "' of process '" << process_name << "' is given twice (first on line ";
            message.number(other.line) << ")";
            return false;
        }
    }
    arg.is_int = fields.has(arg_key::int_value);
    arg.int_value = 0;
    arg.string_value = 0;
    if (arg.is_int) {
        if (!signed_value(fields.values[arg_key::int_value], arg_key::int_value, arg.int_value)) return false;
    } else {
        uint32_t length = 0;
        if (!store_text(fields.values[arg_key::string_value], arg_key::string_value, arg.string_value, length))
            return false;
    }
    if (process.arg_count == 0) process.first_arg = m_out.args.count;
    ++process.arg_count;
    ++m_out.args.count;
    return true;
}

}  // namespace

bool parse_system_file(const char* text, size_t length, BootImage& out, ParseError& error) {
    Parser parser(text, length, out, error);
    return parser.run();
}

}  // namespace axl::boot
