#include "storage/redis_ledger.hpp"

#include <array>
#include <charconv>
#include <string>

#include "bank/redis/outcome.hpp"
#include "storage/ledger_script.hpp"

namespace bank::transactions {

namespace asio = boost::asio;

namespace {

Error unexpected(std::string_view what) {
    return make_error(ErrorCode::kInternal, "storage_error",
                      "unexpected reply from Redis for ledger post: " + std::string(what));
}

Result<Posting> parse_posting(const redis::Reply& reply) {
    if (!reply.is_array() || reply.elements().size() != 7) return unexpected("shape");
    const auto& values = reply.elements();
    for (const auto& value : values) {
        if (!value.is_string()) return unexpected("element type");
    }
    if (values[0].as_string() != "ok") return unexpected("status");
    Posting posting;
    posting.transaction_id = values[1].as_string();
    const auto balance = redis::parse_integer(values[2].as_string());
    const auto sequence = redis::parse_integer(values[4].as_string());
    if (!balance || !sequence) return unexpected("number");
    posting.balance_after_minor = *balance;
    posting.sequence = *sequence;
    if (!values[3].as_string().empty()) {
        posting.counterparty_balance_after_minor = redis::parse_integer(values[3].as_string());
        if (!posting.counterparty_balance_after_minor) return unexpected("number");
    }
    posting.replay = values[5].as_string() == "1";
    if (!values[6].as_string().empty()) posting.counterparty_username = values[6].as_string();
    return posting;
}

}  // namespace

std::string_view posting_type_name(PostingType type) {
    switch (type) {
        case PostingType::kDeposit:
            return "deposit";
        case PostingType::kWithdrawal:
            return "withdrawal";
        case PostingType::kTransfer:
            return "transfer";
    }
    return "unknown";
}

Error ledger_error(std::string_view reply_message) {
    std::string_view message = reply_message;
    // Redis 7.0 prefixes an error that does not start with a code of its own with "ERR ".
    if (message.starts_with("ERR ")) message.remove_prefix(4);
    const std::string_view code = message.substr(0, message.find(' '));
    if (code == "INSUFFICIENT_FUNDS") {
        return make_error(ErrorCode::kFailedPrecondition, "insufficient_funds",
                          "Insufficient funds");
    }
    if (code == "SELF_TRANSFER") {
        return make_error(ErrorCode::kFailedPrecondition, "self_transfer",
                          "You cannot transfer money to your own account");
    }
    if (code == "RECEIVER_NOT_FOUND") {
        return make_error(ErrorCode::kNotFound, "receiver_not_found",
                          "The receiving account does not exist");
    }
    if (code == "IDEMPOTENCY_KEY_REUSED") {
        return make_error(ErrorCode::kUnprocessable, "idempotency_key_reused",
                          "The idempotency key was already used for a different request");
    }
    if (code == "BALANCE_OVERFLOW") {
        return make_error(ErrorCode::kUnprocessable, "invalid_amount",
                          "The amount would take a balance above the maximum allowed");
    }
    if (code == "INVALID_AMOUNT") {
        return make_error(ErrorCode::kUnprocessable, "invalid_amount",
                          "The amount must be a positive whole number of cents");
    }
    // LOADING after a restart and the like: the script did not run, the client may retry.
    if (redis::is_transient_error(reply_message)) {
        return make_error(ErrorCode::kUnavailable, "redis_unavailable",
                          "Redis cannot run the ledger post now: " + std::string(reply_message));
    }
    // INVALID_TYPE, INVALID_SETTINGS, INVALID_RECEIVER, DUPLICATE_TRANSACTION, LEDGER_INVARIANT, or
    // Redis's own errors: all bugs or misconfiguration, never the client's fault.
    return make_error(ErrorCode::kInternal, "storage_error",
                      "Redis refused the ledger post: " + std::string(reply_message));
}

RedisLedger::RedisLedger(redis::Pool& pool) : pool_(pool) {
    pool_.register_script(ledger_script());
}

asio::awaitable<Result<Posting>> RedisLedger::post(const PostingRequest& request) {
    const bool transfer = request.type == PostingType::kTransfer;
    const bool idempotent = !request.idempotency_key_sha256.empty();
    const std::string acting_balance = balance_key(request.user_id);
    const std::string cash_balance = balance_key(kCashAccount);
    // The accounts service's index that names the receiver; the script reads it.
    std::string receiver_index;
    if (transfer) {
        receiver_index = request.receiver_kind == ReceiverKind::kUsername ? "accounts:username:"
                                                                          : "accounts:number:";
        receiver_index += request.receiver;
    }
    const std::string idem_key = idempotency_key(request.user_id, request.idempotency_key_sha256);
    const std::string tx_key = transaction_key(request.transaction_id);
    const std::string acting_history = history_key(request.user_id);
    const std::array<std::string_view, 7> keys{
        acting_balance, cash_balance, kEventsKey, idem_key, tx_key, acting_history, kSequenceKey};

    const std::string amount = std::to_string(request.amount_minor);
    const std::string max_balance =
        request.max_balance_minor ? std::to_string(*request.max_balance_minor) : std::string();
    const std::string created_at = std::to_string(request.created_at_s);
    const std::string ttl = std::to_string(request.idempotency_ttl_s);
    const std::string maxlen = std::to_string(request.stream_maxlen);
    const std::array<std::string_view, 13> args{posting_type_name(request.type),
                                                request.transaction_id,
                                                request.user_id,
                                                receiver_index,
                                                amount,
                                                max_balance,
                                                created_at,
                                                idempotent ? "1" : "0",
                                                request.request_fingerprint,
                                                ttl,
                                                maxlen,
                                                kCashAccount,
                                                request.idempotency_key_sha256};

    auto reply = co_await pool_.local().eval(ledger_script(), keys, args);
    if (!reply.ok()) co_return reply.error();
    if (reply->is_error()) co_return ledger_error(reply->error_message());
    co_return parse_posting(*reply);
}

}  // namespace bank::transactions
