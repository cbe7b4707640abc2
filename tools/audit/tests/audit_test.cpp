// Proves the ledger checker on in-memory snapshots: a clean ledger (deposit, withdrawal,
// transfer) passes, and each kind of corruption is reported with the key concerned: an
// unbalanced transaction, a balance that differs from its entries, a nonzero total, a negative
// customer balance, a dangling history entry, a history entry naming another user, a malformed
// record, more events than transactions, and int64 overflow. Also the entries parser and the
// summary's per-kind limit.
#include "audit.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace bank::audit {
namespace {

Transaction posting(const std::string& from, const std::string& to, std::int64_t amount) {
    return Transaction{from, to, std::vector<Entry>{{from, -amount}, {to, amount}}};
}

// alice deposits 200, withdraws 30, sends 20 to bob.
Snapshot clean_ledger() {
    Snapshot snapshot;
    snapshot.transactions["t1"] = posting("@cash", "alice", 20000);
    snapshot.transactions["t2"] = posting("alice", "@cash", 3000);
    snapshot.transactions["t3"] = posting("alice", "bob", 2000);
    snapshot.balances = {{"@cash", -17000}, {"alice", 15000}, {"bob", 2000}};
    snapshot.histories = {{"alice", {"t1", "t2", "t3"}}, {"bob", {"t3"}}};
    snapshot.event_count = 3;
    return snapshot;
}

bool reports(const Report& report, ViolationKind kind, const std::string& subject) {
    for (const Violation& violation : report.violations) {
        if (violation.kind == kind && violation.subject == subject) return true;
    }
    return false;
}

TEST(AuditTest, CleanLedgerPasses) {
    const Report report = check(clean_ledger());
    EXPECT_TRUE(report.clean()) << format_report(report);
    EXPECT_EQ(report.accounts, 3u);
    EXPECT_EQ(report.transactions, 3u);
    EXPECT_EQ(report.entries, 6u);
    EXPECT_EQ(report.history_entries, 4u);
    EXPECT_EQ(report.total_minor, 0);
    EXPECT_NE(format_report(report).find("ledger audit: OK"), std::string::npos);
}

TEST(AuditTest, EmptyLedgerPasses) { EXPECT_TRUE(check(Snapshot{}).clean()); }

TEST(AuditTest, UnbalancedTransactionIsReported) {
    Snapshot snapshot = clean_ledger();
    snapshot.transactions["t3"].entries->at(1).delta_minor = 2001;
    snapshot.balances["bob"] = 2001;
    snapshot.balances["@cash"] = -17001;  // keeps the total at zero: only t3 is wrong
    const Report report = check(snapshot);
    EXPECT_TRUE(reports(report, ViolationKind::kUnbalancedTransaction, "ledger:tx:t3"))
        << format_report(report);
    EXPECT_EQ(report.count(ViolationKind::kUnbalancedTransaction), 1u);
}

TEST(AuditTest, BalanceThatDiffersFromItsEntriesIsReported) {
    Snapshot snapshot = clean_ledger();
    snapshot.balances["alice"] += 1;
    const Report report = check(snapshot);
    EXPECT_TRUE(reports(report, ViolationKind::kBalanceMismatch, "ledger:balance:alice"));
    EXPECT_TRUE(reports(report, ViolationKind::kNonzeroTotal, "ledger:balance:*"));
    EXPECT_EQ(report.total_minor, 1);
    const std::string summary = format_report(report);
    EXPECT_NE(summary.find("balance_mismatch ledger:balance:alice"), std::string::npos) << summary;
    EXPECT_NE(summary.find("ledger audit: FAILED"), std::string::npos);
}

TEST(AuditTest, MissingBalanceKeyCountsAsZero) {
    Snapshot snapshot = clean_ledger();
    snapshot.balances.erase("bob");
    EXPECT_TRUE(reports(check(snapshot), ViolationKind::kBalanceMismatch, "ledger:balance:bob"));
}

TEST(AuditTest, BalanceWithoutEntriesMustBeZero) {
    Snapshot snapshot = clean_ledger();
    snapshot.balances["carol"] = 0;
    EXPECT_TRUE(check(snapshot).clean());
    snapshot.balances["carol"] = 5;
    snapshot.balances["@cash"] -= 5;
    const Report report = check(snapshot);
    EXPECT_TRUE(reports(report, ViolationKind::kBalanceMismatch, "ledger:balance:carol"));
    EXPECT_EQ(report.count(ViolationKind::kNonzeroTotal), 0u);
}

TEST(AuditTest, NonzeroTotalIsReported) {
    Snapshot snapshot = clean_ledger();
    snapshot.balances["@cash"] = -16999;
    const Report report = check(snapshot);
    EXPECT_TRUE(reports(report, ViolationKind::kNonzeroTotal, "ledger:balance:*"));
    EXPECT_EQ(report.total_minor, 1);
}

TEST(AuditTest, NegativeCustomerBalanceIsReportedButCashMayBeNegative) {
    Snapshot snapshot;
    snapshot.transactions["t1"] = posting("alice", "@cash", 500);
    snapshot.balances = {{"@cash", 500}, {"alice", -500}};
    snapshot.histories = {{"alice", {"t1"}}};
    const Report report = check(snapshot);
    EXPECT_TRUE(reports(report, ViolationKind::kNegativeBalance, "ledger:balance:alice"));
    EXPECT_EQ(report.violations.size(), 1u) << format_report(report);
    EXPECT_TRUE(check(clean_ledger()).clean());  // @cash at -17000 is normal
}

TEST(AuditTest, DanglingHistoryEntryIsReported) {
    Snapshot snapshot = clean_ledger();
    snapshot.histories["bob"].push_back("ghost");
    const Report report = check(snapshot);
    EXPECT_TRUE(reports(report, ViolationKind::kDanglingHistory, "ledger:history:bob"));
    EXPECT_EQ(report.violations.size(), 1u);
}

TEST(AuditTest, HistoryListingAPostingTwiceIsReported) {
    Snapshot snapshot = clean_ledger();
    const std::string first = snapshot.histories["bob"].front();
    snapshot.histories["bob"].push_back(first);
    const Report report = check(snapshot);
    EXPECT_TRUE(reports(report, ViolationKind::kDuplicateHistory, "ledger:history:bob"));
    EXPECT_EQ(report.violations.size(), 1u) << format_report(report);
}

TEST(AuditTest, HistoryEntryOfAnotherUserIsReported) {
    Snapshot snapshot = clean_ledger();
    snapshot.histories["bob"].push_back("t2");  // alice's withdrawal
    const Report report = check(snapshot);
    EXPECT_TRUE(reports(report, ViolationKind::kHistoryNotParty, "ledger:history:bob"));
}

TEST(AuditTest, MalformedRecordsAreReported) {
    Snapshot snapshot = clean_ledger();
    snapshot.transactions["t4"] = Transaction{"alice", "bob", std::nullopt};
    snapshot.malformed_balances["dave"] = "abc";
    const Report report = check(snapshot);
    EXPECT_TRUE(reports(report, ViolationKind::kMalformedRecord, "ledger:tx:t4"));
    EXPECT_TRUE(reports(report, ViolationKind::kMalformedRecord, "ledger:balance:dave"));
}

TEST(AuditTest, MoreEventsThanTransactionsIsReported) {
    Snapshot snapshot = clean_ledger();
    snapshot.event_count = 2;  // trimmed: fine
    EXPECT_TRUE(check(snapshot).clean());
    snapshot.event_count = 4;
    EXPECT_TRUE(
        reports(check(snapshot), ViolationKind::kEventsExceedTransactions, "ledger:events"));
}

TEST(AuditTest, OverflowIsReportedNotWrapped) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    Snapshot snapshot;
    snapshot.transactions["t1"] = Transaction{"a", "b", std::vector<Entry>{{"a", kMax}, {"b", 1}}};
    snapshot.balances = {{"a", kMax}, {"b", kMax}};
    const Report report = check(snapshot);
    EXPECT_TRUE(reports(report, ViolationKind::kArithmeticOverflow, "ledger:tx:t1"));
    EXPECT_TRUE(reports(report, ViolationKind::kArithmeticOverflow, "ledger:balance:*"));
    EXPECT_TRUE(report.total_overflowed);
    EXPECT_EQ(report.count(ViolationKind::kNonzeroTotal), 0u);
}

