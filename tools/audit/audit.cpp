#include "audit.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <set>
#include <utility>

namespace bank::audit {

namespace {

void add(Report& report, ViolationKind kind, std::string subject, std::string detail) {
    report.violations.push_back(Violation{kind, std::move(subject), std::move(detail)});
}

std::string text(std::int64_t value) { return std::to_string(value); }

// Adds `delta` to `sum`; false (and `sum` unchanged) when the result does not fit an int64.
[[nodiscard]] bool checked_add(std::int64_t& sum, std::int64_t delta) {
    std::int64_t result = 0;
    if (__builtin_add_overflow(sum, delta, &result)) return false;
    sum = result;
    return true;
}

std::string balance_key(std::string_view account) {
    std::string key = "ledger:balance:";
    key += account;
    return key;
}

std::string transaction_key(std::string_view id) {
    std::string key = "ledger:tx:";
    key += id;
    return key;
}

std::string history_key(std::string_view user) {
    std::string key = "ledger:history:";
    key += user;
    return key;
}

constexpr std::array<ViolationKind, 10> kAllKinds = {
    ViolationKind::kMalformedRecord,          ViolationKind::kUnbalancedTransaction,
    ViolationKind::kBalanceMismatch,          ViolationKind::kNonzeroTotal,
    ViolationKind::kNegativeBalance,          ViolationKind::kDanglingHistory,
    ViolationKind::kHistoryNotParty,          ViolationKind::kDuplicateHistory,
    ViolationKind::kEventsExceedTransactions, ViolationKind::kArithmeticOverflow,
};

}  // namespace

std::string_view kind_name(ViolationKind kind) {
    switch (kind) {
        case ViolationKind::kMalformedRecord:
            return "malformed_record";
        case ViolationKind::kUnbalancedTransaction:
            return "unbalanced_transaction";
        case ViolationKind::kBalanceMismatch:
            return "balance_mismatch";
        case ViolationKind::kNonzeroTotal:
            return "nonzero_total";
        case ViolationKind::kNegativeBalance:
            return "negative_balance";
        case ViolationKind::kDanglingHistory:
            return "dangling_history";
        case ViolationKind::kHistoryNotParty:
            return "history_not_party";
        case ViolationKind::kDuplicateHistory:
            return "duplicate_history";
        case ViolationKind::kEventsExceedTransactions:
            return "events_exceed_transactions";
        case ViolationKind::kArithmeticOverflow:
            return "arithmetic_overflow";
    }
    return "unknown";
}

std::size_t Report::count(ViolationKind kind) const {
    return static_cast<std::size_t>(
        std::count_if(violations.begin(), violations.end(),
                      [kind](const Violation& violation) { return violation.kind == kind; }));
}

std::optional<std::int64_t> parse_minor(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || stop != end) return std::nullopt;
    return value;
}

std::optional<std::vector<Entry>> parse_entries(std::string_view json) {
    boost::json::error_code error;
    const boost::json::value parsed = boost::json::parse(json, error);
    if (error || !parsed.is_array()) return std::nullopt;
    std::vector<Entry> entries;
    for (const boost::json::value& item : parsed.get_array()) {
        const boost::json::object* object = item.if_object();
        if (object == nullptr) return std::nullopt;
        const boost::json::value* account = object->if_contains("account");
        const boost::json::value* delta = object->if_contains("delta_minor");
        if (account == nullptr || !account->is_string() || delta == nullptr ||
            !delta->is_string()) {
            return std::nullopt;
        }
        const std::optional<std::int64_t> delta_minor = parse_minor(delta->get_string());
        if (!delta_minor) return std::nullopt;
        entries.push_back(Entry{std::string(account->get_string()), *delta_minor});
    }
    return entries;
}

