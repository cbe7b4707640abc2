#pragma once
// Runs a coroutine to completion from test code and returns its value. std::promise (unlike
// asio::use_future) needs no default-constructible result, so Result<T> works.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <future>

namespace bank::testing {

// On an executor whose thread is already running (e.g. an IoPool thread); blocks the caller.
template <typename T, typename Executor>
T run_on(const Executor& executor, boost::asio::awaitable<T> task) {
    std::promise<T> promise;
    boost::asio::co_spawn(
        executor,
        [&promise, task = std::move(task)]() mutable -> boost::asio::awaitable<void> {
            promise.set_value(co_await std::move(task));
        },
        boost::asio::detached);
    return promise.get_future().get();
}

// On a private io_context run by the calling thread.
template <typename T>
T run(boost::asio::awaitable<T> task) {
    boost::asio::io_context io;
    std::promise<T> promise;
    boost::asio::co_spawn(
        io,
        [&promise, task = std::move(task)]() mutable -> boost::asio::awaitable<void> {
            promise.set_value(co_await std::move(task));
        },
        boost::asio::detached);
    io.run();
    return promise.get_future().get();
}

}  // namespace bank::testing
