// Proves the transactions rules without Redis: a movement becomes one posting with a fresh id and
// the caller as the acting user; transfers name the receiver to the ledger by canonical username
// or account number (404 when the ledger knows neither); an idempotent replay answers with the
// first posting's values; a key whose first request is in flight is 409 and the marker is always
// released; transactions are visible only to their parties; history cursors; and the pure helpers
// (fingerprint, cursor encoding, Idempotency-Key and limit validation) on valid and invalid input.
#include "logic/transactions_logic.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

#include "bank/testing/run.hpp"
#include "storage/ledger_script.hpp"

namespace bank::transactions {
namespace {

using bank::testing::run;
namespace asio = boost::asio;

struct Receiver {
    std::string user_id;
    std::string username;
};

// Resolves receivers from its two indexes, as the ledger script does from the accounts keys.
class FakeLedger final : public Ledger {
  public:
    asio::awaitable<Result<Posting>> post(const PostingRequest& request) override {
        requests.push_back(request);
        if (!request.idempotency_key_sha256.empty()) {
            auto it = records.find(request.idempotency_key_sha256);
            if (it != records.end()) {
                if (it->second.first != request.request_fingerprint) {
                    co_return make_error(ErrorCode::kUnprocessable, "idempotency_key_reused", "x");
                }
                Posting replay = it->second.second;
                replay.replay = true;
                co_return replay;
            }
        }
        std::optional<Receiver> receiver;
        if (request.type == PostingType::kTransfer) {
            auto& index =
                request.receiver_kind == ReceiverKind::kUsername ? by_username : by_number;
            auto it = index.find(request.receiver);
            if (it == index.end()) {
                co_return make_error(ErrorCode::kNotFound, "receiver_not_found", "x");
            }
            receiver = it->second;
        }
        if (request.type != PostingType::kDeposit &&
            balances[request.user_id] < request.amount_minor) {
            co_return make_error(ErrorCode::kFailedPrecondition, "insufficient_funds", "x");
        }
        const std::int64_t sign = request.type == PostingType::kDeposit ? 1 : -1;
        balances[request.user_id] += sign * request.amount_minor;
        if (receiver) balances[receiver->user_id] += request.amount_minor;
        Posting posting;
        posting.transaction_id = request.transaction_id;
        posting.balance_after_minor = balances[request.user_id];
        posting.sequence = ++sequence;
        if (receiver) posting.counterparty_username = receiver->username;
        if (!request.idempotency_key_sha256.empty()) {
            records[request.idempotency_key_sha256] = {request.request_fingerprint, posting};
        }
        co_return posting;
    }
    std::vector<PostingRequest> requests;
    std::map<std::string, std::int64_t> balances;
    std::map<std::string, std::pair<std::string, Posting>> records;
    std::map<std::string, Receiver> by_username;
    std::map<std::string, Receiver> by_number;
    std::int64_t sequence = 0;
};

class FakeStore final : public TransactionStore {
  public:
    asio::awaitable<Result<std::int64_t>> balance(std::string_view user_id) override {
        co_return balances[std::string(user_id)];
    }
    asio::awaitable<Result<HistoryPage>> history(std::string_view user_id,
                                                 std::optional<std::int64_t> before,
                                                 std::size_t limit) override {
        last_history_user = std::string(user_id);
        // `entries` is the history, oldest first: an entry's index is its position.
        HistoryPage page;
        const auto size = static_cast<std::int64_t>(entries.size());
        const std::int64_t stop = before ? std::min(*before, size) : size;
        const std::int64_t first =
            std::max<std::int64_t>(stop - static_cast<std::int64_t>(limit), 0);
        for (std::int64_t position = stop - 1; position >= first; --position) {
            page.entries.push_back(entries[static_cast<std::size_t>(position)]);
        }
        if (first > 0) page.next_before = first;
        co_return page;
    }
    asio::awaitable<Result<std::optional<Entry>>> find(std::string_view user_id,
                                                       std::string_view transaction_id) override {
        auto it = owners.find(std::string(transaction_id));
        if (it == owners.end() || it->second != user_id) co_return std::optional<Entry>{};
        for (const auto& entry : entries) {
            if (entry.transaction_id == transaction_id) co_return std::optional<Entry>{entry};
        }
        co_return std::optional<Entry>{};
    }
    asio::awaitable<Result<RequestStart>> begin_request(std::string_view, std::string_view key,
                                                        std::int64_t) override {
        ++begins;
        if (busy.contains(std::string(key))) co_return RequestStart::kBusy;
        co_return start;
    }
    asio::awaitable<Status> end_request(std::string_view, std::string_view) override {
        ++ends;
        co_return ok_status();
    }
    std::map<std::string, std::int64_t> balances;
    std::vector<Entry> entries;  // oldest first
    std::map<std::string, std::string> owners;
    std::set<std::string> busy;
    RequestStart start = RequestStart::kAcquired;
    std::string last_history_user;
    int begins = 0;
    int ends = 0;
};

class TransactionsLogicTest : public ::testing::Test {
  protected:
    TransactionsLogicTest()
        : logic_(
              ledger_, store_, Settings{}, [] { return std::int64_t{1700000000}; },
              [this] { return "tx-" + std::to_string(++ids_); }) {
        ledger_.by_username["bob"] = Receiver{"user-bob", "Bob"};
        ledger_.by_number["1234567890"] = Receiver{"user-bob", "Bob"};
    }

