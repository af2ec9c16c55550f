// Reading an input file a user named (a system description, a scenario, a
// campaign's JSON) without trusting it: `axl run /dev/zero` must not read
// for ever, a FIFO must not block the command, and a file of gigabytes must
// not be pulled into memory before anyone looks at it. So the file is opened
// without blocking, must be a regular file, and must not be larger than a
// stated limit; the refusal names the path (line 0, as every problem with the
// file as a whole does).
#pragma once

#include <cstdint>
#include <string>

namespace axl::sim {

// The limits (docs/system-description.md, "Everything that is checked"):
// the largest workload description is a few KiB, and a generated one with
// thousands of tables stays well below this.
inline constexpr uint64_t description_bytes_max = uint64_t{1} << 20;  // 1 MiB: descriptions, scenarios
inline constexpr uint64_t campaign_json_bytes_max = uint64_t{256} << 20;  // 256 MiB: a campaign's JSON

// The whole of `path`, at most `limit` bytes, `what` naming the kind of file
// in messages ("description"). Throws DescriptionError("path:0: problem")
// when it cannot be opened, is not a regular file (a directory, a FIFO, a
// device such as /dev/zero), is larger than `limit`, or cannot be read.
std::string read_input_file(const std::string& path, uint64_t limit, const char* what);

}  // namespace axl::sim
