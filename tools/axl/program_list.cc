#include "tools/axl/program_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <vector>

#include "kernel/api/program.h"
#include "sim/config/toml_support.h"
#include "sim/port/program_registry.h"
#include "tools/axl/exit_status.h"

namespace axl::tools {

std::string format_program_options(const std::string& name) {
    const ProgramInfo* program = sim::find_program(name);
    if (program == nullptr) return std::string();
    std::string out = fmt::format("{}: {}\n", program->name, program->description ? program->description : "");
    if (program->option_count == 0) return out + "takes no arguments\n";
    struct Row {
        std::string name, kind, fallback, help;
    };
    std::vector<Row> rows;
    for (uint64_t i = 0; i < program->option_count; ++i) {
        const ProgramOption& option = program->options[i];
        if (option.type == ProgramOption::Type::integer)
            rows.push_back({option.name, fmt::format("integer {}..{}", option.min, option.max),
                            std::to_string(option.integer_default), option.help});
        else
            rows.push_back({option.name, "string", fmt::format("\"{}\"", option.string_default), option.help});
    }
    size_t name_width = 4, kind_width = 4, fallback_width = 7;
    for (const Row& row : rows) {
        name_width = std::max(name_width, row.name.size());
        kind_width = std::max(kind_width, row.kind.size());
        fallback_width = std::max(fallback_width, row.fallback.size());
    }
    out += "arguments ([process.args]):\n";
    out += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {}\n", "name", name_width, "type", kind_width, "default",
                       fallback_width, "meaning");
    for (const Row& row : rows)
        out += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {}\n", row.name, name_width, row.kind, kind_width, row.fallback,
                           fallback_width, row.help);
    return out;
}

int list_program(const std::string& name) {
    const std::string text = format_program_options(name);
    if (text.empty()) {
        std::vector<std::string> names;
        for (const ProgramInfo* program : sim::all_programs()) names.emplace_back(program->name);
        const std::string closest = sim::toml_support::closest_to(name, names);
        fmt::print(stderr, "axl list: unknown program '{}'{} (`axl list` shows the registered programs)\n", name,
                   closest.empty() ? std::string() : "; did you mean '" + closest + "'?");
        return exit_usage;
    }
    fmt::print("{}", text);
    return exit_ok;
}

}  // namespace axl::tools