    Movement movement(PostingType type, std::int64_t amount_minor) {
        Movement m;
        m.type = type;
        m.user_id = "user-alice";
        m.username = "alice";
        m.amount_minor = amount_minor;
        return m;
    }

    FakeLedger ledger_;
    FakeStore store_;
    int ids_ = 0;
    TransactionsLogic logic_;
};

TEST_F(TransactionsLogicTest, DepositPostsOneMovementForTheCaller) {
    auto receipt = run(logic_.move(movement(PostingType::kDeposit, 20000)));
    ASSERT_TRUE(receipt.ok()) << receipt.error().detail;
    EXPECT_EQ(receipt->transaction_id, "tx-1");
    EXPECT_EQ(receipt->type, "deposit");
    EXPECT_EQ(receipt->balance_after_minor, 20000);
    EXPECT_EQ(receipt->created_at_s, 1700000000);
    EXPECT_FALSE(receipt->replay);
    ASSERT_EQ(ledger_.requests.size(), 1u);
    EXPECT_EQ(ledger_.requests[0].user_id, "user-alice");
    EXPECT_TRUE(ledger_.requests[0].idempotency_key_sha256.empty());
    EXPECT_EQ(store_.begins, 0);
    const auto json = to_json(*receipt);
    EXPECT_EQ(json.at("amount").as_string(), "200.00");
    EXPECT_EQ(json.at("message").as_string(), "Deposit successful");
    EXPECT_EQ(json.at("created_at").as_string(), "2023-11-14T22:13:20Z");
    EXPECT_FALSE(json.contains("receiver_username"));
}

TEST_F(TransactionsLogicTest, WithdrawalRefusedWhenFundsAreShort) {
    auto receipt = run(logic_.move(movement(PostingType::kWithdrawal, 1)));
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().slug, "insufficient_funds");
}

TEST_F(TransactionsLogicTest, TransferResolvesTheReceiverByCanonicalUsernameOrNumber) {
    ledger_.balances["user-alice"] = 5000;
    auto by_name = movement(PostingType::kTransfer, 1000);
    by_name.receiver = ReceiverRef{ReceiverKind::kUsername, "BoB"};
    auto receipt = run(logic_.move(by_name));
    ASSERT_TRUE(receipt.ok()) << receipt.error().detail;
    EXPECT_EQ(ledger_.requests.back().receiver_kind, ReceiverKind::kUsername);
    EXPECT_EQ(ledger_.requests.back().receiver, "bob");
    EXPECT_EQ(ledger_.balances["user-bob"], 1000);
    EXPECT_EQ(receipt->receiver_username, "Bob");
    EXPECT_EQ(to_json(*receipt).at("message").as_string(), "Transfer successful");

    auto by_number = movement(PostingType::kTransfer, 1000);
    by_number.receiver = ReceiverRef{ReceiverKind::kAccountNumber, "1234567890"};
    ASSERT_TRUE(run(logic_.move(by_number)).ok());
    EXPECT_EQ(ledger_.requests.back().receiver_kind, ReceiverKind::kAccountNumber);
    EXPECT_EQ(ledger_.requests.back().receiver, "1234567890");
    EXPECT_EQ(ledger_.balances["user-bob"], 2000);
}

TEST_F(TransactionsLogicTest, TransferToUnknownReceiverIs404AndMovesNothing) {
    auto transfer = movement(PostingType::kTransfer, 1000);
    transfer.receiver = ReceiverRef{ReceiverKind::kUsername, "nobody"};
    auto receipt = run(logic_.move(transfer));
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(receipt.error().slug, "receiver_not_found");
    EXPECT_EQ(ledger_.balances["user-alice"], 0);
    EXPECT_EQ(ledger_.sequence, 0);
}

TEST_F(TransactionsLogicTest, ReplayAnswersWithTheFirstPosting) {
    auto deposit = movement(PostingType::kDeposit, 1234);
    deposit.idempotency_key = "key-1";
    auto first = run(logic_.move(deposit));
    ASSERT_TRUE(first.ok());
    store_.entries.push_back(
        Entry{"tx-1", "deposit", 1234, true, std::nullopt, 1234, 1600000000, 1});
    store_.owners["tx-1"] = "user-alice";
    store_.start = RequestStart::kRecorded;
    auto second = run(logic_.move(deposit));
    ASSERT_TRUE(second.ok()) << second.error().detail;
    EXPECT_TRUE(second->replay);
    EXPECT_EQ(second->transaction_id, "tx-1");
    EXPECT_EQ(second->amount_minor, 1234);
    EXPECT_EQ(second->created_at_s, 1600000000);
    EXPECT_EQ(ledger_.balances["user-alice"], 1234);
    EXPECT_EQ(store_.begins, 2);
    EXPECT_EQ(store_.ends, 1);  // only the request that acquired the marker releases it

    auto other = movement(PostingType::kDeposit, 1);
    other.idempotency_key = "key-1";
    auto reused = run(logic_.move(other));
    ASSERT_FALSE(reused.ok());
    EXPECT_EQ(reused.error().slug, "idempotency_key_reused");
}

TEST_F(TransactionsLogicTest, KeyInFlightIs409AndPostsNothing) {
    auto deposit = movement(PostingType::kDeposit, 100);
    deposit.idempotency_key = "key-2";
    store_.busy.insert(sha256_hex("key-2"));
    auto receipt = run(logic_.move(deposit));
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, ErrorCode::kAborted);
    EXPECT_EQ(receipt.error().slug, "request_in_progress");
    EXPECT_TRUE(ledger_.requests.empty());
    EXPECT_EQ(store_.ends, 0);
}

