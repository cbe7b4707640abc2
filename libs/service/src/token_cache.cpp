#include "bank/service/token_cache.hpp"

#include <cstring>

namespace bank::service {

TokenCache::TokenCache(std::size_t capacity) : capacity_(capacity), order_(capacity) {
    entries_.reserve(capacity);
}

std::size_t TokenCache::DigestHash::operator()(const Digest& digest) const noexcept {
    std::size_t value = 0;
    std::memcpy(&value, digest.data(), sizeof value);
    return value;
}

TokenCache::Digest TokenCache::digest(std::string_view token) { return crypto::sha256(token); }

std::optional<Caller> TokenCache::find(std::string_view token, std::int64_t now_s) {
    if (capacity_ == 0) return std::nullopt;
    const Digest key = digest(token);
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(key);
    if (found == entries_.end()) {
        ++stats_.misses;
        return std::nullopt;
    }
    if (now_s > found->second.exp_s) {
        ++stats_.misses;
        order_[found->second.slot].reset();
        entries_.erase(found);
        return std::nullopt;
    }
    ++stats_.hits;
    return found->second.caller;
}

void TokenCache::erase_slot(std::size_t slot) {
    if (!order_[slot]) return;
    entries_.erase(*order_[slot]);
    order_[slot].reset();
    ++stats_.evictions;
}

void TokenCache::insert(std::string_view token, const Caller& caller, std::int64_t exp_s) {
    if (capacity_ == 0) return;
    const Digest key = digest(token);
    const std::lock_guard lock(mutex_);
    if (const auto found = entries_.find(key); found != entries_.end()) {
        // Two threads verified the same token at once; the first one's entry stands.
        return;
    }
    erase_slot(next_);
    entries_.emplace(key, Entry{caller, exp_s, next_});
    order_[next_] = key;
    next_ = (next_ + 1) % capacity_;
}

TokenCache::Stats TokenCache::stats() const {
    const std::lock_guard lock(mutex_);
    Stats stats = stats_;
    stats.entries = entries_.size();
    return stats;
}

}  // namespace bank::service
