// Proves the Redis client against a real redis-server: redis:// URLs parse (and bad ones are
// rejected), every RESP2 reply type round-trips, error replies are values, 1,000 concurrent calls
// are pipelined and matched to their callers in order, the max_pending bound holds, scripts run
// and survive SCRIPT FLUSH and a restart, a hung server times calls out (and the late replies are
// discarded), a dead server fails calls fast, the client reconnects by itself, AUTH and SELECT
// work, host names resolve, connect failures are explained, stop() leaves nothing running, and
// Pool::local() picks the I/O thread's client.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "bank/async/io_pool.hpp"
#include "bank/redis/client.hpp"
#include "bank/redis/config.hpp"
#include "bank/redis/pool.hpp"
#include "bank/redis/reply.hpp"
#include "bank/redis/script.hpp"
#include "bank/testing/redis_server.hpp"

namespace bank::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::RedisServer;

// ASSERT_* expands to `return`, which a coroutine cannot use.
#define CO_ASSERT(condition)                                  \
    do {                                                      \
        if (!(condition)) {                                   \
            ADD_FAILURE() << "assertion failed: " #condition; \
            co_return;                                        \
        }                                                     \
    } while (false)

// Runs `body` on `io`, stops `clients` when it ends (also after a failed CO_ASSERT), and then
// requires that nothing is left in the io_context: this proves stop() leaves no timers or loops
// behind.
template <typename Body>
void run(asio::io_context& io, std::initializer_list<Client*> clients, Body body,
         std::chrono::seconds limit = 15s) {
    bool done = false;
    asio::co_spawn(io, std::move(body), [&](const std::exception_ptr& exception) {
        done = true;
        for (Client* client : clients) client->stop();
        if (exception) std::rethrow_exception(exception);
    });
    io.run_for(limit);
    EXPECT_TRUE(done) << "the test coroutine did not finish";
    EXPECT_TRUE(io.stopped()) << "work was left in the io_context after the test";
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<bool> eventually(const std::function<bool()>& condition,
                                 std::chrono::milliseconds limit = 5000ms) {
    const auto deadline = Clock::now() + limit;
    while (!condition()) {
        if (Clock::now() >= deadline) co_return false;
        co_await sleep_for(5ms);
    }
    co_return true;
}

// Polls PING until it succeeds: the client reconnects on its own, with backoff.
asio::awaitable<bool> ping_eventually(Client& client, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        auto reply = co_await client.command("PING");
        if (reply.ok() && reply->is_string() && reply->as_string() == "PONG") co_return true;
        co_await sleep_for(20ms);
    }
    co_return false;
}

Config config_for(const RedisServer& server) {
    auto config = parse_url(server.url());
    EXPECT_TRUE(config.ok());
    return config.ok() ? *config : Config{};
}

std::string slug_of(const Result<Reply>& result) {
    return result.ok() ? std::string("(ok)") : result.error().slug;
}

// --- parse_url -------------------------------------------------------------------------------

TEST(ParseUrl, AcceptsTheDocumentedForms) {
    auto plain = parse_url("redis://localhost");
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->host, "localhost");
    EXPECT_EQ(plain->port, 6379);
    EXPECT_EQ(plain->database, 0);
    EXPECT_TRUE(plain->username.empty());
    EXPECT_TRUE(plain->password.empty());

    auto full = parse_url("redis://bank%2Dsvc:p%40ss%3Aword@redis.internal:6380/15");
    ASSERT_TRUE(full.ok());
    EXPECT_EQ(full->username, "bank-svc");
    EXPECT_EQ(full->password, "p@ss:word");
    EXPECT_EQ(full->host, "redis.internal");
    EXPECT_EQ(full->port, 6380);
    EXPECT_EQ(full->database, 15);

    auto password_only = parse_url("redis://:secret@10.0.0.5/");
    ASSERT_TRUE(password_only.ok());
    EXPECT_TRUE(password_only->username.empty());
    EXPECT_EQ(password_only->password, "secret");
    EXPECT_EQ(password_only->host, "10.0.0.5");
    EXPECT_EQ(password_only->database, 0);

    auto user_only = parse_url("redis://reader@h:1");
    ASSERT_TRUE(user_only.ok());
    EXPECT_EQ(user_only->username, "reader");
    EXPECT_TRUE(user_only->password.empty());
    EXPECT_EQ(user_only->port, 1);

    auto raw_at = parse_url("redis://:p@ss@h:65535/2");
    ASSERT_TRUE(raw_at.ok());
    EXPECT_EQ(raw_at->password, "p@ss");
    EXPECT_EQ(raw_at->port, 65535);

    auto ipv6 = parse_url("redis://[::1]:7000/3");
    ASSERT_TRUE(ipv6.ok());
    EXPECT_EQ(ipv6->host, "::1");
    EXPECT_EQ(ipv6->port, 7000);
    EXPECT_EQ(ipv6->database, 3);
}

