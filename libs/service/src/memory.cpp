#include "bank/service/memory.hpp"

#include <malloc.h>

// Under AddressSanitizer malloc and free are the sanitizer's, with a quarantine of freed blocks
// of its own; glibc's malloc_trim would find nothing to release. Its own purge does the same job
// there, so the dev preset's tests see what release builds do.
#if defined(__SANITIZE_ADDRESS__)
#define BANK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BANK_ASAN 1
#endif
#endif
#ifdef BANK_ASAN
// Declared by sanitizer/allocator_interface.h, which g++ 12 does not ship; libasan exports it.
extern "C" void __sanitizer_purge_allocator();
#endif

namespace bank::service {

bool release_free_memory() {
#ifdef BANK_ASAN
    __sanitizer_purge_allocator();
    return true;
#else
    // Pad 0: keep nothing spare at the top of the main heap either; the next burst asks the
    // kernel again, which costs a page fault per page, not a system call per allocation.
    return malloc_trim(0) != 0;
#endif
}

}  // namespace bank::service