TEST_F(TransactionsLogicTest, MarkerReleasedWhenThePostingFails) {
    auto withdrawal = movement(PostingType::kWithdrawal, 100);
    withdrawal.idempotency_key = "key-3";
    ASSERT_FALSE(run(logic_.move(withdrawal)).ok());
    EXPECT_EQ(store_.ends, 1);
}

TEST_F(TransactionsLogicTest, TransactionVisibleOnlyToItsParties) {
    store_.entries.push_back(Entry{"tx-9", "deposit", 5, true, std::nullopt, 5, 1, 1});
    store_.owners["tx-9"] = "user-bob";
    auto mine = run(logic_.transaction("user-bob", "tx-9"));
    ASSERT_TRUE(mine.ok());
    auto theirs = run(logic_.transaction("user-alice", "tx-9"));
    ASSERT_FALSE(theirs.ok());
    EXPECT_EQ(theirs.error().slug, "transaction_not_found");
    auto unknown = run(logic_.transaction("user-bob", "tx-404"));
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().slug, "transaction_not_found");
    auto huge = run(logic_.transaction("user-bob", std::string(500, 'x')));
    ASSERT_FALSE(huge.ok());
    EXPECT_EQ(huge.error().code, ErrorCode::kNotFound);
}

TEST_F(TransactionsLogicTest, HistoryPagesWithCursorOfThePositionBelowThePage) {
    for (std::int64_t i = 1; i <= 5; ++i) {
        store_.entries.push_back(
            Entry{"tx-" + std::to_string(i), "deposit", i, true, std::nullopt, i, 1, i * 10});
    }
    auto first = run(logic_.history("user-alice", 2, std::nullopt));
    ASSERT_TRUE(first.ok());
    ASSERT_EQ(first->entries.size(), 2u);
    EXPECT_EQ(first->entries[0].transaction_id, "tx-5");
    ASSERT_TRUE(first->next_cursor);
    auto cursor = decode_cursor(*first->next_cursor);
    ASSERT_TRUE(cursor.ok());
    EXPECT_EQ(*cursor, 3);     // positions 4 and 3 (tx-5, tx-4) were shown; 0..2 are left
    store_.entries.push_back(  // a posting between two pages does not shift the next one
        Entry{"tx-6", "deposit", 6, true, std::nullopt, 6, 1, 60});
    auto last = run(logic_.history("user-alice", 3, *cursor));
    ASSERT_TRUE(last.ok());
    ASSERT_EQ(last->entries.size(), 3u);
    EXPECT_EQ(last->entries[0].transaction_id, "tx-3");
    EXPECT_FALSE(last->next_cursor);
    EXPECT_EQ(to_json(*last).at("next_cursor"), nullptr);
}

