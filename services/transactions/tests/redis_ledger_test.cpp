// Proves the ledger script against a real redis-server: the deposit/withdraw/transfer walkthrough
// with the sum of all balances exactly 0 after every step; transfers find their receiver by
// username or account number in the accounts service's keys; refusals (insufficient funds, self
// transfer, unknown receiver, a corrupt index, balance cap) change nothing; idempotent replays move
// no money and a reused key is refused; concurrent postings neither lose nor double money; history
// and the event stream get exactly one record per committed posting (the event names the posting
// and its sequence number; the record's entries are valid JSON).
#include "storage/redis_ledger.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "bank/testing/connected_redis.hpp"
#include "storage/ledger_script.hpp"
#include "storage/redis_transaction_store.hpp"

namespace bank::transactions {
namespace {

namespace asio = boost::asio;

// User ids; each user's username is the same text and its account number is the index here
// (accounts:number:1000000000 for alice, ...), as the accounts service would have written them.
const std::vector<std::string> kUsers{"alice", "bob", "carol"};
std::string account_number(std::size_t index) { return std::to_string(1000000000 + index); }

// A function, not a capturing lambda: Asio may destroy the lambda object while its coroutine is
// still suspended, and the captures would go with it. Parameters live in the coroutine frame.
asio::awaitable<void> post_one(Ledger& ledger, const PostingRequest& request,
                               std::shared_ptr<std::vector<Result<Posting>>> results,
                               std::shared_ptr<std::size_t> remaining, asio::steady_timer& done) {
    auto value = co_await ledger.post(request);
    results->push_back(std::move(value));
    if (--*remaining == 0) done.cancel();
}

class RedisLedgerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(redis_.start());
        for (std::size_t i = 0; i < kUsers.size(); ++i) {
            const std::string& user = kUsers[i];
            ASSERT_TRUE(command({"HSET", account_key(user), "username", user}).ok());
            ASSERT_TRUE(command({"SET", "accounts:username:" + user, user}).ok());
            ASSERT_TRUE(command({"SET", "accounts:number:" + account_number(i), user}).ok());
        }
    }

    Result<redis::Reply> command(std::vector<std::string> args) {
        return redis_.command(std::move(args));
    }

    std::int64_t integer(std::vector<std::string> args) {
        auto reply = command(std::move(args));
        EXPECT_TRUE(reply.ok());
        if (!reply.ok()) return -1;
        if (reply->is_nil()) return 0;
        if (reply->is_integer()) return reply->as_integer();
        return std::stoll(reply->as_string());
    }

    std::int64_t balance(std::string_view account) {
        return integer({"GET", balance_key(account)});
    }

    std::int64_t sum_of_balances() {
        std::int64_t sum = balance(kCashAccount);
        for (const auto& user : kUsers) sum += balance(user);
        return sum;
    }

    // Every key the ledger may touch, dumped: equal snapshots mean nothing changed.
    std::vector<std::string> snapshot() {
        std::vector<std::string> keys{std::string(kSequenceKey), std::string(kEventsKey),
                                      balance_key(kCashAccount)};
        for (const auto& user : kUsers) {
            keys.push_back(balance_key(user));
            keys.push_back(history_key(user));
        }
        std::vector<std::string> dumps;
        for (const auto& key : keys) {
            auto reply = command({"DUMP", key});
            dumps.push_back(reply.ok() && reply->is_string() ? reply->as_string() : "<nil>");
        }
        dumps.push_back(std::to_string(integer({"DBSIZE"})));
        return dumps;
    }

    Result<Posting> post(const PostingRequest& request) {
        return redis_.run(ledger_->post(request));
    }

    // `receiver`: a username (transfers).
    PostingRequest request(PostingType type, std::string user, std::int64_t amount_minor,
                           std::string receiver = "") {
        PostingRequest result;
        result.type = type;
        result.user_id = std::move(user);
        result.receiver_kind = ReceiverKind::kUsername;
        result.receiver = std::move(receiver);
        result.amount_minor = amount_minor;
        result.transaction_id = "tx-" + std::to_string(next_id_++);
        result.created_at_s = 1700000000;
        result.request_fingerprint = "fp";
        return result;
    }

