// Which build of axl this is: digests depend on the build (the kernel's code,
// the cost model, the compiler), so `axl --version` prints it and every JSON
// report carries it. Defined by a file the build generates
// (cmake/build_identity.cmake) from git and the CMake configuration.
#pragma once

#include <fmt/format.h>

#include <string>

namespace axl::tools {

struct BuildIdentity {
    const char* version;     // `git describe --always --dirty --tags` of the source ("unknown" outside git)
    const char* commit;      // the full commit hash
    const char* build_type;  // CMAKE_BUILD_TYPE, and the sanitizer if any
    const char* compiler;    // "GNU 12.2.0"
};

const BuildIdentity& build_identity();

// The same as a JSON object, for reports: {"version", "commit", "build_type", "compiler"}.
template <typename Json>
Json build_identity_json() {
    const BuildIdentity& build = build_identity();
    return Json{{"version", build.version},
                {"commit", build.commit},
                {"build_type", build.build_type},
                {"compiler", build.compiler}};
}

// The line `axl --version` prints.
inline std::string version_line() {
    const BuildIdentity& build = build_identity();
    return fmt::format("axl {} (commit {}, {} build, {})", build.version, build.commit, build.build_type,
                       build.compiler);
}

}  // namespace axl::tools
