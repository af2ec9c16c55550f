// QEMU's firmware configuration device, read for one file: the extra kernel
// command line `axl boot` passes with -fw_cfg name=opt/axolotl/cmdline, so
// one ISO boots every workload and strategy without a GRUB menu. On a real PC
// the device is absent (its signature does not read back) and nothing happens.
#pragma once

#include <cstddef>

namespace axl::x86_64::fw_cfg {

// Copies the file `name` (NUL-terminated, at most capacity - 1 bytes); false if absent.
bool read_file(const char* name, char* out, size_t capacity);

}  // namespace axl::x86_64::fw_cfg