    // Starts every posting before any finishes (they share the pipelined connection), then
    // waits for all of them.
    std::vector<Result<Posting>> post_concurrently(const std::vector<PostingRequest>& requests) {
        return redis_.run([&]() -> asio::awaitable<std::vector<Result<Posting>>> {
            auto results = std::make_shared<std::vector<Result<Posting>>>();
            auto remaining = std::make_shared<std::size_t>(requests.size());
            asio::steady_timer done(co_await asio::this_coro::executor,
                                    std::chrono::steady_clock::time_point::max());
            for (const auto& one : requests) {
                asio::co_spawn(co_await asio::this_coro::executor,
                               post_one(*ledger_, one, results, remaining, done), asio::detached);
            }
            co_await done.async_wait(asio::as_tuple(asio::use_awaitable));
            co_return std::move(*results);
        }());
    }

    testing::ConnectedRedis redis_;
    std::unique_ptr<RedisLedger> ledger_ = std::make_unique<RedisLedger>(redis_.pool());
    int next_id_ = 1;
};

TEST_F(RedisLedgerTest, WalkthroughKeepsTheJournalBalanced) {
    auto deposit = post(request(PostingType::kDeposit, "alice", 20000));
    ASSERT_TRUE(deposit.ok()) << deposit.error().detail;
    EXPECT_EQ(deposit->balance_after_minor, 20000);
    EXPECT_FALSE(deposit->counterparty_balance_after_minor.has_value());
    EXPECT_FALSE(deposit->replay);
    EXPECT_EQ(balance(kCashAccount), -20000);
    EXPECT_EQ(sum_of_balances(), 0);

    auto withdrawal = post(request(PostingType::kWithdrawal, "alice", 3000));
    ASSERT_TRUE(withdrawal.ok()) << withdrawal.error().detail;
    EXPECT_EQ(withdrawal->balance_after_minor, 17000);
    EXPECT_EQ(sum_of_balances(), 0);

    auto transfer = post(request(PostingType::kTransfer, "alice", 2000, "bob"));
    ASSERT_TRUE(transfer.ok()) << transfer.error().detail;
    EXPECT_EQ(transfer->balance_after_minor, 15000);
    EXPECT_EQ(transfer->counterparty_balance_after_minor, 2000);
    EXPECT_EQ(transfer->counterparty_username, "bob");
    EXPECT_EQ(balance("alice"), 15000);
    EXPECT_EQ(balance("bob"), 2000);
    EXPECT_EQ(sum_of_balances(), 0);
    EXPECT_LT(deposit->sequence, withdrawal->sequence);
    EXPECT_LT(withdrawal->sequence, transfer->sequence);

    // The journal record of the transfer.
    auto from = command({"HGET", transaction_key(transfer->transaction_id), "from"});
    auto to = command({"HGET", transaction_key(transfer->transaction_id), "to"});
    auto amount = command({"HGET", transaction_key(transfer->transaction_id), "amount_minor"});
    ASSERT_TRUE(from.ok() && to.ok() && amount.ok());
    EXPECT_EQ(from->as_string(), "alice");
    EXPECT_EQ(to->as_string(), "bob");
    EXPECT_EQ(amount->as_string(), "2000");

    // History: both parties of the transfer, in sequence order (oldest first).
    EXPECT_EQ(integer({"LLEN", history_key("alice")}), 3);
    EXPECT_EQ(integer({"LLEN", history_key("bob")}), 1);
    auto bobs = command({"LINDEX", history_key("bob"), "0"});
    ASSERT_TRUE(bobs.ok() && bobs->is_string());
    EXPECT_EQ(bobs->as_string(), transfer->transaction_id);
    auto newest = command({"LINDEX", history_key("alice"), "-1"});
    ASSERT_TRUE(newest.ok() && newest->is_string());
    EXPECT_EQ(newest->as_string(), transfer->transaction_id);

    // Its entries: valid JSON, one debit and one credit of the amount.
    auto entries = command({"HGET", transaction_key(transfer->transaction_id), "entries"});
    ASSERT_TRUE(entries.ok() && entries->is_string());
    boost::system::error_code parse_error;
    const boost::json::value parsed = boost::json::parse(entries->as_string(), parse_error);
    ASSERT_FALSE(parse_error) << entries->as_string();
    EXPECT_EQ(parsed, boost::json::parse(R"([{"account":"alice","delta_minor":"-2000"},)"
                                         R"({"account":"bob","delta_minor":"2000"}])"));

    // One event per committed posting, naming the posting and its sequence number; the facts
    // are in the record.
    EXPECT_EQ(integer({"XLEN", std::string(kEventsKey)}), 3);
    auto last_event = command({"XREVRANGE", std::string(kEventsKey), "+", "-", "COUNT", "1"});
    ASSERT_TRUE(last_event.ok() && last_event->is_array());
    ASSERT_EQ(last_event->elements().size(), 1u);
    const auto& fields = last_event->elements()[0].elements()[1].elements();
    ASSERT_EQ(fields.size(), 4u);
    EXPECT_EQ(fields[0].as_string(), "transaction_id");
    EXPECT_EQ(fields[1].as_string(), transfer->transaction_id);
    EXPECT_EQ(fields[2].as_string(), "seq");
    EXPECT_EQ(fields[3].as_string(), std::to_string(transfer->sequence));

    // By account number: carol's is 1000000002.
    auto by_number = request(PostingType::kTransfer, "alice", 500);
    by_number.receiver_kind = ReceiverKind::kAccountNumber;
    by_number.receiver = account_number(2);
    auto to_carol = post(by_number);
    ASSERT_TRUE(to_carol.ok()) << to_carol.error().detail;
    EXPECT_EQ(to_carol->counterparty_username, "carol");
    EXPECT_EQ(to_carol->counterparty_balance_after_minor, 500);
    EXPECT_EQ(balance("carol"), 500);
    EXPECT_EQ(integer({"LLEN", history_key("carol")}), 1);
    EXPECT_EQ(sum_of_balances(), 0);
}

