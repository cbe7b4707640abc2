// Proves the auth rules without Redis: registration validation and case-insensitive uniqueness,
// the same invalid_grant answer (after exactly one hash verification) for unknown users and wrong
// passwords, access-token claims, refresh rotation, reuse detection revoking the whole family,
// revocation, random UUID v4 user ids, and that passwords never reach storage in clear.
#include "logic/auth_logic.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <regex>

#include "bank/jwt/keys.hpp"
#include "bank/jwt/verifier.hpp"
#include "bank/testing/run.hpp"
#include "in_memory_user_store.hpp"

namespace bank::auth {
namespace {

using bank::testing::run;

class AuthLogicTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto pem = jwt::generate_rsa_private_key_pem(2048);
        ASSERT_TRUE(pem.ok());
        signer_ = new jwt::Signer(*jwt::Signer::from_private_key_pem(*pem));
    }
    static void TearDownTestSuite() { delete signer_; }

    void SetUp() override { ASSERT_TRUE(run(logic_.prepare()).ok()); }

    // A password grant, with a refusal by the throttle turned into an error slug "throttled".
    Result<TokenPair> login(std::string username, std::string password) {
        auto grant = run(logic_.password_grant(std::move(username), std::move(password)));
        if (!grant.ok()) return std::move(grant).error();
        if (const auto* locked = std::get_if<LoginThrottled>(&*grant)) {
            last_retry_after_s_ = locked->retry_after_s;
            return make_error(ErrorCode::kResourceExhausted, "throttled", "locked");
        }
        return std::get<TokenPair>(std::move(*grant));
    }

    jwt::Verifier verifier() {
        return *jwt::Verifier::from_public_key_pem(signer_->public_key_pem(),
                                                   {"bank-auth", "bank-api", 60, 8192});
    }

    static inline jwt::Signer* signer_ = nullptr;
    auth::testing::InMemoryUserStore store_;
    auth::testing::FakeHasher hasher_;
    std::int64_t now_ = 1'700'000'000;
    std::int64_t last_retry_after_s_ = 0;
    AuthLogic logic_{
        store_, hasher_, *signer_, TokenSettings{}, LoginThrottlePolicy{}, [this] { return now_; }};
};

TEST_F(AuthLogicTest, RegistersWithRandomUuidAndHashedPassword) {
    auto user = run(logic_.register_user("Alice", "correct horse"));
    ASSERT_TRUE(user.ok());
    EXPECT_EQ(user->username, "Alice");
    EXPECT_TRUE(std::regex_match(
        user->user_id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                  "[0-9a-f]{12}")));
    EXPECT_EQ(store_.users().at(user->user_id).password_hash, "fake$correct horse");
    auto second = run(logic_.register_user("bob", "correct horse"));
    ASSERT_TRUE(second.ok());
    EXPECT_NE(second->user_id, user->user_id);
}

TEST_F(AuthLogicTest, UsernameIsUniqueCaseInsensitively) {
    ASSERT_TRUE(run(logic_.register_user("alice", "password1")).ok());
    auto taken = run(logic_.register_user("ALICE", "password2"));
    ASSERT_FALSE(taken.ok());
    EXPECT_EQ(taken.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(taken.error().slug, "username_taken");
    EXPECT_EQ(taken.error().detail, "Username already taken");
}

TEST_F(AuthLogicTest, RejectsInvalidRegistrationFieldsTogether) {
    auto result = run(logic_.register_user("a b", "short"));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnprocessable);
    ASSERT_EQ(result.error().field_errors.size(), 2u);
    EXPECT_EQ(result.error().field_errors[0].field, "username");
    EXPECT_EQ(result.error().field_errors[1].field, "password");
    EXPECT_EQ(store_.user_count(), 0u);
}

TEST_F(AuthLogicTest, SameAnswerForUnknownUserAndWrongPassword) {
    ASSERT_TRUE(run(logic_.register_user("alice", "password1")).ok());
    const int before = hasher_.verifications;
    auto wrong = login("alice", "password2");
    auto unknown = login("nobody", "password1");
    auto impossible = login("no such user!", "password1");
    for (const auto* result : {&wrong, &unknown, &impossible}) {
        ASSERT_FALSE(result->ok());
        EXPECT_EQ(result->error().slug, "invalid_grant");
        EXPECT_EQ(result->error().detail, "Incorrect username or password");
    }
    // Each failure cost exactly one verification, known user or not.
    EXPECT_EQ(hasher_.verifications - before, 3);
}

