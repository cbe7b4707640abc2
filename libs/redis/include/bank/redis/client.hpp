#pragma once
// An asynchronous Redis client for one I/O thread. All socket work is Asio; hiredis is used only
// to parse replies (commands are written as RESP by this library). Calls from many coroutines on
// the thread are pipelined: they are appended to one buffer that is written in batches (one write
// in flight at a time) and the replies are matched to calls in FIFO order.
//
// Failure model: a call never waits longer than Config::command_timeout ("redis_timeout"); when
// the connection is down a call fails at once ("redis_unavailable") instead of queueing, and a
// background coroutine reconnects with exponential backoff. All of these are kUnavailable, so a
// handler maps them to 503. Error replies from Redis are not failures of the client: they come
// back as a Reply with is_error().
//
// Threading: a Client is bound to one executor whose io_context is run by one thread. Everything
// except start(), stop(), connected() and stats() must be called on that thread. Destroy a Client
// before its io_context.

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"
#include "bank/redis/config.hpp"
#include "bank/redis/reply.hpp"
#include "bank/redis/script.hpp"

namespace bank::redis {

struct Stats {
    std::uint64_t commands = 0;    // calls made through command() and eval() round trips
    std::uint64_t errors = 0;      // calls that returned an Error (timeouts included)
    std::uint64_t timeouts = 0;    // calls that returned redis_timeout
    std::uint64_t reconnects = 0;  // successful connections after the first one
    std::uint64_t writes = 0;      // socket writes; below `commands` when pipelining batches
};

// Called on the client's thread after every call with its latency and whether it returned an
// Error (an error reply is not a failure).
using Observer = std::function<void(std::chrono::nanoseconds latency, bool failed)>;

class Client {
  public:
    Client(boost::asio::any_io_executor executor, Config config);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Starts the connection manager: connect, AUTH, SELECT, SCRIPT LOAD of every registered
    // script, then serve; reconnects after any loss. Callable from any thread; idempotent.
    void start();
    // Closes the connection, fails pending calls with redis_unavailable and stops reconnecting,
    // leaving no work behind in the io_context. Callable from any thread (runs on the client's
    // executor).
    void stop();
    // True once the handshake succeeded and until the connection is lost.
    [[nodiscard]] bool connected() const;

    // Loaded with SCRIPT LOAD at every (re)connect. Call on the client's thread or before start().
    void register_script(const Script& script);

    // Every overload formats the command before it returns, so the arguments only need to live
    // until the call expression ends; nothing refers to them once the coroutine suspends.
    //
    //   auto reply = co_await client.command("INCRBY", key, amount);
    //
    // Prefer the variadic form: g++ 12 cannot compile a braced list inside a co_await
    // expression ("array used as initializer"), so `co_await client.command({"GET", key})`
    // only builds with clang.
    template <typename... Args>
    requires(sizeof...(Args) > 0 && (std::convertible_to<const Args&, std::string_view> && ...))
        [[nodiscard]] boost::asio::awaitable<Result<Reply>> command(const Args&... args) {
        const std::array<std::string_view, sizeof...(Args)> views{std::string_view(args)...};
        return command(std::span<const std::string_view>(views));
    }
    [[nodiscard]] boost::asio::awaitable<Result<Reply>> command(
        std::initializer_list<std::string_view> args);
    [[nodiscard]] boost::asio::awaitable<Result<Reply>> command(
        std::span<const std::string_view> args);
    [[nodiscard]] boost::asio::awaitable<Result<Reply>> command(std::span<const std::string> args);

    // EVALSHA; when Redis answers NOSCRIPT (after a restart or SCRIPT FLUSH) it loads the script
    // and retries once. Keys and arguments are copied before the call returns, as for command().
    [[nodiscard]] boost::asio::awaitable<Result<Reply>> eval(
        const Script& script, std::span<const std::string_view> keys,
        std::span<const std::string_view> args);

    // Counters are atomics, so a metrics scrape may read them from any thread.
    [[nodiscard]] Stats stats() const;
    void set_observer(Observer observer);
    // The last connection problem (failed connect or handshake, lost connection, a script that
    // would not load), for logs and error details; empty if none. Client thread only.
    [[nodiscard]] std::string last_error() const;

    [[nodiscard]] const boost::asio::any_io_executor& executor() const;
    [[nodiscard]] const Config& config() const;

  private:
    // Shared with the coroutines, which may outlive a call or the Client itself (client.cpp).
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace bank::redis
