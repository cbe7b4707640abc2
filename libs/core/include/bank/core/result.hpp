#pragma once
// Expected failures travel as values: a Result<T> holds either a T or an Error. The codes are
// Abseil's canonical set plus the few HTTP needs that have no canonical twin (malformed body,
// unsupported media type, payload too large, method not allowed). libs/http maps each code to an
// HTTP status and problem JSON in exactly one table (bank/http/problem.hpp).

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace bank {

enum class ErrorCode {
    kInvalidArgument,       // 400: the request is not understood (malformed JSON, bad form)
    kFailedPrecondition,    // 400: understood but not allowed in the current state
    kUnauthenticated,       // 401
    kPermissionDenied,      // 403
    kNotFound,              // 404
    kMethodNotAllowed,      // 405
    kAlreadyExists,         // 409
    kAborted,               // 409: a concurrent request holds the resource
    kPayloadTooLarge,       // 413
    kHeaderTooLarge,        // 431: the request's header is over the server's cap
    kUnsupportedMediaType,  // 415
    kUnprocessable,         // 422: well-formed but invalid fields or values
    kResourceExhausted,     // 429
    kInternal,              // 500
    kUnavailable,           // 503
    kDeadlineExceeded,      // 504
};

struct FieldError {
    std::string field;
    std::string message;
};

struct Error {
    ErrorCode code = ErrorCode::kInternal;
    // Machine-readable slug that clients switch on, e.g. "username_taken", "invalid_amount".
    std::string slug;
    // Human-readable sentence for the problem's "detail".
    std::string detail;
    std::vector<FieldError> field_errors;
};

[[nodiscard]] inline Error make_error(ErrorCode code, std::string slug, std::string detail) {
    return Error{code, std::move(slug), std::move(detail), {}};
}

// A validation failure (422 "validation_failed") carrying one entry per offending field.
[[nodiscard]] inline Error validation_error(std::vector<FieldError> field_errors) {
    return Error{ErrorCode::kUnprocessable, "validation_failed", "The request has invalid fields",
                 std::move(field_errors)};
}

[[nodiscard]] inline Error validation_error(std::string field, std::string message) {
    return validation_error({FieldError{std::move(field), std::move(message)}});
}

template <typename T>
class [[nodiscard]] Result {
  public:
    // Asio's co_spawn and use_future need a default-constructible result type; a default
    // Result is a failure, so a value that was never set can never pass for success.
    Result()
        : state_(std::in_place_index<1>,
                 Error{ErrorCode::kInternal, "unset_result", "no result was produced", {}}) {}
    Result(T value)
        : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    [[nodiscard]] bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(state_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(state_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(state_));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const& {
        assert(!ok());
        return std::get<1>(state_);
    }
    Error&& error() && {
        assert(!ok());
        return std::get<1>(std::move(state_));
    }

  private:
    std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;

[[nodiscard]] inline Status ok_status() { return Ok{}; }

}  // namespace bank