TEST(ParseUrl, RejectsEverythingElse) {
    for (const char* url : {"",
                            "localhost:6379",
                            "http://h",
                            "REDIS://h",
                            "rediss://h",
                            "redis://",
                            "redis://:pw@",
                            "redis://h:",
                            "redis://h:0",
                            "redis://h:65536",
                            "redis://h:99999999999",
                            "redis://h:-1",
                            "redis://h:63a",
                            "redis://h:+80",
                            "redis://h/-1",
                            "redis://h/x",
                            "redis://h/1/2",
                            "redis://h/99999999999",
                            "redis://:%zz@h",
                            "redis://:%4@h",
                            "redis://u%@h",
                            "redis://h?db=1",
                            "redis://h#x",
                            "redis://[::1",
                            "redis://[::1]x",
                            "redis://[]:1"}) {
        auto config = parse_url(url);
        ASSERT_FALSE(config.ok()) << url;
        EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument) << url;
        EXPECT_EQ(config.error().slug, "invalid_redis_url") << url;
        EXPECT_FALSE(config.error().detail.empty()) << url;
    }
}

// --- Reply and Script --------------------------------------------------------------------------

TEST(Reply, ConstructorsAndAccessorsAgree) {
    EXPECT_TRUE(Reply{}.is_nil());
    EXPECT_EQ(Reply::integer(-7).as_integer(), -7);
    EXPECT_TRUE(Reply::status("OK").is_string());
    EXPECT_TRUE(Reply::status("OK").is_status());
    EXPECT_FALSE(Reply::string("x").is_status());
    EXPECT_EQ(Reply::error("ERR nope").error_message(), "ERR nope");
    EXPECT_FALSE(Reply::error("ERR nope").is_string());
    const Reply array = Reply::array({Reply::integer(1), Reply::nil()});
    ASSERT_EQ(array.elements().size(), 2U);
    EXPECT_EQ(array.elements()[0], Reply::integer(1));
    EXPECT_TRUE(array.elements()[1].is_nil());
    EXPECT_NE(Reply::string("a"), Reply::status("a"));
}

TEST(ReplyDeathTest, WrongAccessorAborts) {
    EXPECT_DEATH((void)Reply::integer(1).as_string(), "not a bulk string");
}

