// Proves that the Authorization header is parsed per RFC 6750 (scheme case-insensitive, other
// schemes ignored) and that a missing token and an invalid token are different 401 errors, while
// a valid token yields its subject and name; and that remembering verified tokens changes no
// answer: a token is accepted exactly while the verifier would accept it, and a bad one is
// never remembered.
#include "bank/service/authenticator.hpp"

#include <gtest/gtest.h>

#include "bank/jwt/keys.hpp"
#include "bank/jwt/signer.hpp"

namespace bank::service {
namespace {

struct Keys {
    jwt::Signer signer;
    jwt::Verifier verifier;
};

Keys make_keys() {
    auto pem = jwt::generate_rsa_private_key_pem(2048);
    EXPECT_TRUE(pem.ok());
    auto signer = jwt::Signer::from_private_key_pem(*pem);
    EXPECT_TRUE(signer.ok());
    auto verifier = jwt::Verifier::from_public_key_pem(signer->public_key_pem(),
                                                       {"bank-auth", "bank-api", 60, 8192});
    EXPECT_TRUE(verifier.ok());
    return Keys{std::move(*signer), std::move(*verifier)};
}

http::Request with_token(const std::string& token) {
    http::Request request;
    request.set(http::Field::authorization, "Bearer " + token);
    return request;
}

TEST(BearerToken, ParsesHeader) {
    http::Request request;
    EXPECT_EQ(bearer_token(request), "");
    request.set(http::Field::authorization, "Bearer abc.def.ghi");
    EXPECT_EQ(bearer_token(request), "abc.def.ghi");
    request.set(http::Field::authorization, "bearer   xyz ");
    EXPECT_EQ(bearer_token(request), "xyz");
    request.set(http::Field::authorization, "Basic dXNlcjpwYXNz");
    EXPECT_EQ(bearer_token(request), "");
    request.set(http::Field::authorization, "Bearer ");
    EXPECT_EQ(bearer_token(request), "");
}

TEST(Authenticator, AcceptsValidRejectsInvalid) {
    const Keys keys = make_keys();
    Authenticator authenticator(keys.verifier, [] { return std::int64_t{1'000'000}; });

    jwt::Claims claims{"bank-auth", "bank-api", "user-1", "alice", "j1", 999'900, 1'000'500, {}};
    http::Request request = with_token(keys.signer.sign(claims));
    auto caller = authenticator.authenticate(request);
    ASSERT_TRUE(caller.ok());
    EXPECT_EQ(caller->user_id, "user-1");
    EXPECT_EQ(caller->username, "alice");

    http::Request missing;
    auto no_token = authenticator.authenticate(missing);
    ASSERT_FALSE(no_token.ok());
    EXPECT_EQ(no_token.error().slug, "missing_token");

    claims.exp = 999'000;  // expired beyond the 60 s leeway
    request.set(http::Field::authorization, "Bearer " + keys.signer.sign(claims));
    auto expired = authenticator.authenticate(request);
    ASSERT_FALSE(expired.ok());
    EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(expired.error().slug, "invalid_token");
}

TEST(Authenticator, RemembersAVerifiedTokenUntilItsExpiryAndNoLonger) {
    const Keys keys = make_keys();
    std::int64_t now = 1'000'000;
    Authenticator authenticator(keys.verifier, [&now] { return now; });
    const jwt::Claims claims{"bank-auth", "bank-api", "user-1", "alice", "j1", now, now + 900, {}};
    const http::Request request = with_token(keys.signer.sign(claims));

    ASSERT_TRUE(authenticator.authenticate(request).ok());
    EXPECT_EQ(authenticator.cache_stats().misses, 1u);
    auto again = authenticator.authenticate(request);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->user_id, "user-1");
    EXPECT_EQ(again->username, "alice");
    EXPECT_EQ(authenticator.cache_stats().hits, 1u);

    // Past exp but within the verifier's 60 s leeway: the cache no longer answers, the verifier
    // does, and still accepts, as it did before there was a cache.
    now = claims.exp + 30;
    EXPECT_TRUE(authenticator.authenticate(request).ok());
    // Past the leeway: refused, whether or not the token was ever cached.
    now = claims.exp + 61;
    auto expired = authenticator.authenticate(request);
    ASSERT_FALSE(expired.ok());
    EXPECT_EQ(expired.error().slug, "invalid_token");
    EXPECT_EQ(authenticator.cache_stats().hits, 1u);
}

TEST(Authenticator, NeverRemembersARefusedToken) {
    const Keys keys = make_keys();
    const Keys other = make_keys();
    Authenticator authenticator(keys.verifier, [] { return std::int64_t{1'000'000}; });
    const jwt::Claims claims{"bank-auth", "bank-api", "user-1",  "alice",
                             "j1",        1'000'000,  1'000'900, {}};
    // Signed with a key the verifier does not trust.
    const http::Request forged = with_token(other.signer.sign(claims));
    for (int i = 0; i < 3; ++i) {
        auto result = authenticator.authenticate(forged);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().slug, "invalid_token");
    }
    EXPECT_EQ(authenticator.cache_stats().hits, 0u);
    EXPECT_EQ(authenticator.cache_stats().entries, 0u);
}

TEST(Authenticator, WorksWithTheCacheTurnedOff) {
    const Keys keys = make_keys();
    Authenticator authenticator(
        keys.verifier, [] { return std::int64_t{1'000'000}; }, 0);
    const jwt::Claims claims{"bank-auth", "bank-api", "user-1",  "alice",
                             "j1",        1'000'000,  1'000'900, {}};
    const http::Request request = with_token(keys.signer.sign(claims));
    EXPECT_TRUE(authenticator.authenticate(request).ok());
    EXPECT_TRUE(authenticator.authenticate(request).ok());
    EXPECT_EQ(authenticator.cache_stats().hits, 0u);
}

}  // namespace
}  // namespace bank::service
