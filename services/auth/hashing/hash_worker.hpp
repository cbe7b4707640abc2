#pragma once
// The process that computes argon2id. auth never hashes in its own address space: each hash
// maps, fills and unmaps a 64 MiB work area, and those calls hold the process's memory-map lock
// for milliseconds at a time (MAP_POPULATE, munmap). When the hashing threads shared auth's
// address space, its I/O threads waited on that lock whenever they grew the heap or took a page
// fault, and /healthz answered in tens of milliseconds during a burst of logins. So auth runs
// its own binary as `bank-auth --hash-worker` (hash_process.hpp), one child per hash worker
// thread, and talks to it over a socket with the small protocol below.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bank::auth {

// argon2id through libsodium's crypto_pwhash_str (PHC string with salt and parameters). The
// defaults are libsodium's INTERACTIVE limits: opslimit 2 passes, memlimit 64 MiB, which OWASP's
// password storage guidance accepts for argon2id (>= 19 MiB, >= 2 passes).
struct Argon2Parameters {
    unsigned long long opslimit = 2;
    std::size_t memlimit_bytes = 64 * 1024 * 1024;
};

// argv[1] that turns the auth binary into a hash worker (see main.cpp).
inline constexpr std::string_view kHashWorkerArgument = "--hash-worker";

// One request per message and one reply per message on a SOCK_SEQPACKET socket pair. Both ends
// are the same binary, so the header is sent as it is laid out in memory.
namespace hash_protocol {

enum class Operation : std::uint8_t { kHash = 1, kVerify = 2 };
enum class Status : std::uint8_t {
    kOk = 0,           // kHash: the PHC string follows; kVerify: the password matches
    kMismatch = 1,     // kVerify: wrong password, or a stored hash libsodium cannot read
    kOutOfMemory = 2,  // no memory for the work area (kHash, or kVerify with mmap's ENOMEM)
    kBadRequest = 3,   // the message broke the protocol (a bug in the sender)
};

// auth refuses passwords over 4 × 128 characters before hashing; this bound only has to be
// larger than any password that reaches the worker.
inline constexpr std::size_t kMaxPasswordBytes = 1024;
// crypto_pwhash_STRBYTES (128) less its NUL terminator.
inline constexpr std::size_t kMaxHashBytes = 127;

struct RequestHeader {
    Operation operation;
    std::uint8_t reserved[7];
    std::uint64_t opslimit;        // kHash only
    std::uint64_t memlimit_bytes;  // kHash only
    std::uint32_t hash_bytes;      // kVerify: the stored PHC string follows the header
    std::uint32_t password_bytes;  // then the password
};

inline constexpr std::size_t kMaxRequestBytes =
    sizeof(RequestHeader) + kMaxHashBytes + kMaxPasswordBytes;
// A Status byte, then the PHC string for a successful kHash.
inline constexpr std::size_t kMaxReplyBytes = 1 + kMaxHashBytes;

}  // namespace hash_protocol

// Serves requests on `fd` until the other end closes it, and returns the exit code for main.
// Runs the whole process at SCHED_IDLE and asks the kernel to kill it with its parent.
int run_hash_worker(int fd);

}  // namespace bank::auth
