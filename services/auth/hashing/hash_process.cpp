#include "hashing/hash_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <utility>

extern char** environ;

namespace bank::auth {
namespace {

using hash_protocol::Operation;
using hash_protocol::RequestHeader;

Error unavailable(std::string detail) {
    return make_error(ErrorCode::kUnavailable, "hashing_unavailable", std::move(detail));
}

// Moves `fd` to 3 or above: the child's end becomes its stdin with dup2, and neither end may be
// one of the standard descriptors the spawn overwrites.
int above_standard_descriptors(int fd) {
    if (fd > STDERR_FILENO) return fd;
    const int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    close(fd);
    return moved;
}

}  // namespace

HashProcess::HashProcess(std::string executable, std::chrono::milliseconds reply_timeout)
    : executable_(std::move(executable)), reply_timeout_(reply_timeout) {}

HashProcess::~HashProcess() { stop(); }

Result<std::string> HashProcess::hash(std::string_view password,
                                      const Argon2Parameters& parameters) {
    auto reply = exchange(Operation::kHash, parameters, {}, password);
    if (!reply.ok()) return std::move(reply).error();
    if (reply->status == hash_protocol::Status::kOutOfMemory) {
        return make_error(ErrorCode::kUnavailable, "out_of_memory",
                          "password hashing ran out of memory");
    }
    if (reply->status != hash_protocol::Status::kOk || reply->payload.empty()) {
        return make_error(ErrorCode::kInternal, "hashing_failed",
                          "the hash worker refused the request");
    }
    return std::move(reply->payload);
}

Result<bool> HashProcess::verify(std::string_view hash, std::string_view password) {
    auto reply = exchange(Operation::kVerify, {}, hash, password);
    if (!reply.ok()) return std::move(reply).error();
    switch (reply->status) {
        case hash_protocol::Status::kOk:
            return true;
        case hash_protocol::Status::kMismatch:
            return false;
        default:
            return make_error(ErrorCode::kInternal, "hashing_failed",
                              "the hash worker refused the request");
    }
}

Result<HashProcess::Reply> HashProcess::exchange(Operation operation,
                                                 const Argon2Parameters& parameters,
                                                 std::string_view hash, std::string_view password) {
    // Too long for the protocol: auth's own bounds keep such input away, so this is a bug.
    if (hash.size() > hash_protocol::kMaxHashBytes ||
        password.size() > hash_protocol::kMaxPasswordBytes) {
        return make_error(ErrorCode::kInternal, "hashing_failed",
                          "a password or hash is too long for the hash worker");
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
        if (send(socket_, request, size, MSG_NOSIGNAL) != static_cast<ssize_t>(size)) {
            stop();
            continue;
        }
        pollfd waiting{socket_, POLLIN, 0};
        int ready = 0;
        do {
            ready = poll(&waiting, 1, static_cast<int>(reply_timeout_.count()));
        } while (ready < 0 && errno == EINTR);
        if (ready == 0) {
            // Stuck or starved: not asked again, as the next attempt would wait as long.
            stop();
            return unavailable("the hash worker did not answer in time");
        }
        std::array<char, hash_protocol::kMaxReplyBytes + 1> buffer{};
        const ssize_t received = ready < 0 ? -1 : recv(socket_, buffer.data(), buffer.size(), 0);
        if (received <= 0 || static_cast<std::size_t>(received) > hash_protocol::kMaxReplyBytes) {
            stop();
            continue;
        }
        return Reply{static_cast<hash_protocol::Status>(buffer[0]),
                     std::string(buffer.data() + 1, static_cast<std::size_t>(received) - 1)};
    }
    return unavailable("the hash worker stopped answering");
}

Status HashProcess::start() {
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
        return unavailable(std::string("socketpair: ") + std::strerror(errno));
    }
    const int ours = above_standard_descriptors(ends[0]);
    const int theirs = above_standard_descriptors(ends[1]);
    if (ours < 0 || theirs < 0) {
        if (ours >= 0) close(ours);
        if (theirs >= 0) close(theirs);
        return unavailable("could not place the hash worker's socket");
    }

    // The child gets its end as stdin (dup2 clears close-on-exec on the copy) and nothing else
    // of ours: not the listening socket, not the Redis connections, not other workers' sockets.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, theirs, STDIN_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    // Signals blocked on this thread or set to ignore must not carry over into the worker.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (const int signal : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) sigaddset(&defaults, signal);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::string argument(kHashWorkerArgument);
    char* argv[] = {executable_.data(), argument.data(), nullptr};
    pid_t pid = -1;
    const int spawned =
        posix_spawn(&pid, executable_.c_str(), &actions, &attributes, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(theirs);
    if (spawned != 0) {
        close(ours);
        return unavailable("could not start the hash worker " + executable_ + ": " +
                           std::strerror(spawned));
    }
    pid_ = pid;
    socket_ = ours;
    return Ok{};
}

void HashProcess::stop() {
    if (socket_ >= 0) close(socket_);
    socket_ = -1;
    if (pid_ > 0) {
        // Our own child, not yet reaped, so the pid cannot belong to anyone else.
        (void)kill(pid_, SIGKILL);
        while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    pid_ = -1;
}

}  // namespace bank::auth
