/*
 * The seam between the Linux environment's two halves.
 *
 * The C half (linux_env/emul/) is compiled with Linux's own headers and
 * flags, beside the unmodified Linux files it serves; the C++ half
 * (linux_env/kit/) is compiled as an ordinary Axolotl program, against
 * kernel/api/ only. Neither can include the other's headers: Linux's headers
 * define types and macros (bool, true, list_head, min, ...) that clash with
 * the C++ library, and the C half is built with -nostdinc. This header is the
 * whole interface between them, in plain C with built-in types only, so both
 * sides can include it.
 *
 * lx_kit_* functions are the C++ half's (the machine, as a Linux driver sees
 * it); lx_emul_* functions are the C half's (Linux, as the kit drives it).
 */
#ifndef AXL_LINUX_ENV_LX_KIT_H
#define AXL_LINUX_ENV_LX_KIT_H

#ifdef __cplusplus
extern "C" {
#endif

/* --- what the generated entry hands over --- */

/* One Linux module of the driver: its init and exit, as module_init and
 * module_exit named them (the transformer renames init_module and
 * cleanup_module per module, so several link into one process). */
struct lx_emul_module {
    const char *name;
    int (*init)(void);
    void (*exit)(void);
};
/* The driver's module parameters: `text` as on a kernel command line
 * ("heartbeat=10 nowayout=1"), applied to the kernel_param records in
 * [first, last) (the modules' __param sections) before their inits run. */
struct lx_emul_params {
    const char *text;
    const void *first;
    const void *last;
};

/* --- provided by the C++ half (linux_env/kit/) --- */

/* The driver's main loop (linux_env/kit/driver_loop.cc): the generated
 * entry calls it with the driver's modules in load order. */
int lx_kit_run(const char *name, const struct lx_emul_module *modules, unsigned int count,
               const struct lx_emul_params *params);

/* One line of the driver's log (printk and dev_* messages), without level. */
void lx_kit_log(const char *text, unsigned long length);
/* Ends the process with a fault (after logging `why`), as a kernel oops
 * would: rs sees a crash and applies the driver's restart policy. */
__attribute__((noreturn)) void lx_kit_fault(const char *why);

/* Registers: port I/O and memory-mapped I/O, checked against the process's
 * privileges by the kernel (or by the hardware, in the direct access model).
 * An access the privileges refuse ends the process, as a #GP would.
 * width is 1, 2 or 4 bytes. */
unsigned int lx_kit_port_read(unsigned int port, unsigned int width);
void lx_kit_port_write(unsigned int port, unsigned int width, unsigned int value);
unsigned int lx_kit_mmio_read(unsigned long long address, unsigned int width);
void lx_kit_mmio_write(unsigned long long address, unsigned int width, unsigned int value);

/* The PCI functions the system description grants this process, as the
 * PCI server reports them (kernel/api/protocols/pci.h). */
enum {
    LX_KIT_BAR_IO = 1,        /* port I/O; otherwise memory */
    LX_KIT_BAR_64BIT = 2,
    LX_KIT_BAR_PREFETCH = 4,
};
struct lx_kit_pci_bar {
    unsigned long long base;  /* 0: not implemented */
    unsigned long long size;
    unsigned int flags;
};
struct lx_kit_pci_info {
    unsigned int bus_address; /* bus << 8 | device << 3 | function */
    unsigned int vendor, device, subsystem_vendor, subsystem_device;
    unsigned int class_code;  /* base class << 16 | subclass << 8 | prog-if */
    unsigned int revision;
    unsigned int irq;         /* the interrupt line it may attach; ~0u: none */
    struct lx_kit_pci_bar bar[6];
};
/* 0 and *out filled: the index-th granted function; -1: no more. */
int lx_kit_pci_function(unsigned int index, struct lx_kit_pci_info *out);
/* 0 ok, or a negative Linux errno. */
int lx_kit_pci_config_read(unsigned int bus_address, unsigned int offset, unsigned int width,
                           unsigned int *value);
int lx_kit_pci_config_write(unsigned int bus_address, unsigned int offset, unsigned int width,
                            unsigned int value);

/* Interrupt lines: 0 ok, or a negative Linux errno. */
int lx_kit_irq_attach(unsigned int line);
void lx_kit_irq_enable(unsigned int line);

/* Virtual time of the run, in nanoseconds since it began. */
unsigned long long lx_kit_now_ns(void);
/* Wake the process at (or after) this virtual time; 0 cancels. */
void lx_kit_wake_at(unsigned long long ns);
/* Spend this much virtual time computing (udelay, msleep). */
void lx_kit_delay_ns(unsigned long long ns);

/* User memory: what a client of the driver lent it for the request being
 * served (a grant), seen by Linux as user addresses from LX_KIT_USER_BASE
 * up. Both return the number of bytes NOT copied (0: all), as Linux's
 * copy_{from,to}_user do. */
#define LX_KIT_USER_BASE 0x10000ul
unsigned long lx_kit_user_read(void *to, unsigned long user_address, unsigned long bytes);
unsigned long lx_kit_user_write(unsigned long user_address, const void *from, unsigned long bytes);

/* The process's heap: kmalloc and friends. The arena is the process's own
 * and starts empty at every (re)start. Returns 0 when exhausted. */
void *lx_kit_alloc(unsigned long bytes, unsigned long align);
void lx_kit_free(void *block);
unsigned long lx_kit_block_size(const void *block);

/* --- provided by the C half (linux_env/emul/) --- */

/* Runs the modules' inits in order (Linux's load order: dependencies first).
 * 0, or the failing init's negative errno. */
int lx_emul_start(const struct lx_emul_module *modules, unsigned int count, const struct lx_emul_params *params);
/* A notification from the hardware: these lines were raised. */
void lx_emul_irq(unsigned long long lines);
/* Reads the first register of the first PCI function's BAR 0 `count` times
 * with Linux's accessor (readl or inb): the reads done, or -1 if there is no
 * such BAR (linux_driver::measure_registers). */
long lx_emul_measure_register_reads(unsigned long count);
/* Runs timers that are due and work that is ready; returns the virtual time
 * of the next timer, 0 if none. */
unsigned long long lx_emul_run_pending(void);
/* The parts of it: queued work (true if any ran), due hrtimers (the next
 * one's expiry, 0 if none). */
int lx_emul_run_work(void);
int lx_emul_run_rcu(void);
unsigned long long lx_emul_run_hrtimers(void);
/* Character devices, for the chardev protocol: a handle (>= 0) or a
 * negative errno; read/write/ioctl return what the driver's file operation
 * returned. User memory for each is the client's grant (lx_kit_user_*).
 * `owner` names the client; a handle serves only its owner. */
int lx_emul_chardev_open(const char *name, unsigned int flags, unsigned long owner);
long lx_emul_chardev_read(int handle, unsigned long owner, unsigned long count);
long lx_emul_chardev_write(int handle, unsigned long owner, unsigned long count);
long lx_emul_chardev_ioctl(int handle, unsigned long owner, unsigned int cmd, unsigned long arg);
int lx_emul_chardev_release(int handle, unsigned long owner);

/* The network device (the first the driver registered), for the net
 * protocol. open: 0 and its station address (6 bytes), or a negative errno.
 * transmit: 0 when the driver took the frame, -EBUSY while its queue is
 * stopped. receive: the next received frame's length (bytes beyond capacity
 * are cut), -EAGAIN when none is waiting. */
int lx_emul_netdev_open(unsigned char *address);
int lx_emul_netdev_can_transmit(void);
int lx_emul_netdev_transmit(const void *frame, unsigned long length);
long lx_emul_netdev_receive(void *buffer, unsigned long capacity);
void lx_emul_netdev_counters(unsigned long long *received, unsigned long long *dropped,
			     unsigned long long *sent, unsigned long long *errors);

/* A generated stub was called: logs "linux: unimplemented <symbol> called
 * from <driver>" and faults, so rs can act. */
__attribute__((noreturn)) void lx_emul_unimplemented(const char *symbol, const char *driver);
/* Linux's panic(): the message, the panic notifiers, then a fault. */
__attribute__((noreturn)) void lx_emul_panic(const char *reason);

#ifdef __cplusplus
}
#endif

#endif
