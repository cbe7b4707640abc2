#pragma once
// The ledger's one write: post a deposit, withdrawal or transfer atomically. Amounts arrive
// already validated (positive minor units within the request limit); the ledger decides what
// depends on state: funds, the receiver's existence, balance caps and idempotent replays.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"

namespace bank::transactions {

enum class PostingType { kDeposit, kWithdrawal, kTransfer };

// The type's name as the ledger records it and the API shows it ("deposit", "withdrawal",
// "transfer").
[[nodiscard]] std::string_view posting_type_name(PostingType type);

struct PostingRequest {
    PostingType type = PostingType::kDeposit;
    std::string user_id;          // the acting, authenticated user
    std::string counterparty_id;  // the receiver of a transfer; empty otherwise
    std::int64_t amount_minor = 0;
    // The highest balance the receiving customer may reach; the script never allows more than
    // 2^53 - 1 either way (see ledger_script.cpp).
    std::optional<std::int64_t> max_balance_minor;
    std::string transaction_id;  // a UUID chosen by the caller
    std::int64_t created_at_s = 0;
    std::string idempotency_key;      // empty: not idempotent
    std::string request_fingerprint;  // sha256 hex of the canonical request
    std::int64_t idempotency_ttl_s = 86400;
    std::int64_t stream_maxlen = 100000;
};

struct Posting {
    std::string transaction_id;
    std::int64_t balance_after_minor = 0;                          // the acting user's balance
    std::optional<std::int64_t> counterparty_balance_after_minor;  // transfers only
    std::int64_t sequence = 0;  // ledger:seq value; orders history across all accounts
    bool replay = false;        // true: an earlier posting returned again, no money moved
};

// Errors: kFailedPrecondition insufficient_funds / self_transfer, kNotFound receiver_not_found,
// kUnprocessable idempotency_key_reused / invalid_amount, kUnavailable when Redis is unreachable,
// kInternal for anything the script should never answer.
class Ledger {
  public:
    virtual ~Ledger() = default;
    [[nodiscard]] virtual boost::asio::awaitable<Result<Posting>> post(
        const PostingRequest& request) = 0;
};

}  // namespace bank::transactions
