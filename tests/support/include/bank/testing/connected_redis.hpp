#pragma once
// What every test of a service's Redis store needs: a redis-server of its own, one I/O thread
// and a redis::Pool connected to it. Construct the store under test on pool() (it registers
// its scripts), then call start().

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "bank/async/io_pool.hpp"
#include "bank/redis/pool.hpp"
#include "bank/testing/redis_server.hpp"
#include "bank/testing/run.hpp"

namespace bank::testing {

class ConnectedRedis {
  public:
    ConnectedRedis();
    ~ConnectedRedis();
    ConnectedRedis(const ConnectedRedis&) = delete;
    ConnectedRedis& operator=(const ConnectedRedis&) = delete;

    [[nodiscard]] redis::Pool& pool() { return *pool_; }
    [[nodiscard]] RedisServer& server() { return server_; }

    // Starts the pool and its thread; false if no connection came up within a few seconds.
    [[nodiscard]] bool start();

    // Runs a coroutine on the pool's I/O thread and waits for its value.
    template <typename T>
    T run(boost::asio::awaitable<T> task) {
        return run_on(io_.executor(0), std::move(task));
    }

    // One raw command, for a test's own setup and checks.
    Result<redis::Reply> command(std::vector<std::string> args);

  private:
    RedisServer server_;
    async::IoPool io_{1};
    std::unique_ptr<redis::Pool> pool_;
    bool started_ = false;
};

}  // namespace bank::testing
