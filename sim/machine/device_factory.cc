#include "sim/machine/device_factory.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "sim/machine/block_device.h"
#include "sim/machine/nic.h"
#include "sim/machine/timer.h"
#include "sim/machine/uart.h"

namespace axl::sim {

namespace {
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

std::unique_ptr<Device> build(const DeviceDescription& device, DeviceHost& host) {
    switch (device.kind) {
        case DeviceKind::timer:
            return std::make_unique<Timer>(host, device.irq);
        case DeviceKind::uart:
            return std::make_unique<Uart>(host, UartConfig{.irq_line = device.irq,
                                                           .baud = device.baud,
                                                           .output_path = device.output,
                                                           .input_path = device.input,
                                                           .input_start_ns = device.input_start_ns});
        case DeviceKind::block: {
            std::optional<ScratchFile> scratch;
            if (device.scratch_bytes) scratch.emplace(device.scratch_bytes);
            return std::make_unique<BlockDevice>(host, BlockConfig{.irq_line = device.irq,
                                                                   .path = scratch ? scratch->path() : device.file,
                                                                   .access_ns = device.access_ns,
                                                                   .ns_per_sector = device.sector_ns,
                                                                   .max_sectors = device.max_sectors});
        }
        case DeviceKind::nic:
            return std::make_unique<Nic>(host, NicConfig{.name = device.name,
                                                         .irq_line = device.irq,
                                                         .udp_port = device.udp_port,
                                                         .latency_ns = device.latency_ns,
                                                         .record_path = device.record});
    }
    throw std::runtime_error(std::string("device kind ") + to_string(device.kind) + " is not available yet");
}
}  // namespace

std::unique_ptr<Device> make_device(const SystemDescription& system, const DeviceDescription& device,
                                    DeviceHost& host) {
    try {
        return build(device, host);
    } catch (const std::runtime_error& error) {
        throw DescriptionError(system.path + ":" + std::to_string(device.line) + ": device '" + device.name +
                               "': " + error.what());
    }
}

}  // namespace axl::sim
