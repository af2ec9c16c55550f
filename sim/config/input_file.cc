#include "sim/config/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include "sim/config/system_description.h"

namespace axl::sim {
namespace {

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

std::string size_text(uint64_t bytes) {
    if (bytes % (uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    if (bytes % (uint64_t{1} << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
}

class File {
public:
    explicit File(int fd) : m_fd(fd) {}
    File(const File&) = delete;
    File& operator=(const File&) = delete;
    ~File() {
        if (m_fd >= 0) ::close(m_fd);
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

}  // namespace

std::string read_input_file(const std::string& path, uint64_t limit, const char* what) {
    auto refuse = [&](const std::string& problem) -> std::string {
        throw DescriptionError(path + ":0: " + problem);
    };
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    const File file(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (file.get() < 0) return refuse(std::string("cannot open file (") + std::strerror(errno) + ")");
    struct stat status {};
    if (::fstat(file.get(), &status) != 0) return refuse(std::string("cannot read file (") + std::strerror(errno) + ")");
    if (!S_ISREG(status.st_mode))
        return refuse(std::string("cannot read it as a ") + what + ": it is " + kind_of(status.st_mode) +
                      ", not a regular file");
    const auto size = static_cast<uint64_t>(status.st_size);
    if (size > limit)
        return refuse(std::string("the file is ") + std::to_string(size) + " bytes, more than the " +
                      size_text(limit) + " a " + what + " may have");
    // Read at most limit + 1 bytes: a file that grows while it is read is
    // still held to the limit.
    std::string text(static_cast<size_t>(size), '\0');
    size_t done = 0;
    for (;;) {
        if (done == text.size()) {
            if (text.size() > limit) break;
            text.resize(std::min<uint64_t>(limit + 1, text.size() + 4096));
        }
        const ssize_t got = ::read(file.get(), text.data() + done, text.size() - done);
        if (got < 0) {
            if (errno == EINTR) continue;
            return refuse(std::string("cannot read file (") + std::strerror(errno) + ")");
        }
        if (got == 0) break;
        done += static_cast<size_t>(got);
    }
    if (done > limit)
        return refuse(std::string("the file grew past the ") + size_text(limit) + " a " + what + " may have");
    text.resize(done);
    return text;
}

}  // namespace axl::sim