Report check(const Snapshot& snapshot) {
    Report report;
    report.accounts = snapshot.balances.size() + snapshot.malformed_balances.size();
    report.transactions = snapshot.transactions.size();

    for (const auto& [account, raw] : snapshot.malformed_balances) {
        add(report, ViolationKind::kMalformedRecord, balance_key(account),
            "balance is not a whole int64: '" + raw + "'");
    }

    // Journal: each transaction sums to zero; per-account sums of every entry.
    std::map<std::string, std::int64_t> entry_sums;
    std::set<std::string> overflowed_accounts;
    for (const auto& [id, transaction] : snapshot.transactions) {
        if (!transaction.entries) {
            add(report, ViolationKind::kMalformedRecord, transaction_key(id),
                "the entries field is missing or not a JSON list of {account, delta_minor}");
            continue;
        }
        report.entries += transaction.entries->size();
        std::int64_t sum = 0;
        bool overflowed = false;
        for (const Entry& entry : *transaction.entries) {
            if (!checked_add(sum, entry.delta_minor)) overflowed = true;
            std::int64_t& account_sum = entry_sums[entry.account];
            if (!checked_add(account_sum, entry.delta_minor)) {
                overflowed_accounts.insert(entry.account);
            }
        }
        if (overflowed) {
            add(report, ViolationKind::kArithmeticOverflow, transaction_key(id),
                "the entries' sum overflows int64");
        } else if (sum != 0) {
            add(report, ViolationKind::kUnbalancedTransaction, transaction_key(id),
                "entries sum to " + text(sum) + ", not 0");
        }
    }

    // Balances against the journal. An absent balance key means 0, so an account that only
    // appears in entries must net to zero, and a balance key nothing touches must be zero.
    std::set<std::string> accounts;
    for (const auto& [account, balance] : snapshot.balances) accounts.insert(account);
    for (const auto& [account, sum] : entry_sums) accounts.insert(account);
    for (const std::string& account : accounts) {
        if (snapshot.malformed_balances.contains(account)) continue;
        if (overflowed_accounts.contains(account)) {
            add(report, ViolationKind::kArithmeticOverflow, balance_key(account),
                "the sum of the entries touching this account overflows int64");
            continue;
        }
        const auto balance_it = snapshot.balances.find(account);
        const std::int64_t balance = balance_it == snapshot.balances.end() ? 0 : balance_it->second;
        const auto sum_it = entry_sums.find(account);
        const std::int64_t sum = sum_it == entry_sums.end() ? 0 : sum_it->second;
        if (balance != sum) {
            add(report, ViolationKind::kBalanceMismatch, balance_key(account),
                "balance is " + text(balance) + " but its entries sum to " + text(sum));
        }
    }

    for (const auto& [account, balance] : snapshot.balances) {
        if (account != kCashAccount && balance < 0) {
            add(report, ViolationKind::kNegativeBalance, balance_key(account),
                "customer balance is " + text(balance));
        }
        if (!report.total_overflowed && !checked_add(report.total_minor, balance)) {
            report.total_overflowed = true;
            report.total_minor = 0;
        }
    }
    if (report.total_overflowed) {
        add(report, ViolationKind::kArithmeticOverflow, "ledger:balance:*",
            "the sum of all balances overflows int64");
    } else if (report.total_minor != 0) {
        add(report, ViolationKind::kNonzeroTotal, "ledger:balance:*",
            "all balances sum to " + text(report.total_minor) + ", not 0");
    }

    for (const auto& [user, ids] : snapshot.histories) {
        report.history_entries += ids.size();
        // A history is a list: a posting appended twice would show twice in the user's pages.
        std::set<std::string_view> seen;
        for (const std::string& id : ids) {
            if (!seen.insert(id).second) {
                add(report, ViolationKind::kDuplicateHistory, history_key(user),
                    "lists " + id + " more than once");
                continue;
            }
            const auto found = snapshot.transactions.find(id);
            if (found == snapshot.transactions.end()) {
                add(report, ViolationKind::kDanglingHistory, history_key(user),
                    "member " + id + " has no ledger:tx:" + id);
            } else if (found->second.from != user && found->second.to != user) {
                add(report, ViolationKind::kHistoryNotParty, history_key(user),
                    "ledger:tx:" + id + " is from " + found->second.from + " to " +
                        found->second.to + ", not this user");
            }
        }
    }

    // The stream is trimmed (MAXLEN ~), so fewer events than transactions is normal; more means
    // an event was written for a posting whose ledger:tx is gone.
    if (snapshot.event_count &&
        *snapshot.event_count > static_cast<std::int64_t>(snapshot.transactions.size())) {
        add(report, ViolationKind::kEventsExceedTransactions, "ledger:events",
            text(*snapshot.event_count) + " events but only " +
                std::to_string(snapshot.transactions.size()) + " transactions");
    }
    return report;
}

std::string format_report(const Report& report, std::size_t limit_per_kind) {
    std::string out =
        "ledger audit: " + std::to_string(report.accounts) + " accounts, " +
        std::to_string(report.transactions) + " transactions, " + std::to_string(report.entries) +
        " entries, " + std::to_string(report.history_entries) + " history entries, total " +
        (report.total_overflowed ? std::string("overflow") : text(report.total_minor)) + ", " +
        std::to_string(report.violations.size()) + " violations\n";
    for (const ViolationKind kind : kAllKinds) {
        const std::size_t total = report.count(kind);
        if (total == 0) continue;
        out += std::string(kind_name(kind)) + ": " + std::to_string(total) + "\n";
        std::size_t shown = 0;
        for (const Violation& violation : report.violations) {
            if (violation.kind != kind) continue;
            if (shown == limit_per_kind) break;
            ++shown;
            out += "  " + std::string(kind_name(kind)) + " " + violation.subject + ": " +
                   violation.detail + "\n";
        }
        if (total > shown) out += "  ... and " + std::to_string(total - shown) + " more\n";
    }
    out += report.clean() ? "ledger audit: OK\n" : "ledger audit: FAILED\n";
    return out;
}

}  // namespace bank::audit
