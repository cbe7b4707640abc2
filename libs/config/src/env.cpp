#include "bank/config/env.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace bank::config {

namespace {

std::optional<std::int64_t> parse_int(std::string_view text) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || ptr != end || text.empty()) return std::nullopt;
    return value;
}

}  // namespace

Env::Env()
    : lookup_([](const std::string& name) -> std::optional<std::string> {
          // getenv is called only at start-up, before any thread exists.
          const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
          if (value == nullptr) return std::nullopt;
          return std::string(value);
      }) {}

Env::Env(Lookup lookup) : lookup_(std::move(lookup)) {}

std::optional<std::string> Env::get(const std::string& name) {
    auto value = lookup_(name);
    // An empty variable means "not set": shells and compose files often export FOO= by accident.
    if (value && value->empty()) return std::nullopt;
    return value;
}

void Env::fail(const std::string& name, const std::string& message) {
    errors_.push_back(name + ": " + message);
}

std::string Env::string(const std::string& name, std::string fallback) {
    return get(name).value_or(std::move(fallback));
}

std::string Env::required_string(const std::string& name, std::string fallback) {
    std::string value = string(name, std::move(fallback));
    if (value.empty()) fail(name, "is required");
    return value;
}

std::int64_t Env::integer(const std::string& name, std::int64_t fallback, std::int64_t min,
                          std::int64_t max) {
    auto text = get(name);
    if (!text) return fallback;
    auto value = parse_int(*text);
    if (!value) {
        fail(name, "must be a whole number, got '" + *text + "'");
        return fallback;
    }
    if (*value < min || *value > max) {
        fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                       ", got " + std::to_string(*value));
        return fallback;
    }
    return *value;
}

std::uint16_t Env::port(const std::string& name, std::uint16_t fallback) {
    return static_cast<std::uint16_t>(integer(name, fallback, 1, 65535));
}

std::chrono::milliseconds Env::duration_ms(const std::string& name, std::int64_t fallback_ms,
                                           std::int64_t min_ms, std::int64_t max_ms) {
    return std::chrono::milliseconds(integer(name, fallback_ms, min_ms, max_ms));
}

bool Env::boolean(const std::string& name, bool fallback) {
    auto text = get(name);
    if (!text) return fallback;
    if (*text == "1" || *text == "true" || *text == "yes" || *text == "on") return true;
    if (*text == "0" || *text == "false" || *text == "no" || *text == "off") return false;
    fail(name, "must be true or false, got '" + *text + "'");
    return fallback;
}

std::string Env::choice(const std::string& name, std::string fallback,
                        const std::vector<std::string>& allowed) {
    std::string value = string(name, std::move(fallback));
    for (const auto& candidate : allowed) {
        if (candidate == value) return value;
    }
    std::string list;
    for (const auto& candidate : allowed) list += (list.empty() ? "" : ", ") + candidate;
    fail(name, "must be one of " + list + ", got '" + value + "'");
    return allowed.empty() ? value : allowed.front();
}

std::optional<std::string> read_secret_file(const std::string& path) {
    std::ifstream file(path);
    if (!file) return std::nullopt;
    std::stringstream contents;
    contents << file.rdbuf();
    std::string secret = contents.str();
    const auto first = secret.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return std::nullopt;
    const auto last = secret.find_last_not_of(" \t\r\n");
    return secret.substr(first, last - first + 1);
}

std::int64_t default_thread_count() {
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : static_cast<std::int64_t>(cores);
}

}  // namespace bank::config
