#pragma once
// The ledger's atomic step as one Lua script, and the Redis key names it works on:
//   ledger:balance:<user_id>   integer minor units, absent = 0 (the accounts service reads it)
//   ledger:balance:@cash       the bank's cash account: minus every deposit, plus every
//                              withdrawal, so the sum of all balances is always exactly 0
//   ledger:tx:<transaction_id> hash: the journal record of one posting
//   ledger:history:<user_id>   list: the ids of the postings the user is a party to, oldest
//                              first (in ledger:seq order: each is appended in its posting)
//   ledger:seq                 integer: global posting sequence (INCR)
//   ledger:idem:<user_id>:<sha256 hex of the idempotency key>  JSON result, expires
//   ledger:events              stream: one entry per committed posting
// docs/ledger.md describes the script step by step.

#include <cstdint>
#include <string>
#include <string_view>

#include "bank/crypto/sha256.hpp"
#include "bank/redis/script.hpp"

namespace bank::transactions {

// Not a user id: user ids are UUIDs, so "@" can never collide with one.
inline constexpr std::string_view kCashAccount = "@cash";

// The ledger script writes a record's entries as JSON text around the account ids, so the cash
// account's id must need no escaping (user ids are checked by the script).
constexpr bool needs_no_json_escaping(std::string_view id) {
    for (const char c : id) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '@';
        if (!plain) return false;
    }
    return !id.empty();
}
static_assert(needs_no_json_escaping(kCashAccount));
// Lua 5.1 numbers are doubles, exact for integers up to 2^53 - 1; no balance may exceed it.
inline constexpr std::int64_t kMaxSafeBalanceMinor = 9007199254740991;

[[nodiscard]] const redis::Script& ledger_script();

[[nodiscard]] std::string balance_key(std::string_view account_id);
[[nodiscard]] std::string history_key(std::string_view user_id);
[[nodiscard]] std::string transaction_key(std::string_view transaction_id);
[[nodiscard]] std::string account_key(std::string_view user_id);
// The ledger's one hash (idempotency keys, request fingerprints): SHA-256, lower-case hex.
using crypto::sha256_hex;
// The idempotency record of `user_id` for the Idempotency-Key whose SHA-256 hex is given.
[[nodiscard]] std::string idempotency_key(std::string_view user_id, std::string_view key_sha256);
inline constexpr std::string_view kSequenceKey = "ledger:seq";
inline constexpr std::string_view kEventsKey = "ledger:events";

}  // namespace bank::transactions