TEST(FingerprintTest, SameRequestSameFingerprintAnythingElseDiffers) {
    const ReceiverRef bob{ReceiverKind::kUsername, "Bob"};
    const ReceiverRef bob_lower{ReceiverKind::kUsername, "bob"};
    const ReceiverRef number{ReceiverKind::kAccountNumber, "1234567890"};
    const auto base = request_fingerprint(PostingType::kTransfer, 100, bob);
    EXPECT_EQ(base.size(), 64u);
    EXPECT_EQ(base, request_fingerprint(PostingType::kTransfer, 100, bob_lower));
    EXPECT_NE(base, request_fingerprint(PostingType::kTransfer, 101, bob));
    EXPECT_NE(base, request_fingerprint(PostingType::kTransfer, 100, number));
    EXPECT_NE(request_fingerprint(PostingType::kDeposit, 100, std::nullopt),
              request_fingerprint(PostingType::kWithdrawal, 100, std::nullopt));
}

// Ids come from a per-thread pool of CSPRNG bytes refilled every 256 ids: across refills and
// threads every id is a distinct, well-formed version 4 UUID.
TEST(RandomUuidTest, DistinctVersion4IdsAcrossPoolRefillsAndThreads) {
    constexpr int kPerThread = 1000;
    std::vector<std::string> ids;
    std::vector<std::string> other;
    std::thread worker([&other] {
        for (int i = 0; i < kPerThread; ++i) other.push_back(random_uuid());
    });
    for (int i = 0; i < kPerThread; ++i) ids.push_back(random_uuid());
    worker.join();
    ids.insert(ids.end(), other.begin(), other.end());
    std::set<std::string> distinct(ids.begin(), ids.end());
    EXPECT_EQ(distinct.size(), ids.size());
    for (const std::string& id : ids) {
        ASSERT_EQ(id.size(), 36u) << id;
        EXPECT_EQ(id[8], '-');
        EXPECT_EQ(id[13], '-');
        EXPECT_EQ(id[18], '-');
        EXPECT_EQ(id[23], '-');
        EXPECT_EQ(id[14], '4') << id;  // version 4
        EXPECT_NE(std::string_view("89ab").find(id[19]), std::string_view::npos) << id;  // variant
        EXPECT_EQ(id.find_first_not_of("0123456789abcdef-"), std::string::npos) << id;
    }
}

