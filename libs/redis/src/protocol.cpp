#include "protocol.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <climits>
#include <cstdint>
#include <vector>

#include "bank/core/check.hpp"

namespace bank::redis::detail {

namespace {

redisReader* as_reader(void* reader) { return static_cast<redisReader*>(reader); }

Reply convert(const redisReply& raw) {
    switch (raw.type) {
        case REDIS_REPLY_STRING:
            return Reply::string(std::string(raw.str, raw.len));
        case REDIS_REPLY_STATUS:
            return Reply::status(std::string(raw.str, raw.len));
        case REDIS_REPLY_ERROR:
            return Reply::error(std::string(raw.str, raw.len));
        case REDIS_REPLY_INTEGER:
            return Reply::integer(static_cast<std::int64_t>(raw.integer));
        case REDIS_REPLY_ARRAY: {
            std::vector<Reply> elements;
            elements.reserve(raw.elements);
            for (std::size_t i = 0; i < raw.elements; ++i) {
                elements.push_back(raw.element[i] == nullptr ? Reply::nil()
                                                             : convert(*raw.element[i]));
            }
            return Reply::array(std::move(elements));
        }
        default:
            return Reply::nil();
    }
}

}  // namespace

Result<std::string> pack(std::span<const std::string_view> args) {
    if (args.empty()) {
        return make_error(ErrorCode::kInvalidArgument, "redis_empty_command",
                          "A Redis command needs at least one argument");
    }
    if (args.size() > static_cast<std::size_t>(INT_MAX)) {
        return make_error(ErrorCode::kInvalidArgument, "redis_command_too_long",
                          "A Redis command has too many arguments");
    }
    // RESP written directly into one exactly sized string: "*<n>\r\n" then "$<len>\r\n<arg>\r\n"
    // per argument. (hiredis' redisFormatCommandArgv formatted each length with sprintf and
    // took a second copy: a tenth of the transactions service's instructions per transfer.)
    constexpr std::size_t kMaxDigits = 20;
    char digits[kMaxDigits];
    const auto count_digits = [&digits](std::size_t value) {
        return static_cast<std::size_t>(std::to_chars(digits, digits + kMaxDigits, value).ptr -
                                        digits);
    };
    std::size_t size = 1 + count_digits(args.size()) + 2;
    for (const std::string_view arg : args)
        size += 1 + count_digits(arg.size()) + 2 + arg.size() + 2;
    std::string packed;
    packed.reserve(size);
    const auto header = [&packed, &digits](char kind, std::size_t value) {
        packed.push_back(kind);
        const char* end = std::to_chars(digits, digits + kMaxDigits, value).ptr;
        packed.append(digits, static_cast<std::size_t>(end - digits));
        packed.append("\r\n", 2);
    };
    header('*', args.size());
    for (const std::string_view arg : args) {
        header('$', arg.size());
        packed.append(arg);
        packed.append("\r\n", 2);
    }
    return packed;
}

ReplyParser::ReplyParser() : reader_(redisReaderCreate()) {
    BANK_CHECK(reader_ != nullptr, "redisReaderCreate failed");
}

ReplyParser::~ReplyParser() = default;

void ReplyParser::Deleter::operator()(void* reader) const { redisReaderFree(as_reader(reader)); }

Status ReplyParser::feed(const char* data, std::size_t size) {
    if (redisReaderFeed(as_reader(reader_.get()), data, size) != REDIS_OK) {
        return make_error(ErrorCode::kUnavailable, "redis_protocol_error",
                          std::string("Redis reply parser: ") + as_reader(reader_.get())->errstr);
    }
    return ok_status();
}

Result<std::optional<Reply>> ReplyParser::next() {
    void* raw = nullptr;
    if (redisReaderGetReply(as_reader(reader_.get()), &raw) != REDIS_OK) {
        return make_error(ErrorCode::kUnavailable, "redis_protocol_error",
                          std::string("Redis reply parser: ") + as_reader(reader_.get())->errstr);
    }
    if (raw == nullptr) return std::optional<Reply>{};
    Reply reply = convert(*static_cast<const redisReply*>(raw));
    freeReplyObject(raw);
    return std::optional<Reply>{std::move(reply)};
}

}  // namespace bank::redis::detail
