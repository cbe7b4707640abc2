#include "bank/metrics/registry.hpp"

#include <fmt/format.h>

namespace bank::metrics {

void Histogram::observe(std::chrono::nanoseconds value) {
    const double seconds = static_cast<double>(value.count()) / 1e9;
    std::size_t bucket = 0;
    while (bucket < kLatencyBucketsSeconds.size() && seconds > kLatencyBucketsSeconds[bucket]) {
        ++bucket;
    }
    ++counts_[bucket];
    ++count_;
    sum_ns_ += value.count();
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
    const std::string separator = labels.empty() ? "" : ",";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kLatencyBucketsSeconds.size(); ++i) {
        cumulative += counts_[i];
        out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, separator,
                           kLatencyBucketsSeconds[i], cumulative);
    }
    cumulative += counts_.back();
    out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, separator, cumulative);
    const std::string braces = labels.empty() ? "" : fmt::format("{{{}}}", labels);
    out += fmt::format("{}_sum{} {}\n", name, braces, static_cast<double>(sum_ns_) / 1e9);
    out += fmt::format("{}_count{} {}\n", name, braces, count_);
}

std::string escape_label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void Registry::observe_request(std::string_view route, std::string_view method, unsigned status,
                               std::chrono::nanoseconds latency) {
    std::lock_guard lock(mutex_);
    ++requests_[std::make_tuple(std::string(route), std::string(method), status)];
    auto it = latency_by_route_.find(route);
    if (it == latency_by_route_.end()) {
        it = latency_by_route_.emplace(std::string(route), Histogram{}).first;
    }
    it->second.observe(latency);
}

void Registry::observe_redis(std::chrono::nanoseconds latency, bool failed) {
    std::lock_guard lock(mutex_);
    redis_latency_.observe(latency);
    if (failed) ++redis_errors_;
}

void Registry::add_gauge(std::string name, std::string help, std::function<double()> read) {
    std::lock_guard lock(mutex_);
    gauges_.push_back(Gauge{std::move(name), std::move(help), std::move(read)});
}

std::string Registry::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    const std::string service = escape_label(service_);
    out += "# HELP bank_http_requests_total HTTP requests answered, by route, method and status.\n";
    out += "# TYPE bank_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
        const auto& [route, method, status] = key;
        out += fmt::format(
            "bank_http_requests_total{{service=\"{}\",route=\"{}\",method=\"{}\",status=\"{}\"}} "
            "{}\n",
            service, escape_label(route), escape_label(method), status, count);
    }
    out +=
        "# HELP bank_http_request_duration_seconds Time from request parsed to response "
        "written.\n";
    out += "# TYPE bank_http_request_duration_seconds histogram\n";
    for (const auto& [route, histogram] : latency_by_route_) {
        histogram.render(out, "bank_http_request_duration_seconds",
                         fmt::format("service=\"{}\",route=\"{}\"", service, escape_label(route)));
    }
    out += "# HELP bank_http_requests_in_flight Requests being handled now.\n";
    out += "# TYPE bank_http_requests_in_flight gauge\n";
    out += fmt::format("bank_http_requests_in_flight{{service=\"{}\"}} {}\n", service,
                       in_flight_.load(std::memory_order_relaxed));
    out += "# HELP bank_redis_command_duration_seconds Redis round-trip time per command.\n";
    out += "# TYPE bank_redis_command_duration_seconds histogram\n";
    redis_latency_.render(out, "bank_redis_command_duration_seconds",
                          fmt::format("service=\"{}\"", service));
    out += "# HELP bank_redis_errors_total Redis commands that failed (timeout, disconnect).\n";
    out += "# TYPE bank_redis_errors_total counter\n";
    out += fmt::format("bank_redis_errors_total{{service=\"{}\"}} {}\n", service, redis_errors_);
    for (const auto& gauge : gauges_) {
        out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{}{{service=\"{}\"}} {}\n", gauge.name,
                           gauge.help, gauge.name, gauge.name, service, gauge.read());
    }
    return out;
}

}  // namespace bank::metrics
