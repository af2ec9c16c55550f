// What the readers of TOML files (system descriptions, scenarios) share:
// lines of nodes for "file:line" errors, type names for messages, and the
// unknown-key check with its "did you mean" suggestion.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace axl::sim::toml_support {

inline uint32_t line_of(const toml::node& node) { return node.source().begin.line; }
inline uint32_t line_of(const toml::key& key) { return key.source().begin.line; }

// "a string", "an integer", ...: for "x must be an integer, not a string".
const char* type_name(toml::node_type type);

std::string join(const std::vector<std::string>& items, std::string_view separator);
// "a, b or c": the choices a message offers.
std::string spoken_list(const std::vector<std::string>& items);

// Plain Levenshtein distance; only used to suggest what a typo meant.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate within two edits of `word`, or "" (only near misses are worth suggesting).
std::string closest_to(std::string_view word, const std::vector<std::string>& candidates);

struct Problem {
    uint32_t line;
    std::string text;
    std::string key = {};  // unknown_key: the key it found
};

// The first key of `table` (in file order) that is not in `known`, as
// "unknown key 'x' in WHERE; did you mean 'y'?" (or the list of known keys
// when nothing is close), with its line; nullopt if every key is known.
// Keys are checked before values, so a typo is reported as one and not as a
// default silently taking over.
std::optional<Problem> unknown_key(const toml::table& table, std::string_view where,
                                   const std::vector<std::string>& known);

// The typed access both readers use: each getter returns nullopt when the
// key is absent and fails ("path:line: problem", a DescriptionError) when
// the value has the wrong type or range.
class Reader {
public:
    explicit Reader(const std::string& path) : m_file(path) {}
    [[noreturn]] void fail(uint32_t line, const std::string& problem) const;

protected:
    void reject_unknown_keys(const toml::table& table, std::string_view where,
                             std::initializer_list<std::string_view> known) const;
    [[noreturn]] void fail_type(const toml::node& value, std::string_view key, std::string_view expected) const;
    std::optional<std::string> string(const toml::table& table, std::string_view key) const;
    std::optional<int64_t> integer(const toml::table& table, std::string_view key, int64_t min, int64_t max) const;
    std::optional<bool> boolean(const toml::table& table, std::string_view key) const;
    // `seed`: an integer, or a string (decimal or 0x-hex) for seeds above 2^63,
    // where TOML integers stop.
    std::optional<uint64_t> seed(const toml::table& table) const;

private:
    const std::string& m_file;
};

}  // namespace axl::sim::toml_support
