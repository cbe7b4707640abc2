#pragma once
// Password hashing behind an interface: the real one runs argon2id on the worker pool (it costs
// tens of milliseconds of CPU and 64 MiB by design), the test double is instant.

#include <boost/asio/awaitable.hpp>
#include <string>

#include "bank/async/worker_pool.hpp"
#include "bank/core/result.hpp"

namespace bank::auth {

class PasswordHasher {
  public:
    virtual ~PasswordHasher() = default;
    virtual boost::asio::awaitable<Result<std::string>> hash(std::string password) = 0;
    virtual boost::asio::awaitable<Result<bool>> verify(std::string hash, std::string password) = 0;
};

// argon2id through libsodium's crypto_pwhash_str (PHC string with salt and parameters). The
// defaults are libsodium's INTERACTIVE limits: opslimit 2 passes, memlimit 64 MiB, which OWASP's
// password storage guidance accepts for argon2id (>= 19 MiB, >= 2 passes).
struct Argon2Parameters {
    unsigned long long opslimit = 2;
    std::size_t memlimit_bytes = 64 * 1024 * 1024;
};

// Gives the calling thread SCHED_IDLE priority: for the hash worker threads (see the .cpp).
void lower_worker_priority();

class Argon2Hasher final : public PasswordHasher {
  public:
    Argon2Hasher(async::WorkerPool& workers, Argon2Parameters parameters);
    boost::asio::awaitable<Result<std::string>> hash(std::string password) override;
    boost::asio::awaitable<Result<bool>> verify(std::string hash, std::string password) override;

  private:
    async::WorkerPool& workers_;
    Argon2Parameters parameters_;
};

}  // namespace bank::auth
