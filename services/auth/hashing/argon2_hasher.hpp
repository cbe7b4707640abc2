#pragma once
// The real PasswordHasher: argon2id in hash worker processes (hash_worker.hpp), driven from the
// blocking worker pool so that I/O threads never wait for a hash.

#include <chrono>
#include <string>

#include "bank/async/worker_pool.hpp"
#include "hashing/hash_process.hpp"
#include "logic/password_hasher.hpp"

namespace bank::auth {

class Argon2Hasher final : public PasswordHasher {
  public:
    // `executable` is the auth binary, run as a hash worker; `reply_timeout` bounds one hash
    // and `cgroup` is where the workers go (hash_process.hpp); a job that waited in the queue
    // longer than `queue_wait` is answered kUnavailable (server_busy) without being hashed.
    Argon2Hasher(async::WorkerPool& workers, Argon2Parameters parameters,
                 std::chrono::milliseconds reply_timeout, std::chrono::milliseconds queue_wait,
                 std::string executable = "/proc/self/exe", std::string cgroup = {});
    boost::asio::awaitable<Result<std::string>> hash(std::string password) override;
    boost::asio::awaitable<Result<bool>> verify(std::string hash, std::string password) override;

  private:
    // The calling worker thread's own worker process. One per thread, never shared: the kernel
    // kills a worker when the thread that started it exits (PR_SET_PDEATHSIG), so a shared one
    // could die under another thread's hash. The thread's exit also stops it.
    HashProcess& process_of_this_thread();

    async::WorkerPool& workers_;
    Argon2Parameters parameters_;
    std::chrono::milliseconds reply_timeout_;
    std::chrono::milliseconds queue_wait_;
    std::string executable_;
    std::string cgroup_;
};

}  // namespace bank::auth
