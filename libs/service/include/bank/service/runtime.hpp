#pragma once
// What every service's main.cpp shares: the common settings, the I/O threads, the Redis pool,
// the metrics registry, the operational routes (/healthz, /readyz, /metrics) and the run loop
// that turns SIGTERM/SIGINT into a graceful shutdown. A main.cpp reads its own settings, builds
// its handlers on top of this, and calls run().

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bank/async/io_pool.hpp"
#include "bank/config/env.hpp"
#include "bank/http/router.hpp"
#include "bank/http/server.hpp"
#include "bank/metrics/registry.hpp"
#include "bank/redis/config.hpp"
#include "bank/redis/pool.hpp"

namespace bank::service {

struct CommonSettings {
    std::string service_name;
    // /readyz asks Redis EXISTS on this key (one the service's ACL user may read; default
    // "<service_name>:readyz"). A data command, not PING: Redis answers PING while it is still
    // loading its data after a restart, when every real request would fail.
    std::string readiness_key;
    http::ServerOptions server;
    std::size_t io_threads = 1;
    redis::Config redis;
    std::chrono::milliseconds shutdown_grace{10'000};
    bool log_requests = true;
    // How often the main thread gives the heap's free pages back to the kernel (memory.hpp);
    // zero never does.
    std::chrono::milliseconds memory_trim_interval{10'000};
};

// Reads BANK_LISTEN_ADDRESS, BANK_PORT, BANK_IO_THREADS, BANK_REDIS_URL, BANK_REDIS_TIMEOUT_MS,
// BANK_SHUTDOWN_GRACE_MS, BANK_LOG_REQUESTS, BANK_MEMORY_TRIM_MS, BANK_MAX_BODY_BYTES and the HTTP
// timeouts, recording problems in `env`.
[[nodiscard]] CommonSettings read_common_settings(config::Env& env, std::string service_name,
                                                  std::uint16_t default_port);

class Runtime {
  public:
    explicit Runtime(CommonSettings settings);
    ~Runtime();

    [[nodiscard]] const CommonSettings& settings() const { return settings_; }
    async::IoPool& io() { return io_; }
    redis::Pool& redis() { return *redis_; }
    metrics::Registry& metrics() { return metrics_; }
    // Executors of the I/O threads, for per-thread clients.
    [[nodiscard]] std::vector<boost::asio::any_io_executor> executors();

    // Adds /healthz, /readyz and /metrics to `router`.
    void add_operational_routes(http::Router& router);

    // Starts Redis, the I/O threads and the server; blocks until SIGTERM or SIGINT, then drains
    // and stops. Returns the process exit code.
    int run(http::Router router);

  private:
    CommonSettings settings_;
    async::IoPool io_;
    metrics::Registry metrics_;
    std::unique_ptr<redis::Pool> redis_;
};

// Reads the secret file named by `variable` (already validated as set). On failure prints
// "<service>: <variable>: cannot read ..." to stderr and returns nullopt.
[[nodiscard]] std::optional<std::string> load_secret(const std::string& variable,
                                                     const std::string& path,
                                                     const std::string& service_name);

// Prints the configuration problems to stderr and returns true if there were any.
bool report_config_errors(const config::Env& env, const std::string& service_name);

}  // namespace bank::service