TEST_F(AuthLogicTest, PasswordGrantIssuesVerifiableAccessToken) {
    auto user = run(logic_.register_user("alice", "password1"));
    ASSERT_TRUE(user.ok());
    auto pair = login("ALICE", "password1");
    ASSERT_TRUE(pair.ok());
    EXPECT_EQ(pair->expires_in, 900);
    EXPECT_EQ(pair->user_id, user->user_id);
    auto claims = verifier().verify(pair->access_token, now_);
    ASSERT_TRUE(claims.ok());
    EXPECT_EQ(claims->sub, user->user_id);
    EXPECT_EQ(claims->name, "alice");
    EXPECT_EQ(claims->iss, "bank-auth");
    EXPECT_EQ(claims->aud, "bank-api");
    EXPECT_EQ(claims->exp - claims->iat, 900);
    EXPECT_FALSE(claims->jti.empty());
    EXPECT_FALSE(verifier().verify(pair->access_token, now_ + 900 + 61).ok());
}

TEST_F(AuthLogicTest, RefreshRotatesAndDetectsReuse) {
    ASSERT_TRUE(run(logic_.register_user("alice", "password1")).ok());
    auto first = login("alice", "password1");
    ASSERT_TRUE(first.ok());
    auto second = run(logic_.refresh_grant(first->refresh_token));
    ASSERT_TRUE(second.ok());
    EXPECT_NE(second->refresh_token, first->refresh_token);
    EXPECT_TRUE(verifier().verify(second->access_token, now_).ok());

    // The old token was rotated away: presenting it again is reuse and kills the family...
    auto reused = run(logic_.refresh_grant(first->refresh_token));
    ASSERT_FALSE(reused.ok());
    EXPECT_EQ(reused.error().slug, "invalid_grant");
    // ...including the newest token, which the thief or the user may hold.
    auto after = run(logic_.refresh_grant(second->refresh_token));
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().slug, "invalid_grant");

    // Another login is another family and is unaffected.
    auto other = login("alice", "password1");
    ASSERT_TRUE(other.ok());
    EXPECT_TRUE(run(logic_.refresh_grant(other->refresh_token)).ok());
}

TEST_F(AuthLogicTest, RevokeStopsTheFamilyAndAcceptsUnknownTokens) {
    ASSERT_TRUE(run(logic_.register_user("alice", "password1")).ok());
    auto pair = login("alice", "password1");
    ASSERT_TRUE(pair.ok());
    EXPECT_TRUE(run(logic_.revoke(pair->refresh_token)).ok());
    EXPECT_FALSE(run(logic_.refresh_grant(pair->refresh_token)).ok());
    EXPECT_TRUE(run(logic_.revoke("not-a-token")).ok());
    EXPECT_TRUE(run(logic_.revoke("")).ok());
}

TEST_F(AuthLogicTest, GarbageRefreshTokensAreInvalidGrant) {
    for (std::string token : {std::string(""), std::string("x"), std::string(2000, 'a')}) {
        auto result = run(logic_.refresh_grant(token));
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().slug, "invalid_grant");
    }
}

TEST_F(AuthLogicTest, StorageFailureIsUnavailableNotSuccess) {
    store_.fail_next();
    auto result = login("alice", "password1");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
}

