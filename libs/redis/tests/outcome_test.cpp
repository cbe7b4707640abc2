// Proves the shared store rule for Redis outcomes: a transport failure passes through unchanged
// (503 to the client), so does a transient error reply (LOADING, BUSY, ...) as kUnavailable,
// any other error reply becomes kInternal naming the operation and Redis' message
// — before this helper, the stores read an error reply with as_string(), which aborts — and
// parse_integer accepts exactly whole decimal int64 text.
#include "bank/redis/outcome.hpp"

#include <gtest/gtest.h>

namespace bank::redis {
namespace {

TEST(Outcome, TransportFailurePassesThrough) {
    const Result<Reply> down =
        make_error(ErrorCode::kUnavailable, "redis_unavailable", "not connected");
    EXPECT_TRUE(failed(down));
    const Error error = call_error(down, "create_user");
    EXPECT_EQ(error.code, ErrorCode::kUnavailable);
    EXPECT_EQ(error.slug, "redis_unavailable");
}

TEST(Outcome, ErrorReplyIsInternal) {
    const Result<Reply> refused = Reply::error("NOPERM this user has no permissions");
    EXPECT_TRUE(failed(refused));
    const Error error = call_error(refused, "create_user");
    EXPECT_EQ(error.code, ErrorCode::kInternal);
    EXPECT_EQ(error.slug, "storage_error");
    EXPECT_NE(error.detail.find("create_user"), std::string::npos);
    EXPECT_NE(error.detail.find("NOPERM"), std::string::npos);
    EXPECT_FALSE(failed(Result<Reply>(Reply::integer(1))));
}

// Found by the chaos test: right after a restart Redis answers LOADING while it reads its
// append-only file, and the services answered 500 instead of a 503 the client may retry.
TEST(Outcome, TransientErrorReplyIsUnavailable) {
    for (std::string_view message :
         {"LOADING Redis is loading the dataset in memory",
          "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
          "MASTERDOWN Link with MASTER is down", "TRYAGAIN Multiple keys request during rehashing",
          "READONLY You can't write against a read only replica.",
          "OOM command not allowed when used memory > 'maxmemory'."}) {
        const Result<Reply> refused = Reply::error(std::string(message));
        EXPECT_TRUE(is_transient_error(message)) << message;
        const Error error = call_error(refused, "find_user");
        EXPECT_EQ(error.code, ErrorCode::kUnavailable) << message;
        EXPECT_EQ(error.slug, "redis_unavailable");
        EXPECT_NE(error.detail.find("find_user"), std::string::npos);
    }
    for (std::string_view message : {"NOPERM no permissions", "ERR LOADING is not a code here",
                                     "LOADINGX not a code", "WRONGTYPE Operation", ""}) {
        EXPECT_FALSE(is_transient_error(message)) << message;
    }
}

TEST(Outcome, ParseInteger) {
    EXPECT_EQ(parse_integer("17000"), 17000);
    EXPECT_EQ(parse_integer("-5"), -5);
    EXPECT_EQ(parse_integer("9223372036854775807"), INT64_MAX);
    for (std::string_view bad : {"", " 1", "1 ", "1.0", "9223372036854775808", "abc", "+1"}) {
        EXPECT_FALSE(parse_integer(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace bank::redis
