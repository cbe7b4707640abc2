#pragma once
// The ledger audit as a pure function: a snapshot of the ledger's keys (read from Redis by
// main.cpp, or built in memory by the tests) goes in, a report of every broken invariant comes
// out. The invariants are the ones docs/ledger.md promises: each transaction's journal sums to
// zero, each balance equals the sum of the entries that touch its account, all balances
// (customers and @cash) sum to zero, no customer balance is negative, each history entry points
// to a transaction that names that user as a party, and the event stream holds no more entries
// than there are transactions. All arithmetic is exact int64 with overflow checks.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bank::audit {

// The bank's own account: the other side of deposits and withdrawals, normally negative.
inline constexpr std::string_view kCashAccount = "@cash";

struct Entry {
    std::string account;
    std::int64_t delta_minor = 0;
};

struct Transaction {
    std::string from;
    std::string to;
    // nullopt when the hash has no parsable `entries` field: reported as a malformed record.
    std::optional<std::vector<Entry>> entries;
};

struct Snapshot {
    // Account id (the part after "ledger:balance:") -> balance in minor units.
    std::map<std::string, std::int64_t> balances;
    // Balance keys whose value is not a whole int64 (key suffix -> raw text).
    std::map<std::string, std::string> malformed_balances;
    // Transaction id (the part after "ledger:tx:") -> its journal.
    std::map<std::string, Transaction> transactions;
    // User id (the part after "ledger:history:") -> the transaction ids in the list, in order.
    std::map<std::string, std::vector<std::string>> histories;
    // XLEN ledger:events, when it was read.
    std::optional<std::int64_t> event_count;
};

enum class ViolationKind {
    kMalformedRecord,
    kUnbalancedTransaction,
    kBalanceMismatch,
    kNonzeroTotal,
    kNegativeBalance,
    kDanglingHistory,
    kHistoryNotParty,
    kDuplicateHistory,
    kEventsExceedTransactions,
    kArithmeticOverflow,
};

// The stable name printed in the report, e.g. "unbalanced_transaction".
[[nodiscard]] std::string_view kind_name(ViolationKind kind);

struct Violation {
    ViolationKind kind = ViolationKind::kMalformedRecord;
    std::string subject;  // the key concerned, e.g. "ledger:tx:<id>"
    std::string detail;   // one sentence with the numbers
};

struct Report {
    std::size_t accounts = 0;
    std::size_t transactions = 0;
    std::size_t entries = 0;
    std::size_t history_entries = 0;
    // Sum of all balances; meaningless (and 0) when total_overflowed.
    std::int64_t total_minor = 0;
    bool total_overflowed = false;
    std::vector<Violation> violations;

    [[nodiscard]] bool clean() const { return violations.empty(); }
    [[nodiscard]] std::size_t count(ViolationKind kind) const;
};

[[nodiscard]] Report check(const Snapshot& snapshot);

// Parses the `entries` field of a ledger:tx hash: a JSON array of
// {"account": "<id>", "delta_minor": "<decimal int64>"}. nullopt for anything else.
[[nodiscard]] std::optional<std::vector<Entry>> parse_entries(std::string_view json);

// A whole decimal int64 ("-12", "0", "340"); nullopt for anything else (spaces, "+1", "1.0").
[[nodiscard]] std::optional<std::int64_t> parse_minor(std::string_view text);

// The human-readable summary: counts, the total, and at most `limit_per_kind` violations of each
// kind (with how many more were left out).
[[nodiscard]] std::string format_report(const Report& report, std::size_t limit_per_kind = 20);

}  // namespace bank::audit
