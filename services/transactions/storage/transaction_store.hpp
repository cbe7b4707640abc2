#pragma once
// Everything the transactions service reads besides the ledger's one write: balances, history
// pages, single transactions, and the short-lived in-flight marker that turns a concurrent retry
// of an idempotent request into a 409.
// The logic sees only this interface; Redis is in redis_transaction_store.*, the double in tests/.

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bank/core/result.hpp"

namespace bank::transactions {

// One transaction as one party sees it.
struct Entry {
    std::string transaction_id;
    std::string type;  // deposit | withdrawal | transfer
    std::int64_t amount_minor = 0;
    bool credit = false;                               // money in for this party
    std::optional<std::string> counterparty_username;  // transfers only
    std::int64_t balance_after_minor = 0;              // this party's balance after it
    std::int64_t created_at_s = 0;
    std::int64_t sequence = 0;  // ledger:seq, the commit order
};

// A user's history is append-only, so an entry's position in it (0 = the oldest) never changes:
// pages are cut by position.
struct HistoryPage {
    std::vector<Entry> entries;  // newest first
    // When older entries exist: the position bound of the next page (its entries lie below it).
    std::optional<std::int64_t> next_before;
};

enum class RequestStart {
    kAcquired,  // the marker is ours: post, then end_request()
    kRecorded,  // a completed posting holds the key: post, and the ledger replays or refuses it
    kBusy,      // another request with this key is in flight
};

class TransactionStore {
  public:
    virtual ~TransactionStore() = default;
    // The ledger balance in minor units; 0 when the user never had one.
    [[nodiscard]] virtual boost::asio::awaitable<Result<std::int64_t>> balance(
        std::string_view user_id) = 0;
    // The newest `limit` entries at positions strictly below `before` (below the end when absent).
    [[nodiscard]] virtual boost::asio::awaitable<Result<HistoryPage>> history(
        std::string_view user_id, std::optional<std::int64_t> before, std::size_t limit) = 0;
    // The transaction when `user_id` is one of its parties; nullopt otherwise or when unknown.
    [[nodiscard]] virtual boost::asio::awaitable<Result<std::optional<Entry>>> find(
        std::string_view user_id, std::string_view transaction_id) = 0;
    [[nodiscard]] virtual boost::asio::awaitable<Result<RequestStart>> begin_request(
        std::string_view user_id, std::string_view key_sha256, std::int64_t timeout_ms) = 0;
    [[nodiscard]] virtual boost::asio::awaitable<Status> end_request(
        std::string_view user_id, std::string_view key_sha256) = 0;
};

}  // namespace bank::transactions
