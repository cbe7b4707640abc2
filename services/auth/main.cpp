// The auth service: wiring only. Reads configuration, loads the signing key, and connects
// storage -> logic -> handlers -> server.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <csignal>
#include <iostream>

#include "bank/async/worker_pool.hpp"
#include "bank/config/env.hpp"
#include "bank/jwt/signer.hpp"
#include "bank/log/log.hpp"
#include "bank/service/runtime.hpp"
#include "handlers/auth_handlers.hpp"
#include "hashing/argon2_hasher.hpp"
#include "hashing/hash_process.hpp"
#include "hashing/hash_worker.hpp"
#include "logic/auth_logic.hpp"
#include "storage/redis_user_store.hpp"

int main(int argc, char** argv) {
    using namespace bank;
    // The same binary computes the password hashes in child processes (hashing/hash_worker.hpp).
    if (argc == 2 && argv[1] == auth::kHashWorkerArgument) return auth::run_hash_worker(0);
    // The hash workers are reaped by the code that started them (hashing/hash_process.cpp);
    // an inherited SIG_IGN would have the kernel reap them first and free their pids for reuse.
    std::signal(SIGCHLD, SIG_DFL);
    const std::string name = "auth";
    log::init(name);
    config::Env env;
    auto common = service::read_common_settings(env, name, 8081);
    const std::string key_path = env.required_string("BANK_JWT_PRIVATE_KEY_PATH", "");
    const std::string internal_token_path = env.required_string("BANK_INTERNAL_TOKEN_PATH", "");
    auth::TokenSettings tokens;
    tokens.issuer = env.string("BANK_JWT_ISSUER", tokens.issuer);
    tokens.audience = env.string("BANK_JWT_AUDIENCE", tokens.audience);
    tokens.access_ttl =
        std::chrono::seconds(env.integer("BANK_ACCESS_TOKEN_TTL_S", 900, 60, 86'400));
    tokens.refresh_ttl = std::chrono::seconds(
        env.integer("BANK_REFRESH_TOKEN_TTL_S", 30 * 86'400, 300, 365 * 86'400));
    const auto hash_threads = static_cast<std::size_t>(
        env.integer("BANK_HASH_THREADS", config::default_thread_count(), 1, 64));
    const auto hash_queue = static_cast<std::size_t>(env.integer("BANK_HASH_QUEUE", 64, 1, 10'000));
    // One hash takes tens of milliseconds; past the gateway's 10 s nobody waits for the answer.
    const auto hash_timeout =
        std::chrono::milliseconds(env.integer("BANK_HASH_TIMEOUT_MS", 10'000, 100, 600'000));
    // A job still queued after this is answered 503 without being hashed: the slowest caller to
    // give up is accounts (BANK_AUTH_TIMEOUT_MS, 5 s) and a hash takes tens of milliseconds, so by
    // then its answer would reach nobody. A full queue (64 jobs) drains in about 2 s.
    const auto hash_queue_wait =
        std::chrono::milliseconds(env.integer("BANK_HASH_QUEUE_WAIT_MS", 4'000, 100, 600'000));
    // Where the hash workers go (hashing/hash_process.hpp); scripts/lib.sh makes a cgroup with
    // cpu.idle set when it can. Empty: they stay in auth's cgroup.
    const std::string hash_cgroup = env.string("BANK_HASH_CGROUP", "");
    if (auto problem = auth::cgroup_problem(hash_cgroup)) env.fail("BANK_HASH_CGROUP", *problem);
    auth::Argon2Parameters argon2;
    argon2.opslimit =
        static_cast<unsigned long long>(env.integer("BANK_ARGON2_OPSLIMIT", 2, 1, 10));
    argon2.memlimit_bytes = static_cast<std::size_t>(env.integer("BANK_ARGON2_MEMLIMIT_KIB",
                                                                 64 * 1024, 8, 1024 * 1024)) *
                            1024;
    auth::LoginThrottlePolicy throttle;
    throttle.lock_after = env.integer("BANK_LOGIN_LOCK_AFTER", throttle.lock_after, 1, 1000);
    throttle.base_lock = std::chrono::seconds(
        env.integer("BANK_LOGIN_LOCK_BASE_S", throttle.base_lock.count(), 1, 3600));
    throttle.max_lock = std::chrono::seconds(
        env.integer("BANK_LOGIN_LOCK_MAX_S", throttle.max_lock.count(), 1, 3600));
    if (service::report_config_errors(env, name)) return 2;
    if (auto problem = auth::policy_problem(throttle)) {
        std::cerr << name << ": BANK_LOGIN_LOCK_MAX_S: " << *problem << "\n";
        return 2;
    }

    auto signer = jwt::Signer::from_private_key_pem_file(key_path);
    if (!signer.ok()) {
        std::cerr << name << ": BANK_JWT_PRIVATE_KEY_PATH: " << signer.error().detail << "\n";
        return 2;
    }

    const auto internal_token =
        service::load_secret("BANK_INTERNAL_TOKEN_PATH", internal_token_path, name);
    if (!internal_token) return 2;

    service::Runtime runtime(common);
    async::WorkerPool workers(hash_threads, hash_queue);
    runtime.metrics().add_gauge("bank_hash_jobs", "Password hashing jobs queued or running.",
                                [&workers] { return static_cast<double>(workers.jobs()); });
    auth::RedisUserStore store(runtime.redis());
    auth::Argon2Hasher hasher(workers, argon2, hash_timeout, hash_queue_wait, "/proc/self/exe",
                              hash_cgroup);
    auth::AuthLogic logic(store, hasher, *signer, tokens, throttle);
    {
        boost::asio::io_context setup;
        auto prepared = boost::asio::co_spawn(setup, logic.prepare(), boost::asio::use_future);
        setup.run();
        if (auto status = prepared.get(); !status.ok()) {
            std::cerr << name << ": " << status.error().detail << "\n";
            return 1;
        }
    }
    auth::AuthHandlers handlers(logic, signer->jwks_json(), *internal_token);

    http::Router router;
    runtime.add_operational_routes(router);
    handlers.add_routes(router);
    const int code = runtime.run(std::move(router));
    workers.join();
    return code;
}
