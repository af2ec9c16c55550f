# lwIP (issue 17: the inet server is built on it, as MINIX 3's network service
# is): Debian's lwip source package, fetched with apt-get source at build time
# by tools/net/fetch-lwip.sh into <build>/lwip/src, never committed, with the
# evidence in <build>/lwip/material.log (each file's sha256 beside the signed
# Sources index's) and every unpacked file's sha256 in <build>/lwip/SHA256SUMS.
# Part of the normal build; cached (nothing is fetched again for the same
# version). tools/setup-deps.sh adds the deb-src entry apt-get source needs.
#   lwip_material_unmodified             every unpacked file still has its logged sha256
#   lwip_material_check_refuses_a_change  --check fails on a changed copy, naming the file
# (no_linux_sources, cmake/linux_material.cmake, also refuses tracked lwIP files.)
set(AXL_LWIP_MATERIAL ${CMAKE_BINARY_DIR}/lwip)
set(_axl_fetch_lwip ${CMAKE_SOURCE_DIR}/tools/net/fetch-lwip.sh)

find_program(AXL_APT_GET apt-get)
find_program(AXL_DPKG_SOURCE dpkg-source)
if(AXL_APT_GET AND AXL_DPKG_SOURCE)
  add_custom_command(
    OUTPUT ${AXL_LWIP_MATERIAL}/.stamp
    COMMAND ${_axl_fetch_lwip} --out ${AXL_LWIP_MATERIAL}
    DEPENDS ${_axl_fetch_lwip}
    COMMENT "lwip: fetching Debian's lwip source package (apt-get source)"
    VERBATIM)
  add_custom_target(lwip_material ALL DEPENDS ${AXL_LWIP_MATERIAL}/.stamp)
  add_test(NAME lwip_material_unmodified COMMAND ${_axl_fetch_lwip} --out ${AXL_LWIP_MATERIAL} --check)
  set_tests_properties(lwip_material_unmodified PROPERTIES LABELS "inet" TIMEOUT 60)
  add_test(NAME lwip_material_check_refuses_a_change
           COMMAND ${CMAKE_SOURCE_DIR}/tests/tools/net/fetch_lwip_test.sh ${_axl_fetch_lwip} ${AXL_LWIP_MATERIAL})
  set_tests_properties(lwip_material_check_refuses_a_change PROPERTIES LABELS "inet" TIMEOUT 60)
else()
  message(STATUS "lwIP material: off (apt-get or dpkg-source missing: a Debian machine with tools/setup-deps.sh)")
endif()
