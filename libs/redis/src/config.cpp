#include "bank/redis/config.hpp"

#include <charconv>
#include <limits>
#include <optional>
#include <system_error>

namespace bank::redis {

namespace {

constexpr std::string_view kScheme = "redis://";

Error invalid_url(std::string detail) {
    return make_error(ErrorCode::kInvalidArgument, "invalid_redis_url", std::move(detail));
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            decoded.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int high = hex_value(text[i + 1]);
        const int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        decoded.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return decoded;
}

// Digits only: from_chars alone would accept a leading '-' and stop silently at junk.
template <typename T>
std::optional<T> parse_number(std::string_view text) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    if (value > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return std::nullopt;
    return static_cast<T>(value);
}

}  // namespace

Result<Config> parse_url(std::string_view url) {
    if (url.substr(0, kScheme.size()) != kScheme) {
        if (url.starts_with("rediss://")) {
            return invalid_url("rediss:// (TLS) is not supported; use redis://");
        }
        return invalid_url("Redis URL must start with redis://");
    }
    std::string_view rest = url.substr(kScheme.size());
    if (rest.find_first_of("?#") != std::string_view::npos) {
        return invalid_url("Redis URL must not have a query or fragment");
    }

    Config config;
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    const std::string_view path =
        slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);

    // The last '@' ends the user info, so an unencoded '@' in a password still parses.
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view user_info = authority.substr(0, at);
        authority = authority.substr(at + 1);
        const std::size_t colon = user_info.find(':');
        auto username = percent_decode(user_info.substr(0, colon));
        if (!username) return invalid_url("Redis URL has a bad percent-escape in the username");
        config.username = std::move(*username);
        if (colon != std::string_view::npos) {
            auto password = percent_decode(user_info.substr(colon + 1));
            if (!password) return invalid_url("Redis URL has a bad percent-escape in the password");
            config.password = std::move(*password);
        }
    }

    std::string_view host;
    std::string_view port_text;
    bool has_port = false;
    if (authority.starts_with('[')) {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return invalid_url("Redis URL has an unclosed '['");
        host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return invalid_url("Redis URL has junk after the IPv6 host");
            port_text = after.substr(1);
            has_port = true;
        }
    } else {
        const std::size_t colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            has_port = true;
        }
    }
    if (host.empty()) return invalid_url("Redis URL has no host");
    config.host = std::string(host);

    if (has_port) {
        const auto port = parse_number<std::uint16_t>(port_text);
        if (!port || *port == 0) {
            return invalid_url("Redis URL port must be a number from 1 to 65535, got '" +
                               std::string(port_text) + "'");
        }
        config.port = *port;
    }

    if (!path.empty()) {
        const auto database = parse_number<int>(path);
        if (!database) {
            return invalid_url("Redis URL database must be a non-negative number, got '" +
                               std::string(path) + "'");
        }
        config.database = *database;
    }
    return config;
}

}  // namespace bank::redis
