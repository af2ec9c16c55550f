#include "sim/config/value_syntax.h"

#include <charconv>
#include <limits>
#include <stdexcept>

#include "ipc_strategies/strategy_factory.h"

namespace axl::sim {
namespace {

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

struct NumberWithUnit {
    uint64_t number;
    std::string_view unit;  // whatever follows the digits, possibly empty
};

// "64KiB" -> {64, "KiB"}. Only plain decimal digits: a fraction such as
// "0.5ms" is refused rather than rounded, so the value in the file is exact.
NumberWithUnit split_number_and_unit(std::string_view text) {
    if (text.empty()) throw std::invalid_argument("empty value");
    uint64_t number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error == std::errc::result_out_of_range)
        throw std::invalid_argument(in_quotes(text) + " is too large");
    if (error != std::errc{} || end == text.data())
        throw std::invalid_argument(in_quotes(text) + " does not start with a non-negative whole number");
    std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
    // "10 ms" reads as well as "10ms"; both mean the same.
    while (unit.starts_with(' ')) unit.remove_prefix(1);
    if (!unit.empty() && (unit.front() == '.' || unit.front() == ','))
        throw std::invalid_argument(in_quotes(text) + " has a fraction; use a smaller unit instead");
    return {number, unit};
}

uint64_t scale_or_throw(uint64_t number, uint64_t scale, std::string_view text) {
    if (number > std::numeric_limits<uint64_t>::max() / scale)
        throw std::invalid_argument(in_quotes(text) + " is too large");
    return number * scale;
}

}  // namespace

uint64_t parse_duration_ns(const std::string& text) {
    auto [number, unit] = split_number_and_unit(text);
    if (unit.empty() || unit == "ns") return number;
    if (unit == "us") return scale_or_throw(number, 1'000, text);
    if (unit == "ms") return scale_or_throw(number, 1'000'000, text);
    if (unit == "s") return scale_or_throw(number, 1'000'000'000, text);
    throw std::invalid_argument(in_quotes(text) + " has an unknown unit '" + std::string(unit) +
                                "' (use ns, us, ms or s)");
}

// Sizes use binary units only: "KB" would leave readers guessing 1000 or 1024.
uint64_t parse_size_bytes(std::string_view text) {
    auto [number, unit] = split_number_and_unit(text);
    if (unit.empty() || unit == "B") return number;
    if (unit == "KiB") return scale_or_throw(number, kib, text);
    if (unit == "MiB") return scale_or_throw(number, mib, text);
    throw std::invalid_argument(in_quotes(text) + " has an unknown unit '" + std::string(unit) +
                                "' (use B, KiB or MiB)");
}

// Seeds span all 64 bits but TOML integers stop at 2^63 - 1, so a seed may also
// be written as a string, in decimal or 0x-prefixed hexadecimal.
uint64_t parse_seed(std::string_view text) {
    int base = 10;
    std::string_view digits = text;
    if (digits.starts_with("0x") || digits.starts_with("0X")) {
        base = 16;
        digits.remove_prefix(2);
    }
    uint64_t seed = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seed, base);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size())
        throw std::invalid_argument(in_quotes(text) +
                                    " is not a 64-bit unsigned number (decimal or 0x hexadecimal)");
    return seed;
}

std::optional<IpcStrategyKind> parse_ipc_strategy(const std::string& name) {
    if (const StrategyInfo* strategy = find_strategy(name.c_str())) return strategy->kind;
    return std::nullopt;
}

}  // namespace axl::sim
