#include "logic/password_hasher.hpp"

#include <pthread.h>
#include <sched.h>
#include <sodium.h>

#include "bank/core/check.hpp"

namespace bank::auth {

// Hashing is deliberately CPU-heavy. On a small machine the hash workers would otherwise take
// the cores from the I/O threads, and health checks and other requests would queue behind a
// burst of logins. SCHED_IDLE lets them run only on CPU time nothing else wants; when the
// machine is otherwise idle they run at full speed. Run once on each worker thread at start.
void lower_worker_priority() {
    sched_param parameters{};
    parameters.sched_priority = 0;
    // Failure (e.g. a seccomp profile that forbids it) only costs latency, not correctness.
    (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &parameters);
}

Argon2Hasher::Argon2Hasher(async::WorkerPool& workers, Argon2Parameters parameters)
    : workers_(workers), parameters_(parameters) {
    BANK_CHECK(sodium_init() >= 0, "libsodium failed to initialise");
}

boost::asio::awaitable<Result<std::string>> Argon2Hasher::hash(std::string password) {
    auto job = [&password, parameters = parameters_]() -> Result<std::string> {
        std::string out(crypto_pwhash_STRBYTES, '\0');
        if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), parameters.opslimit,
                                  parameters.memlimit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
            return make_error(ErrorCode::kUnavailable, "out_of_memory",
                              "password hashing ran out of memory");
        }
        out.resize(std::char_traits<char>::length(out.c_str()));
        return out;
    };
    // The job is named: temporaries with captures inside co_await trip a g++ 12 bug.
    auto result = co_await workers_.run(std::move(job));
    sodium_memzero(password.data(), password.size());
    if (!result.ok()) co_return std::move(result).error();
    co_return std::move(*result);
}

boost::asio::awaitable<Result<bool>> Argon2Hasher::verify(std::string hash, std::string password) {
    auto job = [&hash, &password] {
        return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
    };
    auto result = co_await workers_.run(std::move(job));
    sodium_memzero(password.data(), password.size());
    if (!result.ok()) co_return std::move(result).error();
    co_return *result;
}

}  // namespace bank::auth
