// How the user invoked axl (argv[0]: "build/bin/axl", "axl" from the PATH),
// so that the commands axl prints for them to paste (a failed campaign run's
// replay) run the same binary, not whatever `axl` the PATH holds, if any.
#pragma once

#include <string>

namespace axl::tools {

void set_invoked_as(std::string argv0);
// argv[0] as given, shell-quoted; "axl" until main sets it.
const std::string& invoked_as();

}  // namespace axl::tools
