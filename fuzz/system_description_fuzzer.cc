// Fuzz target: the TOML system-description reader (sim/config/, entry point
// parse_system_description), then what `axl run` and `axl bootfile` do next
// with a description it accepts: lowering it into the boot image
// (HostedBootImage) and writing the bare-metal system file, which must parse
// back (format_system_file throws std::runtime_error if it would not).
// Every refusal must be a DescriptionError reading "file:line: problem";
// any other exception, a crash or a hang is a finding.
// Seeds: workloads/*.toml.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/description_error_check.h"
#include "sim/config/boot_image_of.h"
#include "sim/config/system_description.h"
#include "tools/axl/bootfile.h"

namespace {

// As if it lay next to the workloads, so relative paths in it (a disk image)
// resolve as they would for a file of workloads/.
const std::string input_path = std::string(AXL_FUZZ_WORKLOADS_DIR) + "/fuzz_input.toml";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const axl::sim::SystemDescription system = axl::sim::parse_system_description(text, input_path);
        const axl::sim::HostedBootImage image(system);
        try {
            (void)axl::tools::format_system_file(system);
        } catch (const axl::sim::DescriptionError& error) {
            // Fine for the hosted port, not for bare metal: still a clear error.
            axl::fuzz::check_clear_error(error.what(), {input_path});
        }
    } catch (const axl::sim::DescriptionError& error) {
        axl::fuzz::check_clear_error(error.what(), {input_path});
    }
    return 0;
}
