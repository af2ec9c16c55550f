# The bare-metal x86-64 target (docs/bare-metal.md): the same kernel/ and
# ipc_strategies/ sources as the hosted build, with kernel/arch/x86_64/ as the
# port, linked into a Multiboot2 kernel; every program source file of
# drivers/, servers/ and workloads/ built unchanged into an image of its own;
# system files from the system descriptions; and a GRUB ISO of it all.
#
#   cmake --build build --target iso      (also: make iso)
#
# The compiles are custom commands, as in freestanding.cmake, so that no
# hosted flag (build type, sanitizer) reaches them. The target is part of the
# normal build when GRUB's tools are installed (tools/setup-deps.sh installs
# them); without them the kernel and images still build and `iso` says what
# is missing.

option(AXL_BUILD_BAREMETAL "Build the bare-metal x86-64 kernel, program images and ISO" ON)
if(NOT AXL_BUILD_BAREMETAL OR NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  return()
endif()

find_program(AXL_GRUB_MKRESCUE NAMES grub-mkrescue)
find_program(AXL_XORRISO NAMES xorriso)

set(AXL_BM_DIR ${CMAKE_BINARY_DIR}/baremetal)
set(AXL_ISO_ROOT ${AXL_BM_DIR}/iso)
set(AXL_ARCH_DIR ${CMAKE_SOURCE_DIR}/kernel/arch/x86_64)

set(AXL_BM_COMMON_FLAGS
    -std=c++20 -O2 -g
    -ffreestanding -fno-exceptions -fno-rtti -nostdlib
    -fno-asynchronous-unwind-tables -fno-threadsafe-statics -fno-stack-protector
    -fno-pie -fno-plt
    -DAXL_BARE_METAL=1
    -Wall -Wextra -Wshadow
    # The project root and Boost's headers, as the freestanding check has them.
    ${AXL_FREESTANDING_INCLUDES})
# The kernel: top 2 GiB, no red zone (interrupts push onto the same stack),
# no SSE (user programs' FPU state is theirs; the kernel never touches it).
set(AXL_BM_KERNEL_FLAGS ${AXL_BM_COMMON_FLAGS} -mcmodel=kernel -mno-red-zone -mgeneral-regs-only)
set(AXL_BM_USER_FLAGS ${AXL_BM_COMMON_FLAGS})

# axl_bm_compile(<out var> <flags var> <source> <object dir>)
function(axl_bm_compile out flags source objdir)
  file(RELATIVE_PATH _rel ${CMAKE_SOURCE_DIR} ${source})
  set(_obj ${AXL_BM_DIR}/${objdir}/${_rel}.o)
  add_custom_command(
    OUTPUT ${_obj}
    COMMAND ${CMAKE_CXX_COMPILER} ${${flags}} -MD -MF ${_obj}.d -c ${source} -o ${_obj}
    DEPENDS ${source}
    DEPFILE ${_obj}.d
    COMMENT "bare metal: compiling ${_rel} (${objdir})"
    VERBATIM)
  set(${out} ${_obj} PARENT_SCOPE)
endfunction()

# --- the kernel -----------------------------------------------------------------------
file(GLOB AXL_BM_KERNEL_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/kernel/*.cc
     ${CMAKE_SOURCE_DIR}/kernel/boot/*.cc
     ${CMAKE_SOURCE_DIR}/ipc_strategies/*.cc
     ${CMAKE_SOURCE_DIR}/ipc_strategies/*/*.cc
     ${AXL_ARCH_DIR}/*.cc
     ${AXL_ARCH_DIR}/*.S)
list(SORT AXL_BM_KERNEL_SOURCES)
set(_axl_bm_kernel_objects)
foreach(_src IN LISTS AXL_BM_KERNEL_SOURCES)
  axl_bm_compile(_obj AXL_BM_KERNEL_FLAGS ${_src} kernel)
  list(APPEND _axl_bm_kernel_objects ${_obj})
endforeach()
set(AXL_BM_KERNEL ${AXL_BM_DIR}/axolotl.elf)
add_custom_command(
  OUTPUT ${AXL_BM_KERNEL}
  COMMAND ${CMAKE_CXX_COMPILER} -nostdlib -static -no-pie -Wl,-n -Wl,-z,max-page-size=0x1000
          -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T ${AXL_ARCH_DIR}/kernel.ld -o ${AXL_BM_KERNEL} ${_axl_bm_kernel_objects} -lgcc
  DEPENDS ${_axl_bm_kernel_objects} ${AXL_ARCH_DIR}/kernel.ld
  COMMENT "bare metal: linking axolotl.elf"
  VERBATIM)

# --- program images: one per program source file ------------------------------------------
set(AXL_BM_RUNTIME_SOURCES
    ${AXL_ARCH_DIR}/user/start.S
    ${AXL_ARCH_DIR}/user/calls.cc
    ${AXL_ARCH_DIR}/memory_functions.cc)
set(_axl_bm_runtime_objects)
foreach(_src IN LISTS AXL_BM_RUNTIME_SOURCES)
  axl_bm_compile(_obj AXL_BM_USER_FLAGS ${_src} user)
  list(APPEND _axl_bm_runtime_objects ${_obj})
endforeach()

file(GLOB AXL_BM_PROGRAM_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/drivers/*.cc ${CMAKE_SOURCE_DIR}/servers/*.cc ${CMAKE_SOURCE_DIR}/workloads/*.cc)
list(SORT AXL_BM_PROGRAM_SOURCES)
set(AXL_BM_IMAGES)
foreach(_src IN LISTS AXL_BM_PROGRAM_SOURCES)
  get_filename_component(_name ${_src} NAME_WE)
  axl_bm_compile(_obj AXL_BM_USER_FLAGS ${_src} user)
  set(_image ${AXL_BM_DIR}/images/${_name}.elf)
  add_custom_command(
    OUTPUT ${_image}
    COMMAND ${CMAKE_CXX_COMPILER} -nostdlib -static -no-pie -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none
            -T ${AXL_ARCH_DIR}/user/user.ld -o ${_image} ${_obj} ${_axl_bm_runtime_objects} -lgcc
    DEPENDS ${_obj} ${_axl_bm_runtime_objects} ${AXL_ARCH_DIR}/user/user.ld
    COMMENT "bare metal: linking images/${_name}.elf"
    VERBATIM)
  list(APPEND AXL_BM_IMAGES ${_image})
endforeach()

# --- Linux driver images: the hosted build's very objects ---------------------------------
# Each Linux driver program (cmake/linux_drivers.cmake, docs/linux-drivers.md)
# is the transformer's one relocatable object, <program>.o, and its generated
# program.cc. The image links that same object, the one axl_sim links, not a
# recompile of Linux's files; only program.cc (the AXL_PROGRAM record and the
# data reset) is compiled again, with the user flags. The object's undefined
# symbols are kernel/api's functions (calls.cc here), memcpy/memmove/memset
# (memory_functions.cc) and __start_/__stop_lx_param_<program>, which the
# linker makes for the orphan section lx_param_<program>. user.ld places the
# orphans by their flags: Linux's other code sections with .text, its tables
# with the read-only data, and lx_data_, lx_param_, lx_bss_ and the 8 MiB
# heap arena lx_arena_ in the data segment.
foreach(_program IN LISTS AXL_LINUX_DRIVER_PROGRAMS)
  set(_dir ${AXL_LINUX_DRIVER_DIR_${_program}})
  set(_obj ${AXL_BM_DIR}/user/linux/${_program}/program.cc.o)
  add_custom_command(
    OUTPUT ${_obj}
    COMMAND ${CMAKE_CXX_COMPILER} ${AXL_BM_USER_FLAGS} -MD -MF ${_obj}.d -c ${_dir}/program.cc -o ${_obj}
    DEPENDS ${_dir}/program.cc
    DEPFILE ${_obj}.d
    COMMENT "bare metal: compiling ${_program}'s program.cc (user)"
    VERBATIM)
  # Linked with its debugging information into linux/<program>.elf (for gdb);
  # the ISO gets it without (4.3 MB less per driver, which every boot's GRUB
  # would read from the CD).
  set(_linked ${AXL_BM_DIR}/linux/${_program}.elf)
  set(_image ${AXL_BM_DIR}/images/${_program}.elf)
  add_custom_command(
    OUTPUT ${_linked} ${_image}
    COMMAND ${CMAKE_CXX_COMPILER} -nostdlib -static -no-pie -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none
            -T ${AXL_ARCH_DIR}/user/user.ld -o ${_linked} ${_obj} ${_dir}/${_program}.o ${_axl_bm_runtime_objects} -lgcc
    COMMAND ${CMAKE_OBJCOPY} --strip-debug ${_linked} ${_image}
    DEPENDS ${_obj} ${_dir}/${_program}.o ${_axl_bm_runtime_objects} ${AXL_ARCH_DIR}/user/user.ld
    COMMENT "bare metal: linking images/${_program}.elf (the hosted build's ${_program}.o)"
    VERBATIM)
  list(APPEND AXL_BM_IMAGES ${_image})
endforeach()

# --- system files: the workloads that run on bare metal ------------------------------------
# (axl bootfile refuses the others, naming what the port lacks: docs/bare-metal.md.)
set(AXL_BM_SYSTEMS pingpong fanin pipeline notify isolation conformance adversary preemption console_x86 console_x86_direct round_trip restarts register_access register_access_direct
    dma_edu dma_edu_direct)
# Linux's drivers against QEMU's devices (cmake/boot_tests.cmake: -device ib700,
# pvpanic-pci, i6300esb, ne2k_pci), when the Linux driver programs are built
# (the Linux material is there).
if(AXL_LINUX_DRIVER_PROGRAMS)
  list(APPEND AXL_BM_SYSTEMS linux_ib700 linux_ib700_unpinged linux_pvpanic linux_watchdog linux_watchdog_unpinged
       linux_watchdog_restart linux_ne2k_echo linux_path_length linux_path_length_direct)
endif()
set(AXL_BM_SYSTEM_FILES)
set(_axl_bm_systems_present)
foreach(_system IN LISTS AXL_BM_SYSTEMS)
  set(_toml ${CMAKE_SOURCE_DIR}/workloads/${_system}.toml)
  if(NOT EXISTS ${_toml})
    continue()
  endif()
  list(APPEND _axl_bm_systems_present ${_system})
  set(_sys ${AXL_BM_DIR}/systems/${_system}.sys)
  add_custom_command(
    OUTPUT ${_sys}
    COMMAND $<TARGET_FILE:axl> bootfile ${_toml} -o ${_sys}
    DEPENDS axl ${_toml}
    COMMENT "bare metal: axl bootfile ${_system}.toml"
    VERBATIM)
  list(APPEND AXL_BM_SYSTEM_FILES ${_sys})
endforeach()

add_custom_target(baremetal ALL DEPENDS ${AXL_BM_KERNEL} ${AXL_BM_IMAGES} ${AXL_BM_SYSTEM_FILES})

# --- the ISO ----------------------------------------------------------------------------------
set(AXL_ISO ${CMAKE_BINARY_DIR}/axolotl.iso)
set(AXL_GRUB_CFG ${AXL_BM_DIR}/grub.cfg)
add_custom_command(
  OUTPUT ${AXL_GRUB_CFG}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${AXL_GRUB_CFG} "-DSYSTEMS=${_axl_bm_systems_present}"
          "-DIMAGES=${AXL_BM_IMAGES}" -P ${CMAKE_SOURCE_DIR}/cmake/grub_cfg.cmake
  DEPENDS ${CMAKE_SOURCE_DIR}/cmake/grub_cfg.cmake
  COMMENT "bare metal: grub.cfg"
  VERBATIM)
if(AXL_GRUB_MKRESCUE AND AXL_XORRISO)
  add_custom_command(
    OUTPUT ${AXL_ISO}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${AXL_ISO_ROOT}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${AXL_ISO_ROOT}/boot/grub ${AXL_ISO_ROOT}/boot/axolotl
    COMMAND ${CMAKE_COMMAND} -E copy ${AXL_GRUB_CFG} ${AXL_ISO_ROOT}/boot/grub/grub.cfg
    COMMAND ${CMAKE_COMMAND} -E copy ${AXL_BM_KERNEL} ${AXL_ISO_ROOT}/boot/axolotl.elf
    COMMAND ${CMAKE_COMMAND} -E copy ${AXL_BM_IMAGES} ${AXL_BM_SYSTEM_FILES} ${AXL_ISO_ROOT}/boot/axolotl/
    COMMAND ${AXL_GRUB_MKRESCUE} -o ${AXL_ISO} ${AXL_ISO_ROOT}
    DEPENDS ${AXL_BM_KERNEL} ${AXL_BM_IMAGES} ${AXL_BM_SYSTEM_FILES} ${AXL_GRUB_CFG}
    COMMENT "bare metal: grub-mkrescue -> axolotl.iso"
    VERBATIM)
  add_custom_target(iso ALL DEPENDS ${AXL_ISO})
else()
  add_custom_target(iso
    COMMAND ${CMAKE_COMMAND} -E echo "make iso needs grub-mkrescue and xorriso: run tools/setup-deps.sh"
    COMMAND ${CMAKE_COMMAND} -E false)
endif()
include(${CMAKE_CURRENT_LIST_DIR}/boot_tests.cmake)
