// Proves the accounts rules without Redis or auth: every bad sign-up field reported at once, an
// account opened with a 10-digit number (retrying on a collision), the registration undone when
// the account cannot be written, a retry completing a stranded registration, owner-only reads
// (403 for anyone else, before any lookup), and login combining the grant with the account.
#include "logic/accounts_logic.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "bank/testing/run.hpp"

namespace bank::accounts {
namespace {

using bank::testing::run;
namespace asio = boost::asio;

class FakeStore final : public AccountStore {
  public:
    asio::awaitable<Result<CreateOutcome>> create(const Account& account,
                                                  std::string_view canonical) override {
        if (fail_creates > 0) {
            --fail_creates;
            co_return make_error(ErrorCode::kUnavailable, "redis_unavailable", "down");
        }
        if (accounts.contains(account.user_id) || usernames.contains(std::string(canonical))) {
            co_return CreateOutcome::kAlreadyExists;
        }
        if (numbers.contains(account.account_number)) co_return CreateOutcome::kNumberTaken;
        accounts[account.user_id] = account;
        usernames.insert(std::string(canonical));
        numbers.insert(account.account_number);
        if (time_out_after_commit) {
            time_out_after_commit = false;
            co_return make_error(ErrorCode::kUnavailable, "redis_timeout", "no answer in time");
        }
        co_return CreateOutcome::kCreated;
    }
    asio::awaitable<Result<std::optional<AccountView>>> find(std::string_view user_id) override {
        ++finds;
        auto it = accounts.find(std::string(user_id));
        if (it == accounts.end()) co_return std::optional<AccountView>{};
        co_return std::optional<AccountView>{AccountView{it->second, 1234}};
    }
    asio::awaitable<Result<bool>> username_has_account(std::string_view canonical) override {
        co_return usernames.contains(std::string(canonical));
    }
    std::map<std::string, Account> accounts;
    std::set<std::string> usernames;
    std::set<std::string> numbers;
    int fail_creates = 0;
    bool time_out_after_commit = false;
    int finds = 0;
};

class FakeAuth final : public AuthGateway {
  public:
    asio::awaitable<Result<Registered>> register_user(std::string username,
                                                      std::string password) override {
        if (down) co_return make_error(ErrorCode::kUnavailable, "auth_unavailable", "down");
        std::string key = username;
        for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (users.contains(key)) {
            co_return make_error(ErrorCode::kFailedPrecondition, "username_taken",
                                 "Username already taken");
        }
        const std::string id = "user-" + std::to_string(++next_id);
        users[key] = {id, password};
        co_return Registered{id, username};
    }
    asio::awaitable<Result<Grant>> password_grant(std::string username,
                                                  std::string password) override {
        if (down) co_return make_error(ErrorCode::kUnavailable, "auth_unavailable", "down");
        std::string key = username;
        for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto it = users.find(key);
        if (it == users.end() || it->second.second != password) {
            co_return make_error(ErrorCode::kInvalidArgument, "invalid_grant",
                                 "Incorrect username or password");
        }
        co_return Grant{boost::json::object{{"access_token", "t"},
                                            {"refresh_token", "r-" + it->second.first},
                                            {"user_id", it->second.first}},
                        it->second.first};
    }
    asio::awaitable<Status> delete_user(std::string user_id) override {
        ++deletes;
        if (fail_deletes) co_return make_error(ErrorCode::kUnavailable, "auth_unavailable", "down");
        for (auto it = users.begin(); it != users.end(); ++it) {
            if (it->second.first == user_id) {
                users.erase(it);
                break;
            }
        }
        co_return ok_status();
    }
    asio::awaitable<Status> revoke(std::string refresh_token) override {
        revoked.push_back(std::move(refresh_token));
        co_return ok_status();
    }
    std::map<std::string, std::pair<std::string, std::string>> users;
    std::vector<std::string> revoked;
    int next_id = 0;
    int deletes = 0;
    bool down = false;
    bool fail_deletes = false;
};

SignUp valid_sign_up(std::string username = "alice") {
    return SignUp{std::move(username), "password1", "alice@example.com", "Alice", "Smith",
                  std::nullopt};
}

class AccountsLogicTest : public ::testing::Test {
  protected:
    FakeStore store_;
    FakeAuth auth_;
    std::vector<std::string> numbers_{"1000000001", "1000000001", "1000000002", "1000000003"};
    std::size_t next_number_ = 0;
    AccountsLogic logic_{store_, auth_, [] { return std::int64_t{1'700'000'000}; },
                         [this] { return numbers_.at(next_number_++ % numbers_.size()); }};
};

TEST_F(AccountsLogicTest, ReportsEveryBadFieldAtOnce) {
    SignUp bad{"a b", "short", "not-an-email", "", "Smith", std::string("12")};
    auto result = run(logic_.open_account(bad));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnprocessable);
    std::vector<std::string> fields;
    for (const auto& error : result.error().field_errors) fields.push_back(error.field);
    EXPECT_EQ(fields,
              (std::vector<std::string>{"username", "password", "email", "first_name", "phone"}));
    EXPECT_TRUE(auth_.users.empty());
}

TEST_F(AccountsLogicTest, OpensAccountAndRetriesNumberCollision) {
    auto first = run(logic_.open_account(valid_sign_up("alice")));
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->account.account_number, "1000000001");
    EXPECT_EQ(first->balance_minor, 0);
    auto second = run(logic_.open_account(valid_sign_up("bob")));
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->account.account_number, "1000000002");
}

TEST_F(AccountsLogicTest, TakenUsernameIs400) {
    ASSERT_TRUE(run(logic_.open_account(valid_sign_up("alice"))).ok());
    auto again = run(logic_.open_account(valid_sign_up("ALICE")));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().slug, "username_taken");
    EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(AccountsLogicTest, StoreFailureUndoesRegistration) {
    store_.fail_creates = 1;
    auto result = run(logic_.open_account(valid_sign_up()));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(auth_.deletes, 1);
    EXPECT_TRUE(auth_.users.empty());
    EXPECT_TRUE(run(logic_.open_account(valid_sign_up())).ok());
}

TEST_F(AccountsLogicTest, TimeoutAfterTheWriteKeepsTheAccount) {
    store_.time_out_after_commit = true;
    auto result = run(logic_.open_account(valid_sign_up()));
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(auth_.deletes, 0);  // undoing would leave an account nobody can log in to
    EXPECT_EQ(auth_.users.size(), 1u);
    EXPECT_TRUE(store_.accounts.contains(result->account.user_id));
}

TEST_F(AccountsLogicTest, RetryCompletesAStrandedRegistration) {
    store_.fail_creates = 1;
    auth_.fail_deletes = true;  // the undo fails too: the name stays registered without account
    ASSERT_FALSE(run(logic_.open_account(valid_sign_up())).ok());
    ASSERT_EQ(auth_.users.size(), 1u);
    auto retried = run(logic_.open_account(valid_sign_up()));
    ASSERT_TRUE(retried.ok());
    EXPECT_EQ(retried->account.user_id, auth_.users.begin()->second.first);
    // The grant that proved the password leaves no live refresh token behind.
    EXPECT_EQ(auth_.revoked, std::vector<std::string>{"r-" + retried->account.user_id});
    // A stranger with another password does not get the stranded name.
    store_.accounts.clear();
    store_.usernames.clear();
    SignUp stranger = valid_sign_up();
    stranger.password = "different1";
    auto stolen = run(logic_.open_account(stranger));
    ASSERT_FALSE(stolen.ok());
    EXPECT_EQ(stolen.error().slug, "username_taken");
}

TEST_F(AccountsLogicTest, AuthDownIsUnavailable) {
    auth_.down = true;
    auto result = run(logic_.open_account(valid_sign_up()));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
    auto login = run(logic_.login("alice", "password1"));
    ASSERT_FALSE(login.ok());
    EXPECT_EQ(login.error().code, ErrorCode::kUnavailable);
}

TEST_F(AccountsLogicTest, OnlyTheOwnerReads) {
    auto alice = run(logic_.open_account(valid_sign_up("alice")));
    ASSERT_TRUE(alice.ok());
    const int finds_before = store_.finds;
    auto other = run(logic_.get_account("someone-else", alice->account.user_id));
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(store_.finds, finds_before);  // decided before touching storage
    auto own = run(logic_.get_account(alice->account.user_id, alice->account.user_id));
    ASSERT_TRUE(own.ok());
    EXPECT_EQ(own->balance_minor, 1234);
    auto missing = run(logic_.get_account("ghost", "ghost"));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(AccountsLogicTest, LoginReturnsGrantAndAccount) {
    ASSERT_TRUE(run(logic_.open_account(valid_sign_up("alice"))).ok());
    auto login = run(logic_.login("Alice", "password1"));
    ASSERT_TRUE(login.ok());
    EXPECT_EQ(login->token_response.at("access_token").as_string(), "t");
    ASSERT_TRUE(login->account.has_value());
    auto wrong = run(logic_.login("alice", "nope-nope"));
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().slug, "invalid_grant");
}

TEST(AccountJson, ShapeHasNoSecretsAndFormatsMoney) {
    AccountView view{
        Account{"u1", "alice", "a@b.co", "A", "B", std::nullopt, "1234567890", "USD", 0}, 17000};
    auto object = to_json(view);
    EXPECT_EQ(object.at("balance").as_string(), "170.00");
    EXPECT_EQ(object.at("balance_minor").as_int64(), 17000);
    EXPECT_TRUE(object.at("phone").is_null());
    EXPECT_EQ(object.at("created_at").as_string(), "1970-01-01T00:00:00Z");
    for (const auto& member : object) {
        EXPECT_EQ(std::string(member.key()).find("password"), std::string::npos);
        EXPECT_EQ(std::string(member.key()).find("hash"), std::string::npos);
    }
}

TEST(AccountNumbers, DefaultSourceGivesTenDigits) {
    FakeStore store;
    FakeAuth auth;
    AccountsLogic logic(store, auth);
    for (int i = 0; i < 20; ++i) {
        auto account = run(logic.open_account(valid_sign_up("user" + std::to_string(i))));
        ASSERT_TRUE(account.ok());
        EXPECT_TRUE(std::regex_match(account->account.account_number, std::regex("[1-9][0-9]{9}")));
    }
}

}  // namespace
}  // namespace bank::accounts