TEST_F(AuthLogicTest, DeleteUserFreesTheName) {
    auto user = run(logic_.register_user("alice", "password1"));
    ASSERT_TRUE(user.ok());
    EXPECT_TRUE(run(logic_.delete_user(user->user_id)).ok());
    EXPECT_TRUE(run(logic_.register_user("alice", "password1")).ok());
    auto missing = run(logic_.delete_user("nope"));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// The failed-login throttle, seen from the token endpoint's logic (the arithmetic is in
// login_throttle_test.cpp, the atomic Redis step in redis_user_store_test.cpp).
TEST_F(AuthLogicTest, FifthFailureLocksTheNameAndLockedAttemptsCostNoHash) {
    ASSERT_TRUE(run(logic_.register_user("alice", "password1")).ok());
    for (int attempt = 1; attempt <= 5; ++attempt) {
        auto wrong = login("alice", "wrong-password");
        ASSERT_FALSE(wrong.ok());
        EXPECT_EQ(wrong.error().slug, "invalid_grant") << attempt;
    }
    const int verifications = hasher_.verifications;
    // Locked for 1 s: even the right password is refused, and nothing is hashed.
    for (const char* password : {"wrong-password", "password1"}) {
        auto locked = login("ALICE", password);
        ASSERT_FALSE(locked.ok());
        EXPECT_EQ(locked.error().slug, "throttled");
        EXPECT_EQ(last_retry_after_s_, 1);
    }
    EXPECT_EQ(hasher_.verifications, verifications);
    // Other names are not affected.
    auto bob = login("bob", "wrong-password");
    ASSERT_FALSE(bob.ok());
    EXPECT_EQ(bob.error().slug, "invalid_grant");
    // When the lock ends the right password works again.
    now_ += 1;
    EXPECT_TRUE(login("alice", "password1").ok());
}

TEST_F(AuthLogicTest, LocksDoubleUpToTheCapAndEnd) {
    const LoginThrottlePolicy policy{2, std::chrono::seconds(10), std::chrono::seconds(30),
                                     std::chrono::seconds(600)};
    AuthLogic logic{store_, hasher_, *signer_, TokenSettings{}, policy, [this] { return now_; }};
    ASSERT_TRUE(run(logic.prepare()).ok());
    ASSERT_TRUE(run(logic.register_user("carol", "password1")).ok());
    // The seconds a locked name must wait, or 0 when the attempt was let through.
    const auto attempt = [&](const char* password) -> std::int64_t {
        auto grant = run(logic.password_grant("carol", password));
        if (!grant.ok()) {
            EXPECT_EQ(grant.error().slug, "invalid_grant");
            return 0;
        }
        const auto* locked = std::get_if<LoginThrottled>(&*grant);
        return locked == nullptr ? 0 : locked->retry_after_s;
    };
    EXPECT_EQ(attempt("wrong-password"), 0);
    // Each counted failure from the second on sets the next lock: 10, 20, 30, 30 s.
    for (const std::int64_t lock : {10, 20, 30, 30}) {
        EXPECT_EQ(attempt("wrong-password"), 0);
        EXPECT_EQ(attempt("wrong-password"), lock);
        now_ += lock - 1;
        EXPECT_EQ(attempt("password1"), 1);
        now_ += 1;
    }
    auto last = run(logic.password_grant("carol", "password1"));
    ASSERT_TRUE(last.ok());
    EXPECT_TRUE(std::holds_alternative<TokenPair>(*last));
}

TEST_F(AuthLogicTest, SuccessForgetsTheFailures) {
    ASSERT_TRUE(run(logic_.register_user("alice", "password1")).ok());
    for (int round = 0; round < 3; ++round) {
        for (int attempt = 0; attempt < 4; ++attempt) {
            EXPECT_EQ(login("alice", "wrong-password").error().slug, "invalid_grant");
        }
        ASSERT_TRUE(login("alice", "password1").ok()) << round;
    }
    EXPECT_EQ(store_.throttled_names(), 0u);
}

TEST_F(AuthLogicTest, UnknownNamesAreThrottledLikeRealOnesAndImpossibleNamesNotAtAll) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        EXPECT_EQ(login("nobody", "password1").error().slug, "invalid_grant");
    }
    EXPECT_EQ(login("nobody", "password1").error().slug, "throttled");
    const std::size_t names = store_.throttled_names();
    for (int attempt = 0; attempt < 20; ++attempt) {
        EXPECT_EQ(login("no such user!", "password1").error().slug, "invalid_grant");
    }
    EXPECT_EQ(store_.throttled_names(), names);
}

TEST_F(AuthLogicTest, ThrottleStorageFailureIsUnavailableBeforeAnyHash) {
    ASSERT_TRUE(run(logic_.register_user("alice", "password1")).ok());
    const int verifications = hasher_.verifications;
    store_.fail_next();
    auto result = login("alice", "password1");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(hasher_.verifications, verifications);
}

TEST(AuthHelpers, UuidAndSha256) {
    const unsigned char zeros[16] = {};
    EXPECT_EQ(uuid_v4_from(zeros), "00000000-0000-4000-8000-000000000000");
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace bank::auth