TEST(AuditTest, SummaryListsAtMostTheLimitPerKind) {
    Snapshot snapshot = clean_ledger();
    for (int i = 0; i < 25; ++i) snapshot.histories["bob"].push_back("ghost" + std::to_string(i));
    const std::string summary = format_report(check(snapshot), 20);
    EXPECT_NE(summary.find("dangling_history: 25"), std::string::npos) << summary;
    EXPECT_NE(summary.find("... and 5 more"), std::string::npos) << summary;
    EXPECT_EQ(summary.find("ghost20"), std::string::npos);
}

TEST(AuditTest, ParsesTheScriptsEntries) {
    const auto entries = parse_entries(
        R"([{"account":"@cash","delta_minor":"-20000"},{"delta_minor":"20000","account":"u1"}])");
    ASSERT_TRUE(entries.has_value());
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ(entries->at(0).account, "@cash");
    EXPECT_EQ(entries->at(0).delta_minor, -20000);
    EXPECT_EQ(entries->at(1).account, "u1");
    EXPECT_EQ(entries->at(1).delta_minor, 20000);
}

TEST(AuditTest, RejectsMalformedEntries) {
    for (const char* json :
         {"", "{}", "[1]", R"([{"account":"a"}])", R"([{"account":"a","delta_minor":5}])",
          R"([{"account":"a","delta_minor":"1.5"}])", R"([{"account":"a","delta_minor":" 1"}])",
          R"([{"account":"a","delta_minor":"99999999999999999999"}])",
          R"([{"account":1,"delta_minor":"1"}])", "[", "not json"}) {
        EXPECT_FALSE(parse_entries(json).has_value()) << json;
    }
    EXPECT_FALSE(parse_minor("+1").has_value());
    EXPECT_FALSE(parse_minor("").has_value());
    EXPECT_EQ(parse_minor("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
}

}  // namespace
}  // namespace bank::audit
