#include "sim/machine/block_device.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <vector>

#include "sim/config/system_description.h"
#include "sim/machine/device_kind.h"
#include "sim/machine/register_width.h"

namespace axl::sim {

namespace reg = hw::block;

namespace {

int open_backing_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open block device file " + path + ": " + std::strerror(errno));
    return fd;
}

uint64_t capacity_of(int fd, const std::string& path) {
    struct stat info {};
    if (::fstat(fd, &info) != 0)
        throw std::runtime_error("cannot stat block device file " + path + ": " + std::strerror(errno));
    const auto bytes = static_cast<uint64_t>(info.st_size);
    if (bytes % reg::sector_bytes != 0)
        throw std::runtime_error("block device file " + path + ": size " + std::to_string(bytes) +
                                 " is not a multiple of " + std::to_string(reg::sector_bytes) + " bytes");
    return bytes / reg::sector_bytes;
}

// pread/pwrite may move fewer bytes than asked; loop until all moved or
// the file says no (a short file, an error).
bool read_fully(int fd, uint8_t* to, size_t bytes, uint64_t at) {
    while (bytes > 0) {
        const ssize_t got = ::pread(fd, to, bytes, static_cast<off_t>(at));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        to += got;
        bytes -= static_cast<size_t>(got);
        at += static_cast<uint64_t>(got);
    }
    return true;
}

bool write_fully(int fd, const uint8_t* from, size_t bytes, uint64_t at) {
    while (bytes > 0) {
        const ssize_t put = ::pwrite(fd, from, bytes, static_cast<off_t>(at));
        if (put < 0 && errno == EINTR) continue;
        if (put <= 0) return false;
        from += put;
        bytes -= static_cast<size_t>(put);
        at += static_cast<uint64_t>(put);
    }
    return true;
}

}  // namespace

BlockDevice::FileDescriptor::~FileDescriptor() {
    if (m_fd >= 0) ::close(m_fd);
}

BlockDevice::BlockDevice(DeviceHost& host, const BlockConfig& config)
    : m_host(host),
      m_config(config),
      m_file(open_backing_file(config.path)),
      m_capacity_sectors(capacity_of(m_file.get(), config.path)) {}

BlockDevice::~BlockDevice() {
    if (m_completion) m_host.cancel(*m_completion);
}

// --- register access ------------------------------------------------------------------

uint32_t BlockDevice::read(uint16_t offset, uint32_t width) { return read_register(offset) & width_mask(width); }

uint32_t BlockDevice::read_register(uint16_t offset) const {
    switch (offset) {
        case reg::sector_low: return static_cast<uint32_t>(m_sector);
        case reg::sector_high: return static_cast<uint32_t>(m_sector >> 32);
        case reg::count: return m_count;
        case reg::dma_grant: return m_dma_grant;
        case reg::dma_offset: return m_dma_offset;
        case reg::command: return m_last_command;
        case reg::status: return m_status;
        case reg::capacity_low: return static_cast<uint32_t>(m_capacity_sectors);
        case reg::capacity_high: return static_cast<uint32_t>(m_capacity_sectors >> 32);
        case reg::max_sectors_reg: return m_config.max_sectors;
        case reg::completed: return m_completed;
        default: return unmapped_read(4);
    }
}

