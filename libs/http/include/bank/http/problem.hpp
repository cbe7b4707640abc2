#pragma once
// The one place where an Error becomes an HTTP answer: the status table and RFC 9457 problem
// JSON ({"type","title","status","detail","code"} plus "errors" for field problems). Handlers
// never pick a status for a failure themselves.

#include <boost/json/value.hpp>
#include <string_view>

#include "bank/core/result.hpp"
#include "bank/http/message.hpp"

namespace bank::http {

[[nodiscard]] unsigned status_for(ErrorCode code);

// application/problem+json for `error`. 401s carry WWW-Authenticate: Bearer (RFC 6750); the
// request id, when known, is echoed as an extension member so support can find the log line.
[[nodiscard]] Response problem(const Error& error, std::string_view request_id = {});

// application/json with the given status.
[[nodiscard]] Response json(unsigned status, const boost::json::value& body);

// OAuth 2.0 error response (RFC 6749 section 5.2): {"error","error_description"}, no-store.
[[nodiscard]] Response oauth_error(unsigned status, std::string_view error,
                                   std::string_view description);

// 415 unless the request's Content-Type is `media_type` (parameters such as charset allowed).
[[nodiscard]] Status require_content_type(const Request& request, std::string_view media_type);

// True when the Content-Type's media type equals `media_type`, ignoring case and parameters.
[[nodiscard]] bool has_content_type(const Request& request, std::string_view media_type);

}  // namespace bank::http
