#pragma once
// Wall-clock time as Unix seconds, the unit of JWT claims and stored timestamps. Logic classes
// take a clock function defaulting to this, so tests inject time instead of sleeping.

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace bank {

[[nodiscard]] inline std::int64_t unix_seconds_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// "2026-11-23T23:09:38Z": how the API shows a stored Unix time (RFC 3339, UTC).
[[nodiscard]] inline std::string iso8601(std::int64_t unix_seconds) {
    const auto seconds = static_cast<std::time_t>(unix_seconds);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[32];
    const std::size_t length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(buffer, length);
}

}  // namespace bank
