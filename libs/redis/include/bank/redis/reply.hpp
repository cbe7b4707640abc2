#pragma once
// One RESP2 reply as a plain value. An error reply ("-ERR ...", or a Lua script's
// redis.error_reply) is a reply, not a transport failure: callers inspect it like any other value.

#include <cstdint>
#include <string>
#include <vector>

namespace bank::redis {

enum class ReplyType { kNil, kInteger, kString, kStatus, kError, kArray };

class Reply {
  public:
    // A default-constructed reply is nil.
    Reply() = default;

    [[nodiscard]] static Reply nil() { return Reply{}; }
    [[nodiscard]] static Reply integer(std::int64_t value);
    [[nodiscard]] static Reply string(std::string value);  // a bulk string
    [[nodiscard]] static Reply status(std::string value);  // "+OK"
    [[nodiscard]] static Reply error(std::string message);
    [[nodiscard]] static Reply array(std::vector<Reply> elements);

    [[nodiscard]] ReplyType type() const { return type_; }
    [[nodiscard]] bool is_nil() const { return type_ == ReplyType::kNil; }
    [[nodiscard]] bool is_integer() const { return type_ == ReplyType::kInteger; }
    // Bulk string or status: both carry text that as_string() returns.
    [[nodiscard]] bool is_string() const {
        return type_ == ReplyType::kString || type_ == ReplyType::kStatus;
    }
    [[nodiscard]] bool is_status() const { return type_ == ReplyType::kStatus; }
    [[nodiscard]] bool is_error() const { return type_ == ReplyType::kError; }
    [[nodiscard]] bool is_array() const { return type_ == ReplyType::kArray; }

    // The accessors check the type and abort on a mismatch: asking an integer for its text is a
    // programming error, so check the type (or is_error()) first.
    [[nodiscard]] std::int64_t as_integer() const;
    [[nodiscard]] const std::string& as_string() const;
    // The full error text, e.g. "NOSCRIPT No matching script..." or "INSUFFICIENT_FUNDS".
    [[nodiscard]] const std::string& error_message() const;
    [[nodiscard]] const std::vector<Reply>& elements() const;

    friend bool operator==(const Reply&, const Reply&) = default;

  private:
    ReplyType type_ = ReplyType::kNil;
    std::int64_t integer_ = 0;
    std::string text_;  // bulk string, status or error text
    std::vector<Reply> elements_;
};

}  // namespace bank::redis
