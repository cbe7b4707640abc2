# ASan + UBSan for the dev preset. Linked PRIVATE like the warnings so the whole executable is
# instrumented; halt_on_error makes UBSan findings fail tests instead of scrolling past.
add_library(bank_sanitizers INTERFACE)
add_library(bank::sanitizers ALIAS bank_sanitizers)
if(BANK_SANITIZE)
    target_compile_options(bank_sanitizers INTERFACE
        -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(bank_sanitizers INTERFACE -fsanitize=address,undefined)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        # clang 14 cannot emit UBSan's function-type check on split coroutines ("Cannot
        # represent a difference across sections", llvm/llvm-project#49689); g++ has no such check.
        target_compile_options(bank_sanitizers INTERFACE -fno-sanitize=function)
    endif()
endif()
# The fuzz preset: libFuzzer's coverage instrumentation in every project target, so the fuzz
# targets (which add -fsanitize=fuzzer for libFuzzer's main, fuzz/CMakeLists.txt) are guided
# through the libraries and services too, not only through their own code.
if(BANK_BUILD_FUZZERS)
    target_compile_options(bank_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
    target_link_options(bank_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
endif()

# One helper so every target gets the same private flags.
function(bank_target_defaults target)
    target_link_libraries(${target} PRIVATE bank::warnings bank::sanitizers)
endfunction()

# Unit tests: one executable per library, discovered by ctest. Tests that start a real server
# (redis-server) pick a free port and a temp directory themselves.
function(bank_add_unit_test name)
    cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
    if(NOT BANK_BUILD_TESTS)
        return()
    endif()
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
    bank_target_defaults(${name})
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()
