#include "bank/redis/outcome.hpp"

#include <charconv>
#include <string>

namespace bank::redis {

Error call_error(const Result<Reply>& reply, std::string_view what) {
    if (!reply.ok()) return reply.error();
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
