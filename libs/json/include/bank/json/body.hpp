#pragma once
// Strict reading of JSON request bodies. Malformed text is a 400 ("malformed_json"); a valid body
// of the wrong shape is a 422 ("validation_failed") listing every bad field at once. Every key a
// handler does not read is an error too, so fields such as "balance" or "user_id" can never be
// smuggled into a request (mass assignment).

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bank/core/result.hpp"

namespace bank::json {

// Limits on what the parser accepts; bodies are already capped by the HTTP server's body limit.
inline constexpr std::size_t kMaxDepth = 16;

// Parses `body` as one JSON object (duplicate keys rejected, depth bounded).
[[nodiscard]] Result<boost::json::object> parse_object(std::string_view body);

// Reads fields from an object, recording one FieldError per problem.
class FieldReader {
  public:
    explicit FieldReader(const boost::json::object& object) : object_(object) {}

    // A string field that must be present. Returns "" (and records an error) otherwise.
    std::string required_string(std::string_view name);
    // A string field that may be absent or null.
    std::optional<std::string> optional_string(std::string_view name);
    // Marks a field as known without reading it (a handler that reads it some other way).
    void allow(std::string_view name) { read_.emplace(name); }
    // A problem found by the caller's own validation of a value.
    void error(std::string field, std::string message);

    [[nodiscard]] bool has_errors() const { return !errors_.empty(); }
    // True when a problem was already recorded for `field` (so a caller's value rules do not
    // report a missing field twice).
    [[nodiscard]] bool has_error(std::string_view field) const {
        for (const auto& error : errors_) {
            if (error.field == field) return true;
        }
        return false;
    }
    // Adds an error for every key that was never read, then returns validation_failed if any
    // error was recorded.
    [[nodiscard]] Status finish();

  private:
    const boost::json::object& object_;
    std::set<std::string, std::less<>> read_;
    std::vector<FieldError> errors_;
};

// Name of a JSON value's kind for error messages ("a number", "null", ...).
[[nodiscard]] std::string_view kind_name(const boost::json::value& value);

}  // namespace bank::json
