#pragma once
// auth's end of one hash worker process (hash_worker.hpp): started on first use, asked one
// question at a time, restarted when it dies, killed and reaped when this object goes.
// Blocking: it is used from the hash worker threads only, never from an I/O thread.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"
#include "hashing/hash_worker.hpp"

namespace bank::auth {

class HashProcess {
  public:
    // How long one hash may take before the worker is presumed stuck and killed. A hash takes
    // tens of milliseconds, but the worker runs at SCHED_IDLE and waits for idle CPU while the
    // machine is saturated; the service's own queue bound keeps the wait finite.
    static constexpr std::chrono::milliseconds kDefaultReplyTimeout{60'000};

    // Runs `executable --hash-worker`: the auth binary itself (/proc/self/exe) in the service.
    explicit HashProcess(std::string executable,
                         std::chrono::milliseconds reply_timeout = kDefaultReplyTimeout);
    ~HashProcess();
    HashProcess(const HashProcess&) = delete;
    HashProcess& operator=(const HashProcess&) = delete;

    // A new PHC string for `password`. Unavailable when the worker cannot be run or answer.
    Result<std::string> hash(std::string_view password, const Argon2Parameters& parameters);
    // Whether `password` matches the stored PHC string `hash`.
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
    void stop();

    std::string executable_;
    std::chrono::milliseconds reply_timeout_;
    pid_t pid_ = -1;
    int socket_ = -1;
};

}  // namespace bank::auth
