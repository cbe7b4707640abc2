#include "hashing/argon2_hasher.hpp"

#include <sodium.h>

#include <chrono>
#include <memory>
#include <utility>

#include "bank/core/check.hpp"

namespace bank::auth {

namespace {

using Clock = std::chrono::steady_clock;

// A job still queued when its deadline passes is not started: its caller has given up by then
// (BANK_HASH_QUEUE_WAIT_MS, services/auth/main.cpp), and hashing for nobody would only delay the
// logins queued behind it.
Error queued_too_long() {
    return make_error(ErrorCode::kUnavailable, "server_busy", "The server is busy; retry shortly");
}

}  // namespace

Argon2Hasher::Argon2Hasher(async::WorkerPool& workers, Argon2Parameters parameters,
                           std::chrono::milliseconds reply_timeout,
                           std::chrono::milliseconds queue_wait, std::string executable,
                           std::string cgroup)
    : workers_(workers),
      parameters_(parameters),
      reply_timeout_(reply_timeout),
      queue_wait_(queue_wait),
      executable_(std::move(executable)),
      cgroup_(std::move(cgroup)) {
    BANK_CHECK(sodium_init() >= 0, "libsodium failed to initialise");
}

HashProcess& Argon2Hasher::process_of_this_thread() {
    thread_local std::unique_ptr<HashProcess> process;
    thread_local const Argon2Hasher* owner = nullptr;
    if (owner != this) {  // first use on this thread, or by another hasher than before
        process = std::make_unique<HashProcess>(executable_, reply_timeout_, cgroup_);
        owner = this;
    }
    return *process;
}

boost::asio::awaitable<Result<std::string>> Argon2Hasher::hash(std::string password) {
    const auto deadline = Clock::now() + queue_wait_;
    auto job = [this, &password, deadline]() -> Result<std::string> {
        if (Clock::now() > deadline) return queued_too_long();
        return process_of_this_thread().hash(password, parameters_);
    };
    // The job is named: temporaries with captures inside co_await trip a g++ 12 bug.
    auto result = co_await workers_.run(std::move(job));
    sodium_memzero(password.data(), password.size());
    if (!result.ok()) co_return std::move(result).error();
    co_return std::move(*result);
}

boost::asio::awaitable<Result<bool>> Argon2Hasher::verify(std::string hash, std::string password) {
    const auto deadline = Clock::now() + queue_wait_;
    auto job = [this, &hash, &password, deadline]() -> Result<bool> {
        if (Clock::now() > deadline) return queued_too_long();
        return process_of_this_thread().verify(hash, password);
    };
    auto result = co_await workers_.run(std::move(job));
    sodium_memzero(password.data(), password.size());
    if (!result.ok()) co_return std::move(result).error();
    co_return std::move(*result);
}

}  // namespace bank::auth
