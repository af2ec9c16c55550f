# Boot tests: the bare-metal ISO booted in QEMU by `axl boot --test`
# (tools/axl/boot.h, docs/bare-metal-boot.md), one CTest test per system, IPC
# strategy and firmware, each judged by the kernel's own verdict (QEMU's exit
# status through isa-debug-exit, and `verdict: pass` in the serial log).
# Included at the end of cmake/baremetal.cmake, which sets AXL_ISO and defines
# the `iso` target:
#
#   ctest --test-dir build -L boot -j2 --output-on-failure
#
# The tests need the ISO built (`iso` is part of the normal build) but do not
# depend on it through CTest: no fixtures, no DEPENDS. They are registered only
# when QEMU, grub-mkrescue and xorriso are installed (tools/setup-deps.sh);
# axl_boot_test() is defined either way, so callers need no check of their own.
# Each writes its serial log to <build>/boot-logs/NAME.log, kept after the run.
#
#   axl_boot_test(NAME SYSTEM IPC [UEFI] [TIMEOUT SECONDS] [T4 MODULE] [EXPECT TEXT...]
#                 [FORBID TEXT...] [QEMU_ARGS ARG...] [KERNEL_ARGS WORD...])
#
# What QEMU's device models report through QMP (a watchdog firing, a guest
# panic, a reset) is in the log too, one line an event: `[qemu] WATCHDOG
# action=debug`, for EXPECT or FORBID to match (docs/bare-metal-boot.md).
#
# Sizing, measured with TCG (this machine's KVM is unusable, and `axl boot`
# always runs -accel tcg) on 2 cores shared with other work, `axl boot`
# pressing Enter at GRUB's menu rather than waiting out its 3 s countdown
# (which would add 3-4 s to each boot):
#   BIOS  pingpong alone 1.5 s; under `ctest -L boot -j2` 2-6.5 s a test
#         (fanin and pipeline alike);
#   UEFI  pingpong alone 6 s (OVMF's start-up is most of it); at -j2 8-14.5 s.
# The whole label takes 15-20 s at -j2. Timeouts: about 6x the slowest boot
# of the kind, and at least 120 s, so 120 s for both (a loaded machine, say a
# parallel build, may stretch a boot several-fold; a hang still fails within
# two minutes). CTest's own TIMEOUT is 60 s more, so that `axl boot`'s
# timeout, which kills QEMU's process group and says so, always fires first.

set(AXL_BOOT_TEST_TIMEOUT 120)        # seconds, BIOS
set(AXL_BOOT_TEST_TIMEOUT_UEFI 120)   # seconds, UEFI
set(AXL_BOOT_TEST_CTEST_MARGIN 60)    # seconds more for CTest's TIMEOUT

find_program(AXL_QEMU_X86_64 NAMES qemu-system-x86_64)
set(_axl_boot_tests_enabled OFF)
if(AXL_QEMU_X86_64 AND TARGET iso AND TARGET axl AND DEFINED AXL_ISO AND AXL_GRUB_MKRESCUE AND AXL_XORRISO)
  set(_axl_boot_tests_enabled ON)
  set(_axl_boot_log_dir ${CMAKE_BINARY_DIR}/boot-logs)
  file(MAKE_DIRECTORY ${_axl_boot_log_dir})
elseif(NOT AXL_QEMU_X86_64)
  message(STATUS "Boot tests: off (qemu-system-x86_64 not found: tools/setup-deps.sh installs it)")
else()
  message(STATUS "Boot tests: off (the ISO cannot be built here)")
endif()
# Global properties, so that axl_boot_test() works from any scope.
set_property(GLOBAL PROPERTY AXL_BOOT_TESTS_ENABLED ${_axl_boot_tests_enabled})
set_property(GLOBAL PROPERTY AXL_BOOT_TESTS_ISO "${AXL_ISO}")
set_property(GLOBAL PROPERTY AXL_BOOT_TESTS_LOG_DIR "${_axl_boot_log_dir}")
set_property(GLOBAL PROPERTY AXL_BOOT_TESTS_TIMEOUTS
             ${AXL_BOOT_TEST_TIMEOUT} ${AXL_BOOT_TEST_TIMEOUT_UEFI} ${AXL_BOOT_TEST_CTEST_MARGIN})

