// Commands that axl prints for people to paste into a shell: the QEMU command
// line `axl boot` runs, the `axl replay` command that reproduces a failed
// campaign run.
#pragma once

#include <string>
#include <string_view>

namespace axl::tools {

// `text` as one word for a POSIX shell: unchanged when it is made of safe
// characters only, else single-quoted.
std::string shell_quote(std::string_view text);

}  // namespace axl::tools
