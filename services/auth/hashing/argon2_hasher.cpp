#include "hashing/argon2_hasher.hpp"

#include <sodium.h>

#include <utility>

#include "bank/core/check.hpp"

namespace bank::auth {

Argon2Hasher::Argon2Hasher(async::WorkerPool& workers, Argon2Parameters parameters,
                           std::string executable)
    : workers_(workers), parameters_(parameters), executable_(std::move(executable)) {
    BANK_CHECK(sodium_init() >= 0, "libsodium failed to initialise");
}

std::unique_ptr<HashProcess> Argon2Hasher::acquire() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto process = std::move(idle_.back());
            idle_.pop_back();
            return process;
        }
    }
    return std::make_unique<HashProcess>(executable_);
}

void Argon2Hasher::release(std::unique_ptr<HashProcess> process) {
    std::lock_guard lock(mutex_);
    BANK_CHECK(idle_.size() < workers_.thread_count(), "more hash processes than hash threads");
    idle_.push_back(std::move(process));
}

template <typename Call>
auto Argon2Hasher::with_process(const Call& call) {
    auto process = acquire();
    auto result = call(*process);
    release(std::move(process));
    return result;
}

boost::asio::awaitable<Result<std::string>> Argon2Hasher::hash(std::string password) {
    auto job = [this, &password] {
        return with_process(
            [&](HashProcess& process) { return process.hash(password, parameters_); });
    };
    // The job is named: temporaries with captures inside co_await trip a g++ 12 bug.
    auto result = co_await workers_.run(std::move(job));
    sodium_memzero(password.data(), password.size());
    if (!result.ok()) co_return std::move(result).error();
    co_return std::move(*result);
}

boost::asio::awaitable<Result<bool>> Argon2Hasher::verify(std::string hash, std::string password) {
    auto job = [this, &hash, &password] {
        return with_process([&](HashProcess& process) { return process.verify(hash, password); });
    };
    auto result = co_await workers_.run(std::move(job));
    sodium_memzero(password.data(), password.size());
    if (!result.ok()) co_return std::move(result).error();
    co_return std::move(*result);
}

}  // namespace bank::auth
