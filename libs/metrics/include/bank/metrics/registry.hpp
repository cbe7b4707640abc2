#pragma once
// The few metrics every service exports, in the Prometheus text format (version 0.0.4):
// requests by route/method/status, a request latency histogram by route, in-flight requests,
// Redis command latency and errors. A fixed set keeps the hot path to a short lock and an add;
// there is no general-purpose metric DSL to maintain.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace bank::metrics {

// Upper bounds of the latency buckets, in seconds (the last bucket, +Inf, is implicit).
inline constexpr std::array<double, 12> kLatencyBucketsSeconds = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

class Histogram {
  public:
    void observe(std::chrono::nanoseconds value);
    // Appends the _bucket/_sum/_count lines; `labels` is the label text without braces.
    void render(std::string& out, std::string_view name, std::string_view labels) const;

  private:
    std::array<std::uint64_t, kLatencyBucketsSeconds.size() + 1> counts_{};
    std::uint64_t count_ = 0;
    std::int64_t sum_ns_ = 0;
};

class Registry {
  public:
    explicit Registry(std::string service) : service_(std::move(service)) {}

    void observe_request(std::string_view route, std::string_view method, unsigned status,
                         std::chrono::nanoseconds latency);
    void observe_redis(std::chrono::nanoseconds latency, bool failed);
    void add_in_flight(int delta) { in_flight_.fetch_add(delta, std::memory_order_relaxed); }
    // Extra gauges read at scrape time (e.g. worker pool queue length).
    void add_gauge(std::string name, std::string help, std::function<double()> read);

    [[nodiscard]] std::string render() const;

  private:
    std::string service_;
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;
    std::map<std::string, Histogram, std::less<>> latency_by_route_;
    Histogram redis_latency_;
    std::uint64_t redis_errors_ = 0;
    std::atomic<std::int64_t> in_flight_{0};
    struct Gauge {
        std::string name;
        std::string help;
        std::function<double()> read;
    };
    std::vector<Gauge> gauges_;
};

// Escapes a label value as the exposition format requires (backslash, quote, newline).
[[nodiscard]] std::string escape_label(std::string_view value);

}  // namespace bank::metrics
