#include "tools/axl/invocation.h"

#include <utility>

#include "tools/axl/shell_quote.h"

namespace axl::tools {
namespace {
std::string& invoked() {
    static std::string command = "axl";
    return command;
}
}  // namespace

void set_invoked_as(std::string argv0) { invoked() = argv0.empty() ? std::string("axl") : shell_quote(argv0); }

const std::string& invoked_as() { return invoked(); }

}  // namespace axl::tools
