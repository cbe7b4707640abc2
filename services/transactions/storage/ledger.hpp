#pragma once
// The ledger's one write: post a deposit, withdrawal or transfer atomically. Amounts arrive
// already validated (positive minor units within the request limit); the ledger decides what
// depends on state: who the receiver is, funds, balance caps and idempotent replays. A transfer
// names its receiver as the client did (canonical username or account number) and the ledger
// resolves it in the same atomic step that moves the money: one round trip to the store, and no
// window between finding the receiver and paying it.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"

namespace bank::transactions {

enum class PostingType { kDeposit, kWithdrawal, kTransfer };

// How a transfer names its receiver: the accounts service's two indexes.
enum class ReceiverKind { kUsername, kAccountNumber };

// The type's name as the ledger records it and the API shows it ("deposit", "withdrawal",
// "transfer").
[[nodiscard]] std::string_view posting_type_name(PostingType type);

struct PostingRequest {
    PostingType type = PostingType::kDeposit;
    std::string user_id;  // the acting, authenticated user
    // Transfers only: the receiver as a canonical (lower-case) username or an account number.
    ReceiverKind receiver_kind = ReceiverKind::kUsername;
    std::string receiver;
    std::int64_t amount_minor = 0;
    // The highest balance the receiving customer may reach; the script never allows more than
    // 2^53 - 1 either way (see ledger_script.cpp).
    std::optional<std::int64_t> max_balance_minor;
    std::string transaction_id;  // a UUID chosen by the caller
    std::int64_t created_at_s = 0;
    // SHA-256 hex of the Idempotency-Key (the logic hashed it already); empty: not idempotent.
    std::string idempotency_key_sha256;
    std::string request_fingerprint;  // sha256 hex of the canonical request; idempotent only
    std::int64_t idempotency_ttl_s = 86400;
    std::int64_t stream_maxlen = 100000;
};

struct Posting {
    std::string transaction_id;
    std::int64_t balance_after_minor = 0;                          // the acting user's balance
    std::optional<std::int64_t> counterparty_balance_after_minor;  // transfers only
    std::optional<std::string> counterparty_username;              // transfers that moved money now
    std::int64_t sequence = 0;  // ledger:seq value; orders history across all accounts
    bool replay = false;        // true: an earlier posting returned again, no money moved
};

// Errors: kFailedPrecondition insufficient_funds / self_transfer, kNotFound receiver_not_found
// (no such username or account number),
// kUnprocessable idempotency_key_reused / invalid_amount, kUnavailable when Redis is unreachable,
// kInternal for anything the script should never answer.
class Ledger {
  public:
    virtual ~Ledger() = default;
    [[nodiscard]] virtual boost::asio::awaitable<Result<Posting>> post(
        const PostingRequest& request) = 0;
};

}  // namespace bank::transactions
