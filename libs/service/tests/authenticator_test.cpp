// Proves that the Authorization header is parsed per RFC 6750 (scheme case-insensitive, other
// schemes ignored) and that a missing token and an invalid token are different 401 errors, while
// a valid token yields its subject and name.
#include "bank/service/authenticator.hpp"

#include <gtest/gtest.h>

#include "bank/jwt/keys.hpp"
#include "bank/jwt/signer.hpp"

namespace bank::service {
namespace {

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
    auto pem = jwt::generate_rsa_private_key_pem(2048);
    ASSERT_TRUE(pem.ok());
    auto signer = jwt::Signer::from_private_key_pem(*pem);
    ASSERT_TRUE(signer.ok());
    auto verifier = jwt::Verifier::from_public_key_pem(signer->public_key_pem(),
                                                       {"bank-auth", "bank-api", 60, 8192});
    ASSERT_TRUE(verifier.ok());
    Authenticator authenticator(*verifier, [] { return std::int64_t{1'000'000}; });

    jwt::Claims claims{"bank-auth", "bank-api", "user-1", "alice", "j1", 999'900, 1'000'500, {}};
    http::Request request;
    request.set(http::Field::authorization, "Bearer " + signer->sign(claims));
    auto caller = authenticator.authenticate(request);
    ASSERT_TRUE(caller.ok());
    EXPECT_EQ(caller->user_id, "user-1");
    EXPECT_EQ(caller->username, "alice");

    http::Request missing;
    auto no_token = authenticator.authenticate(missing);
    ASSERT_FALSE(no_token.ok());
    EXPECT_EQ(no_token.error().slug, "missing_token");

    claims.exp = 999'000;  // expired beyond the 60 s leeway
    request.set(http::Field::authorization, "Bearer " + signer->sign(claims));
    auto expired = authenticator.authenticate(request);
    ASSERT_FALSE(expired.ok());
    EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(expired.error().slug, "invalid_token");
}

}  // namespace
}  // namespace bank::service
