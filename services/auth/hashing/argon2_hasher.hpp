#pragma once
// The real PasswordHasher: argon2id in hash worker processes (hash_worker.hpp), driven from the
// blocking worker pool so that I/O threads never wait for a hash.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bank/async/worker_pool.hpp"
#include "hashing/hash_process.hpp"
#include "logic/password_hasher.hpp"

namespace bank::auth {

class Argon2Hasher final : public PasswordHasher {
  public:
    // `executable` is the auth binary, run as a hash worker (hash_process.hpp).
    Argon2Hasher(async::WorkerPool& workers, Argon2Parameters parameters,
                 std::string executable = "/proc/self/exe");
    boost::asio::awaitable<Result<std::string>> hash(std::string password) override;
    boost::asio::awaitable<Result<bool>> verify(std::string hash, std::string password) override;

  private:
    // A job takes an idle worker process or starts one, and gives it back when done. The pool
    // runs at most thread_count() jobs at once, so there are never more processes than that.
    std::unique_ptr<HashProcess> acquire();
    void release(std::unique_ptr<HashProcess> process);
    // Calls `call(HashProcess&)` with an acquired process (on a worker thread) and releases it.
    template <typename Call>
    auto with_process(const Call& call);

    async::WorkerPool& workers_;
    Argon2Parameters parameters_;
    std::string executable_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<HashProcess>> idle_;
};

}  // namespace bank::auth
