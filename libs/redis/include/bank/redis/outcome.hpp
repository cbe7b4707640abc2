#pragma once
// How a store turns a Redis call into its own Result, shared by every service's store so the
// rule is written once: a transport failure (disconnect, timeout) passes through as
// kUnavailable, so the client gets a 503 it may retry; so does an error reply that says Redis
// cannot serve anything right now (LOADING its data after a restart, BUSY with a script);
// any other error reply is a bug or a misconfiguration (a missing ACL permission, a broken
// script), so it is kInternal.

#include <cstdint>
#include <optional>
#include <string_view>

#include "bank/core/result.hpp"
#include "bank/redis/reply.hpp"

namespace bank::redis {

// True when the call did not produce a usable reply (transport failure or error reply).
[[nodiscard]] inline bool failed(const Result<Reply>& reply) {
    return !reply.ok() || reply->is_error();
}

// The Error for a failed() call; `what` names the operation for the log.
[[nodiscard]] Error call_error(const Result<Reply>& reply, std::string_view what);

// True for an error reply with which Redis refuses every command for a while and then serves
// again by itself: LOADING, BUSY, MASTERDOWN, TRYAGAIN. The command did not run.
[[nodiscard]] bool is_transient_error(std::string_view error_message);

// kInternal "storage_error" for a reply whose shape the store did not expect.
[[nodiscard]] Error unexpected_reply(std::string_view what);

// A whole decimal int64 as Redis stores counters; nullopt for anything else.
[[nodiscard]] std::optional<std::int64_t> parse_integer(std::string_view text);

}  // namespace bank::redis
