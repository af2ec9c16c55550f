#include "sim/machine/device_factory.h"

#include <stdexcept>

#include "sim/machine/device_kind.h"

namespace axl::sim {

std::unique_ptr<Device> make_device(const SystemDescription& system, const DeviceDescription& device,
                                    DeviceHost& host) {
    try {
        return device.kind->make(device, host);
    } catch (const std::runtime_error& error) {
        throw DescriptionError(system.path + ":" + std::to_string(device.line) + ": device '" + device.name +
                               "': " + error.what());
    }
}

}  // namespace axl::sim
