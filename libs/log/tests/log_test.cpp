// Proves that log lines are single-line JSON objects with the fixed fields and the caller's
// fields, with quotes and newlines in values escaped rather than breaking the line; and that the
// request line, written without building a JSON object, has exactly the shape and values the
// general formatter would give it.
#include "bank/log/log.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace bank::log {
namespace {

TEST(Log, FormatsOneJsonObjectPerLine) {
    init("test-service");
    boost::json::object fields;
    fields["request_id"] = "abc\"\n";
    fields["status"] = 201;
    const std::string line = format_line(Level::kWarn, "hello\nworld", fields);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    const auto parsed = boost::json::parse(line).as_object();
    EXPECT_EQ(parsed.at("service").as_string(), "test-service");
    EXPECT_EQ(parsed.at("level").as_string(), "warn");
    EXPECT_EQ(parsed.at("message").as_string(), "hello\nworld");
    EXPECT_EQ(parsed.at("request_id").as_string(), "abc\"\n");
    EXPECT_EQ(parsed.at("status").as_int64(), 201);
    EXPECT_TRUE(parsed.contains("time"));
}

TEST(Log, RequestLineMatchesTheGeneralFormat) {
    init("test-service");
    const std::string hostile_id = "id\"\\\n\x01\x1f\u00e9";
    const RequestRecord record{"POST",     "/transactions/transfer",
                               201,        std::chrono::microseconds(1234),
                               hostile_id, "user-1"};
    const std::string line = format_request_line(record);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    const auto parsed = boost::json::parse(line).as_object();

    boost::json::object fields;
    fields["method"] = "POST";
    fields["route"] = "/transactions/transfer";
    fields["status"] = 201;
    fields["latency_ms"] = 1.234;
    fields["request_id"] = hostile_id;
    fields["user_id"] = "user-1";
    const auto expected =
        boost::json::parse(format_line(Level::kInfo, "request", fields)).as_object();

    ASSERT_EQ(parsed.size(), expected.size());
    auto got = parsed.begin();
    for (auto want = expected.begin(); want != expected.end(); ++want, ++got) {
        EXPECT_EQ(got->key(), want->key());  // same keys in the same order
        if (want->key() == "time") continue;
        if (want->key() == "latency_ms") {
            EXPECT_DOUBLE_EQ(got->value().to_number<double>(), 1.234);
            continue;
        }
        EXPECT_EQ(got->value(), want->value()) << want->key();
    }
    EXPECT_EQ(parsed.at("request_id").as_string(), hostile_id);
    EXPECT_EQ(parsed.at("time").as_string().size(),
              std::string_view("2026-11-23T23:09:38.123Z").size());
}

TEST(Log, RequestLineLeavesOutAnUnknownUser) {
    init("test-service");
    const RequestRecord record{"GET", "/healthz", 200, std::chrono::microseconds(7), "r-1", ""};
    const auto parsed = boost::json::parse(format_request_line(record)).as_object();
    EXPECT_FALSE(parsed.contains("user_id"));
    EXPECT_DOUBLE_EQ(parsed.at("latency_ms").to_number<double>(), 0.007);
    EXPECT_EQ(parsed.at("status").as_int64(), 200);
}

}  // namespace
}  // namespace bank::log
