#include "hashing/hash_process.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "bank/core/check.hpp"
#include "bank/log/log.hpp"

extern char** environ;

namespace bank::auth {
namespace {

using hash_protocol::Operation;
using hash_protocol::RequestHeader;

// What the client reads; the log has the cause.
Error unavailable() {
    return make_error(ErrorCode::kUnavailable, "hashing_unavailable",
                      "Password hashing is unavailable; retry shortly");
}

// Not the user's doing (a verification that fails this way is not a wrong password).
Error out_of_memory() {
    return make_error(ErrorCode::kUnavailable, "out_of_memory",
                      "password hashing ran out of memory");
}

// The worker answered kBadRequest or nonsense: a bug on one side of the protocol.
Error refused() {
    return make_error(ErrorCode::kInternal, "hashing_failed",
                      "the hash worker refused the request");
}

// Moves `fd` to 3 or above: the child's end becomes its stdin with dup2, and neither end may be
// one of the standard descriptors the spawn overwrites.
int above_standard_descriptors(int fd) {
    if (fd > STDERR_FILENO) return fd;
    const int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    close(fd);
    return moved;
}

// The worker needs no configuration, and auth's environment holds the Redis URL with its
// password: only the sanitizers' settings (for the ASan test build) are passed on.
std::vector<char*> worker_environment() {
    std::vector<char*> kept;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view variable(*entry);
        for (const std::string_view prefix :
             {"ASAN_OPTIONS=", "UBSAN_OPTIONS=", "LSAN_OPTIONS=", "TSAN_OPTIONS="}) {
            if (variable.starts_with(prefix)) kept.push_back(*entry);
        }
    }
    kept.push_back(nullptr);
    return kept;
}

// Owns the posix_spawn attribute objects, whose set-up calls can each fail (ENOMEM).
struct SpawnSettings {
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attributes{};
    bool ready = false;

    explicit SpawnSettings(int child_socket) {
        if (posix_spawn_file_actions_init(&actions) != 0) return;
        if (posix_spawnattr_init(&attributes) != 0) {
            posix_spawn_file_actions_destroy(&actions);
            return;
        }
        // The child gets its end as stdin (dup2 clears close-on-exec on the copy) and nothing
        // else of ours: not the listening socket, not the Redis connections, not other workers'
        // sockets (which would keep them from seeing auth's end close).
        // Signals blocked on this thread must not stay blocked in the worker, and a SIGPIPE
        // auth ignores is reset (the worker sends with MSG_NOSIGNAL anyway).
        sigset_t none;
        sigemptyset(&none);
        sigset_t defaults;
        sigemptyset(&defaults);
        sigaddset(&defaults, SIGPIPE);
        ready = posix_spawn_file_actions_adddup2(&actions, child_socket, STDIN_FILENO) == 0 &&
                posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1) == 0 &&
                posix_spawnattr_setsigmask(&attributes, &none) == 0 &&
                posix_spawnattr_setsigdefault(&attributes, &defaults) == 0 &&
                posix_spawnattr_setflags(&attributes,
                                         POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) == 0;
    }
    ~SpawnSettings() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
    }
    SpawnSettings(const SpawnSettings&) = delete;
    SpawnSettings& operator=(const SpawnSettings&) = delete;
};

std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
}

// The file a process is moved into a cgroup through.
std::string procs_file(const std::string& cgroup) { return cgroup + "/cgroup.procs"; }

// Moves the worker `pid` into the cgroup directory `cgroup`. The kernel gives the tasks of a
// cgroup with cpu.idle set the lowest weight, and lets any other task preempt them at once;
// SCHED_IDLE, which the worker sets itself, does that only among the tasks of one autogroup or
// cgroup (docs/benchmarks.md). A failure only costs latency: the worker is kept, and it is said.
void move_to_cgroup(const std::string& cgroup, pid_t pid) {
    const std::string procs = procs_file(cgroup);
    const std::string text = std::to_string(pid);
    const int fd = open(procs.c_str(), O_WRONLY | O_CLOEXEC);
    const ssize_t written = fd >= 0 ? write(fd, text.data(), text.size()) : -1;
    const bool moved = written == static_cast<ssize_t>(text.size());
    const int error = written >= 0 ? EIO : errno;  // a short write sets no errno
    if (fd >= 0) close(fd);
    if (!moved) {
        log::warn("cannot move a hash worker into its cgroup",
                  {{"cgroup", cgroup}, {"error", std::strerror(error)}});
    }
}

}  // namespace