TEST_F(RedisLedgerTest, RefusalsChangeNothing) {
    ASSERT_TRUE(post(request(PostingType::kDeposit, "alice", 1000)).ok());
    const auto before = snapshot();

    auto overdraw = post(request(PostingType::kWithdrawal, "alice", 1001));
    ASSERT_FALSE(overdraw.ok());
    EXPECT_EQ(overdraw.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(overdraw.error().slug, "insufficient_funds");
    EXPECT_EQ(overdraw.error().detail, "Insufficient funds");

    auto overdraw_transfer = post(request(PostingType::kTransfer, "alice", 1001, "bob"));
    ASSERT_FALSE(overdraw_transfer.ok());
    EXPECT_EQ(overdraw_transfer.error().slug, "insufficient_funds");

    auto empty_account = post(request(PostingType::kWithdrawal, "carol", 1));
    ASSERT_FALSE(empty_account.ok());
    EXPECT_EQ(empty_account.error().slug, "insufficient_funds");

    auto self = post(request(PostingType::kTransfer, "alice", 1, "alice"));
    ASSERT_FALSE(self.ok());
    EXPECT_EQ(self.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(self.error().slug, "self_transfer");

    auto unknown = post(request(PostingType::kTransfer, "alice", 1, "mallory"));
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(unknown.error().slug, "receiver_not_found");

    auto unknown_number = request(PostingType::kTransfer, "alice", 1);
    unknown_number.receiver_kind = ReceiverKind::kAccountNumber;
    unknown_number.receiver = "9999999999";
    auto no_such_number = post(unknown_number);
    ASSERT_FALSE(no_such_number.ok());
    EXPECT_EQ(no_such_number.error().slug, "receiver_not_found");

    auto capped = request(PostingType::kDeposit, "alice", 1);
    capped.max_balance_minor = 1000;
    auto over_cap = post(capped);
    ASSERT_FALSE(over_cap.ok());
    EXPECT_EQ(over_cap.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(over_cap.error().slug, "invalid_amount");

    auto receiver_capped = request(PostingType::kTransfer, "alice", 1000, "bob");
    receiver_capped.max_balance_minor = 999;
    auto receiver_over = post(receiver_capped);
    ASSERT_FALSE(receiver_over.ok());
    EXPECT_EQ(receiver_over.error().slug, "invalid_amount");

    // A bad idempotency TTL or stream length would make SET EX / XADD fail after the balances
    // moved; the script refuses them before writing anything.
    auto bad_ttl = request(PostingType::kDeposit, "alice", 5);
    bad_ttl.idempotency_key_sha256 = sha256_hex("key-1");
    bad_ttl.idempotency_ttl_s = 0;
    auto ttl_refused = post(bad_ttl);
    ASSERT_FALSE(ttl_refused.ok());
    EXPECT_EQ(ttl_refused.error().code, ErrorCode::kInternal);
    auto bad_maxlen = request(PostingType::kDeposit, "alice", 5);
    bad_maxlen.stream_maxlen = -1;
    auto maxlen_refused = post(bad_maxlen);
    ASSERT_FALSE(maxlen_refused.ok());
    EXPECT_EQ(maxlen_refused.error().code, ErrorCode::kInternal);

    // The record's entries are written as JSON text, so an id that would need escaping is
    // refused before anything is written (user ids are UUIDs; this one is corruption).
    auto quoted_id = post(request(PostingType::kDeposit, "al\"ice", 5));
    ASSERT_FALSE(quoted_id.ok());
    EXPECT_EQ(quoted_id.error().code, ErrorCode::kInternal);

    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(sum_of_balances(), 0);
}

// The accounts keys are another service's data: an index entry without its profile (a sign-up
// half done) is no receiver, and an index that names no user id (here the cash account) is
// corruption the ledger refuses rather than pays into.
TEST_F(RedisLedgerTest, ReceiverMustBeACompleteWellFormedAccount) {
    ASSERT_TRUE(post(request(PostingType::kDeposit, "alice", 1000)).ok());
    ASSERT_TRUE(command({"SET", "accounts:username:half", "half-done-user"}).ok());
    ASSERT_TRUE(command({"SET", "accounts:username:cash", std::string(kCashAccount)}).ok());
    ASSERT_TRUE(command({"HSET", account_key(kCashAccount), "username", "cash"}).ok());
    const auto before = snapshot();

    auto half = post(request(PostingType::kTransfer, "alice", 1, "half"));
    ASSERT_FALSE(half.ok());
    EXPECT_EQ(half.error().slug, "receiver_not_found");

    auto cash = post(request(PostingType::kTransfer, "alice", 1, "cash"));
    ASSERT_FALSE(cash.ok());
    EXPECT_EQ(cash.error().code, ErrorCode::kInternal);

    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(sum_of_balances(), 0);
}

// A key the posting would write that holds another type (a history left as a sorted set by the
// earlier layout, a balance that is not a number) is refused before anything is written: Redis
// would otherwise fail that write after the balances moved.
TEST_F(RedisLedgerTest, KeysOfAnotherTypeAreRefusedBeforeAnyWrite) {
    ASSERT_TRUE(post(request(PostingType::kDeposit, "alice", 1000)).ok());
    ASSERT_TRUE(command({"ZADD", history_key("bob"), "1", "tx-old"}).ok());
    ASSERT_TRUE(command({"RPUSH", balance_key("carol"), "not-a-number"}).ok());
    const auto before = snapshot();

    for (const auto& refused : {request(PostingType::kTransfer, "alice", 10, "bob"),
                                request(PostingType::kDeposit, "bob", 10),
                                request(PostingType::kTransfer, "alice", 10, "carol"),
                                request(PostingType::kDeposit, "carol", 10)}) {
        auto result = post(refused);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::kInternal);
        EXPECT_NE(result.error().detail.find("LEDGER_INVARIANT"), std::string::npos)
            << result.error().detail;
    }
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(balance("alice"), 1000);
}

TEST_F(RedisLedgerTest, BalancesAreCappedAtTheLargestExactLuaInteger) {
    ASSERT_TRUE(post(request(PostingType::kDeposit, "alice", kMaxSafeBalanceMinor)).ok());
    EXPECT_EQ(balance("alice"), kMaxSafeBalanceMinor);
    const auto before = snapshot();
    auto over = post(request(PostingType::kDeposit, "alice", 1));
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().slug, "invalid_amount");
    auto too_large = post(request(PostingType::kDeposit, "bob", kMaxSafeBalanceMinor + 1));
    ASSERT_FALSE(too_large.ok());
    EXPECT_EQ(too_large.error().slug, "invalid_amount");
    EXPECT_EQ(snapshot(), before);
    // Exact to the last cent on the way back down.
    auto withdrawal = post(request(PostingType::kWithdrawal, "alice", kMaxSafeBalanceMinor - 1));
    ASSERT_TRUE(withdrawal.ok());
    EXPECT_EQ(withdrawal->balance_after_minor, 1);
    EXPECT_EQ(sum_of_balances(), 0);
}

TEST_F(RedisLedgerTest, IdempotentReplayMovesNoMoney) {
    ASSERT_TRUE(post(request(PostingType::kDeposit, "alice", 5000)).ok());
    auto first_request = request(PostingType::kTransfer, "alice", 1500, "bob");
    first_request.idempotency_key_sha256 = sha256_hex("key-1");
    first_request.request_fingerprint = "fingerprint-a";
    auto first = post(first_request);
    ASSERT_TRUE(first.ok()) << first.error().detail;
    EXPECT_FALSE(first->replay);
    const auto after_first = snapshot();

    // A retry carries a fresh transaction id; the stored result wins.
    auto retry_request = first_request;
    retry_request.transaction_id = "tx-retry";
    auto retry = post(retry_request);
    ASSERT_TRUE(retry.ok()) << retry.error().detail;
    EXPECT_TRUE(retry->replay);
    EXPECT_EQ(retry->transaction_id, first->transaction_id);
    EXPECT_EQ(retry->balance_after_minor, 3500);
    EXPECT_EQ(retry->counterparty_balance_after_minor, 1500);
    EXPECT_EQ(retry->sequence, first->sequence);
    EXPECT_EQ(snapshot(), after_first);

    auto reused_request = first_request;
    reused_request.request_fingerprint = "fingerprint-b";
    auto reused = post(reused_request);
    ASSERT_FALSE(reused.ok());
    EXPECT_EQ(reused.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(reused.error().slug, "idempotency_key_reused");
    EXPECT_EQ(snapshot(), after_first);

    // Keys are per user: bob may use the same key for his own request.
    auto bob_request = request(PostingType::kWithdrawal, "bob", 500);
    bob_request.idempotency_key_sha256 = sha256_hex("key-1");
    bob_request.request_fingerprint = "fingerprint-c";
    auto bob = post(bob_request);
    ASSERT_TRUE(bob.ok()) << bob.error().detail;
    EXPECT_FALSE(bob->replay);

    // The record expires no sooner than the requested TTL.
    EXPECT_GE(integer({"TTL", idempotency_key("alice", sha256_hex("key-1"))}), 86000);
    EXPECT_EQ(sum_of_balances(), 0);
}

TEST_F(RedisLedgerTest, ConcurrentDepositsAreAllCounted) {
    std::vector<PostingRequest> requests;
    for (int i = 0; i < 200; ++i) requests.push_back(request(PostingType::kDeposit, "alice", 1));
    auto results = post_concurrently(requests);
    ASSERT_EQ(results.size(), 200u);
    for (const auto& result : results) ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(balance("alice"), 200);
    EXPECT_EQ(sum_of_balances(), 0);
    EXPECT_EQ(integer({"LLEN", history_key("alice")}), 200);
    EXPECT_EQ(integer({"XLEN", std::string(kEventsKey)}), 200);
}

TEST_F(RedisLedgerTest, ConcurrentTransfersCannotOverdraw) {
    ASSERT_TRUE(post(request(PostingType::kDeposit, "alice", 1000)).ok());
    std::vector<PostingRequest> requests;
    for (int i = 0; i < 20; ++i) {
        requests.push_back(request(PostingType::kTransfer, "alice", 1000, "bob"));
    }
    auto results = post_concurrently(requests);
    ASSERT_EQ(results.size(), 20u);
    int succeeded = 0;
    for (const auto& result : results) {
        if (result.ok()) {
            ++succeeded;
        } else {
            EXPECT_EQ(result.error().slug, "insufficient_funds");
        }
    }
    EXPECT_EQ(succeeded, 1);
    EXPECT_EQ(balance("alice"), 0);
    EXPECT_EQ(balance("bob"), 1000);
    EXPECT_EQ(sum_of_balances(), 0);
    EXPECT_EQ(integer({"XLEN", std::string(kEventsKey)}), 2);
    EXPECT_EQ(integer({"LLEN", history_key("bob")}), 1);
}

// The history as the store pages it: newest first, cut by position, so postings that arrive
// between two pages neither repeat nor skip an entry.
TEST_F(RedisLedgerTest, HistoryPagesByPositionWhilePostingsArrive) {
    RedisTransactionStore store(redis_.pool());
    const auto page = [&](std::string_view user, std::optional<std::int64_t> before,
                          std::size_t limit) {
        auto result = redis_.run(store.history(user, before, limit));
        EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().detail);
        std::vector<std::string> ids;
        if (result.ok()) {
            for (const auto& entry : result->entries) ids.push_back(entry.transaction_id);
        }
        return std::make_pair(ids, result.ok() ? result->next_before : std::nullopt);
    };
    for (int i = 0; i < 4; ++i)
        ASSERT_TRUE(post(request(PostingType::kDeposit, "alice", 100)).ok());
    ASSERT_TRUE(post(request(PostingType::kTransfer, "alice", 50, "bob")).ok());  // tx-5

    const auto [first, first_next] = page("alice", std::nullopt, 2);
    EXPECT_EQ(first, (std::vector<std::string>{"tx-5", "tx-4"}));
    EXPECT_EQ(first_next, std::optional<std::int64_t>(3));
    ASSERT_TRUE(post(request(PostingType::kDeposit, "alice", 100)).ok());  // tx-6, newest
    const auto [second, second_next] = page("alice", first_next, 2);
    EXPECT_EQ(second, (std::vector<std::string>{"tx-3", "tx-2"}));
    EXPECT_EQ(second_next, std::optional<std::int64_t>(1));
    const auto [last, last_next] = page("alice", second_next, 2);
    EXPECT_EQ(last, (std::vector<std::string>{"tx-1"}));
    EXPECT_FALSE(last_next);
    // A bound past the end (no cursor is issued so) reads from the end; an exact fit has no next.
    EXPECT_EQ(page("alice", 1000, 1).first, (std::vector<std::string>{"tx-6"}));
    EXPECT_FALSE(page("alice", std::nullopt, 6).second);
    EXPECT_TRUE(page("carol", std::nullopt, 20).first.empty());

    // The receiver sees the transfer as a credit with the sender's name.
    auto bobs = redis_.run(store.history("bob", std::nullopt, 20));
    ASSERT_TRUE(bobs.ok());
    ASSERT_EQ(bobs->entries.size(), 1u);
    EXPECT_TRUE(bobs->entries[0].credit);
    EXPECT_EQ(bobs->entries[0].counterparty_username, "alice");
    EXPECT_EQ(bobs->entries[0].balance_after_minor, 50);
    // An entry that does not name the user as a party (a corrupt list) is left out, and the
    // page's bound still moves past it.
    ASSERT_TRUE(command({"RPUSH", history_key("bob"), "tx-1"}).ok());
    const auto [corrupt, corrupt_next] = page("bob", std::nullopt, 1);
    EXPECT_TRUE(corrupt.empty());
    EXPECT_EQ(corrupt_next, std::optional<std::int64_t>(1));
    EXPECT_EQ(page("bob", corrupt_next, 1).first, (std::vector<std::string>{"tx-5"}));
}

TEST(LedgerErrorTest, MatchesTheCodePrefixWithOrWithoutErr) {
    EXPECT_EQ(ledger_error("INSUFFICIENT_FUNDS insufficient funds").slug, "insufficient_funds");
    EXPECT_EQ(ledger_error("ERR INSUFFICIENT_FUNDS insufficient funds").slug, "insufficient_funds");
    EXPECT_EQ(ledger_error("INSUFFICIENT_FUNDSX y").code, ErrorCode::kInternal);
    EXPECT_EQ(ledger_error("LEDGER_INVARIANT broken").code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace bank::transactions
