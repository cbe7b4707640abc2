#pragma once
// Giving the heap's free pages back to the operating system.
//
// glibc keeps memory a service freed. A burst of requests held at once (Redis stalled on an
// fsync, so every connection's request waits in the service) raises the I/O threads' arenas to
// a high-water mark. Their free chunks then sit between live ones, where free() cannot return
// them: only the top of an arena is trimmed. The resident size stayed up by 1-2 MB after such a
// burst, counted as memory by every container limit and looking like a leak in the benchmark's
// growth check (docs/benchmarks.md). malloc_trim(0) returns the whole free pages inside the
// arenas as well (madvise MADV_DONTNEED); the Runtime calls it periodically from the main
// thread (BANK_MEMORY_TRIM_MS).

namespace bank::service {

// Returns the free pages of every malloc arena to the kernel. True if any memory was released.
// Sanitized builds (ASan replaces malloc) release nothing and return false.
// Takes each arena's lock in turn while it walks that arena's free lists: an I/O thread
// allocating meanwhile waits that long. Measured in transactions under 14k transfers/s: 35-420
// microseconds per call, so once every 10 s costs nothing measurable.
bool release_free_memory();

}  // namespace bank::service
