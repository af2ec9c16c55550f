# kernel_freestanding: proves that kernel/ + ipc_strategies/ build as a freestanding
# kernel would (docs/kernel.md, docs/architecture.md):
#
#   1. every #include in kernel/ (except kernel/arch/) and ipc_strategies/ is on
#      kernel/allowed-headers.txt;
#   2. every kernel/*.cc, kernel/boot/*.cc, ipc_strategies/*.cc and ipc_strategies/*/*.cc compiles with the bare-metal flags
#      below (no exceptions, no RTTI, no red zone, no libstdc++ runtime);
#   3. the objects, linked into one relocatable object (ld -r), have no undefined
#      symbol beyond kernel/freestanding-allowlist.txt.
#
# The compiles are custom commands, not a CMake library, so that nothing from
# CMAKE_CXX_FLAGS* (build type, sanitizer presets) leaks into them, and so that these
# second compiles of the kernel sources stay out of compile_commands.json.
#
#   cmake --build build --target kernel_freestanding     (also: make check-freestanding)
#
# CTest runs the same thing as the test 'kernel_freestanding'.

find_program(AXL_LD NAMES ld ld.bfd REQUIRED)
find_program(AXL_BASH NAMES bash REQUIRED)

set(AXL_FREESTANDING_FLAGS
    -std=c++20 -O2
    -ffreestanding -fno-exceptions -fno-rtti -nostdlib
    -fno-asynchronous-unwind-tables -fno-threadsafe-statics -fno-stack-protector
    # A kernel is not position independent; Debian's GCC defaults to PIE, which would
    # add _GLOBAL_OFFSET_TABLE_ references that mean nothing here.
    -fno-pie)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  list(APPEND AXL_FREESTANDING_FLAGS -mno-red-zone)
endif()

# Include dirs: the project root, plus Boost's headers (Boost.Lockfree for ipc_strategies/).
set(AXL_FREESTANDING_INCLUDES -I${CMAKE_SOURCE_DIR})
if(TARGET Boost::headers)
  get_target_property(_axl_boost_inc Boost::headers INTERFACE_INCLUDE_DIRECTORIES)
  foreach(_dir IN LISTS _axl_boost_inc)
    # Skip compiler default dirs (/usr/include): -isystem on them would reorder the
    # search path and break libstdc++'s #include_next.
    if(_dir AND NOT _dir IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
      list(APPEND AXL_FREESTANDING_INCLUDES -isystem ${_dir})
    endif()
  endforeach()
endif()

file(GLOB AXL_FREESTANDING_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/kernel/*.cc
     ${CMAKE_SOURCE_DIR}/kernel/boot/*.cc
     ${CMAKE_SOURCE_DIR}/ipc_strategies/*.cc
     ${CMAKE_SOURCE_DIR}/ipc_strategies/*/*.cc)
list(SORT AXL_FREESTANDING_SOURCES)

# Every file the header check reads: re-run it when any of them changes.
# (Same extensions as tools/check-freestanding.sh scans.)
set(_axl_scan_globs)
foreach(_dir kernel ipc_strategies)
  foreach(_ext h hh hpp cc cpp inc ipp)
    list(APPEND _axl_scan_globs ${CMAKE_SOURCE_DIR}/${_dir}/*.${_ext})
  endforeach()
endforeach()
file(GLOB_RECURSE AXL_FREESTANDING_SCANNED CONFIGURE_DEPENDS ${_axl_scan_globs})
list(FILTER AXL_FREESTANDING_SCANNED EXCLUDE REGEX "/kernel/arch/")

set(_axl_fs_dir ${CMAKE_BINARY_DIR}/freestanding)
set(_axl_check ${CMAKE_SOURCE_DIR}/tools/check-freestanding.sh)
set(_axl_allowlist ${CMAKE_SOURCE_DIR}/kernel/freestanding-allowlist.txt)
set(_axl_allowed_headers ${CMAKE_SOURCE_DIR}/kernel/allowed-headers.txt)

# 1. header check (before compiling, so a hosted header is reported as such).
add_custom_command(
  OUTPUT ${_axl_fs_dir}/headers.ok
  COMMAND ${CMAKE_COMMAND} -E rm -f ${_axl_fs_dir}/headers.ok
  COMMAND ${AXL_BASH} ${_axl_check} --headers ${CMAKE_SOURCE_DIR} ${_axl_allowed_headers}
  COMMAND ${CMAKE_COMMAND} -E touch ${_axl_fs_dir}/headers.ok
  DEPENDS ${_axl_check} ${_axl_allowed_headers} ${AXL_FREESTANDING_SCANNED}
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  COMMENT "kernel_freestanding: checking #include lines against kernel/allowed-headers.txt"
  VERBATIM)

# 2. compile each source with the freestanding flags.
set(_axl_fs_objects)
foreach(_src IN LISTS AXL_FREESTANDING_SOURCES)
  file(RELATIVE_PATH _rel ${CMAKE_SOURCE_DIR} ${_src})
  set(_obj ${_axl_fs_dir}/obj/${_rel}.o)
  add_custom_command(
    OUTPUT ${_obj}
    COMMAND ${CMAKE_CXX_COMPILER} ${AXL_FREESTANDING_FLAGS} ${AXL_FREESTANDING_INCLUDES}
            -MD -MF ${_obj}.d -c ${_src} -o ${_obj}
    DEPENDS ${_src} ${_axl_fs_dir}/headers.ok
    DEPFILE ${_obj}.d
    COMMENT "kernel_freestanding: compiling ${_rel}"
    VERBATIM)
  list(APPEND _axl_fs_objects ${_obj})
endforeach()

# 3. one relocatable object, then the undefined-symbol check.
set(_axl_fs_object ${_axl_fs_dir}/kernel_freestanding.o)
add_custom_command(
  OUTPUT ${_axl_fs_object}
  COMMAND ${AXL_LD} -r -o ${_axl_fs_object} ${_axl_fs_objects}
  DEPENDS ${_axl_fs_objects}
  COMMENT "kernel_freestanding: ld -r -> freestanding/kernel_freestanding.o"
  VERBATIM)

add_custom_command(
  OUTPUT ${_axl_fs_dir}/symbols.ok
  COMMAND ${CMAKE_COMMAND} -E rm -f ${_axl_fs_dir}/symbols.ok
  COMMAND ${AXL_BASH} ${_axl_check} ${_axl_fs_object} ${_axl_allowlist} ${_axl_fs_objects}
  COMMAND ${CMAKE_COMMAND} -E touch ${_axl_fs_dir}/symbols.ok
  DEPENDS ${_axl_check} ${_axl_allowlist} ${_axl_fs_object}
  COMMENT "kernel_freestanding: checking undefined symbols against kernel/freestanding-allowlist.txt"
  VERBATIM)

add_custom_target(kernel_freestanding
  DEPENDS ${_axl_fs_dir}/headers.ok ${_axl_fs_dir}/symbols.ok)

# CTest: building the target is the test (a failed check fails the build).
add_test(NAME kernel_freestanding
         COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target kernel_freestanding)
set_tests_properties(kernel_freestanding PROPERTIES LABELS "freestanding" TIMEOUT 600)
