# The Linux material (issue 15, docs/linux-drivers.md): the Linux files
# linux_env/manifest.txt lists, extracted unmodified from Debian's linux-source-6.1
# (installed by tools/setup-deps.sh) into <build>/linux/src, with their sha256s
# logged in <build>/linux/SHA256SUMS and the evidence in <build>/linux/material.log.
# Part of the normal build; cached (the script does nothing when the tarball and
# the manifest are unchanged). Two tests:
#   linux_material_unmodified  every extracted file still has its logged sha256
#   no_linux_sources           no tracked file is a Linux file (or looks like one)
set(AXL_LINUX_MATERIAL ${CMAKE_BINARY_DIR}/linux)
set(AXL_LINUX_TARBALL /usr/src/linux-source-6.1.tar.xz)
set(_axl_fetch ${CMAKE_SOURCE_DIR}/tools/linux/fetch-material.sh)

if(EXISTS ${AXL_LINUX_TARBALL})
  add_custom_command(
    OUTPUT ${AXL_LINUX_MATERIAL}/.stamp
    COMMAND ${_axl_fetch} --out ${AXL_LINUX_MATERIAL}
    DEPENDS ${_axl_fetch} ${CMAKE_SOURCE_DIR}/linux_env/manifest.txt ${AXL_LINUX_TARBALL}
    COMMENT "linux: extracting linux_env/manifest.txt's files from Debian's linux-source-6.1"
    VERBATIM)
  add_custom_target(linux_material ALL DEPENDS ${AXL_LINUX_MATERIAL}/.stamp)
  add_test(NAME linux_material_unmodified COMMAND ${_axl_fetch} --out ${AXL_LINUX_MATERIAL} --check)
  set_tests_properties(linux_material_unmodified PROPERTIES LABELS "linux" TIMEOUT 120)
else()
  message(STATUS "Linux material: off (${AXL_LINUX_TARBALL} missing: tools/setup-deps.sh installs linux-source-6.1)")
endif()

add_test(NAME no_linux_sources
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/linux/check-no-linux-sources.py
                 --material ${AXL_LINUX_MATERIAL} --lwip ${CMAKE_BINARY_DIR}/lwip
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(no_linux_sources PROPERTIES LABELS "linux" TIMEOUT 120)

# The coverage metric (tools/linux/coverage.py; docs/linux-drivers.md, "Coverage tiers
# and the worklist"): on a tiny module set the test compiles, and on Debian's real
# linux-image (fetched on demand by tools/linux/fetch-image.sh; skipped, exit 77,
# only when it cannot be fetched).
add_test(NAME linux_coverage
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/tools/linux/coverage_test.py)
set_tests_properties(linux_coverage PROPERTIES LABELS "linux" TIMEOUT 120
                     ENVIRONMENT "AXL_SOURCE_DIR=${CMAKE_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
add_test(NAME linux_coverage_debian
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/tools/linux/coverage_debian_test.py ${CMAKE_BINARY_DIR})
set_tests_properties(linux_coverage_debian PROPERTIES LABELS "linux" TIMEOUT 600 SKIP_RETURN_CODE 77
                     ENVIRONMENT "AXL_SOURCE_DIR=${CMAKE_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
