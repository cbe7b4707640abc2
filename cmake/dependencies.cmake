# Every dependency comes from a Debian 12 package (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS json url)
find_package(OpenSSL 3 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)

# hiredis 0.14's CMake config is broken on Debian 12, and libsodium ships none: use pkg-config.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis>=0.14)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)

if(BANK_BUILD_TESTS)
    find_package(GTest REQUIRED)
    find_package(rapidcheck REQUIRED)
endif()
if(BANK_BUILD_BENCHMARKS)
    find_package(benchmark REQUIRED)
endif()

# Asio and Beast are header-only; these flags keep their compile time and behaviour predictable:
# no deprecated interfaces, and Boost.JSON/URL as the compiled libraries above.
add_library(bank_boost INTERFACE)
add_library(bank::boost ALIAS bank_boost)
target_link_libraries(bank_boost INTERFACE Boost::headers Boost::json Boost::url Threads::Threads)
target_compile_definitions(bank_boost INTERFACE
    BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_DISABLE_BOOST_COROUTINE)
