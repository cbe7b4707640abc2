#pragma once
// A bounded pool for blocking work (argon2id hashing takes tens of milliseconds of CPU), so that
// I/O threads never block. The bound is on jobs queued or running: past it, run() refuses at once
// with ResourceExhausted rather than letting latency grow without limit.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "bank/core/result.hpp"

namespace bank::async {

class WorkerPool {
  public:
    WorkerPool(std::size_t thread_count, std::size_t max_jobs)
        : guard_(pool_.get_executor()), thread_count_(thread_count), max_jobs_(max_jobs) {
        for (std::size_t i = 0; i < thread_count; ++i) {
            threads_.emplace_back([this] { pool_.run(); });
        }
    }
    ~WorkerPool() { join(); }
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    [[nodiscard]] std::size_t thread_count() const { return thread_count_; }
    [[nodiscard]] std::size_t jobs() const { return jobs_.load(std::memory_order_relaxed); }

    // Runs `function` on a worker thread and resumes the caller on its own executor with the
    // value. `function` must not throw (it returns a Result or a plain value).
    template <typename Function>
    auto run(Function function) -> boost::asio::awaitable<Result<std::invoke_result_t<Function>>> {
        using Value = std::invoke_result_t<Function>;
        if (jobs_.fetch_add(1, std::memory_order_relaxed) >= max_jobs_) {
            jobs_.fetch_sub(1, std::memory_order_relaxed);
            co_return make_error(ErrorCode::kUnavailable, "server_busy",
                                 "The server is busy; retry shortly");
        }
        struct Release {
            std::atomic<std::size_t>& jobs;
            ~Release() { jobs.fetch_sub(1, std::memory_order_relaxed); }
        } release{jobs_};
        // co_spawn onto the pool and await: the completion is delivered back on the caller's
        // executor, so the caller's coroutine never continues on a worker thread.
        // (std::optional because co_spawn needs a default-constructible result type.)
        std::optional<Value> value = co_await boost::asio::co_spawn(
            pool_.get_executor(),
            [&function]() -> boost::asio::awaitable<std::optional<Value>> {
                co_return std::optional<Value>(function());
            },
            boost::asio::use_awaitable);
        co_return Result<Value>(std::move(*value));
    }

    // Finishes the queued jobs and joins the threads; idempotent.
    void join() {
        guard_.reset();
        for (auto& thread : threads_) {
            if (thread.joinable()) thread.join();
        }
    }

  private:
    boost::asio::io_context pool_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::vector<std::thread> threads_;
    std::size_t thread_count_;
    std::size_t max_jobs_;
    std::atomic<std::size_t> jobs_{0};
};

}  // namespace bank::async
