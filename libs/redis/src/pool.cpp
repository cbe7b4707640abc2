#include "bank/redis/pool.hpp"

#include <utility>

#include "bank/async/io_pool.hpp"
#include "bank/core/check.hpp"

namespace bank::redis {

Pool::Pool(std::vector<boost::asio::any_io_executor> executors, Config config) {
    BANK_CHECK(!executors.empty(), "a Redis Pool needs at least one executor");
    clients_.reserve(executors.size());
    for (auto& executor : executors) {
        clients_.push_back(std::make_unique<Client>(std::move(executor), config));
    }
}

void Pool::register_script(const Script& script) {
    for (auto& client : clients_) client->register_script(script);
}

void Pool::start() {
    for (auto& client : clients_) client->start();
}

void Pool::stop() {
    for (auto& client : clients_) client->stop();
}

Client& Pool::local() {
    const int index = async::this_thread_index();
    BANK_CHECK(index >= 0, "Pool::local() called outside an I/O thread");
    BANK_CHECK(static_cast<std::size_t>(index) < clients_.size(),
               "Pool::local() called on an I/O thread the pool has no client for");
    return *clients_[static_cast<std::size_t>(index)];
}

Client& Pool::at(std::size_t index) {
    BANK_CHECK(index < clients_.size(), "Pool::at() index out of range");
    return *clients_[index];
}

bool Pool::any_connected() const {
    for (const auto& client : clients_) {
        if (client->connected()) return true;
    }
    return false;
}

}  // namespace bank::redis
