#include "sim/config/description_reader.h"

#include <filesystem>
#include <stdexcept>

#include "sim/config/value_syntax.h"

namespace axl::sim {

using toml_support::line_of;

void DescriptionReader::reject_unknown_keys(const toml::table& table, const std::string& where,
                                            const std::vector<std::string>& known) const {
    if (auto problem = toml_support::unknown_key(table, where, known)) fail(problem->line, problem->text);
}

uint64_t DescriptionReader::number_with_unit(const toml::node& node, std::string_view key,
                                             uint64_t (*parse)(const std::string& text),
                                             std::string_view expected) const {
    if (const auto* integer_value = node.as_integer()) {
        if (integer_value->get() < 0) fail(line_of(node), std::string(key) + " must not be negative");
        return static_cast<uint64_t>(integer_value->get());
    }
    const auto* string_value = node.as_string();
    if (string_value == nullptr) fail_type(node, key, expected);
    try {
        return parse(string_value->get());
    } catch (const std::invalid_argument& reason) {
        fail(line_of(node), std::string(key) + ": " + reason.what());
    }
}

std::optional<uint64_t> DescriptionReader::duration_ns(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    const uint64_t ns = number_with_unit(*node, key, parse_duration_ns,
                                         "a duration (integer nanoseconds or a string such as \"10us\")");
    if (ns == 0) fail(line_of(*node), std::string(key) + " must be longer than 0");
    return ns;
}

std::optional<uint64_t> DescriptionReader::duration_or_zero_ns(const toml::table& table,
                                                               std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    return number_with_unit(*node, key, parse_duration_ns, "a duration (\"50us\" or nanoseconds)");
}

std::optional<uint64_t> DescriptionReader::size_bytes(const toml::table& table, std::string_view key,
                                                      uint64_t min, uint64_t max) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    const uint64_t bytes =
        number_with_unit(*node, key, [](const std::string& text) { return parse_size_bytes(text); },
                         "a size (integer bytes or a string such as \"64KiB\")");
    if (bytes < min || bytes > max)
        fail(line_of(*node), std::string(key) + " = " + std::to_string(bytes) + " bytes is out of range " +
                                 std::to_string(min / kib) + "KiB.." + std::to_string(max / mib) + "MiB");
    return bytes;
}

std::string DescriptionReader::resolve(const std::string& path) const {
    std::filesystem::path file(path);
    if (file.is_absolute()) return path;
    return (std::filesystem::path(m_path).parent_path() / file).lexically_normal().string();
}

void DescriptionReader::require_file(const std::string& path, const std::string& key, uint32_t line) const {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        fail(line, key + " '" + path + "' does not exist (or is not a regular file)");
}

}  // namespace axl::sim
