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

    jwt::Verifier verifier() {
        return *jwt::Verifier::from_public_key_pem(signer_->public_key_pem(),
                                                   {"bank-auth", "bank-api", 60, 8192});
    }

    static inline jwt::Signer* signer_ = nullptr;
    auth::testing::InMemoryUserStore store_;
    auth::testing::FakeHasher hasher_;
    std::int64_t now_ = 1'700'000'000;
    AuthLogic logic_{store_, hasher_, *signer_, TokenSettings{}, [this] { return now_; }};
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
    auto wrong = run(logic_.password_grant("alice", "password2"));
    auto unknown = run(logic_.password_grant("nobody", "password1"));
    auto impossible = run(logic_.password_grant("no such user!", "password1"));
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
    auto pair = run(logic_.password_grant("ALICE", "password1"));
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
    auto first = run(logic_.password_grant("alice", "password1"));
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
    auto other = run(logic_.password_grant("alice", "password1"));
    ASSERT_TRUE(other.ok());
    EXPECT_TRUE(run(logic_.refresh_grant(other->refresh_token)).ok());
}

TEST_F(AuthLogicTest, RevokeStopsTheFamilyAndAcceptsUnknownTokens) {
    ASSERT_TRUE(run(logic_.register_user("alice", "password1")).ok());
    auto pair = run(logic_.password_grant("alice", "password1"));
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
    auto result = run(logic_.password_grant("alice", "password1"));
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

TEST(AuthHelpers, UuidAndSha256) {
    const unsigned char zeros[16] = {};
    EXPECT_EQ(uuid_v4_from(zeros), "00000000-0000-4000-8000-000000000000");
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace bank::auth
