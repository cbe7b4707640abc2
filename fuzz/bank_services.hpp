#pragma once
// The three services' real handlers and logic in one router, over in-memory storage, for the
// fuzz targets that send them requests. Storage never fails here and holds one customer, alice
// (password "correct horse", account 1234567890), a receiver bob, and a refresh token, so
// well-formed requests reach the success paths; a 500 answer therefore always means a bug.
// Clock and ids are fixed, so an input gives the same answer on every run.

#include <memory>
#include <string>
#include <string_view>

#include "bank/http/message.hpp"
#include "bank/http/router.hpp"

namespace bank::fuzz {

// The X-Internal-Token auth's internal routes require; "@internal@" in an input becomes this.
inline constexpr std::string_view kInternalToken = "fuzz-internal-token";
// A refresh token the auth store knows (for alice).
inline constexpr std::string_view kRefreshToken = "fuzz-refresh-token";

class Services {
  public:
    Services();
    ~Services();
    Services(const Services&) = delete;
    Services& operator=(const Services&) = delete;

    [[nodiscard]] const http::Router& router() const;

    // What the server answers a request it read whole: http::dispatch run to completion, plus
    // the X-Request-Id and Content-Length the session adds. Checks the answer (see the .cpp).
    [[nodiscard]] http::Response handle(http::Request& request);

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// "@token@" becomes a valid access token for alice, "@internal@" kInternalToken and "@refresh@"
// kRefreshToken, so committed inputs can hold credentials that do not depend on the run's key.
[[nodiscard]] std::string expand_placeholders(std::string_view input);

// The checks every answer must pass, whatever the request: a status from 100 to 599 and never
// 500 (storage never fails here), no CR or LF in a header value (no response splitting), JSON
// bodies that parse, problem JSON whose "status" is the answer's, and a serialisable message.
void check_response(const http::Response& response);

}  // namespace bank::fuzz
