// Files an `axl` command writes, named on its command line (--json, --trace,
// ...): opened before anything runs, so a path that cannot be written is an
// error on the command line (exit 2, the path and the reason), not a failure
// found after a long run.
#pragma once

#include <fstream>
#include <memory>
#include <string>
#include <string_view>

namespace axl::tools {

class OutputFile {
public:
    OutputFile() = default;
    // `option` is how the command line named it ("--json"), for messages.
    OutputFile(std::string_view option, std::string path) : m_option(option), m_path(std::move(path)) {}

    // Creates (or truncates) the file; false, with "axl: --json PATH: cannot
    // write it (REASON)" on stderr, if it cannot be. Nothing to do without a path.
    bool open();
    bool wanted() const { return !m_path.empty(); }
    const std::string& path() const { return m_path; }
    std::ostream& stream() { return *m_stream; }
    std::ostream* stream_if_open() { return m_stream.get(); }

    // Flushes and closes; false, with a message on stderr, if a write failed
    // (a full disk). True without a path.
    bool close();
    // Removes the file open() created: the command refused to run after all.
    void discard();

private:
    std::string m_option;
    std::string m_path;
    std::unique_ptr<std::ofstream> m_stream;
};

}  // namespace axl::tools
