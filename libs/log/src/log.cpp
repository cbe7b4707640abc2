#include "bank/log/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <ctime>
#include <memory>

namespace bank::log {

namespace {

std::string g_service = "bank";  // written once in init()
std::atomic<int> g_minimum{static_cast<int>(Level::kInfo)};
std::atomic<bool> g_request_logging{true};
std::shared_ptr<spdlog::logger> g_logger;  // written once in init()

std::string_view level_name(Level level) {
    switch (level) {
        case Level::kDebug:
            return "debug";
        case Level::kInfo:
            return "info";
        case Level::kWarn:
            return "warn";
        case Level::kError:
            return "error";
    }
    return "info";
}

std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[32];
    const auto length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    char result[40];
    std::snprintf(result, sizeof result, "%.*s.%03dZ", static_cast<int>(length), buffer,
                  static_cast<int>(millis));
    return result;
}

spdlog::logger& logger() {
    if (!g_logger) {
        // Tests may log without init(); give them a sink rather than crash.
        g_logger = spdlog::stdout_logger_mt("bank");
        g_logger->set_pattern("%v");
    }
    return *g_logger;
}

}  // namespace

void init(std::string service, Level minimum) {
    g_service = std::move(service);
    g_minimum = static_cast<int>(minimum);
    if (!g_logger) {
        g_logger = spdlog::stdout_logger_mt("bank");
        g_logger->set_pattern("%v");
    }
    // Warnings and errors are flushed at once, so a crash keeps the lines that explain it;
    // request lines are flushed at least every second instead of one write(2) per request
    // on the I/O threads.
    g_logger->flush_on(spdlog::level::warn);
    spdlog::flush_every(std::chrono::seconds(1));
}

void set_request_logging(bool enabled) { g_request_logging = enabled; }
bool request_logging() { return g_request_logging; }

std::string format_line(Level level, std::string_view message, const boost::json::object& fields) {
    boost::json::object line;
    line["time"] = timestamp();
    line["level"] = level_name(level);
    line["service"] = g_service;
    line["message"] = message;
    for (const auto& field : fields) line[field.key()] = field.value();
    return boost::json::serialize(line);
}

void write(Level level, std::string_view message, boost::json::object fields) {
    if (static_cast<int>(level) < g_minimum.load(std::memory_order_relaxed)) return;
    // The spdlog level matters only for flushing (warn and above flush at once).
    const auto spdlog_level = level == Level::kError  ? spdlog::level::err
                              : level == Level::kWarn ? spdlog::level::warn
                                                      : spdlog::level::info;
    logger().log(spdlog_level, format_line(level, message, fields));
}

void request(const RequestRecord& record) {
    if (!g_request_logging.load(std::memory_order_relaxed)) return;
    boost::json::object fields;
    fields["method"] = record.method;
    fields["route"] = record.route;
    fields["status"] = record.status;
    fields["latency_ms"] = static_cast<double>(record.latency.count()) / 1000.0;
    fields["request_id"] = record.request_id;
    if (!record.user_id.empty()) fields["user_id"] = record.user_id;
    write(Level::kInfo, "request", std::move(fields));
}

}  // namespace bank::log
