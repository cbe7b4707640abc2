#include "logic/transactions_logic.hpp"

#include <openssl/rand.h>

#include <array>
#include <boost/json/monotonic_resource.hpp>
#include <cassert>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <span>

#include "bank/identity/rules.hpp"
#include "bank/jwt/base64url.hpp"
#include "bank/money/money.hpp"
#include "storage/ledger_script.hpp"

namespace bank::transactions {

namespace asio = boost::asio;

namespace {

// A position in the user's history (HistoryPage). Cursors of the earlier layout ("seq:", a ledger
// sequence) are refused as not issued here rather than read as positions.
constexpr std::string_view kCursorPrefix = "pos:";
// Transaction ids are UUIDs (36 characters); anything longer is not worth a Redis call.
constexpr std::size_t kMaxTransactionIdLength = 64;

std::string amount_text(std::int64_t amount_minor) {
    return money::format(money::Money::from_minor(amount_minor));
}

// An arena for one response body: its first block fits a receipt or a transaction; a history
// page grows it a few times.
boost::json::storage_ptr response_arena() {
    return boost::json::make_shared_resource<boost::json::monotonic_resource>(1024);
}

// An entry built in `storage`: a history page's arena, or its own.
boost::json::object entry_json(const Entry& entry, boost::json::storage_ptr storage) {
    boost::json::object body(std::move(storage));
    body["transaction_id"] = entry.transaction_id;
    body["type"] = entry.type;
    body["amount"] = amount_text(entry.amount_minor);
    body["amount_minor"] = entry.amount_minor;
    body["direction"] = entry.credit ? "credit" : "debit";
    if (entry.counterparty_username) {
        body["counterparty_username"] = *entry.counterparty_username;
    } else {
        body["counterparty_username"] = nullptr;
    }
    body["balance_after"] = amount_text(entry.balance_after_minor);
    body["balance_after_minor"] = entry.balance_after_minor;
    body["created_at"] = iso8601(entry.created_at_s);
    return body;
}

Error not_found() {
    return make_error(ErrorCode::kNotFound, "transaction_not_found", "No such transaction");
}

}  // namespace

std::string request_fingerprint(PostingType type, std::int64_t amount_minor,
                                const std::optional<ReceiverRef>& receiver) {
    std::string canonical = "v1|";
    canonical += posting_type_name(type);
    canonical += '|';
    canonical += std::to_string(amount_minor);
    canonical += '|';
    if (receiver) {
        if (receiver->kind == ReceiverKind::kUsername) {
            canonical += "username:";
            canonical += identity::canonical_username(receiver->value);
        } else {
            canonical += "account_number:";
            canonical += receiver->value;
        }
    }
    return sha256_hex(canonical);
}

Status validate_idempotency_key(std::string_view key) {
    if (key.empty() || key.size() > kMaxIdempotencyKeyLength) {
        return validation_error("Idempotency-Key", "must be 1 to 255 characters");
    }
    for (const char c : key) {
        if (c < 0x21 || c > 0x7E) {
            return validation_error("Idempotency-Key",
                                    "must contain only printable ASCII characters without spaces");
        }
    }
    return ok_status();
}

std::string encode_cursor(std::int64_t position) {
    std::string text(kCursorPrefix);
    text += std::to_string(position);
    return jwt::base64url_encode(text);
}

Result<std::int64_t> decode_cursor(std::string_view cursor) {
    Error invalid = validation_error("cursor", "is not a cursor this endpoint issued");
    if (cursor.empty() || cursor.size() > 64) return invalid;
    auto text = jwt::base64url_decode(cursor);
    if (!text.ok() || !text->starts_with(kCursorPrefix)) return invalid;
    const std::string_view digits = std::string_view(*text).substr(kCursorPrefix.size());
    std::int64_t position = 0;
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), position);
    if (error != std::errc() || end != digits.data() + digits.size() || position <= 0) {
        return invalid;
    }
    // Only the exact text encode_cursor makes: no leading zeros, no alternative encodings.
    if (encode_cursor(position) != cursor) return invalid;
    return position;
}

