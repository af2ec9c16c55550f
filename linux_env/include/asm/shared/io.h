/*
 * Shadows Linux's arch/x86/include/asm/shared/io.h for the Linux environment
 * (this folder comes first on the C half's include path).
 *
 * Linux's version executes in/out instructions. A driver process reaches its
 * ports through the kernel instead (kernel/api/device.h): a kernel call per
 * access, or, in the direct access model, the port opened to it. Either way
 * the access goes through the C++ half, which knows which model the process
 * runs under; the driver's source does not change.
 */
#ifndef _ASM_X86_SHARED_IO_H
#define _ASM_X86_SHARED_IO_H

#include <linux/types.h>
#include "linux_env/kit/lx_kit.h"

static inline void __outb(u8 value, u16 port) { lx_kit_port_write(port, 1, value); }
static inline void __outw(u16 value, u16 port) { lx_kit_port_write(port, 2, value); }
static inline void __outl(u32 value, u16 port) { lx_kit_port_write(port, 4, value); }
static inline u8 __inb(u16 port) { return (u8)lx_kit_port_read(port, 1); }
static inline u16 __inw(u16 port) { return (u16)lx_kit_port_read(port, 2); }
static inline u32 __inl(u16 port) { return lx_kit_port_read(port, 4); }

#define inb __inb
#define inw __inw
#define inl __inl
#define outb __outb
#define outw __outw
#define outl __outl

#endif
