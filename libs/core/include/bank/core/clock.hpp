#pragma once
// Wall-clock time as Unix seconds, the unit of JWT claims and stored timestamps. Logic classes
// take a clock function defaulting to this, so tests inject time instead of sleeping.

#include <chrono>
#include <cstdint>

namespace bank {

[[nodiscard]] inline std::int64_t unix_seconds_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace bank
