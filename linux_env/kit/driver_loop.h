// The main loop of a Linux driver process (driver_loop.cc). The transformer
// (tools/linux/transformer.py) generates each driver's entry, which resets
// the process's data and calls run_driver with the driver's modules in
// Linux's load order.
#pragma once

#include <cstdint>

#include "linux_env/kit/lx_kit.h"

namespace axl::linux_env {

// Never returns while the driver runs; the process's exit status if its
// modules' inits fail.
int32_t run_driver(const char* name, const lx_emul_module* modules, uint32_t module_count,
                   const lx_emul_params* params);

}  // namespace axl::linux_env