# axl_interrupts_expected(<out var> KERNEL_ARGS): the kernel's boot lines naming
# the interrupt controller it uses (kernel/arch/x86_64/interrupt_controller.cc),
# a list of texts. QEMU's PC has an I/O APIC and an MADT under both firmwares,
# which sends the PIT's IRQ 0 to GSI 2: a fallback to the 8259s there is a
# failure, unless the command line asked for them.
function(axl_interrupts_expected out kernel_args)
  if("interrupts=pic" IN_LIST kernel_args)
    set(${out} "[kernel] interrupts: 8259 PICs (interrupts=pic)" PARENT_SCOPE)
  else()
    set(${out} "[kernel] interrupts: I/O APIC 0 at 0xfec00000, GSIs 0-23" "[kernel] ISA IRQ overrides: 0->2,"
        PARENT_SCOPE)
  endif()
endfunction()

# axl_t4_record(<out var> MODULE UEFI?): where a boot test records a pass of MODULE.
function(axl_t4_record out module uefi)
  if(uefi)
    set(${out} ${CMAKE_BINARY_DIR}/linux/tiers/T4-uefi.d/${module} PARENT_SCOPE)
  else()
    set(${out} ${CMAKE_BINARY_DIR}/linux/tiers/T4-bios.d/${module} PARENT_SCOPE)
  endif()
endfunction()

