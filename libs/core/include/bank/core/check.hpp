#pragma once
// Invariant checks that stay on in release builds (TigerBeetle / Envoy RELEASE_ASSERT style): an
// impossible state means the process can no longer be trusted with money, so it stops loudly.

#include <cstdio>
#include <cstdlib>

#define BANK_CHECK(condition, message)                                                         \
    do {                                                                                       \
        if (!(condition)) [[unlikely]] {                                                       \
            std::fprintf(stderr, "invariant violated at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                         message, #condition);                                                 \
            std::abort();                                                                      \
        }                                                                                      \
    } while (false)
