// What the TOML fuzz targets check of a refusal: the charter's "bad input gets
// a clear error" as DescriptionError spells it, "file:line: problem" with the
// line a number and the problem not empty. Anything else that leaves the
// reader (another exception type, a crash) is a finding.
#pragma once

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace axl::fuzz {

// `message` is "<one of files>:<digits>: <problem>".
inline void check_clear_error(const std::string& message, std::initializer_list<std::string> files) {
    for (const std::string& file : files) {
        if (message.compare(0, file.size() + 1, file + ":") != 0) continue;
        size_t at = file.size() + 1;
        const size_t digits = at;
        while (at < message.size() && std::isdigit(static_cast<unsigned char>(message[at]))) ++at;
        if (at > digits && message.compare(at, 2, ": ") == 0 && message.size() > at + 2) return;
    }
    std::fprintf(stderr, "fuzz: a refusal that is not \"file:line: problem\": %s\n", message.c_str());
    std::abort();
}

}  // namespace axl::fuzz
