// Proves that IoPool threads know their index, that WorkerPool runs work off the I/O thread and
// resumes the caller on its own thread, and that WorkerPool refuses work past its bound.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "bank/async/io_pool.hpp"
#include "bank/async/worker_pool.hpp"

namespace bank::async {
namespace {

TEST(IoPool, ThreadsKnowTheirIndex) {
    IoPool pool(2);
    pool.start();
    std::promise<int> first;
    std::promise<int> second;
    boost::asio::post(pool.executor(0), [&] { first.set_value(this_thread_index()); });
    boost::asio::post(pool.executor(1), [&] { second.set_value(this_thread_index()); });
    EXPECT_EQ(first.get_future().get(), 0);
    EXPECT_EQ(second.get_future().get(), 1);
    EXPECT_EQ(this_thread_index(), -1);
    pool.force_stop_and_join();
}

TEST(WorkerPool, RunsOffThreadAndResumesOnCaller) {
    boost::asio::io_context io;
    WorkerPool workers(1, 4);
    std::thread::id io_thread = std::this_thread::get_id();
    std::thread::id worker_thread;
    std::thread::id resumed_thread;
    int value = 0;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            auto job = [&] {
                worker_thread = std::this_thread::get_id();
                return 42;
            };
            auto result = co_await workers.run(std::move(job));
            resumed_thread = std::this_thread::get_id();
            value = result.ok() ? *result : -1;
        },
        boost::asio::detached);
    io.run();
    EXPECT_EQ(value, 42);
    EXPECT_NE(worker_thread, io_thread);
    EXPECT_EQ(resumed_thread, io_thread);
}

TEST(WorkerPool, RefusesPastItsBound) {
    boost::asio::io_context io;
    WorkerPool workers(1, 2);
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    int refused = 0;
    int done = 0;
    for (int i = 0; i < 3; ++i) {
        boost::asio::co_spawn(
            io,
            [&]() -> boost::asio::awaitable<void> {
                auto job = [released] {
                    released.wait();
                    return 1;
                };
                auto result = co_await workers.run(std::move(job));
                if (result.ok()) {
                    ++done;
                } else {
                    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
                    ++refused;
                    release.set_value();
                }
            },
            boost::asio::detached);
    }
    io.run();
    EXPECT_EQ(refused, 1);
    EXPECT_EQ(done, 2);
}

}  // namespace
}  // namespace bank::async
