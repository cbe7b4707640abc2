#include "bank/redis/client.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "bank/core/check.hpp"
#include "protocol.hpp"

namespace bank::redis {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds kInitialBackoff{50};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
constexpr std::size_t kReadChunkBytes = 16 * 1024;

Error unavailable(std::string detail) {
    return make_error(ErrorCode::kUnavailable, "redis_unavailable", std::move(detail));
}

// The coroutines of this file never throw on purpose (every operation uses redirect_error), so
// an exception here is a bug or memory exhaustion: stop loudly rather than limp on.
void rethrow_nothing(const std::exception_ptr& exception) {
    BANK_CHECK(exception == nullptr, "a Redis client coroutine threw");
}

// One call waiting for its reply. Shared between the caller's coroutine and the connection's
// FIFO: a caller that timed out is gone, but its entry stays in the FIFO (marked abandoned) until
// the late reply arrives and is discarded, which keeps the replies matched to the right calls.
struct Pending {
    explicit Pending(const asio::any_io_executor& executor) : timer(executor) {}
    // Expires at the deadline; cancelled when the reply (or a failure) is stored. One timer is
    // both the timeout and the wake-up.
    asio::steady_timer timer;
    std::optional<Result<Reply>> result;
    bool abandoned = false;
};

// One TCP connection and everything tied to its lifetime. A new object per attempt, so loops
// of a dead connection cannot touch the next one.
struct Connection {
    explicit Connection(const asio::any_io_executor& executor)
        : socket(executor),
          resolver(executor),
          connect_timer(executor),
          wake_writer(executor),
          closed(executor) {
        closed.expires_at(Clock::time_point::max());
    }

    tcp::socket socket;
    tcp::resolver resolver;
    asio::steady_timer connect_timer;
    // The writer sleeps on this timer when it has nothing to send; cancel() wakes it.
    asio::steady_timer wake_writer;
    // Cancelled when the connection is dropped; the manager waits on it while serving.
    asio::steady_timer closed;
    bool open = true;
    bool write_in_flight = false;
    std::string outgoing;                            // commands queued for the next write
    std::string writing;                             // the batch being written
    std::deque<std::shared_ptr<Pending>> in_flight;  // FIFO: same order as in the byte stream
    detail::ReplyParser parser;
    std::array<char, kReadChunkBytes> read_buffer{};
};

}  // namespace

struct Client::State {
    State(asio::any_io_executor executor_in, Config config_in)
        : executor(std::move(executor_in)), config(std::move(config_in)), retry_timer(executor) {}

