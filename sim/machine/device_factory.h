// Builds the device model a [[device]] table describes.
#pragma once

#include <memory>

#include "sim/machine/device.h"
#include "sim/config/system_description.h"

namespace axl::sim {

// Throws DescriptionError ("file:line: problem") if the model cannot start
// (a file it cannot open, a socket it cannot bind).
std::unique_ptr<Device> make_device(const SystemDescription& system, const DeviceDescription& device,
                                    DeviceHost& host);

}  // namespace axl::sim
