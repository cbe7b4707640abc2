#include "bank/async/io_pool.hpp"

#include "bank/core/check.hpp"

namespace bank::async {

namespace {
thread_local int tls_thread_index = -1;
}

int this_thread_index() { return tls_thread_index; }

IoPool::IoPool(std::size_t thread_count) {
    BANK_CHECK(thread_count > 0, "an IoPool needs at least one thread");
    for (std::size_t i = 0; i < thread_count; ++i) {
        // concurrency_hint 1: each context is driven by exactly one thread, so Asio can skip
        // internal locking.
        contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
        guards_.emplace_back(std::in_place, contexts_.back()->get_executor());
    }
}

IoPool::~IoPool() { force_stop_and_join(); }

boost::asio::any_io_executor IoPool::next_executor() {
    // Only the acceptor's thread calls this, so a plain counter is enough.
    const std::size_t index = next_++ % contexts_.size();
    return contexts_[index]->get_executor();
}

void IoPool::start() {
    BANK_CHECK(threads_.empty(), "IoPool started twice");
    for (std::size_t i = 0; i < contexts_.size(); ++i) {
        threads_.emplace_back([this, i] {
            tls_thread_index = static_cast<int>(i);
            contexts_[i]->run();
        });
    }
}

void IoPool::stop_and_join() {
    for (auto& guard : guards_) guard.reset();
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

void IoPool::force_stop_and_join() {
    for (auto& guard : guards_) guard.reset();
    for (auto& context : contexts_) context->stop();
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

}  // namespace bank::async
