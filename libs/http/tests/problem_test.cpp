// Proves the single error table: each code's HTTP status, the RFC 9457 body members, field
// errors, the 401 challenge, the OAuth error form, and Content-Type matching.
#include "bank/http/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace bank::http {
namespace {

TEST(Problem, StatusTable) {
    EXPECT_EQ(status_for(ErrorCode::kInvalidArgument), 400u);
    EXPECT_EQ(status_for(ErrorCode::kFailedPrecondition), 400u);
    EXPECT_EQ(status_for(ErrorCode::kUnauthenticated), 401u);
    EXPECT_EQ(status_for(ErrorCode::kPermissionDenied), 403u);
    EXPECT_EQ(status_for(ErrorCode::kNotFound), 404u);
    EXPECT_EQ(status_for(ErrorCode::kAborted), 409u);
    EXPECT_EQ(status_for(ErrorCode::kPayloadTooLarge), 413u);
    EXPECT_EQ(status_for(ErrorCode::kUnsupportedMediaType), 415u);
    EXPECT_EQ(status_for(ErrorCode::kUnprocessable), 422u);
    EXPECT_EQ(status_for(ErrorCode::kResourceExhausted), 429u);
    EXPECT_EQ(status_for(ErrorCode::kInternal), 500u);
    EXPECT_EQ(status_for(ErrorCode::kUnavailable), 503u);
}

TEST(Problem, BodyHasRfc9457Members) {
    Response response = problem(validation_error("email", "is not an email address"), "rid-1");
    EXPECT_EQ(response.result_int(), 422u);
    EXPECT_EQ(response[Field::content_type], "application/problem+json");
    auto body = boost::json::parse(response.body()).as_object();
    EXPECT_EQ(body.at("type").as_string(), "/problems/validation_failed");
    EXPECT_EQ(body.at("title").as_string(), "Unprocessable Entity");
    EXPECT_EQ(body.at("status").as_int64(), 422);
    EXPECT_EQ(body.at("code").as_string(), "validation_failed");
    EXPECT_EQ(body.at("request_id").as_string(), "rid-1");
    auto errors = body.at("errors").as_array();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].as_object().at("field").as_string(), "email");
}

TEST(Problem, UnauthorizedCarriesChallenge) {
    Response missing = problem(make_error(ErrorCode::kUnauthenticated, "missing_token", "x"));
    EXPECT_EQ(missing[Field::www_authenticate], "Bearer");
    Response invalid = problem(make_error(ErrorCode::kUnauthenticated, "invalid_token", "x"));
    EXPECT_EQ(invalid[Field::www_authenticate], "Bearer error=\"invalid_token\"");
}

TEST(Problem, OAuthErrorForm) {
    Response response = oauth_error(400, "invalid_grant", "Incorrect username or password");
    EXPECT_EQ(response[Field::cache_control], "no-store");
    auto body = boost::json::parse(response.body()).as_object();
    EXPECT_EQ(body.at("error").as_string(), "invalid_grant");
    EXPECT_EQ(body.size(), 2u);
}

TEST(Problem, ContentTypeMatching) {
    Request request;
    request.set(Field::content_type, "Application/JSON; charset=utf-8");
    EXPECT_TRUE(has_content_type(request, "application/json"));
    EXPECT_TRUE(require_content_type(request, "application/json").ok());
    request.set(Field::content_type, "text/plain");
    auto status = require_content_type(request, "application/json");
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kUnsupportedMediaType);
    request.set(Field::content_type, "application/jsonx");
    EXPECT_FALSE(has_content_type(request, "application/json"));
}

}  // namespace
}  // namespace bank::http
