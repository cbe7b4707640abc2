#pragma once
// Connection settings for one Redis client, and the parser for the redis:// URL that deployments
// pass in (REDIS_URL). Every limit has a bound: a call never waits longer than command_timeout and
// at most max_pending calls are in flight per connection.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"

namespace bank::redis {

struct Config {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    // Empty username with a password means the legacy "AUTH password" (the default user).
    std::string username;
    std::string password;
    int database = 0;
    std::chrono::milliseconds connect_timeout{1000};
    std::chrono::milliseconds command_timeout{1000};
    std::size_t max_pending = 10000;
};

// Parses redis://[[username][:password]@]host[:port][/db]. User and password are percent-decoded;
// an IPv6 host goes in brackets. The timeouts and max_pending keep their defaults. Anything else
// (another scheme, rediss://, a query, a bad port or database) is kInvalidArgument.
[[nodiscard]] Result<Config> parse_url(std::string_view url);

}  // namespace bank::redis
