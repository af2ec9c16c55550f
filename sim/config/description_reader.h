// The typed access every part of the system-description reader shares, on
// top of toml_support::Reader's: durations, sizes, lists of names and paths,
// each failing as "path:line: problem" (a DescriptionError).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/toml_support.h"

namespace axl::sim {

class DescriptionReader : public toml_support::Reader {
public:
    explicit DescriptionReader(const std::string& path) : Reader(path), m_path(path) {}

    const std::string& path() const { return m_path; }

    using Reader::boolean;
    using Reader::fail_type;
    using Reader::integer;
    using Reader::reject_unknown_keys;
    using Reader::seed;
    using Reader::string;
    void reject_unknown_keys(const toml::table& table, const std::string& where,
                             const std::vector<std::string>& known) const;

    // An integer is nanoseconds; a string may carry a unit ("10us"). Must be > 0.
    std::optional<uint64_t> duration_ns(const toml::table& table, std::string_view key) const;
    // The same for a delay or period that may be 0.
    std::optional<uint64_t> duration_or_zero_ns(const toml::table& table, std::string_view key) const;
    // An integer is bytes; a string may carry a binary unit ("64KiB").
    std::optional<uint64_t> size_bytes(const toml::table& table, std::string_view key, uint64_t min,
                                       uint64_t max) const;

    // An array of strings, each handed to `element` with its own node (for its
    // line). False if the table does not have the key.
    template <typename OnElement>
    bool for_each_string(const toml::table& table, std::string_view key, OnElement&& element) const {
        const toml::node* node = table.get(key);
        if (node == nullptr) return false;
        const toml::array* array = node->as_array();
        if (array == nullptr) fail_type(*node, key, "an array of strings");
        for (const toml::node& item : *array) {
            const auto* value = item.as_string();
            if (value == nullptr) fail_type(item, std::string(key) + " entries", "strings");
            element(value->get(), item);
        }
        return true;
    }

    // Paths in a description are relative to its file.
    std::string resolve(const std::string& path) const;
    void require_file(const std::string& path, const std::string& key, uint32_t line) const;

private:
    // An integer as it is (not negative), or a string through `parse` (a
    // number with a unit); anything else is not what `expected` says.
    uint64_t number_with_unit(const toml::node& node, std::string_view key,
                              uint64_t (*parse)(const std::string& text), std::string_view expected) const;

    const std::string& m_path;
};

}  // namespace axl::sim
