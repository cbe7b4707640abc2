#pragma once
// The request and response types every handler sees, and the per-request context.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bank::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Verb = boost::beast::http::verb;
using Field = boost::beast::http::field;

struct Context {
    const Request& request;
    std::string_view path;   // the target without the query string
    std::string_view query;  // after '?', without it
    std::string request_id;
    std::vector<std::pair<std::string, std::string>> params;  // from the route pattern
    std::string user_id;  // set by handlers once the caller is known, for the request log

    // A path parameter by name; empty when the route has none of that name.
    [[nodiscard]] std::string_view param(std::string_view name) const {
        for (const auto& [key, value] : params) {
            if (key == name) return value;
        }
        return {};
    }
};

using Handler = std::function<boost::asio::awaitable<Response>(Context&)>;

}  // namespace bank::http
