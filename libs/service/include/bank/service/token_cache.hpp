#pragma once
// A bounded cache of access tokens that already passed verification, so a client that sends the
// same token on every request pays the RSA signature check once, not on every request (it was a
// fifth of the transactions service's CPU per transfer).
//
// What it changes, and what it does not: an entry answers only for the exact token that was
// verified (keyed by the SHA-256 of the token's text, so the cache holds no bearer credential),
// and only until that token's own `exp`. Access tokens are not revocable before `exp` anyway
// (they are verified locally, without a call to auth; see README "Rules worth knowing"), so a
// cached token is accepted exactly as long as the verifier would accept it; after `exp` the entry
// is dropped and the token goes back to the verifier, which also applies the clock-skew leeway.
// Only successes are stored: a bad token is checked (and refused) every time.
//
// Bound: at most `capacity` entries; when full, the oldest inserted entry makes room (all tokens
// live equally long, so the oldest is the nearest to expiry). Thread-safe: one mutex around a
// hash map lookup, shared by the I/O threads.

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bank/crypto/sha256.hpp"

namespace bank::service {

struct Caller {
    std::string user_id;   // the token's "sub"
    std::string username;  // the token's "name"
};

class TokenCache {
  public:
    using Digest = crypto::Sha256Digest;

    struct Stats {
        std::uint64_t hits = 0;
        std::uint64_t misses = 0;
        std::uint64_t evictions = 0;
        std::size_t entries = 0;
    };

    // capacity 0 disables the cache: find() always misses and insert() stores nothing.
    explicit TokenCache(std::size_t capacity);

    // The caller of a token stored earlier whose `exp` is still >= now_s; nullopt otherwise (an
    // expired entry is removed).
    [[nodiscard]] std::optional<Caller> find(std::string_view token, std::int64_t now_s);
    // Stores a token that verified, valid until its `exp_s`.
    void insert(std::string_view token, const Caller& caller, std::int64_t exp_s);

    [[nodiscard]] Stats stats() const;
    [[nodiscard]] std::size_t capacity() const { return capacity_; }

    [[nodiscard]] static Digest digest(std::string_view token);

  private:
    struct DigestHash {
        // The digest is uniformly random: its first bytes are a hash already.
        std::size_t operator()(const Digest& digest) const noexcept;
    };
    struct Entry {
        Caller caller;
        std::int64_t exp_s = 0;
        std::size_t slot = 0;  // where its key sits in `order_`
    };

    void erase_slot(std::size_t slot);

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_map<Digest, Entry, DigestHash> entries_;
    // Insertion order as a ring: order_[next_] is the oldest slot once the ring is full.
    std::vector<std::optional<Digest>> order_;
    std::size_t next_ = 0;
    Stats stats_;
};

}  // namespace bank::service