TEST(Script, HashesItsSourceLikeRedis) {
    const Script script("return 1");
    EXPECT_EQ(script.sha1(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
    EXPECT_EQ(script.source(), "return 1");
}

// --- Client against a real server ------------------------------------------------------------

TEST(Client, FailsFastBeforeStart) {
    asio::io_context io;
    Client client(io.get_executor(), Config{});
    run(io, {&client}, [&]() -> asio::awaitable<void> {
        const auto started = Clock::now();
        auto reply = co_await client.command("PING");
        EXPECT_EQ(slug_of(reply), "redis_unavailable");
        EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
        EXPECT_LT(Clock::now() - started, 50ms);
    });
}

TEST(Client, RoundTripsEveryReplyType) {
    RedisServer server;
    asio::io_context io;
    Client client(io.get_executor(), config_for(server));
    int observed = 0;
    int observed_failures = 0;
    client.set_observer([&](std::chrono::nanoseconds latency, bool failed) {
        EXPECT_GE(latency.count(), 0);
        ++observed;
        if (failed) ++observed_failures;
    });
    client.start();
    run(io, {&client}, [&]() -> asio::awaitable<void> {
        EXPECT_TRUE(co_await eventually([&] { return client.connected(); }));

        auto set = co_await client.command("SET", "greeting", "hello");
        CO_ASSERT(set.ok());
        EXPECT_TRUE(set->is_status());
        EXPECT_EQ(set->as_string(), "OK");

        auto get = co_await client.command("GET", "greeting");
        CO_ASSERT(get.ok());
        EXPECT_EQ(get->type(), ReplyType::kString);
        EXPECT_EQ(get->as_string(), "hello");

        // Binary-safe: NUL and CRLF inside a value survive formatting and parsing.
        const std::string binary("a\0b\r\nc", 6);
        auto set_binary = co_await client.command("SET", "binary", binary);
        EXPECT_TRUE(set_binary.ok());
        auto get_binary = co_await client.command("GET", "binary");
        CO_ASSERT(get_binary.ok());
        EXPECT_EQ(get_binary->as_string(), binary);

        auto missing = co_await client.command("GET", "missing");
        CO_ASSERT(missing.ok());
        EXPECT_TRUE(missing->is_nil());

        auto incr = co_await client.command("INCRBY", "counter", "-5");
        CO_ASSERT(incr.ok());
        EXPECT_EQ(incr->as_integer(), -5);

        const std::vector<std::string> push = {"RPUSH", "list", "a", "b", "c"};
        auto pushed = co_await client.command(std::span<const std::string>(push));
        CO_ASSERT(pushed.ok());
        EXPECT_EQ(pushed->as_integer(), 3);
        const std::vector<std::string_view> range = {"LRANGE", "list", "0", "-1"};
        auto list = co_await client.command(std::span<const std::string_view>(range));
        CO_ASSERT(list.ok());
        EXPECT_EQ(*list,
                  Reply::array({Reply::string("a"), Reply::string("b"), Reply::string("c")}));

        auto mget = co_await client.command("MGET", "greeting", "missing");
        CO_ASSERT(mget.ok());
        EXPECT_EQ(*mget, Reply::array({Reply::string("hello"), Reply::nil()}));

        // An error reply is a value, not a failed call.
        auto wrong_type = co_await client.command("INCR", "list");
        CO_ASSERT(wrong_type.ok());
        CO_ASSERT(wrong_type->is_error());
        EXPECT_TRUE(wrong_type->error_message().starts_with("WRONGTYPE"));
        auto unknown = co_await client.command("NO-SUCH-COMMAND");
        CO_ASSERT(unknown.ok());
        EXPECT_TRUE(unknown->is_error());

        auto empty = co_await client.command(std::span<const std::string_view>{});
        CO_ASSERT(!(empty.ok()));
        EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);

        // The connection is still in sync after the error replies.
        auto ping = co_await client.command("PING");
        CO_ASSERT(ping.ok());
        EXPECT_EQ(ping->as_string(), "PONG");
    });
    const Stats stats = client.stats();
    EXPECT_EQ(stats.commands, 13U);
    EXPECT_EQ(stats.errors, 1U);  // only the empty command; error replies are not failures
    EXPECT_EQ(stats.timeouts, 0U);
    EXPECT_EQ(observed, 13);
    EXPECT_EQ(observed_failures, 1);
    EXPECT_FALSE(client.connected());
}

TEST(Client, PipelinesConcurrentCallsAndMatchesRepliesInOrder) {
    RedisServer server;
    asio::io_context io;
    Client client(io.get_executor(), config_for(server));
    client.start();
    constexpr int kCalls = 1000;
    std::vector<std::int64_t> values(kCalls, -1);
    run(io, {&client}, [&]() -> asio::awaitable<void> {
        EXPECT_TRUE(co_await eventually([&] { return client.connected(); }));
        const Stats before = client.stats();
        int finished = 0;
        for (int i = 0; i < kCalls; ++i) {
            asio::co_spawn(
                io,
                [&, i]() -> asio::awaitable<void> {
                    auto reply = co_await client.command("INCR", "sequence");
                    if (reply.ok() && reply->is_integer()) {
                        values[static_cast<std::size_t>(i)] = reply->as_integer();
                    }
                    ++finished;
                },
                [](const std::exception_ptr& exception) {
                    if (exception) std::rethrow_exception(exception);
                });
        }
        EXPECT_TRUE(co_await eventually([&] { return finished == kCalls; }));
        const Stats after = client.stats();
        EXPECT_EQ(after.commands - before.commands, static_cast<std::uint64_t>(kCalls));
        EXPECT_LT(after.writes - before.writes, static_cast<std::uint64_t>(kCalls) / 10)
            << "the calls were not batched into shared writes";
    });
    // Call i was queued i-th, so FIFO matching must hand it the (i+1)-th increment.
    for (int i = 0; i < kCalls; ++i) {
        ASSERT_EQ(values[static_cast<std::size_t>(i)], i + 1) << "call " << i;
    }
}

TEST(Client, RefusesCallsBeyondMaxPending) {
    RedisServer server;
    asio::io_context io;
    Config config = config_for(server);
    config.max_pending = 10;
    Client client(io.get_executor(), config);
    client.start();
    int ok = 0;
    int overloaded = 0;
    run(io, {&client}, [&]() -> asio::awaitable<void> {
        EXPECT_TRUE(co_await eventually([&] { return client.connected(); }));
        int finished = 0;
        for (int i = 0; i < 50; ++i) {
            asio::co_spawn(
                io,
                [&]() -> asio::awaitable<void> {
                    auto reply = co_await client.command("PING");
                    if (reply.ok()) ++ok;
                    if (slug_of(reply) == "redis_overloaded") ++overloaded;
                    ++finished;
                },
                [](const std::exception_ptr& exception) {
                    if (exception) std::rethrow_exception(exception);
                });
        }
        EXPECT_TRUE(co_await eventually([&] { return finished == 50; }));
    });
    EXPECT_EQ(ok, 10);
    EXPECT_EQ(overloaded, 40);
}

TEST(Client, EvalsScriptsAndRecoversFromNoScript) {
    RedisServer server;
    asio::io_context io;
    Client client(io.get_executor(), config_for(server));
    const Script add("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    // Redis 7.0 prefixes a one-word error_reply with "ERR "; a code followed by text is kept as is.
    const Script refuse("return redis.error_reply('INSUFFICIENT_FUNDS balance too low')");
    const Script unregistered("return ARGV[1] .. ARGV[2]");
    client.register_script(add);
    client.register_script(refuse);
    client.start();
    run(io, {&client}, [&]() -> asio::awaitable<void> {
        EXPECT_TRUE(co_await eventually([&] { return client.connected(); }));
        // Loaded at connect, so the first EVALSHA succeeds without a NOSCRIPT round trip.
        auto exists = co_await client.command("SCRIPT", "EXISTS", add.sha1(), refuse.sha1());
        CO_ASSERT(exists.ok());
        EXPECT_EQ(*exists, Reply::array({Reply::integer(1), Reply::integer(1)}));

        // Locals, not braced lists: see the g++ 12 note on Client::command().
        const std::vector<std::string_view> keys = {"balance"};
        const std::vector<std::string_view> forty = {"40"};
        const std::vector<std::string_view> none;
        auto added = co_await client.eval(add, keys, forty);
        CO_ASSERT(added.ok());
        EXPECT_EQ(added->as_integer(), 40);

        auto refused = co_await client.eval(refuse, none, none);
        CO_ASSERT(refused.ok());
        CO_ASSERT(refused->is_error());
        EXPECT_EQ(refused->error_message(), "INSUFFICIENT_FUNDS balance too low");

        const std::vector<std::string_view> parts = {"ab", "cd"};
        auto joined = co_await client.eval(unregistered, none, parts);
        CO_ASSERT(joined.ok());
        EXPECT_EQ(joined->as_string(), "abcd");

        auto flushed = co_await client.command("SCRIPT", "FLUSH");
        EXPECT_TRUE(flushed.ok());
        const std::vector<std::string_view> two = {"2"};
        auto after_flush = co_await client.eval(add, keys, two);
        CO_ASSERT(after_flush.ok());
        CO_ASSERT(after_flush->is_integer());
        EXPECT_EQ(after_flush->as_integer(), 42);

        const Script broken("this is not lua");
        auto compile_error = co_await client.eval(broken, none, none);
        CO_ASSERT(compile_error.ok());
        EXPECT_TRUE(compile_error->is_error());
    });
}

TEST(Client, TimesOutWhileServerHangsAndRecoversAfter) {
    RedisServer server;
    asio::io_context io;
    Config config = config_for(server);
    config.command_timeout = 300ms;
    Client client(io.get_executor(), config);
    client.start();
    run(io, {&client}, [&]() -> asio::awaitable<void> {
        EXPECT_TRUE(co_await eventually([&] { return client.connected(); }));
        server.pause();
        const auto started = Clock::now();
        auto reply = co_await client.command("SET", "late", "1");
        const auto elapsed = Clock::now() - started;
        EXPECT_EQ(slug_of(reply), "redis_timeout");
        EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
        EXPECT_GE(elapsed, 290ms);
        EXPECT_LT(elapsed, 800ms);
        EXPECT_EQ(client.stats().timeouts, 1U);

        server.resume();
        // The late "+OK" for SET arrives first and must be discarded, not handed to ECHO.
        auto echo = co_await client.command("ECHO", "after");
        CO_ASSERT(echo.ok());
        EXPECT_EQ(echo->as_string(), "after");
        EXPECT_TRUE(client.connected());
    });
}

TEST(Client, FailsFastWhenServerDies) {
    RedisServer server;
    asio::io_context io;
    Config config = config_for(server);
    config.command_timeout = 3000ms;
    Client client(io.get_executor(), config);
    client.start();
    run(io, {&client}, [&]() -> asio::awaitable<void> {
        EXPECT_TRUE(co_await eventually([&] { return client.connected(); }));
        server.pause();  // the call below is written but never answered...
        std::optional<Result<Reply>> in_flight;
        asio::co_spawn(
            io, [&]() -> asio::awaitable<void> { in_flight = co_await client.command("PING"); },
            [](const std::exception_ptr& exception) {
                if (exception) std::rethrow_exception(exception);
            });
        co_await sleep_for(50ms);
        const auto killed = Clock::now();
        server.kill();  // ...and then the server crashes.
        EXPECT_TRUE(co_await eventually([&] { return in_flight.has_value(); }));
        EXPECT_LT(Clock::now() - killed, 1000ms) << "the pending call waited for its timeout";
        CO_ASSERT(in_flight.has_value());
        EXPECT_EQ(slug_of(*in_flight), "redis_unavailable");
        EXPECT_FALSE(client.connected());

        const auto started = Clock::now();
        auto reply = co_await client.command("PING");
        EXPECT_EQ(slug_of(reply), "redis_unavailable");
        EXPECT_LT(Clock::now() - started, 50ms);
    });
}

TEST(Client, ReconnectsAfterRestartAndReloadsScripts) {
    RedisServer server;
    asio::io_context io;
    Client client(io.get_executor(), config_for(server));
    const Script add("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    client.register_script(add);
    client.start();
    run(io, {&client}, [&]() -> asio::awaitable<void> {
        EXPECT_TRUE(co_await eventually([&] { return client.connected(); }));
        server.kill();
        EXPECT_TRUE(co_await eventually([&] { return !client.connected(); }));
        server.restart();
        EXPECT_TRUE(co_await ping_eventually(client, 5000ms));
        EXPECT_GE(client.stats().reconnects, 1U);

        // The fresh server has an empty script cache; the reconnect loaded the script again.
        auto exists = co_await client.command("SCRIPT", "EXISTS", add.sha1());
        CO_ASSERT(exists.ok());
        EXPECT_EQ(*exists, Reply::array({Reply::integer(1)}));
        const std::vector<std::string_view> keys = {"k"};
        const std::vector<std::string_view> five = {"5"};
        auto added = co_await client.eval(add, keys, five);
        CO_ASSERT(added.ok());
        EXPECT_EQ(added->as_integer(), 5);
    });
}

TEST(Client, AuthenticatesAndRefusesBadPasswords) {
    testing::RedisServerOptions options;
    options.password = "s3cr@t:pw/%";
    RedisServer server(options);
    asio::io_context io;

    Client with_password(io.get_executor(), config_for(server));  // URL carries the password
    Config acl = config_for(server);
    acl.username = "default";
    Client with_user(io.get_executor(), acl);
    Config wrong = config_for(server);
    wrong.password = "wrong";
    Client with_wrong_password(io.get_executor(), wrong);
    Config none = config_for(server);
    none.password.clear();
    Client without_password(io.get_executor(), none);

    for (Client* client : {&with_password, &with_user, &with_wrong_password, &without_password}) {
        client->start();
    }
    run(io, {&with_password, &with_user, &with_wrong_password, &without_password},
        [&]() -> asio::awaitable<void> {
            EXPECT_TRUE(co_await eventually([&] { return with_password.connected(); }));
            EXPECT_TRUE(co_await eventually([&] { return with_user.connected(); }));
            auto ping = co_await with_password.command("PING");
            CO_ASSERT(ping.ok());
            EXPECT_EQ(ping->as_string(), "PONG");
            auto ping_user = co_await with_user.command("PING");
            CO_ASSERT(ping_user.ok());
            EXPECT_EQ(ping_user->as_string(), "PONG");

            co_await sleep_for(300ms);
            EXPECT_FALSE(with_wrong_password.connected());
            auto refused = co_await with_wrong_password.command("PING");
            EXPECT_EQ(slug_of(refused), "redis_unavailable");
            EXPECT_NE(with_wrong_password.last_error().find("AUTH"), std::string::npos)
                << with_wrong_password.last_error();

            // Without a configured password the handshake has nothing to check, so the server's
            // NOAUTH comes back as an error reply on each call.
            EXPECT_TRUE(co_await eventually([&] { return without_password.connected(); }));
            auto unauthenticated = co_await without_password.command("GET", "k");
            CO_ASSERT(unauthenticated.ok());
            CO_ASSERT(unauthenticated->is_error());
            EXPECT_TRUE(unauthenticated->error_message().starts_with("NOAUTH"));
        });
}

TEST(Client, SelectsTheConfiguredDatabase) {
    RedisServer server;
    asio::io_context io;
    Config config = config_for(server);
    config.database = 3;
    Client db3(io.get_executor(), config);
    Client db0(io.get_executor(), config_for(server));
    db3.start();
    db0.start();
    run(io, {&db3, &db0}, [&]() -> asio::awaitable<void> {
        EXPECT_TRUE(co_await eventually([&] { return db3.connected() && db0.connected(); }));
        EXPECT_TRUE((co_await db3.command("SET", "where", "three")).ok());
        auto from3 = co_await db3.command("GET", "where");
        CO_ASSERT(from3.ok());
        EXPECT_EQ(from3->as_string(), "three");
        auto from0 = co_await db0.command("GET", "where");
        CO_ASSERT(from0.ok());
        EXPECT_TRUE(from0->is_nil());
    });
}

TEST(Client, ResolvesHostNames) {
    RedisServer server;
    asio::io_context io;
    Config config = config_for(server);
    config.host = "localhost";  // may resolve to ::1 first; the server listens on 127.0.0.1 only
    Client client(io.get_executor(), config);
    client.start();
    run(io, {&client}, [&]() -> asio::awaitable<void> {
        EXPECT_TRUE(co_await eventually([&] { return client.connected(); })) << client.last_error();
        auto ping = co_await client.command("PING");
        EXPECT_TRUE(ping.ok());
    });
}

TEST(Client, ExplainsWhyItCannotConnect) {
    std::uint16_t unused_port = 0;
    {
        RedisServer server;  // a port that was free a moment ago and now has no listener
        unused_port = server.port();
    }
    asio::io_context io;
    Config config;
    config.port = unused_port;
    Client client(io.get_executor(), config);
    client.start();
    run(io, {&client}, [&]() -> asio::awaitable<void> {
        EXPECT_TRUE(co_await eventually([&] { return !client.last_error().empty(); }));
        EXPECT_FALSE(client.connected());
        EXPECT_NE(client.last_error().find("connect to 127.0.0.1"), std::string::npos)
            << client.last_error();
        auto reply = co_await client.command("PING");
        CO_ASSERT(!reply.ok());
        EXPECT_EQ(reply.error().slug, "redis_unavailable");
        EXPECT_NE(reply.error().detail.find("refused"), std::string::npos) << reply.error().detail;
    });
}

TEST(Client, StopFailsPendingCallsAndLeavesNoWork) {
    RedisServer server;
    asio::io_context io;
    Client client(io.get_executor(), config_for(server));
    client.start();
    run(io, {&client}, [&]() -> asio::awaitable<void> {
        EXPECT_TRUE(co_await eventually([&] { return client.connected(); }));
        server.pause();
        std::optional<Result<Reply>> pending;
        asio::co_spawn(
            io, [&]() -> asio::awaitable<void> { pending = co_await client.command("PING"); },
            [](const std::exception_ptr& exception) {
                if (exception) std::rethrow_exception(exception);
            });
        co_await sleep_for(20ms);
        client.stop();
        EXPECT_TRUE(co_await eventually([&] { return pending.has_value(); }, 100ms));
        if (pending) {
            EXPECT_EQ(slug_of(*pending), "redis_unavailable");
        }
        server.resume();
    });
}

TEST(Pool, LocalReturnsTheClientOfTheCallingIoThread) {
    RedisServer server;
    async::IoPool io_pool(2);
    Pool pool({io_pool.executor(0), io_pool.executor(1)}, config_for(server));
    const Script hello("return 'hello'");
    pool.register_script(hello);
    pool.start();
    io_pool.start();

    std::promise<std::string> outcome;
    asio::co_spawn(
        io_pool.executor(1),
        [&]() -> asio::awaitable<void> {
            Client& local = pool.local();
            if (&local != &pool.at(1)) {
                outcome.set_value("local() is not the client of thread 1");
                co_return;
            }
            if (!co_await eventually([&] { return local.connected(); })) {
                outcome.set_value("not connected: " + local.last_error());
                co_return;
            }
            const std::vector<std::string_view> none;
            auto reply = co_await local.eval(hello, none, none);
            outcome.set_value(reply.ok() && reply->is_string() ? reply->as_string()
                                                               : std::string("eval failed"));
        },
        [](const std::exception_ptr& exception) {
            if (exception) std::rethrow_exception(exception);
        });
    auto future = outcome.get_future();
    ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
    EXPECT_EQ(future.get(), "hello");
    EXPECT_TRUE(pool.any_connected());

    // stop() from outside the I/O threads; the threads then run out of work and join.
    pool.stop();
    io_pool.stop_and_join();
    EXPECT_FALSE(pool.any_connected());
}

TEST(PoolDeathTest, LocalOutsideAnIoThreadAborts) {
    asio::io_context io;
    Pool pool({io.get_executor()}, Config{});
    EXPECT_DEATH((void)pool.local(), "outside an I/O thread");
}

}  // namespace
}  // namespace bank::redis
