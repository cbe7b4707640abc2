#pragma once
// A fixed set of I/O threads, each running its own io_context (one thread per context). Keeping a
// connection, its Redis client and its timers on one thread means no locks on the request path:
// everything a request touches, except the worker pool, lives on the thread that accepted it.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace bank::async {

class IoPool {
  public:
    explicit IoPool(std::size_t thread_count);
    ~IoPool();
    IoPool(const IoPool&) = delete;
    IoPool& operator=(const IoPool&) = delete;

    [[nodiscard]] std::size_t size() const { return contexts_.size(); }
    boost::asio::io_context& context(std::size_t index) { return *contexts_.at(index); }
    boost::asio::any_io_executor executor(std::size_t index) {
        return contexts_.at(index)->get_executor();
    }
    // Round-robin choice for a newly accepted connection.
    boost::asio::any_io_executor next_executor();

    // Starts one thread per context. Each thread records its index (see this_thread_index()).
    void start();
    // Lets the contexts run out of work and joins the threads; idempotent.
    void stop_and_join();
    // Stops the contexts at once (pending handlers are dropped) and joins.
    void force_stop_and_join();

  private:
    using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::vector<std::optional<Guard>> guards_;
    std::vector<std::thread> threads_;
    std::size_t next_ = 0;
};

// Index of the calling IoPool thread, or -1 when called from any other thread. Per-thread
// resources (a Redis connection per I/O thread) are looked up with it.
[[nodiscard]] int this_thread_index();

}  // namespace bank::async
