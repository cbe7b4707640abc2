#include "bank/service/authenticator.hpp"

#include <chrono>

#include "bank/core/clock.hpp"

namespace bank::service {

std::string_view bearer_token(const http::Request& request) {
    std::string_view value = request[http::Field::authorization];
    constexpr std::string_view kScheme = "bearer ";
    if (value.size() <= kScheme.size()) return {};
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        const char c = value[i];
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower != kScheme[i]) return {};
    }
    value.remove_prefix(kScheme.size());
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    return value;
}

Authenticator::Authenticator(jwt::Verifier verifier, Clock clock)
    : verifier_(std::move(verifier)), clock_(std::move(clock)) {
    if (!clock_) {
        clock_ = unix_seconds_now;
    }
}

Result<Caller> Authenticator::authenticate(const http::Request& request) const {
    const std::string_view token = bearer_token(request);
    if (token.empty()) {
        return make_error(ErrorCode::kUnauthenticated, "missing_token",
                          "A Bearer access token is required");
    }
    auto claims = verifier_.verify(token, clock_());
    if (!claims.ok()) return std::move(claims).error();
    return Caller{std::move(claims->sub), std::move(claims->name)};
}

}  // namespace bank::service
