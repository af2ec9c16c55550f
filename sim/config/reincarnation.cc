#include "sim/config/reincarnation.h"

#include <algorithm>
#include <map>
#include <utility>
#include <variant>

#include "kernel/api/calls.h"
#include "kernel/api/protocols/restart_policy.h"

namespace axl::sim {
namespace {

using toml_support::line_of;

// The server's arguments, as restart_policy::encode writes them.
struct ArgumentSink {
    std::map<std::string, ArgValue>& args;

    void integer(const char* key, int64_t value) { args[key] = value; }
    void string(const char* key, const char* chars, size_t length) { args[key] = std::string(chars, length); }
    void append(const char* key, const char* chars, size_t length) {
        std::get<std::string>(args[key]).append(chars, length);
    }
};

std::vector<std::string> role_names() {
    std::vector<std::string> names;
    for (uint32_t i = 0; i < process_role_count; ++i) names.emplace_back(to_string(static_cast<ProcessRole>(i)));
    return names;
}

}  // namespace

const char* to_string(ProcessRole role) {
    switch (role) {
        case ProcessRole::none: return "none";
        case ProcessRole::reincarnation: return "reincarnation";
    }
    return "?";
}

std::string how_to_add_reincarnation_server() {
    return "add a [[process]] with program = \"" + std::string(reincarnation_program) + "\"";
}

const ProcessDescription* reincarnation_server(const SystemDescription& system) {
    for (const ProcessDescription& process : system.processes)
        if (process.role == ProcessRole::reincarnation) return &process;
    return nullptr;
}

ProcessRole Reincarnation::read_role(const toml::table& table, const std::string& program) const {
    auto role = m_reader.string(table, "role");
    if (!role) return program == reincarnation_program ? ProcessRole::reincarnation : ProcessRole::none;
    for (uint32_t i = 0; i < process_role_count; ++i)
        if (*role == to_string(static_cast<ProcessRole>(i))) return static_cast<ProcessRole>(i);
    m_reader.fail(line_of(*table.get("role")),
                  "unknown role '" + *role + "' (expected " + toml_support::spoken_list(role_names()) + ")");
}

void Reincarnation::read_policy(const toml::table& table, ProcessDescription& process) {
    const toml::node* node = table.get("restart");
    if (node == nullptr) return;
    const toml::table* policy_table = node->as_table();
    if (policy_table == nullptr) m_reader.fail_type(*node, "restart", "a table ([process.restart])");
    m_reader.reject_unknown_keys(*policy_table, "[process.restart]",
                                 {"heartbeat", "missed", "limit", "backoff", "backoff_max", "with", "notify"});
    ProcessDescription::Restart& restart = process.restart;
    RestartPolicy& policy = restart.policy;
    restart.managed = true;
    restart.line = line_of(*node);
    policy.heartbeat_ns = m_reader.duration_or_zero_ns(*policy_table, "heartbeat").value_or(policy.heartbeat_ns);
    policy.missed = static_cast<uint32_t>(m_reader.integer(*policy_table, "missed", 1, 1000).value_or(policy.missed));
    policy.limit =
        static_cast<uint32_t>(m_reader.integer(*policy_table, "limit", 0, 1'000'000).value_or(policy.limit));
    policy.backoff_ns = m_reader.duration_or_zero_ns(*policy_table, "backoff").value_or(policy.backoff_ns);
    policy.backoff_max_ns =
        m_reader.duration_or_zero_ns(*policy_table, "backoff_max").value_or(policy.backoff_max_ns);
    // A plain loop variable, not a structured binding: clang before 16 (the fuzz
    // build's clang-14) cannot capture a binding in a lambda.
    for (const auto& list : {std::pair{"with", &policy.with}, std::pair{"notify", &policy.notify}}) {
        std::vector<std::string>* names = list.second;
        m_reader.for_each_string(*policy_table, list.first, [&](const std::string& name, const toml::node& item) {
            m_names.push_back({name, line_of(item)});
            names->push_back(name);
        });
    }
}

void Reincarnation::wire(const ProcessTables& tables, SystemDescription& system) const {
    for (const auto& [name, line] : m_names)
        if (tables.find(name) == nullptr)
            m_reader.fail(line, "'" + name + "' in a [process.restart] table is not a process of this system");
    for (const ProcessDescription& process : system.processes) {
        if (process.role != ProcessRole::reincarnation) continue;
        if (!process.group.empty()) m_reader.fail(process.line, "the reincarnation server must not be replicated");
        const ProcessDescription& first = *reincarnation_server(system);
        if (&process != &first)
            m_reader.fail(process.line, "process '" + process.name + "' would be a second reincarnation server ('" +
                                            first.name + "' on line " + std::to_string(first.line) +
                                            " is one); a system has at most one");
    }
    ProcessDescription* server = reincarnation_server(system);
    if (!server) {
        for (const ProcessDescription& process : system.processes)
            if (process.restart.managed)
                m_reader.fail(process.restart.line,
                              "process '" + process.name +
                                  "' has a [process.restart] table but no process runs the reincarnation server (" +
                                  how_to_add_reincarnation_server() + ")");
        return;
    }
    server->primitives |= bit(Primitive::receive) | bit(Primitive::sendnb) | bit(Primitive::notify);
    server->kernel_calls |= bit(KernelCall::process_control) | bit(KernelCall::alarm) | bit(KernelCall::lookup) |
                            bit(KernelCall::log) | bit(KernelCall::clock);
    server->all_destinations = true;
    ArgumentSink arguments{server->args};
    uint32_t count = 0;
    for (ProcessDescription& process : system.processes) {
        if (!process.restart.managed) continue;
        if (&process == server)
            m_reader.fail(process.restart.line, "the reincarnation server cannot restart itself");
        restart_policy::encode(arguments, count++, process.name, process.restart.policy);
        // It answers the server's pings: the server is one of its destinations.
        if (std::find(process.destinations.begin(), process.destinations.end(), privilege_group(*server)) ==
                process.destinations.end() &&
            !process.all_destinations)
            process.destinations.push_back(privilege_group(*server));
        process.primitives |= bit(Primitive::sendnb);
    }
    arguments.integer(restart_policy::service_count_key, count);
}

}  // namespace axl::sim
