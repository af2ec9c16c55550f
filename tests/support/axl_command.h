// Test support: tests that run the built `axl` binary through the shell, each
// in a temporary directory of its own (include from one *_test.cc per binary).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/source_dir.h"

namespace axl::test {

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class AxlCommandTest : public ::testing::Test {
protected:
    void SetUp() override {
        const char* bin_dir = std::getenv("AXL_BIN_DIR");
        if (bin_dir == nullptr) GTEST_SKIP() << "AXL_BIN_DIR is not set (run through ctest)";
        m_axl = std::filesystem::path(bin_dir) / "axl";
        if (!std::filesystem::exists(m_axl)) GTEST_SKIP() << m_axl << " has not been built";
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        m_dir = std::filesystem::temp_directory_path() /
                ("axl_command_test_" + std::to_string(::getpid()) + "_" + test->test_suite_name() + "_" + test->name());
        std::filesystem::create_directories(m_dir);
    }

    void TearDown() override {
        if (!m_dir.empty()) std::filesystem::remove_all(m_dir);
    }

    std::filesystem::path write(const std::string& name, const std::string& text) const {
        std::filesystem::path path = m_dir / name;
        std::ofstream(path) << text;
        return path;
    }

    std::string file(const std::string& name) const { return (m_dir / name).string(); }

    // A file of the repository's workloads/ folder.
    static std::string workload(const std::string& name) { return source_dir() + "/workloads/" + name; }

    // Runs `[environment] axl <arguments>` through the shell, capturing both streams.
    CommandResult axl(const std::string& arguments, const std::string& environment = "") const {
        std::filesystem::path out = m_dir / "stdout", err = m_dir / "stderr";
        std::string command = environment + " '" + m_axl.string() + "' " + arguments + " >'" + out.string() +
                              "' 2>'" + err.string() + "'";
        int status = std::system(command.c_str());
        CommandResult result;
        if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
        result.out = read_file(out);
        result.err = read_file(err);
        return result;
    }

    std::filesystem::path m_axl;
    std::filesystem::path m_dir;
};

}  // namespace axl::test
