#include "sim/config/boot_image_of.h"

#include <fmt/format.h>

#include <map>
#include <string>
#include <variant>

#include "kernel/api/status.h"

namespace axl::sim {

boot::TextOffset HostedBootImage::keep(const std::string& text) {
    const auto offset = static_cast<boot::TextOffset>(m_text.size());
    m_text.insert(m_text.end(), text.begin(), text.end());
    m_text.push_back('\0');
    return offset;
}

HostedBootImage::HostedBootImage(const SystemDescription& system) {
    const auto& processes = system.processes;
    std::map<std::string, uint32_t> privilege_of_group;
    std::vector<size_t> leaders;  // each privilege's first process
    for (size_t i = 0; i < processes.size(); ++i) {
        const ProcessDescription& process = processes[i];
        const std::string& group = privilege_group(process);
        if (!privilege_of_group.try_emplace(group, static_cast<uint32_t>(leaders.size())).second) continue;
        leaders.push_back(i);
        m_privileges.push_back(boot::ImagePrivilege{.name = keep(group),
                                                    .line = process.line,
                                                    .spec = PrivilegeSpec{.primitives = process.primitives,
                                                                          .kernel_calls = process.kernel_calls,
                                                                          .all_destinations = process.all_destinations,
                                                                          .devices = process.device_rights}});
    }
    for (uint32_t p = 0; p < leaders.size(); ++p) {
        const ProcessDescription& process = processes[leaders[p]];
        for (const std::string& destination : process.destinations) {
            auto found = privilege_of_group.find(destination);
            if (found == privilege_of_group.end())
                throw DescriptionError(fmt::format("{}:{}: unknown destination '{}' (kernel: {})", system.path,
                                                   process.line, destination, to_string(Status::bad_argument)));
            m_destinations.push_back(boot::ImageDestination{.from = p, .to = found->second});
        }
    }
    m_processes.reserve(processes.size());
    for (size_t i = 0; i < processes.size(); ++i) {
        const ProcessDescription& process = processes[i];
        const auto first_arg = static_cast<uint32_t>(m_args.size());
        for (const auto& [key, value] : process.args) {
            boot::ImageArg arg{.key = keep(key),
                               .process = static_cast<uint32_t>(i),
                               .line = process.line,
                               .is_int = std::holds_alternative<int64_t>(value),
                               .int_value = 0,
                               .string_value = 0};
            if (arg.is_int)
                arg.int_value = std::get<int64_t>(value);
            else
                arg.string_value = keep(std::get<std::string>(value));
            m_args.push_back(arg);
        }
        m_processes.push_back(boot::ImageProcess{.name = keep(process.name),
                                                 .program = keep(process.program),
                                                 .line = process.line,
                                                 .privilege = privilege_of_group.at(privilege_group(process)),
                                                 .priority = process.priority,
                                                 .expect = process.expect,
                                                 .dedicated = process.dedicated_cpu,
                                                 .cpu = process.cpu,
                                                 .quantum_ns = process.quantum_ns,
                                                 .stack_bytes = process.stack_bytes,
                                                 .first_arg = first_arg,
                                                 .arg_count = static_cast<uint32_t>(m_args.size()) - first_arg});
    }
    m_image.name = keep(system.name);
    m_image.cpus = system.cpus;
    m_image.ipc = system.ipc;
    m_image.ring_capacity = system.ring_capacity;
    m_image.seed = system.seed;
    m_image.privileges = boot::table_over(m_privileges);
    m_image.destinations = boot::table_over(m_destinations);
    m_image.processes = boot::table_over(m_processes);
    m_image.args = boot::table_over(m_args);
    m_image.text = m_text.data();
    m_image.text_used = static_cast<uint32_t>(m_text.size());
    m_image.text_capacity = m_image.text_used;
}

}  // namespace axl::sim
