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
    EXPECT_EQ(status_for(ErrorCode::kHeaderTooLarge), 431u);
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

TEST(Problem, UnavailableSaysWhenToRetryAndNothingElseDoes) {
    Response busy = problem(make_error(ErrorCode::kUnavailable, "server_busy", "x"));
    EXPECT_EQ(busy.result_int(), 503U);
    EXPECT_EQ(busy[Field::retry_after], "1");
    for (const auto code : {ErrorCode::kInternal, ErrorCode::kDeadlineExceeded,
                            ErrorCode::kResourceExhausted, ErrorCode::kInvalidArgument}) {
        Response other = problem(make_error(code, "other", "x"));
        EXPECT_EQ(other.count(Field::retry_after), 0U) << other.result_int();
    }
}

TEST(Problem, OAuthErrorForm) {
    Response response = oauth_error(400, "invalid_grant", "Incorrect username or password");
    EXPECT_EQ(response[Field::cache_control], "no-store");
    auto body = boost::json::parse(response.body()).as_object();
    EXPECT_EQ(body.at("error").as_string(), "invalid_grant");
    EXPECT_EQ(body.size(), 2u);
}

// Found by fuzzing (fuzz/regressions/http_request, fuzz/regressions/endpoint_bodies): a 404
// detail echoed a path with bytes that are not UTF-8, and a form error a field's name, which
// made the answer invalid JSON. Every such byte now becomes U+FFFD; valid text is kept as is.
TEST(Problem, AnswersAreValidUtf8WhateverTheClientSent) {
    const std::string detail =
        "No resource at /caf\xC3\xA9/\xC0\xAF/\xED\xA0\x80/\xF4\x90/\xE2\x82";
    Response response = problem(make_error(ErrorCode::kNotFound, "not_found", detail));
    boost::system::error_code error;
    auto body = boost::json::parse(response.body(), error);
    ASSERT_FALSE(error) << response.body();
    EXPECT_EQ(
        body.as_object().at("detail").as_string(),
        "No resource at /caf\xC3\xA9/\xEF\xBF\xBD\xEF\xBF\xBD/\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD/"
        "\xEF\xBF\xBD\xEF\xBF\xBD/\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(response[Field::content_length], std::to_string(response.body().size()));

    Response field = problem(validation_error("passwor\x91", "is not a known field"));
    EXPECT_FALSE(boost::json::parse(field.body(), error).is_null());
    EXPECT_FALSE(error) << field.body();

    Response oauth = oauth_error(400, "invalid_request", "form field 'a\xFF' is repeated");
    EXPECT_EQ(boost::json::parse(oauth.body()).as_object().at("error_description").as_string(),
              "form field 'a\xEF\xBF\xBD' is repeated");

    // A body's worth of such bytes (a 64 KiB form field name) is repaired in one pass.
    Response large = oauth_error(400, "invalid_request", std::string(64 * 1024, '\xFF'));
    EXPECT_EQ(boost::json::parse(large.body()).as_object().at("error_description").as_string(), [] {
        std::string expected;
        for (int i = 0; i < 64 * 1024; ++i) expected += "\xEF\xBF\xBD";
        return expected;
    }());
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
