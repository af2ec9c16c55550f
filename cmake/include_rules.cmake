# include_rules: every folder #includes only the project folders
# tools/include-rules.txt allows it (docs/architecture.md), checked by
# tools/check-includes.py, which prints `file:line: <folder> may not include
# "<header>" (allowed: ...)` for each violation.
#
#   cmake --build build --target include_rules     (also: make check-includes)
#
# CTest runs the same check as the test 'include_rules' (the script itself, not
# this target, so that it never waits on the build tree's lock), and the
# checker's own test, tests/tools/check_includes_test.py, as
# 'include_rules_checker'. The check reads only the sources: it takes well
# under a second and needs nothing built.

find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(AXL_INCLUDE_CHECK ${CMAKE_SOURCE_DIR}/tools/check-includes.py)

add_custom_target(include_rules
  COMMAND ${Python3_EXECUTABLE} ${AXL_INCLUDE_CHECK} ${CMAKE_SOURCE_DIR}
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  COMMENT "include_rules: checking #include lines against tools/include-rules.txt"
  VERBATIM)

add_test(NAME include_rules
         COMMAND ${Python3_EXECUTABLE} ${AXL_INCLUDE_CHECK} ${CMAKE_SOURCE_DIR}
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(include_rules PROPERTIES LABELS "include_rules" TIMEOUT 60)

if(AXL_BUILD_TESTS)
  add_test(NAME include_rules_checker
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/tools/check_includes_test.py)
  set_tests_properties(include_rules_checker PROPERTIES
                       LABELS "include_rules" TIMEOUT 120
                       ENVIRONMENT "AXL_SOURCE_DIR=${CMAKE_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
endif()