std::optional<std::string> cgroup_problem(const std::string& cgroup) {
    if (cgroup.empty()) return std::nullopt;
    if (cgroup.front() != '/') return "must be an absolute path, got '" + cgroup + "'";
    struct statfs filesystem {};
    if (statfs(cgroup.c_str(), &filesystem) != 0) {
        const int error = errno;
        return "'" + cgroup + "': " + std::strerror(error);
    }
    if (filesystem.f_type != CGROUP_SUPER_MAGIC && filesystem.f_type != CGROUP2_SUPER_MAGIC) {
        return "'" + cgroup + "' is not a cgroup directory";
    }
    // The point is CPU: a cgroup of another controller, or a kernel before 5.15, has no cpu.idle.
    if (access((cgroup + "/cpu.idle").c_str(), F_OK) != 0) {
        return "'" + cgroup + "' has no cpu.idle: not a cgroup of the cpu controller (or the " +
               "kernel is older than 5.15)";
    }
    // cgroup v2 lets processes join only a cgroup that hands no controllers down to children.
    if (filesystem.f_type == CGROUP2_SUPER_MAGIC) {
        std::ifstream subtree(cgroup + "/cgroup.subtree_control");
        std::string controllers;
        std::getline(subtree, controllers);
        if (!controllers.empty()) {
            return "'" + cgroup + "' hands controllers down to its children (" + controllers +
                   "); processes can only join a cgroup that does not";
        }
    }
    const std::string procs = procs_file(cgroup);
    if (access(procs.c_str(), W_OK) != 0) {
        const int error = errno;
        return "'" + cgroup + "' is not a cgroup this process may move its workers into (" + procs +
               ": " + std::strerror(error) + ")";
    }
    return std::nullopt;
}

HashProcess::HashProcess(std::string executable, std::chrono::milliseconds reply_timeout,
                         std::string cgroup)
    : executable_(std::move(executable)),
      reply_timeout_(reply_timeout),
      cgroup_(std::move(cgroup)) {}

HashProcess::~HashProcess() { stop(); }

Result<std::string> HashProcess::hash(std::string_view password,
                                      const Argon2Parameters& parameters) {
    auto reply = exchange(Operation::kHash, parameters, {}, password);
    if (!reply.ok()) return std::move(reply).error();
    if (reply->status == hash_protocol::Status::kOutOfMemory) return out_of_memory();
    if (reply->status != hash_protocol::Status::kOk || reply->payload.empty()) return refused();
    return std::move(reply->payload);
}

Result<bool> HashProcess::verify(std::string_view hash, std::string_view password) {
    // The stored value comes from Redis, not from auth's input checks; libsodium never writes
    // one this long, so no password can match it.
    if (hash.size() > hash_protocol::kMaxHashBytes) return false;
    auto reply = exchange(Operation::kVerify, {}, hash, password);
    if (!reply.ok()) return std::move(reply).error();
    switch (reply->status) {
        case hash_protocol::Status::kOk:
            return true;
        case hash_protocol::Status::kMismatch:
            return false;
        case hash_protocol::Status::kOutOfMemory:
            return out_of_memory();
        default:
            return refused();
    }
}

Result<HashProcess::Reply> HashProcess::exchange(Operation operation,
                                                 const Argon2Parameters& parameters,
                                                 std::string_view hash, std::string_view password) {
    // verify() answers over-long stored hashes itself, and hash() sends none.
    BANK_CHECK(hash.size() <= hash_protocol::kMaxHashBytes, "stored hash too long for the worker");
    // auth refuses passwords over 4 × 128 characters before asking: longer is a bug here.
    if (password.size() > hash_protocol::kMaxPasswordBytes) {
        return make_error(ErrorCode::kInternal, "hashing_failed",
                          "a password is too long for the hash worker");
    }
    RequestHeader header{};
    header.operation = operation;
    header.opslimit = parameters.opslimit;
    header.memlimit_bytes = parameters.memlimit_bytes;
    header.hash_bytes = static_cast<std::uint32_t>(hash.size());
    header.password_bytes = static_cast<std::uint32_t>(password.size());
    std::array<unsigned char, hash_protocol::kMaxRequestBytes> request{};
    std::memcpy(request.data(), &header, sizeof header);
    // (Empty views may have a null data(), which memcpy must not be given.)
    if (!hash.empty()) std::memcpy(request.data() + sizeof header, hash.data(), hash.size());
    if (!password.empty()) {
        std::memcpy(request.data() + sizeof header + hash.size(), password.data(), password.size());
    }
    const std::size_t size = sizeof header + hash.size() + password.size();

    auto reply = send_and_receive(request.data(), size);
    sodium_memzero(request.data(), request.size());  // it held the password
    return reply;
}

