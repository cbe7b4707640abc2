#include "hashing/hash_worker.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <span>

namespace bank::auth {
namespace {

using hash_protocol::Operation;
using hash_protocol::RequestHeader;
using hash_protocol::Status;

static_assert(hash_protocol::kMaxHashBytes + 1 == crypto_pwhash_STRBYTES);

struct Reply {
    std::array<char, hash_protocol::kMaxReplyBytes> bytes{};
    std::size_t size = 1;

    explicit Reply(Status status) { bytes[0] = static_cast<char>(status); }
};

Reply serve(std::span<const unsigned char> message) {
    RequestHeader header{};
    if (message.size() < sizeof header) return Reply(Status::kBadRequest);
    std::memcpy(&header, message.data(), sizeof header);
    if (header.hash_bytes > hash_protocol::kMaxHashBytes ||
        header.password_bytes > hash_protocol::kMaxPasswordBytes ||
        message.size() != sizeof header + header.hash_bytes + header.password_bytes) {
        return Reply(Status::kBadRequest);
    }
    const auto* stored = reinterpret_cast<const char*>(message.data() + sizeof header);
    const char* password = stored + header.hash_bytes;

    switch (header.operation) {
        case Operation::kHash: {
            if (header.hash_bytes != 0) return Reply(Status::kBadRequest);
            std::array<char, crypto_pwhash_STRBYTES> out{};
            // libsodium refuses limits outside its bounds with -1, like a failed allocation.
            if (crypto_pwhash_str_alg(out.data(), password, header.password_bytes, header.opslimit,
                                      header.memlimit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
                return Reply(Status::kOutOfMemory);
            }
            Reply reply(Status::kOk);
            const std::size_t length = std::strlen(out.data());
            std::memcpy(reply.bytes.data() + 1, out.data(), length);
            reply.size = 1 + length;
            return reply;
        }
        case Operation::kVerify: {
            // libsodium reads the stored hash as a C string.
            std::array<char, crypto_pwhash_STRBYTES> hash{};
            std::memcpy(hash.data(), stored, header.hash_bytes);
            // -1 means a wrong password (errno EINVAL), a stored string libsodium cannot read,
            // or no memory for the work area (mmap's ENOMEM). Only the last is not the user's
            // doing: it must not count as a failed login.
            errno = 0;
            if (crypto_pwhash_str_verify(hash.data(), password, header.password_bytes) == 0) {
                return Reply(Status::kOk);
            }
            return Reply(errno == ENOMEM ? Status::kOutOfMemory : Status::kMismatch);
        }
    }
    return Reply(Status::kBadRequest);
}

// With autogroups (CONFIG_SCHED_AUTOGROUP, on by default in Debian's kernels and on the bench
// machine) the scheduler first shares the CPU between sessions, and only then between the tasks
// of one session. SCHED_IDLE alone therefore yields only to auth's own threads, while auth's
// session competes at full weight with every other service's (scripts/lib.sh starts each in a
// session of its own) and with the clients'. Measured on the 2-core bench machine: two
// SCHED_IDLE busy loops in a session of their own pushed transfers at 9,000/s down to
// 5,300-6,400/s with a p50 of 19-23 ms (docs/benchmarks.md). So the worker leaves auth's session
// for one of its own and gives that the lowest weight. Where autogroups do not apply (a
// container's own cgroup, a cgroup auth moves the worker into (BANK_HASH_CGROUP,
// hash_process.cpp), or autogroups switched off) this changes nothing, and a failure only costs
// latency.
void lower_session_weight() {
    if (setsid() < 0) return;
    const int autogroup = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC);
    if (autogroup < 0) return;
    (void)!write(autogroup, "19", 2);
    close(autogroup);
}

}  // namespace

int run_hash_worker(int fd) {
    lower_session_weight();
    // Hashing is deliberately CPU-heavy. On a small machine the hash workers would otherwise take
    // the cores from auth's I/O threads (and from the other services), and health checks and
    // other requests would queue behind a burst of logins. SCHED_IDLE lets this process run only
    // on CPU time nothing else wants; when the machine is otherwise idle it runs at full speed.
    // (It still slows the request path somewhat on a 2-core VM: docs/benchmarks.md.)
    // Failure (e.g. a seccomp profile that forbids it) only costs latency, not correctness.
    sched_param parameters{};
    if (sched_setscheduler(0, SCHED_IDLE, &parameters) != 0) {
        std::fprintf(stderr, "bank-auth hash worker: SCHED_IDLE refused: %s\n",
                     std::strerror(errno));
    }
    // Killed with the thread that started it, even in the middle of a hash. Had the parent gone
    // already, the first recv below reads the end of the stream.
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Named for ps and top (the kernel would call it "exe", after /proc/self/exe).
    (void)prctl(PR_SET_NAME, "bank-auth-hash");
    // A signal for the whole process group or cgroup (Ctrl-C on `make run`, systemd's stop)
    // must not take the workers from under auth while it finishes its requests: the worker
    // ends when auth closes its socket or dies.
    for (const int signal : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal, SIG_IGN);
    if (sodium_init() < 0) return 1;

    // One byte over the largest request: recv cuts a longer message to this size, which then
    // fails serve()'s size check instead of passing as a shorter one.
    std::array<unsigned char, hash_protocol::kMaxRequestBytes + 1> request{};
    for (;;) {
        const ssize_t received = recv(fd, request.data(), request.size(), 0);
        if (received == 0) return 0;  // auth closed its end: nothing more to do
        if (received < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        const Reply reply = serve(std::span(request.data(), static_cast<std::size_t>(received)));
        // The message held a password.
        sodium_memzero(request.data(), request.size());
        if (send(fd, reply.bytes.data(), reply.size, MSG_NOSIGNAL) < 0) return 1;
    }
}

}  // namespace bank::auth
