# Warnings live on an INTERFACE target linked PRIVATE by every project target, so third-party
# headers are not held to our flags and consumers of our libraries do not inherit them.
add_library(bank_warnings INTERFACE)
add_library(bank::warnings ALIAS bank_warnings)
target_compile_options(bank_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 reports false positives for these inside Asio's and Beast's coroutine machinery.
    target_compile_options(bank_warnings INTERFACE
        -Wno-maybe-uninitialized -Wno-mismatched-new-delete -Wno-dangling-pointer)
endif()
if(BANK_WERROR)
    target_compile_options(bank_warnings INTERFACE -Werror)
endif()
