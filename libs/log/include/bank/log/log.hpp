#pragma once
// Structured logs: one JSON object per line on stdout, so a collector needs no parsing rules.
// Callers pass fields, never whole requests, which keeps tokens, passwords and hashes out of the
// log by construction: nothing here ever sees them.

#include <boost/json/object.hpp>
#include <chrono>
#include <string>
#include <string_view>

namespace bank::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Call once at start-up, before threads start. Lines are buffered: warnings and errors are
// written at once (with every line before them), the rest within a second, or at once when
// standard output is a terminal.
void init(std::string service, Level minimum = Level::kInfo);
// Writes out every buffered line now (before an exit that skips static destructors).
void flush();
void set_request_logging(bool enabled);
[[nodiscard]] bool request_logging();

void write(Level level, std::string_view message, boost::json::object fields = {});
inline void info(std::string_view message, boost::json::object fields = {}) {
    write(Level::kInfo, message, std::move(fields));
}
inline void warn(std::string_view message, boost::json::object fields = {}) {
    write(Level::kWarn, message, std::move(fields));
}
inline void error(std::string_view message, boost::json::object fields = {}) {
    write(Level::kError, message, std::move(fields));
}

struct RequestRecord {
    std::string_view method;
    std::string_view route;  // the route pattern, e.g. /accounts/{user_id}, not the raw path
    unsigned status = 0;
    std::chrono::microseconds latency{0};
    std::string_view request_id;
    std::string_view user_id;  // empty when unknown
};
void request(const RequestRecord& record);

// Format one line (exposed for tests). A request line has the same shape as
// format_line(kInfo, "request", {method, route, status, latency_ms, request_id[, user_id]}).
[[nodiscard]] std::string format_line(Level level, std::string_view message,
                                      const boost::json::object& fields);
[[nodiscard]] std::string format_request_line(const RequestRecord& record);

}  // namespace bank::log
