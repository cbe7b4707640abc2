#include "bank/redis/reply.hpp"

#include <utility>

#include "bank/core/check.hpp"

namespace bank::redis {

Reply Reply::integer(std::int64_t value) {
    Reply reply;
    reply.type_ = ReplyType::kInteger;
    reply.integer_ = value;
    return reply;
}

Reply Reply::string(std::string value) {
    Reply reply;
    reply.type_ = ReplyType::kString;
    reply.text_ = std::move(value);
    return reply;
}

Reply Reply::status(std::string value) {
    Reply reply;
    reply.type_ = ReplyType::kStatus;
    reply.text_ = std::move(value);
    return reply;
}

Reply Reply::error(std::string message) {
    Reply reply;
    reply.type_ = ReplyType::kError;
    reply.text_ = std::move(message);
    return reply;
}

Reply Reply::array(std::vector<Reply> elements) {
    Reply reply;
    reply.type_ = ReplyType::kArray;
    reply.elements_ = std::move(elements);
    return reply;
}

std::int64_t Reply::as_integer() const {
    BANK_CHECK(is_integer(), "Reply::as_integer on a reply that is not an integer");
    return integer_;
}

const std::string& Reply::as_string() const {
    BANK_CHECK(is_string(), "Reply::as_string on a reply that is not a bulk string or status");
    return text_;
}

const std::string& Reply::error_message() const {
    BANK_CHECK(is_error(), "Reply::error_message on a reply that is not an error");
    return text_;
}

const std::vector<Reply>& Reply::elements() const {
    BANK_CHECK(is_array(), "Reply::elements on a reply that is not an array");
    return elements_;
}

}  // namespace bank::redis
