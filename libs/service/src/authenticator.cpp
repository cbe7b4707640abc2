#include "bank/service/authenticator.hpp"

#include <chrono>
#include <iostream>

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

Authenticator::Authenticator(jwt::Verifier verifier, Clock clock, std::size_t cache_entries)
    : verifier_(std::move(verifier)),
      clock_(std::move(clock)),
      cache_(std::make_shared<TokenCache>(cache_entries)) {
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
    const std::int64_t now_s = clock_();
    if (auto cached = cache_->find(token, now_s)) return std::move(*cached);
    auto claims = verifier_.verify(token, now_s);
    if (!claims.ok()) return std::move(claims).error();
    Caller caller{std::move(claims->sub), std::move(claims->name)};
    cache_->insert(token, caller, claims->exp);
    return caller;
}

VerifierSettings read_verifier_settings(config::Env& env) {
    VerifierSettings settings;
    settings.public_key_path = env.required_string("BANK_JWT_PUBLIC_KEY_PATH", "");
    settings.options.issuer = env.string("BANK_JWT_ISSUER", "bank-auth");
    settings.options.audience = env.string("BANK_JWT_AUDIENCE", "bank-api");
    settings.token_cache_entries = static_cast<std::size_t>(
        env.integer("BANK_TOKEN_CACHE_ENTRIES",
                    static_cast<std::int64_t>(kDefaultTokenCacheEntries), 0, 1'000'000));
    return settings;
}

std::optional<Authenticator> load_authenticator(const VerifierSettings& settings,
                                                const std::string& service_name) {
    auto verifier =
        jwt::Verifier::from_public_key_pem_file(settings.public_key_path, settings.options);
    if (!verifier.ok()) {
        std::cerr << service_name << ": BANK_JWT_PUBLIC_KEY_PATH: " << verifier.error().detail
                  << "\n";
        return std::nullopt;
    }
    return Authenticator(std::move(*verifier), {}, settings.token_cache_entries);
}

}  // namespace bank::service
