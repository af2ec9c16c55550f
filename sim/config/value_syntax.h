// How values are written, in description files and on command lines alike:
// durations and sizes with units, 64-bit seeds, IPC strategy names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kernel/ipc_strategy.h"

namespace axl::sim {

inline constexpr uint64_t kib = 1024;
inline constexpr uint64_t mib = 1024 * kib;

// "10us" / "3ms" / 1500 -> ns. Throws std::invalid_argument with a readable reason.
uint64_t parse_duration_ns(const std::string& text);
// "64KiB" / "4MiB" / "512" -> bytes. Throws std::invalid_argument with a readable reason.
uint64_t parse_size_bytes(std::string_view text);
std::optional<IpcStrategyKind> parse_ipc_strategy(const std::string& name);
// A 64-bit seed, decimal or 0x hexadecimal: how files (as a string, for seeds
// above TOML's 2^63 - 1) and command lines write one. Throws
// std::invalid_argument with a readable reason ("-1", "010" octal-looking or
// "1e3" are refused, not misread).
uint64_t parse_seed(std::string_view text);

}  // namespace axl::sim
