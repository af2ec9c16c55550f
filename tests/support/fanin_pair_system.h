// Test support: a small system for tests that inject faults or replay runs:
// two clients of one server, with think-time jitter drawn from the seed (so
// another seed gives another digest; a run lasts about 100 us of virtual
// time). Programs from workloads/fanin.cc.
#pragma once

#include <string>

namespace axl::test {

// The three processes alone, for systems that add their own [system] table,
// devices or services.
inline constexpr const char* fanin_pair_processes = R"([[process]]
name = "server"
program = "fanin_server"
primitives = ["receive", "reply_receive"]
destinations = ["a", "b"]
kernel_calls = ["log"]
expect = "serve"
[process.args]
clients = 2
rounds = 100
[[process]]
name = "a"
program = "fanin_client"
destinations = ["server"]
kernel_calls = ["lookup", "compute", "log"]
[process.args]
id = 0
rounds = 100
think_jitter_ns = 100
[[process]]
name = "b"
program = "fanin_client"
destinations = ["server"]
kernel_calls = ["lookup", "compute", "log"]
[process.args]
id = 1
rounds = 100
think_jitter_ns = 100
)";

inline const std::string fanin_system = std::string(R"([system]
name = "fanin2"
seed = 1
)") + fanin_pair_processes;

// A campaign over fanin_system (written next to it as system.toml): one fault
// per run into client b, which nothing restarts. A crash fails the workload, a
// hang keeps it from finishing (until ends the run), and a fault drawn after b
// is done finds nothing to strike.
inline constexpr const char* fanin_campaign_scenario = R"([scenario]
name = "client b under fire"
system = "system.toml"
until = "20ms"

[campaign]
kinds = ["crash", "hang"]
targets = ["b"]
window = ["20us", "160us"]
faults_per_run = 1
)";

}  // namespace axl::test
