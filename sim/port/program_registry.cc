// axl::register_program for the hosted port. Registration runs from static
// constructors in whatever order the linker chose, possibly before this file's
// own globals are constructed, so the table is a function-local static: it is
// built on first use, whichever translation unit gets there first.
//
// Lookups are not synchronised with registration; both happen on one thread in
// practice (registration before main, lookups after).
#include "sim/port/program_registry.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

namespace axl::sim {
namespace {

// Keyed by name (std::less<> allows lookups by string_view without a copy);
// std::map keeps the entries sorted for all_programs() and never moves them,
// so the pointers handed out stay valid.
using ProgramTable = std::map<std::string, ProgramInfo, std::less<>>;

ProgramTable& program_table() {
    static ProgramTable table;
    return table;
}

// Registration happens before main(), where there is nobody to catch an
// exception: a broken registration is a build mistake, so say what it is and stop.
[[noreturn]] void refuse_registration(const char* problem, const ProgramInfo& info) {
    std::fprintf(stderr, "axl: cannot register program '%s': %s\n",
                 info.name != nullptr ? info.name : "(null)", problem);
    std::abort();
}

}  // namespace

const ProgramInfo* find_program(std::string_view name) {
    const ProgramTable& table = program_table();
    auto found = table.find(name);
    return found == table.end() ? nullptr : &found->second;
}

std::vector<const ProgramInfo*> all_programs() {
    std::vector<const ProgramInfo*> programs;
    programs.reserve(program_table().size());
    for (const auto& [name, info] : program_table()) programs.push_back(&info);
    return programs;
}

}  // namespace axl::sim

namespace axl {

void register_program(const ProgramInfo& info) {
    if (info.name == nullptr || info.name[0] == '\0') sim::refuse_registration("it has no name", info);
    if (info.entry == nullptr) sim::refuse_registration("it has no entry function", info);

    for (uint64_t i = 0; i < info.option_count; ++i) {
        const ProgramOption& option = info.options[i];
        if (option.name == nullptr || option.name[0] == '\0') sim::refuse_registration("an option has no name", info);
        if (option.help == nullptr || option.help[0] == '\0')
            sim::refuse_registration("an option has no help line", info);
        for (uint64_t j = 0; j < i; ++j)
            if (std::string_view(info.options[j].name) == option.name)
                sim::refuse_registration("two options have one name", info);
        if (option.type == ProgramOption::Type::integer &&
            (option.min > option.max || option.integer_default < option.min || option.integer_default > option.max))
            sim::refuse_registration("an integer option's default is not in its range", info);
        if (option.type == ProgramOption::Type::string && option.string_default == nullptr)
            sim::refuse_registration("a string option has no default", info);
    }

    // Two programs with one name would make descriptions ambiguous, and which
    // one won would depend on link order.
    auto [existing, inserted] = sim::program_table().try_emplace(info.name, info);
    if (!inserted) {
        std::fprintf(stderr,
                     "axl: two programs are registered as '%s' (\"%s\" and \"%s\"); "
                     "program names must be unique across drivers/, servers/ and workloads/\n",
                     info.name, existing->second.description ? existing->second.description : "",
                     info.description ? info.description : "");
        std::abort();
    }
}

}  // namespace axl
