// Test support: what to print when an assertion on a run's report fails --
// the system, strategy and CPUs, why it failed, and everything it logged.
#pragma once

#include <string>

#include "kernel/ipc_strategy.h"
#include "sim/port/simulator.h"

namespace axl::test {

inline std::string report_text(const sim::RunReport& report) {
    std::string text = "system " + report.system_name + " under " + to_string(report.ipc) + " with " +
                       std::to_string(report.cpus) + " CPU(s)\nfailures:\n";
    for (const std::string& failure : report.failures) text += "  " + failure + "\n";
    text += "console:\n";
    for (const std::string& line : report.console) text += "  " + line + "\n";
    return text;
}

}  // namespace axl::test
