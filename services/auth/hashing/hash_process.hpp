#pragma once
// auth's end of one hash worker process (hash_worker.hpp): started on first use, asked one
// question at a time, restarted when it dies, killed and reaped when this object goes.
// Blocking: it is used from the hash worker threads only, never from an I/O thread.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"
#include "hashing/hash_worker.hpp"

namespace bank::auth {

// What is wrong with `cgroup` as BANK_HASH_CGROUP, or nullopt: empty (no cgroup), or an
// absolute path to a cgroup directory of the cpu controller (it has cpu.idle), which on cgroup v2
// hands no controllers down to children, and whose cgroup.procs this process may write.
[[nodiscard]] std::optional<std::string> cgroup_problem(const std::string& cgroup);

class HashProcess {
  public:
    // Runs `executable --hash-worker`: the auth binary itself (/proc/self/exe) in the service.
    // A worker that has not answered after `reply_timeout` is presumed stuck and killed.
    // `cgroup`, when not empty, is a cgroup directory each worker is moved into once started
    // (BANK_HASH_CGROUP: one with cpu.idle set keeps hashing off the request path).
    HashProcess(std::string executable, std::chrono::milliseconds reply_timeout,
                std::string cgroup = {});
    ~HashProcess();
    HashProcess(const HashProcess&) = delete;
    HashProcess& operator=(const HashProcess&) = delete;

    // A new PHC string for `password`. Unavailable when the worker cannot be run or answer,
    // or ran out of memory.
    Result<std::string> hash(std::string_view password, const Argon2Parameters& parameters);
    // Whether `password` matches the stored PHC string `hash`. A stored value longer than any
    // PHC string libsodium writes matches nothing.
    Result<bool> verify(std::string_view hash, std::string_view password);

    // The worker's pid, or -1 before the first request and after a failure (for tests).
    [[nodiscard]] pid_t pid() const { return pid_; }

  private:
    struct Reply {
        hash_protocol::Status status;
        std::string payload;
    };
    Result<Reply> exchange(hash_protocol::Operation operation, const Argon2Parameters& parameters,
                           std::string_view hash, std::string_view password);
    Result<Reply> send_and_receive(const unsigned char* request, std::size_t size);
    Status start();
    // Kills and reaps the worker; returns how it ended ("exit 1", "signal 9", ...).
    std::string stop();
    // stop(), and a warning in the log with `why` and how the worker ended.
    void discard(std::string_view why);

    std::string executable_;
    std::chrono::milliseconds reply_timeout_;
    std::string cgroup_;
    pid_t pid_ = -1;
    int socket_ = -1;
};

}  // namespace bank::auth
