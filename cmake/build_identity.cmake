# The build's identity for `axl --version` and the JSON reports (digests depend
# on the build, so a report says which build made it): the source's git
# description and commit, the build type and the compiler. Rewritten on every
# build by cmake/write_build_identity.cmake, but only when it changed, so an
# unchanged tree relinks nothing.
set(AXL_BUILD_IDENTITY_SOURCE ${CMAKE_BINARY_DIR}/generated/axl_build_identity.cc)
set(AXL_BUILD_COMPILER "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
add_custom_target(axl_build_identity
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUTPUT=${AXL_BUILD_IDENTITY_SOURCE}
          -DBUILD_TYPE=${CMAKE_BUILD_TYPE} -DCOMPILER=${AXL_BUILD_COMPILER} -DSANITIZE=${AXL_SANITIZE}
          -P ${CMAKE_SOURCE_DIR}/cmake/write_build_identity.cmake
  BYPRODUCTS ${AXL_BUILD_IDENTITY_SOURCE}
  COMMENT "Build identity (git describe, build type, compiler)"
  VERBATIM)
target_sources(axl PRIVATE ${AXL_BUILD_IDENTITY_SOURCE})
add_dependencies(axl axl_build_identity)
