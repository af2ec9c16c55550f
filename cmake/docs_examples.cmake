# docs_examples: the examples and commands of README.md, workloads/README.md and
# docs/*.md still do what the docs say (tools/check-docs.py; docs/testing.md,
# "The docs test"): complete TOML examples run, `axl` commands of ```sh blocks run
# and exit 0, quoted outputs and digests match, whole C++ files compile, and every
# repository path the docs name exists.
#
#   cmake --build build --target check_docs        (also: make check-docs)
#
# CTest runs it as 'docs_examples' against the built axl, and the checker's own
# test, tests/tools/check_docs_test.py, as 'docs_examples_checker'. Both take
# well under a minute on 2 cores (most of it the 1,000-run campaign that
# docs/scenarios.md quotes).

find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(AXL_DOCS_CHECK ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/check-docs.py
    --root ${CMAKE_SOURCE_DIR} --axl $<TARGET_FILE:axl> --cxx ${CMAKE_CXX_COMPILER})

add_custom_target(check_docs
  COMMAND ${AXL_DOCS_CHECK}
  DEPENDS axl
  COMMENT "check_docs: running the examples and commands of README.md and docs/*.md"
  VERBATIM)

add_test(NAME docs_examples COMMAND ${AXL_DOCS_CHECK})
set_tests_properties(docs_examples PROPERTIES LABELS "docs" TIMEOUT 300
                     ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")

if(AXL_BUILD_TESTS)
  add_test(NAME docs_examples_checker
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/tools/check_docs_test.py)
  set_tests_properties(docs_examples_checker PROPERTIES
                       LABELS "docs" TIMEOUT 120
                       ENVIRONMENT "AXL_SOURCE_DIR=${CMAKE_SOURCE_DIR};AXL_BIN_DIR=${CMAKE_BINARY_DIR}/bin;CXX=${CMAKE_CXX_COMPILER};PYTHONDONTWRITEBYTECODE=1")
endif()

# axl_docs_example(TARGET DOC PATH...): each PATH is a file DOC has its reader
# create (a block marked `new PATH`, which must not exist in the tree), extracted
# into the build tree at build time and made part of TARGET: a C++ file is
# compiled into it (compiler messages name the doc's lines), any other file is
# generated next to it, in AXL_DOCS_EXAMPLE_DIR (a compile definition). So the
# program a doc walks its reader through is built and run by a test, exactly as
# written. Call it where TARGET is defined (tests/CMakeLists.txt): a generated
# file's rule belongs to the directory that uses it.
function(axl_docs_example target doc)
  set(_dir ${CMAKE_BINARY_DIR}/docs_examples/${target})
  foreach(_path ${ARGN})
    set(_out ${_dir}/${_path})
    add_custom_command(OUTPUT ${_out}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/check-docs.py --root ${CMAKE_SOURCE_DIR}
              --extract ${_path} --output ${_out} ${doc}
      DEPENDS ${CMAKE_SOURCE_DIR}/${doc} ${CMAKE_SOURCE_DIR}/tools/check-docs.py
      COMMENT "docs example: ${_path} from ${doc}"
      VERBATIM)
    target_sources(${target} PRIVATE ${_out})
    if(_path MATCHES "\\.cc$")
      set_source_files_properties(${_out} PROPERTIES COMPILE_OPTIONS "${AXL_WARNINGS};-Werror")
    endif()
  endforeach()
  target_compile_definitions(${target} PRIVATE AXL_DOCS_EXAMPLE_DIR="${_dir}")
endfunction()
