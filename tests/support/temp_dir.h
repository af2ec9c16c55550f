// Test support (header-only): a fresh directory under the system's temporary
// directory, removed with everything in it when the test is done.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace axl::test {

class TempDir {
public:
    TempDir() {
        static std::atomic<unsigned> made{0};
        const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = "axl-";
        if (test != nullptr) name += std::string(test->test_suite_name()) + "-" + test->name() + "-";
        name += std::to_string(::getpid()) + "-" + std::to_string(made++);
        m_path = std::filesystem::temp_directory_path() / name;
        std::filesystem::remove_all(m_path);
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

}  // namespace axl::test
