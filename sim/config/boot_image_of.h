// A system description lowered into the boot image (kernel/boot/boot_image.h)
// that both ports boot from: the hosted simulator builds it with the kernel's
// one builder, and `axl bootfile` writes it out as the bare-metal kernel's
// system file. One privilege per privilege group (a process of its own, or
// all replicas of one table), in the order of each group's first process;
// then the destinations by group; then the processes in file order with
// their arguments.
#pragma once

#include <vector>

#include "kernel/boot/boot_image.h"
#include "sim/config/system_description.h"

namespace axl::sim {

class HostedBootImage {
public:
    // Throws DescriptionError("file:line: problem") for a destination that
    // names no process or group.
    explicit HostedBootImage(const SystemDescription& system);
    HostedBootImage(const HostedBootImage&) = delete;
    HostedBootImage& operator=(const HostedBootImage&) = delete;

    const boot::BootImage& image() const { return m_image; }

private:
    boot::TextOffset keep(const std::string& text);

    std::vector<boot::ImagePrivilege> m_privileges;
    std::vector<boot::ImageDestination> m_destinations;
    std::vector<boot::ImageProcess> m_processes;
    std::vector<boot::ImageArg> m_args;
    std::vector<char> m_text;
    boot::BootImage m_image;
};

}  // namespace axl::sim
