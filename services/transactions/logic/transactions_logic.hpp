#pragma once
// What the transactions service decides: how a validated movement becomes one ledger posting
// (the receiver named canonically for the ledger to resolve, a fresh transaction id, idempotent
// retries replayed with the first answer and concurrent ones refused with 409), who may read which
// transaction (only its parties; anyone else gets the same 404 as for an unknown id), and how
// history pages are cut with a cursor that new postings never shift. Storage is behind interfaces;
// time and ids are injected.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "bank/core/clock.hpp"
#include "bank/core/result.hpp"
#include "storage/ledger.hpp"
#include "storage/transaction_store.hpp"

namespace bank::transactions {

inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;
inline constexpr std::size_t kDefaultPageSize = 20;
inline constexpr std::size_t kMaxPageSize = 100;

struct ReceiverRef {
    ReceiverKind kind = ReceiverKind::kUsername;
    std::string value;  // as the client sent it
};

struct Movement {
    PostingType type = PostingType::kDeposit;
    std::string user_id;   // the token's subject
    std::string username;  // the token's name
    std::int64_t amount_minor = 0;
    std::optional<ReceiverRef> receiver;         // transfers only
    std::optional<std::string> idempotency_key;  // already validated
};

// The answer to a movement; a replay carries the first answer's values.
struct Receipt {
    std::string transaction_id;
    std::string type;
    std::int64_t amount_minor = 0;
    std::int64_t balance_after_minor = 0;
    std::string user_id;
    std::string username;
    std::int64_t created_at_s = 0;
    std::optional<std::string> receiver_username;  // transfers only
    bool replay = false;
};

struct History {
    std::vector<Entry> entries;
    std::optional<std::string> next_cursor;
};

struct Settings {
    std::int64_t idempotency_ttl_s = 86400;
    std::int64_t events_maxlen = 100000;
    // How long a crashed request's in-flight marker can block retries with its key.
    std::int64_t inflight_timeout_ms = 30'000;
};

class TransactionsLogic {
  public:
    using Clock = std::function<std::int64_t()>;    // Unix seconds
    using IdSource = std::function<std::string()>;  // a fresh UUID

    TransactionsLogic(Ledger& ledger, TransactionStore& store, Settings settings = {},
                      Clock clock = {}, IdSource ids = {});

    boost::asio::awaitable<Result<Receipt>> move(Movement movement);
    boost::asio::awaitable<Result<std::int64_t>> balance(std::string user_id);
    // `cursor` is a next_cursor this service issued (already decoded), or nullopt.
    boost::asio::awaitable<Result<History>> history(std::string user_id, std::size_t limit,
                                                    std::optional<std::int64_t> cursor);
    boost::asio::awaitable<Result<Entry>> transaction(std::string user_id,
                                                      std::string transaction_id);

  private:
    boost::asio::awaitable<Result<Receipt>> post(const Movement& movement,
                                                 const std::string& fingerprint,
                                                 const std::string& key_sha256);

    Ledger& ledger_;
    TransactionStore& store_;
    Settings settings_;
    Clock clock_;
    IdSource ids_;
};

// sha256 hex of "v1|<type>|<amount_minor>|<receiver kind>:<canonical receiver>", so the same
// key with the same request (however the JSON was spelled) matches and anything else does not.
[[nodiscard]] std::string request_fingerprint(PostingType type, std::int64_t amount_minor,
                                              const std::optional<ReceiverRef>& receiver);

// 1-255 printable ASCII characters without spaces (0x21-0x7E); else validation_failed on the
// field "Idempotency-Key".
[[nodiscard]] Status validate_idempotency_key(std::string_view key);

// The history cursor: base64url of "pos:<n>", n the position bound of the next page
// (HistoryPage::next_before). decode_cursor accepts only what encode_cursor produces (canonical
// text, n > 0); anything else is validation_failed on "cursor".
[[nodiscard]] std::string encode_cursor(std::int64_t position);
[[nodiscard]] Result<std::int64_t> decode_cursor(std::string_view cursor);

// The "limit" query parameter: absent means kDefaultPageSize; else digits, 1..kMaxPageSize.
[[nodiscard]] Result<std::size_t> parse_limit(const std::optional<std::string>& text);

// A random RFC 4122 version 4 UUID from OpenSSL's CSPRNG.
[[nodiscard]] std::string random_uuid();

// Response bodies. Each is built in one arena (a monotonic resource the object shares), since it
// is serialised once and dropped: its keys and strings then cost no heap allocation each.
[[nodiscard]] boost::json::object to_json(const Receipt& receipt);
[[nodiscard]] boost::json::object to_json(const Entry& entry);
[[nodiscard]] boost::json::object to_json(const History& history);
[[nodiscard]] boost::json::object balance_json(std::int64_t balance_minor);

}  // namespace bank::transactions
