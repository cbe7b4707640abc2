// Proves that the exposition text counts requests per route/method/status, that histogram
// buckets are cumulative and end in +Inf equal to the count, and that label values are escaped.
#include "bank/metrics/registry.hpp"

#include <gtest/gtest.h>

namespace bank::metrics {
namespace {

using std::chrono::microseconds;

TEST(Registry, CountsRequestsAndBuildsCumulativeBuckets) {
    Registry registry("auth");
    registry.observe_request("/token", "POST", 200, microseconds(300));
    registry.observe_request("/token", "POST", 200, microseconds(3000));
    registry.observe_request("/token", "POST", 400, microseconds(3000));
    const std::string text = registry.render();
    EXPECT_NE(
        text.find("bank_http_requests_total{service=\"auth\",route=\"/token\",method=\"POST\","
                  "status=\"200\"} 2\n"),
        std::string::npos);
    EXPECT_NE(text.find("status=\"400\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("route=\"/token\",le=\"0.0005\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("route=\"/token\",le=\"0.005\"} 3\n"), std::string::npos);
    EXPECT_NE(text.find("route=\"/token\",le=\"+Inf\"} 3\n"), std::string::npos);
    EXPECT_NE(
        text.find("bank_http_request_duration_seconds_count{service=\"auth\",route=\"/token\"} 3"),
        std::string::npos);
}

TEST(Registry, RedisAndGauges) {
    Registry registry("tx");
    registry.observe_redis(std::chrono::microseconds(100), false);
    registry.observe_redis(std::chrono::microseconds(100), true);
    registry.add_gauge("bank_worker_jobs", "Jobs queued or running.", [] { return 3.0; });
    const std::string text = registry.render();
    EXPECT_NE(text.find("bank_redis_errors_total{service=\"tx\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("bank_redis_command_duration_seconds_count{service=\"tx\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("bank_worker_jobs{service=\"tx\"} 3\n"), std::string::npos);
}

TEST(Registry, EscapesLabels) { EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd"); }

}  // namespace
}  // namespace bank::metrics
