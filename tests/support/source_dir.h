// The repository's root, for tests that load files from it (workloads/*.toml).
// CTest sets AXL_SOURCE_DIR; run by hand, the root is derived from this
// header's own path (absolute in CMake builds), else the working directory.
#pragma once

#include <cstdlib>
#include <string>

namespace axl::test {

inline std::string source_dir() {
    if (const char* dir = std::getenv("AXL_SOURCE_DIR"); dir != nullptr && *dir != '\0') return dir;
    const std::string file = __FILE__;
    const std::string tail = "/tests/support/source_dir.h";
    if (file.size() > tail.size() && file.ends_with(tail)) return file.substr(0, file.size() - tail.size());
    return ".";
}

}  // namespace axl::test