Result<std::size_t> parse_limit(const std::optional<std::string>& text) {
    if (!text) return kDefaultPageSize;
    Error invalid = validation_error("limit", "must be an integer from 1 to 100");
    if (text->empty() || text->size() > 3) return invalid;
    std::size_t limit = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (error != std::errc() || end != text->data() + text->size()) return invalid;
    if (limit < 1 || limit > kMaxPageSize) return invalid;
    return limit;
}

namespace {

// Bytes from OpenSSL's CSPRNG, drawn 4 KiB at a time per thread: a RAND_bytes call costs a DRBG
// round (about 7,600 instructions under callgrind, as much as a fifth of a transfer's own work
// besides I/O), so one call now serves 256 ids. Each byte is handed out once and wiped.
void random_bytes(std::span<unsigned char> out) {
    thread_local std::array<unsigned char, 4096> pool{};
    thread_local std::size_t used = pool.size();
    assert(out.size() <= pool.size());
    if (pool.size() - used < out.size()) {
        // A failing CSPRNG must not hand out guessable or repeated transaction ids.
        if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1) std::abort();
        used = 0;
    }
    std::memcpy(out.data(), pool.data() + used, out.size());
    std::memset(pool.data() + used, 0, out.size());
    used += out.size();
}

}  // namespace

std::string random_uuid() {
    std::array<unsigned char, 16> bytes{};
    random_bytes(bytes);
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0Fu) | 0x40u);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3Fu) | 0x80u);  // RFC 4122 variant
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string text;
    text.reserve(36);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
        text.push_back(kHex[bytes[i] >> 4u]);
        text.push_back(kHex[bytes[i] & 0x0Fu]);
    }
    return text;
}

TransactionsLogic::TransactionsLogic(Ledger& ledger, TransactionStore& store, Settings settings,
                                     Clock clock, IdSource ids)
    : ledger_(ledger),
      store_(store),
      settings_(settings),
      clock_(std::move(clock)),
      ids_(std::move(ids)) {
    if (!clock_) clock_ = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
    if (!ids_) ids_ = [] { return random_uuid(); };
}

asio::awaitable<Result<Receipt>> TransactionsLogic::move(Movement movement) {
    if (!movement.idempotency_key) {
        // The fingerprint only tells a retry from a different request under the same key.
        const std::string no_fingerprint;
        const std::string no_key;
        co_return co_await post(movement, no_fingerprint, no_key);
    }
    const std::string fingerprint =
        request_fingerprint(movement.type, movement.amount_minor, movement.receiver);
    const std::string key_sha256 = sha256_hex(*movement.idempotency_key);
    auto start =
        co_await store_.begin_request(movement.user_id, key_sha256, settings_.inflight_timeout_ms);
    if (!start.ok()) co_return start.error();
    if (*start == RequestStart::kBusy) {
        co_return make_error(ErrorCode::kAborted, "request_in_progress",
                             "A request with this Idempotency-Key is still being processed");
    }
    auto result = co_await post(movement, fingerprint, key_sha256);
    if (*start == RequestStart::kAcquired) {
        // A marker left behind (Redis unreachable now) expires by itself after the timeout.
        auto ended = co_await store_.end_request(movement.user_id, key_sha256);
        static_cast<void>(ended);
    }
    co_return result;
}

