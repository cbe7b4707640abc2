#include "bank/testing/connected_redis.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace bank::testing {

namespace {

// A free function, not a lambda: the arguments live in the coroutine frame itself.
boost::asio::awaitable<Result<redis::Reply>> send(redis::Client& client,
                                                  std::vector<std::string> args) {
    co_return co_await client.command(std::span<const std::string>(args));
}

}  // namespace

ConnectedRedis::ConnectedRedis() {
    auto config = redis::parse_url(server_.url());
    if (!config.ok()) throw std::runtime_error("bad test redis url: " + config.error().detail);
    pool_ = std::make_unique<redis::Pool>(
        std::vector<boost::asio::any_io_executor>{io_.executor(0)}, *config);
}

ConnectedRedis::~ConnectedRedis() {
    if (started_) pool_->stop();
    io_.force_stop_and_join();
}

bool ConnectedRedis::start() {
    pool_->start();
    io_.start();
    started_ = true;
    for (int i = 0; i < 250 && !pool_->any_connected(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pool_->any_connected();
}

Result<redis::Reply> ConnectedRedis::command(std::vector<std::string> args) {
    return run(send(pool_->at(0), std::move(args)));
}

}  // namespace bank::testing
