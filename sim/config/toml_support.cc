#include "sim/config/toml_support.h"

#include <algorithm>

#include "sim/config/system_description.h"

namespace axl::sim::toml_support {

const char* type_name(toml::node_type type) {
    switch (type) {
        case toml::node_type::none: return "nothing";
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a float";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
    }
    return "an unknown type";
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string joined;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i != 0) joined += separator;
        joined += items[i];
    }
    return joined;
}

std::string spoken_list(const std::vector<std::string>& items) {
    if (items.size() < 2) return join(items, "");
    return join(std::vector<std::string>(items.begin(), items.end() - 1), ", ") + " or " + items.back();
}

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::string closest_to(std::string_view word, const std::vector<std::string>& candidates) {
    std::string closest;
    size_t closest_distance = 3;
    for (const std::string& candidate : candidates) {
        size_t distance = edit_distance(word, candidate);
        if (distance < closest_distance) {
            closest = candidate;
            closest_distance = distance;
        }
    }
    return closest;
}

std::optional<Problem> unknown_key(const toml::table& table, std::string_view where,
                                   const std::vector<std::string>& known) {
    const toml::key* first_unknown = nullptr;
    for (auto&& [key, value] : table) {
        const bool is_known = std::find(known.begin(), known.end(), key.str()) != known.end();
        // toml::table iterates in key order; report the earliest in the file.
        if (!is_known && (first_unknown == nullptr || line_of(key) < line_of(*first_unknown))) first_unknown = &key;
    }
    if (first_unknown == nullptr) return std::nullopt;
    std::string problem = "unknown key '" + std::string(first_unknown->str()) + "' in " + std::string(where);
    const std::string closest = closest_to(first_unknown->str(), known);
    if (!closest.empty())
        problem += "; did you mean '" + closest + "'?";
    else
        problem += " (known keys: " + join(known, ", ") + ")";
    return Problem{line_of(*first_unknown), std::move(problem), std::string(first_unknown->str())};
}

void Reader::fail(uint32_t line, const std::string& problem) const {
    throw DescriptionError(m_file + ":" + std::to_string(line) + ": " + problem);
}

void Reader::reject_unknown_keys(const toml::table& table, std::string_view where,
                                 std::initializer_list<std::string_view> known) const {
    if (auto problem = unknown_key(table, where, std::vector<std::string>(known.begin(), known.end())))
        fail(problem->line, problem->text);
}

void Reader::fail_type(const toml::node& value, std::string_view key, std::string_view expected) const {
    fail(line_of(value), std::string(key) + " must be " + std::string(expected) + ", not " + type_name(value.type()));
}

std::optional<std::string> Reader::string(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_string();
    if (value == nullptr) fail_type(*node, key, "a string");
    return value->get();
}

std::optional<int64_t> Reader::integer(const toml::table& table, std::string_view key, int64_t min,
                                       int64_t max) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_integer();
    if (value == nullptr) fail_type(*node, key, "an integer");
    const int64_t number = value->get();
    if (number < min || number > max)
        fail(line_of(*node), std::string(key) + " = " + std::to_string(number) + " is out of range " +
                                 std::to_string(min) + ".." + std::to_string(max));
    return number;
}

std::optional<bool> Reader::boolean(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_boolean();
    if (value == nullptr) fail_type(*node, key, "a boolean (true or false)");
    return value->get();
}

std::optional<uint64_t> Reader::seed(const toml::table& table) const {
    const toml::node* node = table.get("seed");
    if (node == nullptr) return std::nullopt;
    if (const auto* integer_value = node->as_integer()) {
        if (integer_value->get() < 0)
            fail(line_of(*node), "seed must not be negative (write seeds above 2^63 as a string, "
                                 "e.g. \"0xffffffffffffffff\")");
        return static_cast<uint64_t>(integer_value->get());
    }
    const auto* string_value = node->as_string();
    if (string_value == nullptr) fail_type(*node, "seed", "an integer (or a string for seeds above 2^63)");
    try {
        return parse_seed(string_value->get());
    } catch (const std::invalid_argument& reason) {
        fail(line_of(*node), std::string("seed: ") + reason.what());
    }
}

}  // namespace axl::sim::toml_support