Result<HashProcess::Reply> HashProcess::send_and_receive(const unsigned char* request,
                                                         std::size_t size) {
    // A worker that died since the last request (killed, out of memory) is found on the first
    // send or recv, and a fresh one gets the same request once. Asking again is safe: a hash
    // only computes.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (socket_ < 0) {
            if (auto started = start(); !started.ok()) return std::move(started).error();
        }
        ssize_t sent = -1;
        do {
            sent = send(socket_, request, size, MSG_NOSIGNAL);
        } while (sent < 0 && errno == EINTR);
        if (sent != static_cast<ssize_t>(size)) {
            discard("the hash worker did not take the request");
            continue;
        }
        const auto deadline = std::chrono::steady_clock::now() + reply_timeout_;
        pollfd waiting{socket_, POLLIN, 0};
        int ready = 0;
        for (;;) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            ready = poll(&waiting, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
            if (ready >= 0 || errno != EINTR) break;
        }
        if (ready == 0) {
            // Stuck or starved: not asked again, as the next attempt would wait as long.
            discard("the hash worker did not answer in time");
            return unavailable();
        }
        std::array<char, hash_protocol::kMaxReplyBytes + 1> buffer{};
        ssize_t received = -1;
        if (ready > 0) {
            do {
                received = recv(socket_, buffer.data(), buffer.size(), 0);
            } while (received < 0 && errno == EINTR);
        }
        if (received <= 0 || static_cast<std::size_t>(received) > hash_protocol::kMaxReplyBytes) {
            discard("the hash worker stopped answering");
            continue;
        }
        return Reply{static_cast<hash_protocol::Status>(buffer[0]),
                     std::string(buffer.data() + 1, static_cast<std::size_t>(received) - 1)};
    }
    return unavailable();
}

Status HashProcess::start() {
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
        log::warn("cannot start a hash worker", {{"error", std::strerror(errno)}});
        return unavailable();
    }
    const int ours = above_standard_descriptors(ends[0]);
    const int theirs = above_standard_descriptors(ends[1]);
    SpawnSettings settings(theirs);
    auto environment = worker_environment();
    // argv[0] is the service's name for ps; the kernel names the process after the path.
    std::string name = "bank-auth";
    std::string argument(kHashWorkerArgument);
    char* argv[] = {name.data(), argument.data(), nullptr};
    pid_t pid = -1;
    int spawned = EBADF;
    if (ours >= 0 && theirs >= 0) {
        spawned = settings.ready ? posix_spawn(&pid, executable_.c_str(), &settings.actions,
                                               &settings.attributes, argv, environment.data())
                                 : ENOMEM;
    }
    if (theirs >= 0) close(theirs);
    if (spawned != 0) {
        if (ours >= 0) close(ours);
        log::warn("cannot start a hash worker",
                  {{"executable", executable_}, {"error", std::strerror(spawned)}});
        return unavailable();
    }
    pid_ = pid;
    socket_ = ours;
    if (!cgroup_.empty()) move_to_cgroup(cgroup_, pid);
    return Ok{};
}

std::string HashProcess::stop() {
    if (socket_ >= 0) close(socket_);
    socket_ = -1;
    std::string ended = "not started";
    if (pid_ > 0) {
        // Our own child, not yet reaped (main keeps SIGCHLD at its default, so nothing reaps
        // it behind our back), so the pid cannot belong to anyone else.
        (void)kill(pid_, SIGKILL);
        int status = 0;
        pid_t reaped = -1;
        do {
            reaped = waitpid(pid_, &status, 0);
        } while (reaped < 0 && errno == EINTR);
        ended = reaped == pid_ ? describe_wait_status(status) : "not reaped";
    }
    pid_ = -1;
    return ended;
}

void HashProcess::discard(std::string_view why) {
    const pid_t pid = pid_;
    const std::string ended = stop();
    log::warn(why, {{"pid", pid}, {"ended", ended}});
}

}  // namespace bank::auth