# axl_boot_test(NAME SYSTEM IPC [UEFI] [TIMEOUT SECONDS] [T4 MODULE] [EXPECT TEXT...]
#               [FORBID TEXT...] [QEMU_ARGS ARG...] [KERNEL_ARGS WORD...])
#   NAME       the CTest test's name (boot_<system>_<ipc>[_uefi] by convention)
#   SYSTEM     a system in the ISO (workloads/SYSTEM.toml, cmake/baremetal.cmake's AXL_BM_SYSTEMS)
#   IPC        rendezvous, ring or queue
#   UEFI       boot with OVMF instead of the BIOS
#   TIMEOUT    `axl boot --timeout`, for a test slower than a few seconds (default: above)
#   T4         the Linux driver module this test is the functional test of: a pass
#              is recorded (`axl boot --record`) in <build>/linux/tiers/T4-bios.d/
#              or T4-uefi.d/, where tools/linux/coverage.py counts a module that
#              passed under both firmwares as T4
#   EXPECT     texts that must appear in the log (serial output and QEMU's event
#              lines), besides `verdict: pass` and the kernel's "system SYSTEM, ",
#              "ipc IPC" and the interrupt controller it used (the I/O APIC's
#              lines, or the 8259s' with KERNEL_ARGS interrupts=pic; added unless
#              an EXPECT text names it: "[kernel] interrupts: ...")
#   FORBID     texts that must not appear in the log (`axl boot --forbid`), e.g.
#              "[qemu] WATCHDOG" for a watchdog that is pinged in time
#   QEMU_ARGS  more QEMU arguments, each one word, appended after axl boot's own
#              (`axl boot --qemu=ARG`): devices (-device ib700), or an -action that
#              replaces the default watchdog=debug / panic=none
#   KERNEL_ARGS more words of the kernel's command line (`axl boot --kernel-arg`),
#              e.g. interrupts=pic: the 8259s instead of the I/O APIC
function(axl_boot_test name system ipc)
  cmake_parse_arguments(PARSE_ARGV 3 _arg "UEFI" "TIMEOUT;T4" "EXPECT;FORBID;QEMU_ARGS;KERNEL_ARGS")
  if(_arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "axl_boot_test(${name}): unexpected arguments: ${_arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ipc MATCHES "^(rendezvous|ring|queue)$")
    message(FATAL_ERROR "axl_boot_test(${name}): IPC is '${ipc}', not rendezvous, ring or queue")
  endif()
  get_property(_enabled GLOBAL PROPERTY AXL_BOOT_TESTS_ENABLED)
  if(NOT _enabled)
    return()
  endif()
  get_property(_iso GLOBAL PROPERTY AXL_BOOT_TESTS_ISO)
  get_property(_log_dir GLOBAL PROPERTY AXL_BOOT_TESTS_LOG_DIR)
  get_property(_timeouts GLOBAL PROPERTY AXL_BOOT_TESTS_TIMEOUTS)
  list(GET _timeouts 0 _timeout)
  list(GET _timeouts 2 _margin)
  set(_command $<TARGET_FILE:axl> boot --test --iso ${_iso} --system ${system} --ipc ${ipc})
  if(_arg_UEFI)
    list(GET _timeouts 1 _timeout)
    list(APPEND _command --uefi)
  endif()
  if(DEFINED _arg_TIMEOUT)
    set(_timeout ${_arg_TIMEOUT})
  endif()
  list(APPEND _command --timeout ${_timeout} --log ${_log_dir}/${name}.log)
  if(DEFINED _arg_T4)
    axl_t4_record(_record ${_arg_T4} ${_arg_UEFI})
    list(APPEND _command --record ${_record})
  endif()
  # The kernel's start-up line (kernel/arch/x86_64/kernel_main.cc) says what it
  # booted: without these, a lost fw_cfg file would pass as GRUB's default entry.
  list(PREPEND _arg_EXPECT "system ${system}, " "ipc ${ipc}")
  # And which interrupt controller: a fallback to the 8259s must not pass as the
  # I/O APIC (unless the test expects an interrupt controller line of its own).
  if(NOT _arg_EXPECT MATCHES "\\[kernel\\] interrupts:")
    axl_interrupts_expected(_interrupts "${_arg_KERNEL_ARGS}")
    list(APPEND _arg_EXPECT ${_interrupts})
  endif()
  foreach(_word IN LISTS _arg_KERNEL_ARGS)
    list(APPEND _command "--kernel-arg=${_word}")
  endforeach()
  foreach(_text IN LISTS _arg_EXPECT)
    list(APPEND _command "--expect=${_text}")  # "=": a text may start with a dash
  endforeach()
  foreach(_text IN LISTS _arg_FORBID)
    list(APPEND _command "--forbid=${_text}")
  endforeach()
  foreach(_qemu_arg IN LISTS _arg_QEMU_ARGS)
    list(APPEND _command "--qemu=${_qemu_arg}")  # "=": every QEMU option starts with a dash
  endforeach()
  add_test(NAME ${name} COMMAND ${_command})
  math(EXPR _ctest_timeout "${_timeout} + ${_margin}")
  set_tests_properties(${name} PROPERTIES LABELS boot TIMEOUT ${_ctest_timeout})
endfunction()

axl_boot_test(boot_pingpong_rendezvous pingpong rendezvous)
axl_boot_test(boot_pingpong_ring pingpong ring)
axl_boot_test(boot_pingpong_queue pingpong queue)
axl_boot_test(boot_pingpong_uefi pingpong ring UEFI)
axl_boot_test(boot_fanin_queue fanin queue)
axl_boot_test(boot_pipeline_ring pipeline ring)
# QEMU's events reach the log: with -S, QEMU holds the guest until `axl boot`
# has connected to its QMP socket and sent `cont`, and reports RESUME; no
# watchdog is there to fire, and no guest panics.
axl_boot_test(boot_pingpong_qmp pingpong ring QEMU_ARGS -S
  EXPECT "[qemu] RESUME" FORBID "[qemu] WATCHDOG" "[qemu] GUEST_PANICKED")

# Isolation: seven processes fault in seven ways and are killed, each reported
# by what it did, while a pingpong pair beside them finishes; an eighth is
# refused a kernel-reserved message type on every sending primitive
# (workloads/isolation.toml).
axl_boot_test(boot_isolation_ring isolation ring
  EXPECT "bad_pointer faulted: bad_pointer, writing unmapped memory at address 0x123456780000"
         "write_code faulted: bad_pointer, writing a read-only page"
         "execute_data faulted: bad_pointer, executing a page that is not code"
         "bad_message faulted: bad_pointer, sendrec with a bad message address"
         "stack_overflow faulted: stack_overflow, writing unmapped memory"
         "privileged faulted: bad_pointer, general protection fault"
         "port_io faulted: bad_pointer, general protection fault"
         "[forger] ok: a reserved message type was refused on send, sendnb, sendrec and reply_receive"
         "[client] ok: 2000 round trips")
# The IPC conformance suite (workloads/conformance.toml, docs/ipc-strategies.md):
# eight scenarios that check themselves, under each strategy, with the
# outcomes a strategy decides spelled out (none kept under rendezvous; 8 in a
# ring, 16 in the queue).
foreach(_case IN ITEMS rendezvous:0:would_block ring:8:ok queue:16:ok)
  string(REPLACE ":" ";" _ipc_kept ${_case})
  list(GET _ipc_kept 0 _ipc)
  list(GET _ipc_kept 1 _kept)
  list(GET _ipc_kept 2 _reply)
  axl_boot_test(boot_conformance_${_ipc} conformance ${_ipc}
    EXPECT "[cycle2_judge] ok: a cycle of 2 sendrecs: 1 deadlock, 1 dead_endpoint"
           "[cycle3_judge] ok: a cycle of 3 sendrecs: 1 deadlock, 2 dead_endpoint"
           "[abandoned_client] ok: the server died mid-call: sendrec -> dead_endpoint"
           "[late_server] ok: the reply to the killed incarnation -> dead_endpoint"
           "[restarted_caller] ok: restarted into the same slot, the old incarnation's reply never arrived"
           "[selective] ok: receive(from y) took y's 3 items past x's, then receive(any) x's 3, each in order"
           "[notified_client] ok: the sendrec returned its reply, the notification posted meanwhile came next"
           "[replying_server] ok: reply_receive to a client not waiting -> ${_reply}"
           "[drained] ok: ${_kept} kept messages in order, the killed sender's message never arrived")
endforeach()
# The adversarial privilege suite (workloads/adversary.toml, docs/kernel.md
# "What a process cannot do"): about 300,000 attempts past the privileges, each
# with its documented status, under every strategy; the victim is never reached.
foreach(_ipc rendezvous ring queue)
  axl_boot_test(boot_adversary_${_ipc} adversary ${_ipc}
    EXPECT "[unprivileged] ok: 39 attempts without privilege, each call_denied"
           "[sharer.0] ok: " "[sharer.1] ok: "
           "[adversary] ok: " "attempts, each refused with its documented status"
           "[judge] ok: " "the victim was never reached, the lender's memory is intact")
endforeach()
# Preemption: a process that never enters the kernel does not stop the others
# (workloads/preemption.toml); the spinner is still running at the end.
axl_boot_test(boot_preemption_rendezvous preemption rendezvous
  EXPECT "[client] ok: 2000 round trips" "spinner              runnable")
# The same through the 8259s (interrupts=pic): the fallback's tick, under UEFI.
axl_boot_test(boot_preemption_queue_pic_uefi preemption queue UEFI KERNEL_ARGS interrupts=pic
  EXPECT "[client] ok: 2000 round trips" "spinner              runnable")
# And as the fallback: without ACPI tables (QEMU's -machine acpi=off) there is
# no MADT, and the kernel says so and takes the 8259s.
axl_boot_test(boot_preemption_ring_no_acpi preemption ring QEMU_ARGS -machine acpi=off
  EXPECT "[kernel] interrupts: 8259 PICs (no I/O APIC: no ACPI root pointer from the boot loader)"
         "[client] ok: 2000 round trips" "spinner              runnable")
# Restarts: the reincarnation server rebuilds a crashing process from its image
# three times (fresh page tables, stack and startup block), then gives up,
# while a pingpong pair goes on (workloads/restarts.toml).
axl_boot_test(boot_restarts_rendezvous restarts rendezvous
  EXPECT "rs: restarted flaky (restart 3," "rs: giving up on flaky after 3 restarts"
         "[client] ok: 20000 round trips")

# Register access from ring 3: through device_io calls, and with the ports
# opened in the TSS's I/O bitmap; every value read back is checked.
axl_boot_test(boot_register_access register_access rendezvous
  EXPECT "[reader] ok: 20000 register accesses")
axl_boot_test(boot_register_access_direct register_access_direct rendezvous
  EXPECT "[reader] ok: 20000 register accesses")

# DMA buffers against QEMU's edu device (workloads/dma_edu.toml): the driver's
# pattern goes through edu's DMA engine into the device and back, polled and
# by the completion interrupt; BIOS and UEFI, registers through the kernel
# and mapped into the driver.
set(_axl_dma_expect "[dma] ok: 4095 bytes through edu's DMA engine, both ways, polled and with 2 interrupts")
axl_boot_test(boot_dma_edu_ring dma_edu ring QEMU_ARGS -device edu EXPECT "${_axl_dma_expect}")
axl_boot_test(boot_dma_edu_rendezvous_uefi dma_edu rendezvous UEFI QEMU_ARGS -device edu EXPECT "${_axl_dma_expect}")
axl_boot_test(boot_dma_edu_direct_queue dma_edu_direct queue QEMU_ARGS -device edu EXPECT "${_axl_dma_expect}")

# The ring-3 UART driver on COM2 (workloads/console_x86.toml): the kernel's
# verdict, and every line the client printed through the driver, read back
# from QEMU's second serial port.
get_property(_axl_boot_enabled GLOBAL PROPERTY AXL_BOOT_TESTS_ENABLED)
if(_axl_boot_enabled)
  math(EXPR _axl_console_timeout "${AXL_BOOT_TEST_TIMEOUT} + ${AXL_BOOT_TEST_CTEST_MARGIN}")
  # console_x86: every register access a device_io kernel call; console_x86_direct:
  # the ports opened in the TSS's I/O permission bitmap, in/out from ring 3;
  # console_x86_pic: the first through the 8259s (interrupts=pic), COM2's edge-
  # triggered IRQ 3 latched by the 8259 rather than by the I/O APIC path.
  foreach(_name IN ITEMS console_x86 console_x86_direct console_x86_pic)
    set(_system ${_name})
    set(_kernel_args)
    if(_name STREQUAL "console_x86_pic")
      set(_system console_x86)
      set(_kernel_args interrupts=pic)
    endif()
    axl_interrupts_expected(_interrupts "${_kernel_args}")
    set(_extra)
    foreach(_text IN LISTS _interrupts)
      string(APPEND _extra " --expect '${_text}'")
    endforeach()
    foreach(_word IN LISTS _kernel_args)
      string(APPEND _extra " --kernel-arg=${_word}")
    endforeach()
    set(_com2 ${CMAKE_BINARY_DIR}/boot-logs/boot_${_name}_com2.log)
    add_test(NAME boot_${_name}
             COMMAND sh -c "rm -f \"$2\" && \"$1\" boot --test --iso \"$0\" --system ${_system} --timeout ${AXL_BOOT_TEST_TIMEOUT} --log \"$3\" --expect 'system ${_system}, ' --expect '[hello] ok: printed 20 lines' ${_extra} --com2 \"$2\" && for i in $(seq 1 20); do grep -q \"through the UART, line $i\$\" \"$2\" || { echo \"COM2 is missing line $i\"; exit 1; }; done && echo 'COM2: all 20 lines'"
                     ${AXL_ISO} $<TARGET_FILE:axl> ${_com2} ${CMAKE_BINARY_DIR}/boot-logs/boot_${_name}.log)
    set_tests_properties(boot_${_name} PROPERTIES LABELS boot TIMEOUT ${_axl_console_timeout})
  endforeach()
endif()

# Linux's ib700wdt on bare metal (docs/bare-metal.md, "Linux drivers"): the very
# object the hosted build links, driving QEMU's iB700 ISA watchdog (-device
# ib700, ports 0x441 and 0x443) for a daemon through the chardev protocol.
# Pinged (workloads/linux_ib700.toml: timeout 2 s, 6 pings 500 ms apart, then
# the magic close), QEMU's watchdog never fires; left unpinged
# (workloads/linux_ib700_unpinged.toml: 3 pings, then 4 s without, timeout 2 s)
# it fires, which QEMU reports as a QMP event (`axl boot` makes the action
# `debug`, so the machine goes on and the daemon's exit ends the run). The
# `[qemu] ...` lines are QEMU's own events, read by `axl boot`'s QMP client.
# Measured (TCG, 2 cores shared with other work): the pinged run is 3.0 s of a
# 5-7 s test under the BIOS, 9-14 s under UEFI; the unpinged run 5.5 s of 8 s.
if("linux_ib700wdt" IN_LIST AXL_LINUX_DRIVER_PROGRAMS)
  set(_axl_ib700_started "[watchdog] ib700wdt: WDT driver for IB700 single board computer initialising")
  axl_boot_test(boot_linux_ib700_rendezvous linux_ib700 rendezvous T4 ib700wdt
    QEMU_ARGS -device ib700
    EXPECT "${_axl_ib700_started}"
           "[daemon] ok: pinged 6 times every 500 ms, timeout 2 s, stopped by the magic close"
    FORBID "[qemu] WATCHDOG" "[qemu] RESET")
  axl_boot_test(boot_linux_ib700_ring_uefi linux_ib700 ring UEFI T4 ib700wdt
    QEMU_ARGS -device ib700
    EXPECT "${_axl_ib700_started}"
           "[daemon] ok: pinged 6 times every 500 ms, timeout 2 s, stopped by the magic close"
    FORBID "[qemu] WATCHDOG" "[qemu] RESET")
  axl_boot_test(boot_linux_ib700_unpinged_queue linux_ib700_unpinged queue
    QEMU_ARGS -device ib700
    EXPECT "${_axl_ib700_started}"
           "[daemon] ok: pinged 3 times every 500 ms, timeout 2 s, left running"
           "[qemu] WATCHDOG action=debug"
    FORBID "[qemu] RESET")
endif()

# Linux's PCI drivers on bare metal (docs/bare-metal.md, "Linux drivers"): the
# very objects the hosted build links, against QEMU's devices, found by the PCI
# server by their IDs and granted to their drivers at run time (device_grant).
# Each under the BIOS and UEFI, as the issue's T4 tier asks.
#   pvpanic-pci: workloads/linux_pvpanic.toml makes the driver run Linux's
#     panic() twice; Linux's pvpanic notifier tells QEMU (its GUEST_PANICKED
#     event, twice), rs restarts the process each time and the driver probes
#     the device again.
#   i6300esb: pinged (linux_watchdog: 10 pings, no event), unpinged
#     (linux_watchdog_unpinged: QEMU's watchdog fires), and killed mid-work
#     (linux_watchdog_restart: the driver panics at 2.2 s while pinged, with
#     its registers mapped into it, access = "direct"; rs restarts it, it
#     probes the device again, the daemon reopens it; no event).
#   ne2k-pci: tests/boot/ether_echo_boot.py boots linux_ne2k_echo with QEMU's
#     ne2k_pci on a -netdev dgram backend (one UDP datagram per Ethernet frame
#     on 127.0.0.1) and, as a host peer, sends 4 datagrams of 1..1500 bytes in
#     frames of the UDP wire's format (hw/ether_wire.h), each of which must come
#     back byte for byte through Linux's driver (its interrupts on the PCI
#     line the firmware routed, through the I/O APIC, and in
#     boot_linux_ne2k_echo_queue_pic through the 8259s) and the echo server.
if(AXL_LINUX_DRIVER_PROGRAMS)
  set(_axl_pvpanic_expect "[qemu] GUEST_PANICKED action=run" "[rs] rs: restarted pvpanic (restart 2,"
      "[panic] ok: pvpanic panicked 2 times and was started again each time")
  axl_boot_test(boot_linux_pvpanic_ring linux_pvpanic ring T4 pvpanic-pci
    QEMU_ARGS -device pvpanic-pci EXPECT ${_axl_pvpanic_expect})
  axl_boot_test(boot_linux_pvpanic_rendezvous_uefi linux_pvpanic rendezvous UEFI T4 pvpanic-pci
    QEMU_ARGS -device pvpanic-pci EXPECT ${_axl_pvpanic_expect})
  set(_axl_i6300esb_started "[watchdog] i6300ESB timer 0000:00:")
  set(_axl_i6300esb_pinged "[daemon] ok: pinged 10 times every 500 ms, timeout 2 s, stopped by the magic close, reopened 0 times")
  axl_boot_test(boot_linux_i6300esb_rendezvous linux_watchdog rendezvous T4 i6300esb
    QEMU_ARGS -device i6300esb EXPECT "${_axl_i6300esb_started}" "${_axl_i6300esb_pinged}" FORBID "[qemu] WATCHDOG")
  axl_boot_test(boot_linux_i6300esb_queue_uefi linux_watchdog queue UEFI T4 i6300esb
    QEMU_ARGS -device i6300esb EXPECT "${_axl_i6300esb_started}" "${_axl_i6300esb_pinged}" FORBID "[qemu] WATCHDOG")
  axl_boot_test(boot_linux_i6300esb_unpinged_ring linux_watchdog_unpinged ring
    QEMU_ARGS -device i6300esb
    EXPECT "${_axl_i6300esb_started}" "[daemon] ok: pinged 3 times every 500 ms, timeout 2 s, left running"
           "[qemu] WATCHDOG action=debug")
  set(_axl_i6300esb_restart_expect "[rs] rs: restarted watchdog (restart 1,"
      "[crasher] ok: watchdog panicked 1 times and was started again each time"
      "[daemon] ok: pinged 10 times every 500 ms, timeout 2 s, stopped by the magic close, reopened 1 times")
  axl_boot_test(boot_linux_i6300esb_restart_ring linux_watchdog_restart ring
    QEMU_ARGS -device i6300esb EXPECT ${_axl_i6300esb_restart_expect} FORBID "[qemu] WATCHDOG")
  axl_boot_test(boot_linux_i6300esb_restart_queue_uefi linux_watchdog_restart queue UEFI
    QEMU_ARGS -device i6300esb EXPECT ${_axl_i6300esb_restart_expect} FORBID "[qemu] WATCHDOG")
  get_property(_enabled GLOBAL PROPERTY AXL_BOOT_TESTS_ENABLED)
  if(_enabled)
    # NAME:IPC:FIRMWARE: the last through the 8259s (interrupts=pic), its INTx
    # on the 8259 line SeaBIOS made level-triggered in the ELCR (OVMF leaves
    # the ELCR clear).
    foreach(_case IN ITEMS boot_linux_ne2k_echo_ring:ring:bios boot_linux_ne2k_echo_rendezvous_uefi:rendezvous:uefi
                           boot_linux_ne2k_echo_queue_pic:queue:bios)
      string(REPLACE ":" ";" _case ${_case})
      list(GET _case 0 _name)
      list(GET _case 1 _ipc)
      list(GET _case 2 _firmware)
      set(_extra)
      set(_is_uefi OFF)
      if(_firmware STREQUAL "uefi")
        set(_extra --uefi)
        set(_is_uefi ON)
      endif()
      set(_kernel_args)
      if(_name MATCHES "_pic")
        set(_kernel_args interrupts=pic)
      endif()
      set(_axl_extra)
      if(_kernel_args)
        list(APPEND _axl_extra --kernel-arg=${_kernel_args})
      else()
        axl_t4_record(_record ne2k-pci ${_is_uefi})
        list(APPEND _axl_extra --record ${_record})
      endif()
      axl_interrupts_expected(_interrupts "${_kernel_args}")
      foreach(_text IN LISTS _interrupts)
        list(APPEND _axl_extra "--expect=${_text}")
      endforeach()
      add_test(NAME ${_name}
               COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/boot/ether_echo_boot.py
                       --axl $<TARGET_FILE:axl> --iso ${AXL_ISO} --system linux_ne2k_echo --ipc ${_ipc}
                       --device ne2k_pci --datagrams 4 --timeout ${AXL_BOOT_TEST_TIMEOUT}
                       --log ${CMAKE_BINARY_DIR}/boot-logs/${_name}.log ${_extra} -- ${_axl_extra})
      math(EXPR _ctest_timeout "${AXL_BOOT_TEST_TIMEOUT} + ${AXL_BOOT_TEST_CTEST_MARGIN}")
      set_tests_properties(${_name} PROPERTIES LABELS boot TIMEOUT ${_ctest_timeout})
    endforeach()
  endif()
endif()
