// The exit statuses every axl subcommand uses, so scripts and CI can tell a
// failed run from a mistake on the command line.
#pragma once

namespace axl::tools {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;       // the run, replay, campaign or boot did not pass
inline constexpr int exit_usage = 2;        // bad arguments or input files (file:line on stderr)
// --wall-timeout ran out before the run ended (as timeout(1) reports it);
// stderr names the process that was running (sim/port/wall_timeout.h).
inline constexpr int exit_wall_timeout = 124;
inline constexpr int exit_interrupted = 130;  // as a shell reports a command ended by Ctrl-C

}  // namespace axl::tools
