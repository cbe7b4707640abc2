// Proves routing: literal segments beat parameters regardless of order, parameters are captured,
// a path known under another method is a 405 listing every allowed method, and anything else
// (including trailing slashes and empty parameters) is a 404.
#include "bank/http/router.hpp"

#include <gtest/gtest.h>

namespace bank::http {
namespace {

Handler noop() {
    return [](Context&) -> boost::asio::awaitable<Response> { co_return Response{}; };
}

Router make_router() {
    Router router;
    router.add(Verb::get, "/accounts/{user_id}", noop());
    router.add(Verb::get, "/accounts/me", noop());
    router.add(Verb::post, "/accounts", noop());
    router.add(Verb::post, "/accounts/login", noop());
    router.add(Verb::get, "/transactions/{id}", noop());
    router.add(Verb::get, "/transactions/balance", noop());
    return router;
}

TEST(Router, LiteralBeatsParameter) {
    Router router = make_router();
    auto match = router.match(Verb::get, "/accounts/me");
    ASSERT_EQ(match.kind, Match::Kind::kFound);
    EXPECT_EQ(match.route->pattern, "/accounts/me");
    EXPECT_TRUE(match.params.empty());
    match = router.match(Verb::get, "/transactions/balance");
    ASSERT_EQ(match.kind, Match::Kind::kFound);
    EXPECT_EQ(match.route->pattern, "/transactions/balance");
}

TEST(Router, CapturesParameters) {
    Router router = make_router();
    auto match = router.match(Verb::get, "/accounts/abc-123");
    ASSERT_EQ(match.kind, Match::Kind::kFound);
    EXPECT_EQ(match.route->pattern, "/accounts/{user_id}");
    ASSERT_EQ(match.params.size(), 1u);
    EXPECT_EQ(match.params[0].first, "user_id");
    EXPECT_EQ(match.params[0].second, "abc-123");
}

TEST(Router, MethodNotAllowedListsMethods) {
    Router router = make_router();
    auto match = router.match(Verb::delete_, "/accounts");
    EXPECT_EQ(match.kind, Match::Kind::kMethodNotAllowed);
    EXPECT_EQ(match.allow, "POST");
    match = router.match(Verb::get, "/accounts/login");
    EXPECT_EQ(match.kind, Match::Kind::kMethodNotAllowed);
    EXPECT_EQ(match.allow, "POST");
    match = router.match(Verb::put, "/accounts/xyz");
    EXPECT_EQ(match.kind, Match::Kind::kMethodNotAllowed);
    EXPECT_EQ(match.allow, "GET");
}

TEST(Router, NotFound) {
    Router router = make_router();
    for (std::string_view path : {"/", "/nope", "/accounts/", "/accounts/a/b", "accounts", "",
                                  "/accounts//", "/transactions/"}) {
        EXPECT_EQ(router.match(Verb::get, path).kind, Match::Kind::kNotFound) << path;
    }
}

TEST(Router, SplitPath) {
    EXPECT_EQ(split_path("/a/b/").size(), 3u);
    EXPECT_TRUE(split_path("a").empty());
}

}  // namespace
}  // namespace bank::http
