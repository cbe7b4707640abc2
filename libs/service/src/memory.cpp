#include "bank/service/memory.hpp"

#include <malloc.h>

// Under AddressSanitizer malloc and free are the sanitizer's, so glibc's arenas hold nothing to
// trim. ASan's own purge would empty its quarantine of freed blocks, which is what lets it catch
// a use after free, so the sanitized builds trim nothing. The test of this function
// (tests/memory_release_test.cpp) is built without sanitizers for that reason.
#if defined(__SANITIZE_ADDRESS__)
#define BANK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BANK_ASAN 1
#endif
#endif

namespace bank::service {

bool release_free_memory() {
#ifdef BANK_ASAN
    return false;
#else
    // Pad 0: keep nothing spare at the top of the main heap either; the next burst asks the
    // kernel again, which costs a page fault per page, not a system call per allocation.
    return malloc_trim(0) != 0;
#endif
}

}  // namespace bank::service
