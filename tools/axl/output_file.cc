#include "tools/axl/output_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace axl::tools {

bool OutputFile::open() {
    if (m_path.empty()) return true;
    std::error_code error;
    // A directory would open (and fail) only when written to.
    if (std::filesystem::is_directory(m_path, error)) {
        fmt::print(stderr, "axl: {} {}: cannot write it ({})\n", m_option, m_path, std::strerror(EISDIR));
        return false;
    }
    errno = 0;
    m_stream = std::make_unique<std::ofstream>(m_path, std::ios::out | std::ios::trunc);
    if (*m_stream) return true;
    const int reason = errno;
    m_stream.reset();
    fmt::print(stderr, "axl: {} {}: cannot write it ({})\n", m_option, m_path,
               reason != 0 ? std::strerror(reason) : "cannot open it");
    return false;
}

bool OutputFile::close() {
    if (!m_stream) return true;
    m_stream->flush();
    const bool ok = static_cast<bool>(*m_stream);
    m_stream.reset();
    if (!ok) fmt::print(stderr, "axl: {} {}: cannot write it (a write failed)\n", m_option, m_path);
    return ok;
}

void OutputFile::discard() {
    if (!m_stream) return;
    m_stream.reset();
    std::error_code ignored;
    std::filesystem::remove(m_path, ignored);
}

}  // namespace axl::tools
