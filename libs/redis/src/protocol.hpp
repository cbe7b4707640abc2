#pragma once
// RESP encoding of commands, and the one thing this library takes from hiredis: an incremental
// reply parser. Kept behind this header so no hiredis type leaks into the API.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"
#include "bank/redis/reply.hpp"

namespace bank::redis::detail {

// RESP encoding of one command; kInvalidArgument for an empty command.
[[nodiscard]] Result<std::string> pack(std::span<const std::string_view> args);

// Parses a byte stream into replies. feed() the bytes read, then call next() until it returns
// nullopt. A protocol error is an Error: the stream cannot be trusted any more.
class ReplyParser {
  public:
    ReplyParser();
    ~ReplyParser();
    ReplyParser(const ReplyParser&) = delete;
    ReplyParser& operator=(const ReplyParser&) = delete;

    [[nodiscard]] Status feed(const char* data, std::size_t size);
    [[nodiscard]] Result<std::optional<Reply>> next();

  private:
    struct Deleter {
        void operator()(void* reader) const;
    };
    std::unique_ptr<void, Deleter> reader_;
};

}  // namespace bank::redis::detail
