#include "bank/redis/outcome.hpp"

#include <charconv>
#include <string>

namespace bank::redis {

bool is_transient_error(std::string_view error_message) {
    const std::string_view code = error_message.substr(0, error_message.find(' '));
    // Each says the command did not run and that it may run later: a restart still loading its
    // data, a busy script, a replica without its master or mid-failover (READONLY: we reached a
    // replica), or maxmemory reached.
    return code == "LOADING" || code == "BUSY" || code == "MASTERDOWN" || code == "TRYAGAIN" ||
           code == "READONLY" || code == "OOM";
}

Error call_error(const Result<Reply>& reply, std::string_view what) {
    if (!reply.ok()) return reply.error();
    if (is_transient_error(reply->error_message())) {
        return make_error(
            ErrorCode::kUnavailable, "redis_unavailable",
            "Redis cannot serve " + std::string(what) + " now: " + reply->error_message());
    }
    return make_error(ErrorCode::kInternal, "storage_error",
                      "Redis refused " + std::string(what) + ": " + reply->error_message());
}

Error unexpected_reply(std::string_view what) {
    return make_error(ErrorCode::kInternal, "storage_error",
                      "unexpected reply from Redis for " + std::string(what));
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [position, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || position != end) return std::nullopt;
    return value;
}

}  // namespace bank::redis