void BlockDevice::write(uint16_t offset, uint32_t width, uint32_t value) {
    value &= width_mask(width);
    switch (offset) {
        case reg::sector_low: m_sector = (m_sector & ~uint64_t{0xFFFF'FFFF}) | value; break;
        case reg::sector_high: m_sector = (m_sector & 0xFFFF'FFFF) | (uint64_t{value} << 32); break;
        case reg::count: m_count = value; break;
        case reg::dma_grant: m_dma_grant = value; break;
        case reg::dma_offset: m_dma_offset = value; break;
        case reg::command: write_command(value); break;
        case reg::status: {
            uint32_t clear = value & (reg::status_done | reg::status_error);
            if (clear & reg::status_error) clear |= reg::error_mask;
            m_status &= ~clear;
            break;
        }
        default: break;  // read-only or unmapped
    }
}

// --- commands -------------------------------------------------------------------------

bool BlockDevice::inject(DeviceFault fault, uint64_t seed) {
    return m_faults.arm(fault, seed);
}

void BlockDevice::write_command(uint32_t opcode) {
    if (opcode == reg::command_reset) {
        // Taken even while busy: the driver's way out of a stuck command.
        if (m_completion) m_host.cancel(*m_completion);
        m_completion.reset();
        m_last_command = opcode;
        m_status = 0;
        return;
    }
    if (m_status & reg::status_busy) {
        set_error(reg::error_busy);
        return;
    }
    const Command command{.opcode = opcode,
                          .sector = m_sector,
                          .count = m_count,
                          .grant = GrantId{m_dma_grant},
                          .dma_offset = m_dma_offset};
    m_last_command = opcode;
    m_status = reg::status_busy;

    const uint32_t refused_with = validate(command);
    uint64_t latency = m_config.access_ns;
    const bool transfers = command.opcode == reg::command_read || command.opcode == reg::command_write;
    if (refused_with == reg::error_none && transfers) latency += uint64_t{command.count} * m_config.ns_per_sector;
    if (m_faults.stuck) {
        m_faults.stuck = false;  // busy until a reset: no completion is scheduled
        return;
    }
    if (m_faults.slow) {
        m_faults.slow = false;
        latency *= 10;
    }
    uint32_t fails_with = refused_with;
    if (m_faults.error && fails_with == reg::error_none) {
        m_faults.error = false;
        fails_with = reg::error_io;
    }
    m_completion = m_host.schedule(m_host.now_ns() + latency,
                                   [this, command, fails_with] { complete(command, fails_with); });
}

uint32_t BlockDevice::validate(const Command& command) const {
    switch (command.opcode) {
        case reg::command_flush: return reg::error_none;
        case reg::command_read:
        case reg::command_write:
            if (command.count == 0 || command.count > m_config.max_sectors) return reg::error_range;
            // Written so that no sum can overflow.
            if (command.sector > m_capacity_sectors || command.count > m_capacity_sectors - command.sector)
                return reg::error_range;
            return reg::error_none;
        default: return reg::error_command;
    }
}

void BlockDevice::complete(const Command& command, uint32_t refused_with) {
    m_completion.reset();
    uint32_t error = refused_with;
    if (error == reg::error_none) {
        switch (command.opcode) {
            case reg::command_read: error = transfer_in(command); break;
            case reg::command_write: error = transfer_out(command); break;
            case reg::command_flush: error = flush_file(); break;
            default: break;  // validate() refused anything else
        }
    }
    m_status = (m_status & ~reg::status_busy) | reg::status_done;
    if (error != reg::error_none) set_error(error);
    ++m_completed;
    m_host.raise_irq(m_config.irq_line);
}

uint32_t BlockDevice::transfer_in(const Command& command) {
    const size_t bytes = size_t{command.count} * reg::sector_bytes;
    std::vector<uint8_t> buffer(bytes);
    if (!read_fully(m_file.get(), buffer.data(), bytes, command.sector * reg::sector_bytes)) return reg::error_io;
    if (m_faults.corrupt) {
        // A bit flipped on the way to memory, unnoticed by the device.
        m_faults.corrupt = false;
        buffer[m_faults.corrupt_seed % bytes] ^= static_cast<uint8_t>(1u << (m_faults.corrupt_seed / bytes % 8));
    }
    if (m_host.dma_write(command.grant, command.dma_offset, buffer.data(), bytes) != Status::ok) return reg::error_dma;
    return reg::error_none;
}

uint32_t BlockDevice::transfer_out(const Command& command) {
    const size_t bytes = size_t{command.count} * reg::sector_bytes;
    std::vector<uint8_t> buffer(bytes);
    if (m_host.dma_read(command.grant, command.dma_offset, buffer.data(), bytes) != Status::ok) return reg::error_dma;
    if (!write_fully(m_file.get(), buffer.data(), bytes, command.sector * reg::sector_bytes)) return reg::error_io;
    return reg::error_none;
}

uint32_t BlockDevice::flush_file() { return ::fdatasync(m_file.get()) == 0 ? reg::error_none : reg::error_io; }

void BlockDevice::set_error(uint32_t code) {
    m_status = (m_status & ~reg::error_mask) | reg::status_error | ((code << reg::error_shift) & reg::error_mask);
}

}  // namespace axl::sim

// ---- kind = "block" ----

namespace axl::sim {
namespace {

constexpr DeviceKey file_key{"file", DeviceKey::Type::string};
constexpr DeviceKey scratch_key{"scratch", DeviceKey::Type::size, reg::sector_bytes, int64_t{1} << 40};
constexpr DeviceKey access_time_key{"access_time", DeviceKey::Type::duration};
constexpr DeviceKey sector_time_key{"sector_time", DeviceKey::Type::duration};
constexpr DeviceKey max_sectors_key{"max_sectors", DeviceKey::Type::integer, 1, 4096};
constexpr DeviceKey block_keys[] = {file_key, scratch_key, access_time_key, sector_time_key, max_sectors_key};

// A disk is a backing file, or a zeroed scratch disk made when the run starts.
struct BlockSettings {
    BlockConfig disk;
    uint64_t scratch_bytes = 0;
};

std::any read_block(const DeviceTable& table) {
    BlockSettings settings;
    auto file = table.string(file_key);
    if (file && table.has(scratch_key))
        table.fail(table.line(scratch_key), "block device '" + table.device_name() +
                                                "' has both a backing file (line " +
                                                std::to_string(table.line(file_key)) + ") and a scratch disk; keep one");
    if (auto scratch = table.size_bytes(scratch_key)) {
        if (*scratch % reg::sector_bytes != 0)
            table.fail(table.line(scratch_key), "scratch = " + std::to_string(*scratch) +
                                                    " bytes is not a multiple of the 512-byte sector");
        settings.scratch_bytes = *scratch;
    } else {
        if (!file)
            table.fail(table.line(), "block device '" + table.device_name() +
                                         "' has no backing file (add file = \"disk.img\", or scratch = \"4MiB\" for "
                                         "a zeroed disk that lasts one run)");
        settings.disk.path = table.resolve(*file);
        table.require_file(settings.disk.path, file_key);
        std::error_code error;
        const auto bytes = std::filesystem::file_size(settings.disk.path, error);
        if (!error && bytes % reg::sector_bytes != 0)
            table.fail(table.line(file_key), "backing file '" + *file + "' is " + std::to_string(bytes) +
                                                 " bytes, not a multiple of the 512-byte sector");
        if (!error && bytes == 0)
            table.fail(table.line(file_key), "backing file '" + *file + "' is empty: a disk needs sectors");
    }
    table.read(access_time_key, settings.disk.access_ns);
    table.read(sector_time_key, settings.disk.ns_per_sector);
    table.read(max_sectors_key, settings.disk.max_sectors);
    return settings;
}

// A zeroed disk for one run: a temporary file the device opens, unlinked at
// once so nothing is left behind however the run ends.
class ScratchFile {
public:
    explicit ScratchFile(uint64_t bytes) {
        const char* directory = std::getenv("TMPDIR");
        m_path = std::string(directory && *directory ? directory : "/tmp") + "/axl-scratch-disk-XXXXXX";
        const int fd = ::mkstemp(m_path.data());
        if (fd < 0) throw std::runtime_error("cannot create a scratch disk in " + m_path + ": " + std::strerror(errno));
        const bool sized = ::ftruncate(fd, static_cast<off_t>(bytes)) == 0;
        const int error = errno;
        ::close(fd);
        if (!sized) {
            ::unlink(m_path.c_str());
            throw std::runtime_error("cannot size the scratch disk: " + std::string(std::strerror(error)));
        }
    }
    ~ScratchFile() { ::unlink(m_path.c_str()); }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

std::unique_ptr<Device> make_block(const DeviceDescription& device, DeviceHost& host) {
    const BlockSettings& settings = device.settings_as<BlockSettings>();
    BlockConfig config = settings.disk;
    config.irq_line = device.irq;
    std::optional<ScratchFile> scratch;
    if (settings.scratch_bytes) {
        scratch.emplace(settings.scratch_bytes);
        config.path = scratch->path();
    }
    return std::make_unique<BlockDevice>(host, config);
}

}  // namespace

extern constexpr DeviceKind block_kind{
    .name = "block",
    .description = "disk of 512-byte sectors on a host file, DMA through grants",
    .registers = "hw/block.h",
    .io_size = reg::io_size,
    .io_base = 0x1100,
    .irq = BlockConfig::default_irq_line,
    .keys = block_keys,
    .read = read_block,
    .make = make_block,
};

}  // namespace axl::sim
