#pragma once
// Configuration comes from environment variables with defaults, validated once at start-up. Every
// problem is collected (not just the first) and names the variable, so an operator fixes a bad
// deployment in one pass; the caller prints them and exits non-zero.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bank::config {

class Env {
  public:
    // The lookup is injectable so tests need not touch the real environment.
    using Lookup = std::function<std::optional<std::string>(const std::string& name)>;
    Env();  // reads the process environment
    explicit Env(Lookup lookup);

    std::string string(const std::string& name, std::string fallback);
    // A string that must be non-empty (after defaults).
    std::string required_string(const std::string& name, std::string fallback);
    std::int64_t integer(const std::string& name, std::int64_t fallback, std::int64_t min,
                         std::int64_t max);
    std::uint16_t port(const std::string& name, std::uint16_t fallback);
    std::chrono::milliseconds duration_ms(const std::string& name, std::int64_t fallback_ms,
                                          std::int64_t min_ms, std::int64_t max_ms);
    bool boolean(const std::string& name, bool fallback);
    // One of a fixed set of words.
    std::string choice(const std::string& name, std::string fallback,
                       const std::vector<std::string>& allowed);

    // Adds a problem found by a caller's own cross-field check.
    void fail(const std::string& name, const std::string& message);

    [[nodiscard]] bool ok() const { return errors_.empty(); }
    [[nodiscard]] const std::vector<std::string>& errors() const { return errors_; }

  private:
    std::optional<std::string> get(const std::string& name);
    Lookup lookup_;
    std::vector<std::string> errors_;
};

// Reads a secret (a shared token) from a file at start-up: surrounding whitespace is dropped;
// nullopt when the file cannot be read or holds nothing, so the caller names the variable.
[[nodiscard]] std::optional<std::string> read_secret_file(const std::string& path);

// Number of I/O threads when not configured: the number of cores, at least one.
[[nodiscard]] std::int64_t default_thread_count();

}  // namespace bank::config
