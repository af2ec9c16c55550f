# Linux driver programs (issue 15, docs/linux-drivers.md): each spec in
# linux_env/drivers/*.toml names the Linux modules a driver is made of; the
# transformer (tools/linux/transformer.py) compiles them unmodified with the
# Linux environment into one relocatable object per driver, with a stub for
# every symbol still missing, and generates the driver's program.cc.
#
# The object joins axl_sim (the archive every hosted binary links) and its
# program.cc joins axl_programs, whose registration pulls the object in; its
# references to kernel/api then resolve in the same archive.
if(NOT EXISTS ${AXL_LINUX_TARBALL})
  return()
endif()

find_program(AXL_LINUX_CC NAMES gcc-12 gcc REQUIRED)
file(GLOB AXL_LINUX_KIT_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/linux_env/kit/*.cc)
add_library(axl_linux_kit OBJECT ${AXL_LINUX_KIT_SOURCES})
target_include_directories(axl_linux_kit PRIVATE ${CMAKE_SOURCE_DIR})
# Never instrumented, whatever the tree's sanitizer (AXL_SANITIZE, AXL_FUZZ): the
# kit is linked into each driver program with the C half, which is compiled as
# Linux's code is, and the transformer would take a sanitizer's runtime hooks for
# Linux symbols to stub.
target_compile_options(axl_linux_kit PRIVATE ${AXL_WARNINGS} -fno-exceptions -fno-rtti -fPIE -fno-sanitize=all)
# Inline variables (axl::endpoints::any) as weak rather than GNU-unique symbols, so
# the transformer can make them the driver program's own, like everything else.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(axl_linux_kit PRIVATE -fno-gnu-unique)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(axl_linux_kit PRIVATE -fno-sanitize-coverage=trace-pc-guard,trace-cmp,indirect-calls,pc-table,inline-8bit-counters,stack-depth)
endif()

file(GLOB AXL_LINUX_ENV_INPUTS CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/linux_env/emul/*.c ${CMAKE_SOURCE_DIR}/linux_env/include/*/*.h
     ${CMAKE_SOURCE_DIR}/linux_env/include/*/*/*.h ${CMAKE_SOURCE_DIR}/linux_env/kit/*.h)
file(GLOB AXL_LINUX_DRIVER_SPECS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/linux_env/drivers/*.toml)
set(AXL_LINUX_DRIVER_PROGRAMS "")
foreach(spec ${AXL_LINUX_DRIVER_SPECS})
  get_filename_component(spec_name ${spec} NAME_WE)
  file(READ ${spec} spec_text)
  string(REGEX MATCH "program = \"([a-z0-9_]+)\"" _ "${spec_text}")
  set(program ${CMAKE_MATCH_1})
  set(out ${AXL_LINUX_MATERIAL}/drivers/${spec_name})
  add_custom_command(
    OUTPUT ${out}/${program}.o ${out}/program.cc
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/linux/transformer.py build
            --spec ${spec} --material ${AXL_LINUX_MATERIAL} --out ${out} --cc ${AXL_LINUX_CC}
            --kit $<TARGET_OBJECTS:axl_linux_kit>
    DEPENDS ${spec} ${CMAKE_SOURCE_DIR}/tools/linux/transformer.py ${CMAKE_SOURCE_DIR}/linux_env/flags.txt
            ${CMAKE_SOURCE_DIR}/linux_env/core.txt ${AXL_LINUX_ENV_INPUTS} ${AXL_LINUX_MATERIAL}/.stamp
            $<TARGET_OBJECTS:axl_linux_kit>
    COMMENT "linux: building ${program} from unmodified Linux sources (tools/linux/transformer.py)"
    COMMAND_EXPAND_LISTS VERBATIM)
  set_source_files_properties(${out}/${program}.o PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  target_sources(axl_sim PRIVATE ${out}/${program}.o)
  target_sources(axl_programs PRIVATE ${out}/program.cc)
  list(APPEND AXL_LINUX_DRIVER_PROGRAMS ${program})
  # Where its object and program.cc are: the bare-metal build links the same
  # object into the program's image (cmake/baremetal.cmake).
  set(AXL_LINUX_DRIVER_DIR_${program} ${out})
endforeach()
message(STATUS "Linux driver programs: ${AXL_LINUX_DRIVER_PROGRAMS}")

add_test(NAME linux_transformer
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/tools/linux/transformer_test.py)
set_tests_properties(linux_transformer PROPERTIES LABELS "linux" TIMEOUT 60
                     ENVIRONMENT "AXL_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
