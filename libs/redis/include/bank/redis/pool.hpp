#pragma once
// One Client per I/O thread, so a request uses the connection of the thread it runs on and never
// takes a lock. executors[i] must be the executor of IoPool thread i.

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <memory>
#include <vector>

#include "bank/redis/client.hpp"
#include "bank/redis/config.hpp"
#include "bank/redis/script.hpp"

namespace bank::redis {

class Pool {
  public:
    Pool(std::vector<boost::asio::any_io_executor> executors, Config config);
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // Call before start().
    void register_script(const Script& script);
    void start();
    // Callable from any thread: each client closes on its own executor.
    void stop();

    // The client of the calling I/O thread; aborts when called from any other thread.
    [[nodiscard]] Client& local();
    [[nodiscard]] Client& at(std::size_t index);
    [[nodiscard]] std::size_t size() const { return clients_.size(); }
    [[nodiscard]] bool any_connected() const;

  private:
    std::vector<std::unique_ptr<Client>> clients_;
};

}  // namespace bank::redis