asio::awaitable<Result<Receipt>> TransactionsLogic::post(const Movement& movement,
                                                         const std::string& fingerprint,
                                                         const std::string& key_sha256) {
    PostingRequest request;
    request.type = movement.type;
    request.user_id = movement.user_id;
    request.amount_minor = movement.amount_minor;
    request.transaction_id = ids_();
    request.created_at_s = clock_();
    request.idempotency_key_sha256 = key_sha256;
    request.request_fingerprint = fingerprint;
    request.idempotency_ttl_s = settings_.idempotency_ttl_s;
    request.stream_maxlen = settings_.events_maxlen;

    if (movement.type == PostingType::kTransfer) {
        if (!movement.receiver) {
            co_return make_error(ErrorCode::kInternal, "internal_error",
                                 "a transfer without a receiver reached the logic");
        }
        // The ledger resolves the receiver in the step that pays it (storage/ledger.hpp).
        request.receiver_kind = movement.receiver->kind;
        request.receiver = request.receiver_kind == ReceiverKind::kUsername
                               ? identity::canonical_username(movement.receiver->value)
                               : movement.receiver->value;
    }

    auto posted = co_await ledger_.post(request);
    if (!posted.ok()) co_return posted.error();

    Receipt receipt;
    receipt.transaction_id = posted->transaction_id;
    receipt.user_id = movement.user_id;
    receipt.username = movement.username;
    receipt.balance_after_minor = posted->balance_after_minor;
    receipt.replay = posted->replay;
    if (!posted->replay) {
        receipt.type = std::string(posting_type_name(movement.type));
        receipt.amount_minor = movement.amount_minor;
        receipt.created_at_s = request.created_at_s;
        receipt.receiver_username = std::move(posted->counterparty_username);
        co_return receipt;
    }
    // A replay: the first answer, rebuilt from the journal record of the first posting.
    const std::string first_id = posted->transaction_id;
    auto first = co_await store_.find(movement.user_id, first_id);
    if (!first.ok()) co_return first.error();
    if (!*first) {
        co_return make_error(ErrorCode::kInternal, "storage_error",
                             "the idempotency record names a transaction that does not exist");
    }
    receipt.type = (*first)->type;
    receipt.amount_minor = (*first)->amount_minor;
    receipt.created_at_s = (*first)->created_at_s;
    if (receipt.type == "transfer") receipt.receiver_username = (*first)->counterparty_username;
    co_return receipt;
}

asio::awaitable<Result<std::int64_t>> TransactionsLogic::balance(std::string user_id) {
    co_return co_await store_.balance(user_id);
}

asio::awaitable<Result<History>> TransactionsLogic::history(std::string user_id, std::size_t limit,
                                                            std::optional<std::int64_t> cursor) {
    auto page = co_await store_.history(user_id, cursor, limit);
    if (!page.ok()) co_return page.error();
    History history;
    history.entries = std::move(page->entries);
    if (page->next_before) history.next_cursor = encode_cursor(*page->next_before);
    co_return history;
}

asio::awaitable<Result<Entry>> TransactionsLogic::transaction(std::string user_id,
                                                              std::string transaction_id) {
    if (transaction_id.empty() || transaction_id.size() > kMaxTransactionIdLength) {
        co_return not_found();
    }
    auto entry = co_await store_.find(user_id, transaction_id);
    if (!entry.ok()) co_return entry.error();
    if (!*entry) co_return not_found();
    co_return std::move(**entry);
}

boost::json::object to_json(const Receipt& receipt) {
    boost::json::object body(response_arena());
    body.reserve(12);  // every field below; growing the table would rehash it twice
    body["transaction_id"] = receipt.transaction_id;
    body["type"] = receipt.type;
    body["amount"] = amount_text(receipt.amount_minor);
    body["amount_minor"] = receipt.amount_minor;
    body["balance"] = amount_text(receipt.balance_after_minor);
    body["balance_minor"] = receipt.balance_after_minor;
    body["user_id"] = receipt.user_id;
    body["username"] = receipt.username;
    body["created_at"] = iso8601(receipt.created_at_s);
    if (receipt.type == "deposit") {
        body["message"] = "Deposit successful";
    } else if (receipt.type == "withdrawal") {
        body["message"] = "Withdrawal successful";
    } else {
        body["message"] = "Transfer successful";
        body["receiver_username"] = receipt.receiver_username.value_or("");
    }
    return body;
}

boost::json::object to_json(const Entry& entry) { return entry_json(entry, response_arena()); }

boost::json::object to_json(const History& history) {
    const boost::json::storage_ptr arena =
        boost::json::make_shared_resource<boost::json::monotonic_resource>(4096);
    boost::json::array items(arena);
    items.reserve(history.entries.size());
    for (const auto& entry : history.entries) items.push_back(entry_json(entry, arena));
    boost::json::object body(arena);
    body["items"] = std::move(items);
    if (history.next_cursor) {
        body["next_cursor"] = *history.next_cursor;
    } else {
        body["next_cursor"] = nullptr;
    }
    return body;
}

boost::json::object balance_json(std::int64_t balance_minor) {
    boost::json::object body;
    body["balance"] = amount_text(balance_minor);
    body["balance_minor"] = balance_minor;
    body["currency"] = std::string(money::kCurrencyCode);
    return body;
}

}  // namespace bank::transactions