TEST(CursorTest, RoundTripsAndRejectsAnythingElse) {
    for (std::int64_t position : {1LL, 42LL, 9007199254740991LL}) {
        auto decoded = decode_cursor(encode_cursor(position));
        ASSERT_TRUE(decoded.ok());
        EXPECT_EQ(*decoded, position);
    }
    // "pos:0", "pos:-1", "pos:01", "pos:", "xxx:1", "pos:1x", and "seq:1" (the earlier layout).
    for (std::string_view bad : {"", "abc", "!!!!", "cG9zOjA", "cG9zOi0x", "cG9zOjAx", "cG9zOg",
                                 "eHh4OjE", "cG9zOjF4", "c2VxOjE"}) {
        auto decoded = decode_cursor(bad);
        ASSERT_FALSE(decoded.ok()) << bad;
        EXPECT_EQ(decoded.error().slug, "validation_failed");
        EXPECT_EQ(decoded.error().field_errors.at(0).field, "cursor");
    }
    EXPECT_FALSE(decode_cursor(std::string(200, 'A')).ok());
}

TEST(IdempotencyKeyTest, PrintableAsciiWithoutSpacesUpTo255) {
    EXPECT_TRUE(validate_idempotency_key("5f0c6d3e-2a71-4b8e-9d4c-1e7a3b9f6c20").ok());
    EXPECT_TRUE(validate_idempotency_key("!").ok());
    EXPECT_TRUE(validate_idempotency_key(std::string(255, '~')).ok());
    for (const std::string& bad :
         {std::string(), std::string(256, 'a'), std::string("a b"), std::string("a\tb"),
          std::string("caf\xc3\xa9"), std::string("a\x7f")}) {
        auto status = validate_idempotency_key(bad);
        ASSERT_FALSE(status.ok()) << bad;
        EXPECT_EQ(status.error().slug, "validation_failed");
        EXPECT_EQ(status.error().field_errors.at(0).field, "Idempotency-Key");
    }
}

TEST(LimitTest, DefaultsAndBounds) {
    EXPECT_EQ(*parse_limit(std::nullopt), kDefaultPageSize);
    EXPECT_EQ(*parse_limit(std::string("1")), 1u);
    EXPECT_EQ(*parse_limit(std::string("100")), 100u);
    for (const char* bad : {"", "0", "101", "-1", "1.5", "abc", "20x", "0100", "99999999999"}) {
        EXPECT_FALSE(parse_limit(std::string(bad)).ok()) << bad;
    }
}

TEST(FormatTest, BalanceAndEntryJson) {
    const auto balance = balance_json(17000);
    EXPECT_EQ(balance.at("balance").as_string(), "170.00");
    EXPECT_EQ(balance.at("balance_minor").as_int64(), 17000);
    EXPECT_EQ(balance.at("currency").as_string(), "USD");
    const auto entry = to_json(Entry{"t", "transfer", 2000, false, "bob", 15000, 0, 3});
    EXPECT_EQ(entry.at("direction").as_string(), "debit");
    EXPECT_EQ(entry.at("counterparty_username").as_string(), "bob");
    EXPECT_EQ(entry.at("balance_after").as_string(), "150.00");
    EXPECT_EQ(entry.at("created_at").as_string(), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace bank::transactions