    asio::any_io_executor executor;
    Config config;
    asio::steady_timer retry_timer;
    std::shared_ptr<Connection> connection;  // the current attempt or live connection
    std::vector<Script> scripts;
    Observer observer;
    std::string last_error;
    bool stopped = true;
    bool manager_running = false;
    std::atomic<bool> connected{false};
    std::atomic<std::uint64_t> commands{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> timeouts{0};
    std::atomic<std::uint64_t> reconnects{0};
    std::atomic<std::uint64_t> writes{0};

    // Closes the connection and fails every call still waiting on it. Idempotent. `conn` is
    // taken by value because callers may pass `connection`, which this resets.
    void drop(std::shared_ptr<Connection> conn,  // NOLINT(performance-unnecessary-value-param)
              const std::string& reason) {
        if (!conn->open) return;
        conn->open = false;
        boost::system::error_code ignored;
        conn->socket.close(ignored);
        conn->resolver.cancel();
        conn->connect_timer.cancel();
        conn->wake_writer.cancel();
        conn->closed.cancel();
        if (connection == conn) {
            connection.reset();
            connected.store(false);
        }
        last_error = reason;
        for (const auto& pending : conn->in_flight) {
            if (pending->abandoned) continue;
            pending->result.emplace(unavailable("Redis connection lost: " + reason));
            pending->timer.cancel();
        }
        conn->in_flight.clear();
        conn->outgoing.clear();
    }

    // Queues one packed command on `conn` and waits for its reply or the deadline.
    static asio::awaitable<Result<Reply>> send(std::shared_ptr<State> self,
                                               std::shared_ptr<Connection> conn,
                                               std::string packed) {
        if (!conn->open) co_return unavailable("Redis connection is closed");
        auto pending = std::make_shared<Pending>(self->executor);
        pending->timer.expires_after(self->config.command_timeout);
        conn->outgoing.append(packed);
        conn->in_flight.push_back(pending);
        // While a write is in flight the writer picks this up when it finishes; otherwise it is
        // asleep and needs a nudge. The nudge is posted, so calls made before it runs share the
        // same write.
        if (!conn->write_in_flight) conn->wake_writer.cancel();

        boost::system::error_code ec;
        co_await pending->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (pending->result) co_return std::move(*pending->result);
        pending->abandoned = true;
        co_return make_error(ErrorCode::kUnavailable, "redis_timeout",
                             "Redis did not answer within " +
                                 std::to_string(self->config.command_timeout.count()) + " ms");
    }

    // A call from the public API: fails fast when down or overloaded instead of queueing.
    static asio::awaitable<Result<Reply>> attempt(std::shared_ptr<State> self,
                                                  Result<std::string> packed) {
        if (!packed.ok()) co_return std::move(packed).error();
        std::shared_ptr<Connection> conn = self->connection;
        if (!self->connected.load() || conn == nullptr) {
            co_return unavailable("Redis is not connected" + (self->last_error.empty()
                                                                  ? std::string{}
                                                                  : ": " + self->last_error));
        }
        if (conn->in_flight.size() >= self->config.max_pending) {
            co_return make_error(ErrorCode::kUnavailable, "redis_overloaded",
                                 "More than " + std::to_string(self->config.max_pending) +
                                     " Redis calls are in flight");
        }
        co_return co_await send(self, std::move(conn), std::move(*packed));
    }

    // attempt(), counted in the stats and reported to the observer.
    static asio::awaitable<Result<Reply>> execute(std::shared_ptr<State> self,
                                                  Result<std::string> packed) {
        const auto started = Clock::now();
        Result<Reply> result = co_await attempt(self, std::move(packed));
        self->commands.fetch_add(1, std::memory_order_relaxed);
        const bool failed = !result.ok();
        if (failed) {
            self->errors.fetch_add(1, std::memory_order_relaxed);
            if (result.error().slug == "redis_timeout") {
                self->timeouts.fetch_add(1, std::memory_order_relaxed);
            }
        }
        if (self->observer) self->observer(Clock::now() - started, failed);
        co_return result;
    }

    static asio::awaitable<Result<Reply>> eval_with_reload(std::shared_ptr<State> self,
                                                           Script script,
                                                           Result<std::string> evalsha) {
        auto reply = co_await execute(self, evalsha);
        if (!reply.ok() || !reply->is_error() || !reply->error_message().starts_with("NOSCRIPT")) {
            co_return reply;
        }
        // The server lost its script cache (restart, failover, SCRIPT FLUSH): load, retry once.
        auto loaded = co_await execute(
            self, detail::pack(std::array<std::string_view, 3>{"SCRIPT", "LOAD", script.source()}));
        if (!loaded.ok() || loaded->is_error()) co_return loaded;
        co_return co_await execute(self, std::move(evalsha));
    }

    static asio::awaitable<void> writer_loop(std::shared_ptr<State> self,
                                             std::shared_ptr<Connection> conn) {
        while (conn->open) {
            if (conn->outgoing.empty()) {
                boost::system::error_code ec;
                conn->wake_writer.expires_at(Clock::time_point::max());
                co_await conn->wake_writer.async_wait(
                    asio::redirect_error(asio::use_awaitable, ec));
                continue;
            }
            conn->writing.swap(conn->outgoing);
            conn->write_in_flight = true;
            boost::system::error_code ec;
            co_await asio::async_write(conn->socket, asio::buffer(conn->writing),
                                       asio::redirect_error(asio::use_awaitable, ec));
            conn->write_in_flight = false;
            conn->writing.clear();
            if (ec) {
                self->drop(conn, "write failed: " + ec.message());
                co_return;
            }
            self->writes.fetch_add(1, std::memory_order_relaxed);
        }
    }

    static asio::awaitable<void> reader_loop(std::shared_ptr<State> self,
                                             std::shared_ptr<Connection> conn) {
        while (conn->open) {
            boost::system::error_code ec;
            const std::size_t size = co_await conn->socket.async_read_some(
                asio::buffer(conn->read_buffer), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                self->drop(conn, ec == asio::error::eof
                                     ? std::string("server closed the connection")
                                     : "read failed: " + ec.message());
                co_return;
            }
            if (auto fed = conn->parser.feed(conn->read_buffer.data(), size); !fed.ok()) {
                self->drop(conn, fed.error().detail);
                co_return;
            }
            for (;;) {
                auto next = conn->parser.next();
                if (!next.ok()) {
                    self->drop(conn, next.error().detail);
                    co_return;
                }
                if (!next->has_value()) break;
                if (conn->in_flight.empty()) {
                    self->drop(conn, "Redis sent a reply nobody asked for");
                    co_return;
                }
                std::shared_ptr<Pending> pending = std::move(conn->in_flight.front());
                conn->in_flight.pop_front();
                if (pending->abandoned) continue;  // its caller timed out; keep FIFO order
                pending->result.emplace(std::move(**next));
                pending->timer.cancel();
            }
        }
    }

    // Resolves, connects within connect_timeout and runs the handshake. On success the
    // connection is live and `connected` is true.
    static asio::awaitable<Status> connect_once(std::shared_ptr<State> self) {
        auto conn = std::make_shared<Connection>(self->executor);
        self->connection = conn;
        const Config& config = self->config;

        // The timer closes the socket (and cancels the resolver), which aborts whatever step is
        // running; `timed_out` tells that apart from a refused connection.
        struct Attempt {
            bool connecting = true;
            bool timed_out = false;
        };
        auto attempt_state = std::make_shared<Attempt>();
        conn->connect_timer.expires_after(config.connect_timeout);
        // `connecting` guards against a timer that fired just as the connect succeeded (its
        // handler is then already queued and cancel() cannot stop it).
        conn->connect_timer.async_wait([conn, attempt_state](boost::system::error_code ec) {
            if (ec || !attempt_state->connecting) return;
            attempt_state->timed_out = true;
            boost::system::error_code ignored;
            conn->socket.close(ignored);
            conn->resolver.cancel();
        });

        std::vector<tcp::endpoint> endpoints;
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(config.host, ec);
        if (!ec) {
            endpoints.emplace_back(address, config.port);
        } else {
            ec.clear();
            auto results = co_await conn->resolver.async_resolve(
                config.host, std::to_string(config.port),
                asio::redirect_error(asio::use_awaitable, ec));
            for (const auto& entry : results) endpoints.push_back(entry.endpoint());
            if (!ec && endpoints.empty()) ec = asio::error::host_not_found;
        }
        // Endpoints are tried one by one here rather than with asio::async_connect so that a
        // timeout or stop() ends the attempt instead of moving on to the next address.
        if (!ec) {
            ec = asio::error::host_unreachable;
            for (const auto& endpoint : endpoints) {
                if (!conn->open || attempt_state->timed_out) break;
                boost::system::error_code ignored;
                conn->socket.close(ignored);
                co_await conn->socket.async_connect(endpoint,
                                                    asio::redirect_error(asio::use_awaitable, ec));
                if (!ec) break;
            }
        }
        attempt_state->connecting = false;
        conn->connect_timer.cancel();
        const std::string where = config.host + ":" + std::to_string(config.port);
        if (!conn->open) co_return unavailable("Redis client stopped");
        if (attempt_state->timed_out) ec = asio::error::timed_out;
        if (ec) {
            std::string reason = "connect to " + where + " failed: " + ec.message();
            self->drop(conn, reason);
            co_return unavailable(std::move(reason));
        }
        boost::system::error_code ignored;
        conn->socket.set_option(tcp::no_delay(true), ignored);

        asio::co_spawn(self->executor, reader_loop(self, conn), rethrow_nothing);
        asio::co_spawn(self->executor, writer_loop(self, conn), rethrow_nothing);

        // The handshake goes straight to this connection: public calls keep failing fast until
        // it is done, so nothing can run unauthenticated or against the wrong database.
        auto handshake = [&](std::string step,
                             std::vector<std::string_view> args) -> asio::awaitable<Status> {
            auto packed = detail::pack(args);
            if (!packed.ok()) co_return std::move(packed).error();
            auto reply = co_await send(self, conn, std::move(*packed));
            std::string reason;
            if (!reply.ok()) {
                reason = step + " failed: " + reply.error().detail;
            } else if (reply->is_error()) {
                reason = step + " failed: " + reply->error_message();
            } else {
                co_return ok_status();
            }
            self->drop(conn, reason);
            co_return unavailable(std::move(reason));
        };
        if (!config.password.empty()) {
            std::vector<std::string_view> args{"AUTH"};
            if (!config.username.empty()) args.emplace_back(config.username);
            args.emplace_back(config.password);
            if (auto status = co_await handshake("AUTH", std::move(args)); !status.ok()) {
                co_return status;
            }
        }
        if (config.database != 0) {
            const std::string database = std::to_string(config.database);
            std::vector<std::string_view> args{"SELECT", database};
            if (auto status = co_await handshake("SELECT " + database, std::move(args));
                !status.ok()) {
                co_return status;
            }
        }
        // A script that fails to compile is a bug in that script, not a reason to refuse every
        // other command: eval() will return the compile error as an error reply.
        for (const Script& script : self->scripts) {
            auto packed =
                detail::pack(std::array<std::string_view, 3>{"SCRIPT", "LOAD", script.source()});
            auto reply = co_await send(self, conn, std::move(*packed));
            if (!reply.ok()) {
                std::string reason = "SCRIPT LOAD failed: " + reply.error().detail;
                self->drop(conn, reason);
                co_return unavailable(std::move(reason));
            }
            if (reply->is_error()) {
                self->last_error = "SCRIPT LOAD " + script.sha1() + ": " + reply->error_message();
            }
        }
        if (!conn->open) co_return unavailable("Redis connection lost during the handshake");
        self->connected.store(true);
        co_return ok_status();
    }

    // Connects, serves until the connection is lost, and reconnects with exponential backoff
    // until stop().
    static asio::awaitable<void> manage(std::shared_ptr<State> self) {
        auto backoff = kInitialBackoff;
        bool connected_before = false;
        while (!self->stopped) {
            auto status = co_await connect_once(self);
            if (status.ok()) {
                if (connected_before) self->reconnects.fetch_add(1, std::memory_order_relaxed);
                connected_before = true;
                backoff = kInitialBackoff;
                std::shared_ptr<Connection> conn = self->connection;
                if (conn != nullptr && conn->open) {
                    boost::system::error_code ec;
                    co_await conn->closed.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                }
            }
            if (self->stopped) break;
            boost::system::error_code ec;
            self->retry_timer.expires_after(backoff);
            co_await self->retry_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            backoff = std::min(backoff * 2, kMaxBackoff);
        }
        self->manager_running = false;
    }
};

Client::Client(asio::any_io_executor executor, Config config)
    : state_(std::make_shared<State>(std::move(executor), std::move(config))) {}

Client::~Client() { stop(); }

void Client::start() {
    asio::dispatch(state_->executor, [self = state_] {
        self->stopped = false;
        if (self->manager_running) return;
        self->manager_running = true;
        asio::co_spawn(self->executor, State::manage(self), rethrow_nothing);
    });
}

void Client::stop() {
    asio::dispatch(state_->executor, [self = state_] {
        self->stopped = true;
        self->retry_timer.cancel();
        if (self->connection != nullptr) self->drop(self->connection, "client stopped");
    });
}

bool Client::connected() const { return state_->connected.load(); }

void Client::register_script(const Script& script) {
    for (const Script& known : state_->scripts) {
        if (known.sha1() == script.sha1()) return;
    }
    state_->scripts.push_back(script);
}

asio::awaitable<Result<Reply>> Client::command(std::initializer_list<std::string_view> args) {
    return State::execute(state_, detail::pack(std::span(args.begin(), args.size())));
}

asio::awaitable<Result<Reply>> Client::command(std::span<const std::string_view> args) {
    return State::execute(state_, detail::pack(args));
}

asio::awaitable<Result<Reply>> Client::command(std::span<const std::string> args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    return State::execute(state_, detail::pack(views));
}

asio::awaitable<Result<Reply>> Client::eval(const Script& script,
                                            std::span<const std::string_view> keys,
                                            std::span<const std::string_view> args) {
    const std::string key_count = std::to_string(keys.size());
    std::vector<std::string_view> command;
    command.reserve(3 + keys.size() + args.size());
    command.emplace_back("EVALSHA");
    command.emplace_back(script.sha1());
    command.emplace_back(key_count);
    command.insert(command.end(), keys.begin(), keys.end());
    command.insert(command.end(), args.begin(), args.end());
    return State::eval_with_reload(state_, script, detail::pack(command));
}

Stats Client::stats() const {
    constexpr auto kRelaxed = std::memory_order_relaxed;
    return Stats{state_->commands.load(kRelaxed), state_->errors.load(kRelaxed),
                 state_->timeouts.load(kRelaxed), state_->reconnects.load(kRelaxed),
                 state_->writes.load(kRelaxed)};
}

void Client::set_observer(Observer observer) { state_->observer = std::move(observer); }

std::string Client::last_error() const { return state_->last_error; }

const asio::any_io_executor& Client::executor() const { return state_->executor; }

const Config& Client::config() const { return state_->config; }

}  // namespace bank::redis
