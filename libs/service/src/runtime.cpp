#include "bank/service/runtime.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <functional>
#include <iostream>

#include "bank/http/problem.hpp"
#include "bank/log/log.hpp"
#include "bank/service/memory.hpp"

namespace bank::service {

namespace asio = boost::asio;

CommonSettings read_common_settings(config::Env& env, std::string service_name,
                                    std::uint16_t default_port) {
    CommonSettings settings;
    settings.service_name = std::move(service_name);
    settings.readiness_key = settings.service_name + ":readyz";
    settings.server.address = env.string("BANK_LISTEN_ADDRESS", "127.0.0.1");
    settings.server.port = env.port("BANK_PORT", default_port);
    settings.server.max_body_bytes =
        static_cast<std::size_t>(env.integer("BANK_MAX_BODY_BYTES", 64 * 1024, 1024, 1 << 20));
    settings.server.idle_timeout = env.duration_ms("BANK_IDLE_TIMEOUT_MS", 30'000, 100, 600'000);
    settings.server.header_timeout =
        env.duration_ms("BANK_HEADER_TIMEOUT_MS", 10'000, 100, 120'000);
    settings.server.body_timeout = env.duration_ms("BANK_BODY_TIMEOUT_MS", 10'000, 100, 120'000);
    settings.io_threads = static_cast<std::size_t>(
        env.integer("BANK_IO_THREADS", config::default_thread_count(), 1, 256));
    const std::string redis_url = env.string("BANK_REDIS_URL", "redis://127.0.0.1:6379/0");
    auto redis = redis::parse_url(redis_url);
    if (redis.ok()) {
        settings.redis = *redis;
    } else {
        env.fail("BANK_REDIS_URL", redis.error().detail);
    }
    settings.redis.command_timeout = env.duration_ms("BANK_REDIS_TIMEOUT_MS", 1000, 10, 60'000);
    settings.redis.connect_timeout = settings.redis.command_timeout;
    settings.shutdown_grace = env.duration_ms("BANK_SHUTDOWN_GRACE_MS", 10'000, 0, 300'000);
    settings.log_requests = env.boolean("BANK_LOG_REQUESTS", true);
    settings.memory_trim_interval = env.duration_ms("BANK_MEMORY_TRIM_MS", 10'000, 0, 3'600'000);
    if (settings.memory_trim_interval.count() > 0 && settings.memory_trim_interval.count() < 1000) {
        // Each trim locks every arena in turn; more than once a second would tax the I/O threads.
        env.fail("BANK_MEMORY_TRIM_MS", "must be 0 (never) or at least 1000");
    }
    return settings;
}

std::optional<std::string> load_secret(const std::string& variable, const std::string& path,
                                       const std::string& service_name) {
    auto secret = config::read_secret_file(path);
    if (!secret) {
        std::cerr << service_name << ": " << variable << ": cannot read a secret from '" << path
                  << "'\n";
    }
    return secret;
}

bool report_config_errors(const config::Env& env, const std::string& service_name) {
    if (env.ok()) return false;
    for (const auto& error : env.errors()) {
        std::cerr << service_name << ": invalid configuration: " << error << "\n";
    }
    return true;
}

Runtime::Runtime(CommonSettings settings)
    : settings_(std::move(settings)), io_(settings_.io_threads), metrics_(settings_.service_name) {
    redis_ = std::make_unique<redis::Pool>(executors(), settings_.redis);
    for (std::size_t i = 0; i < io_.size(); ++i) {
        redis_->at(i).set_observer([this](std::chrono::nanoseconds latency, bool failed) {
            metrics_.observe_redis(latency, failed);
        });
    }
}

Runtime::~Runtime() = default;

std::vector<asio::any_io_executor> Runtime::executors() {
    std::vector<asio::any_io_executor> result;
    for (std::size_t i = 0; i < io_.size(); ++i) result.push_back(io_.executor(i));
    return result;
}

void Runtime::add_operational_routes(http::Router& router) {
    router.add(http::Verb::get, "/healthz", [](http::Context&) -> asio::awaitable<http::Response> {
        // Liveness touches nothing: a process that can answer this is alive.
        co_return http::json(200, boost::json::object{{"status", "ok"}});
    });
    router.add(http::Verb::get, "/readyz",
               [this](http::Context& context) -> asio::awaitable<http::Response> {
                   // A named array: g++ 12 miscompiles braced lists inside coroutine lambdas.
                   const std::array<std::string_view, 2> probe{"EXISTS", settings_.readiness_key};
                   auto reply =
                       co_await redis_->local().command(std::span<const std::string_view>(probe));
                   if (reply.ok() && !reply->is_error()) {
                       co_return http::json(200, boost::json::object{{"status", "ready"}});
                   }
                   co_return http::problem(make_error(ErrorCode::kUnavailable, "not_ready",
                                                      "Redis does not answer within its timeout"),
                                           context.request_id);
               });
    router.add(http::Verb::get, "/metrics",
               [this](http::Context&) -> asio::awaitable<http::Response> {
                   http::Response response{boost::beast::http::status::ok, 11};
                   response.set(http::Field::content_type, "text/plain; version=0.0.4");
                   response.body() = metrics_.render();
                   co_return response;
               });
}

int Runtime::run(http::Router router) {
    log::set_request_logging(settings_.log_requests);
    http::Server server(io_, settings_.server, std::move(router), metrics_);
    auto port = server.listen();
    if (!port.ok()) {
        log::error("cannot start", {{"error", port.error().detail}});
        return 1;
    }
    redis_->start();
    io_.start();
    server.start();
    log::info("listening",
              {{"address", settings_.server.address}, {"port", *port}, {"io_threads", io_.size()}});

    // The main thread only waits for a signal, and gives free heap pages back to the kernel
    // now and then; all serving happens on the I/O threads.
    asio::io_context signals_io;
    asio::signal_set signals(signals_io, SIGTERM, SIGINT);
    asio::steady_timer trim_timer(signals_io);
    bool stopping = false;
    std::function<void()> schedule_trim = [&] {
        if (settings_.memory_trim_interval.count() == 0) return;
        trim_timer.expires_after(settings_.memory_trim_interval);
        trim_timer.async_wait([&](const boost::system::error_code& error) {
            // cancel() cannot recall a wait that has already expired and is queued: without the
            // flag, a signal landing just then would see the trim re-armed, and run() would
            // never return.
            if (error || stopping) return;
            release_free_memory();
            schedule_trim();
        });
    };
    schedule_trim();
    int received = 0;
    signals.async_wait([&](const boost::system::error_code&, int signal) {
        received = signal;
        stopping = true;
        trim_timer.cancel();
    });
    signals_io.run();

    log::info("shutting down", {{"signal", received}});
    const bool drained = server.shutdown(settings_.shutdown_grace);
    redis_->stop();
    io_.force_stop_and_join();
    log::info("stopped", {{"drained", drained}});
    // The last request lines and this one are still buffered; out before the process ends.
    log::flush();
    return 0;
}

}  // namespace bank::service
