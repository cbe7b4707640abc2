// Proves the queue deadline of Argon2Hasher: a hash or a verification that waited in the worker
// pool's queue longer than its queue wait is answered kUnavailable (server_busy) without being
// computed, because its caller has given up by then; one that starts in time is computed by a
// real hash worker as usual.
#include "hashing/argon2_hasher.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <thread>

#include "bank/async/worker_pool.hpp"
#include "bank/testing/run.hpp"

namespace bank::auth {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr Argon2Parameters kCheap{1, 8192};
// Generous for the hash itself: the worker runs at SCHED_IDLE and may start slowly on a busy
// machine. Only the queue wait is short in these tests.
constexpr std::chrono::milliseconds kReplyTimeout{10'000};

// Occupies the pool's only thread for `busy`, then runs `task` on `io` queued behind it, and
// returns what the task gave and how long it took from being queued.
template <typename T>
std::pair<T, Clock::duration> behind_a_busy_worker(async::WorkerPool& pool, Clock::duration busy,
                                                   asio::awaitable<T> task) {
    asio::io_context io;
    auto blocker = [busy] {
        std::this_thread::sleep_for(busy);
        return 0;
    };
    asio::co_spawn(
        io, [&pool, blocker]() -> asio::awaitable<void> { (void)co_await pool.run(blocker); },
        asio::detached);
    std::optional<T> value;
    Clock::time_point started;
    Clock::duration took{};
    asio::co_spawn(
        io,
        [&, task = std::move(task)]() mutable -> asio::awaitable<void> {
            started = Clock::now();
            value.emplace(co_await std::move(task));
            took = Clock::now() - started;
        },
        asio::detached);
    io.run();
    return {std::move(*value), took};
}

TEST(Argon2HasherTest, AHashQueuedPastItsWaitIsNotComputed) {
    async::WorkerPool pool(1, 8);
    Argon2Hasher hasher(pool, kCheap, kReplyTimeout, 200ms, BANK_AUTH_EXECUTABLE);
    auto [result, took] = behind_a_busy_worker(pool, 500ms, hasher.hash("correct horse"));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(result.error().slug, "server_busy");
    EXPECT_GE(took, 450ms) << "it waited behind the busy worker";
}

TEST(Argon2HasherTest, AVerificationQueuedPastItsWaitIsNotComputed) {
    async::WorkerPool pool(1, 8);
    Argon2Hasher hasher(pool, kCheap, kReplyTimeout, 200ms, BANK_AUTH_EXECUTABLE);
    auto stored = testing::run(hasher.hash("correct horse"));
    ASSERT_TRUE(stored.ok()) << stored.error().detail;
    auto [result, took] =
        behind_a_busy_worker(pool, 500ms, hasher.verify(*stored, "correct horse"));
    ASSERT_FALSE(result.ok()) << "a match was reported for a verification that was skipped";
    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(result.error().slug, "server_busy");
}

TEST(Argon2HasherTest, AJobThatStartsInTimeIsComputed) {
    async::WorkerPool pool(1, 8);
    Argon2Hasher hasher(pool, kCheap, kReplyTimeout, 10s, BANK_AUTH_EXECUTABLE);
    auto [hash, took] = behind_a_busy_worker(pool, 300ms, hasher.hash("correct horse"));
    ASSERT_TRUE(hash.ok()) << hash.error().detail;
    EXPECT_EQ(hash->rfind("$argon2id$", 0), 0U) << *hash;
    EXPECT_GE(took, 250ms) << "it waited behind the busy worker";
    auto [right, verify_took] =
        behind_a_busy_worker(pool, 300ms, hasher.verify(*hash, "correct horse"));
    ASSERT_TRUE(right.ok()) << right.error().detail;
    EXPECT_TRUE(*right);
    auto wrong = testing::run(hasher.verify(*hash, "correct horsE"));
    ASSERT_TRUE(wrong.ok()) << wrong.error().detail;
    EXPECT_FALSE(*wrong);
}

}  // namespace
}  // namespace bank::auth
