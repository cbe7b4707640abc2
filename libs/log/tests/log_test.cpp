// Proves that log lines are single-line JSON objects with the fixed fields and the caller's
// fields, with quotes and newlines in values escaped rather than breaking the line.
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

}  // namespace
}  // namespace bank::log
