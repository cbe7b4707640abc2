#pragma once
// Method + path-pattern routing. Patterns are literal segments and {name} parameters, e.g.
// "/accounts/{user_id}". A literal segment wins over a parameter ("/accounts/me" beats
// "/accounts/{user_id}"), whatever the order routes were added in. A path that matches some
// pattern under another method answers 405 with Allow; anything else is 404.

#include <string>
#include <string_view>
#include <vector>

#include "bank/http/message.hpp"

namespace bank::http {

struct Route {
    Verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
};

struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed };
    Kind kind = Kind::kNotFound;
    const Route* route = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    std::string allow;  // for kMethodNotAllowed, e.g. "GET, POST"
};

class Router {
  public:
    void add(Verb method, std::string_view pattern, Handler handler);
    [[nodiscard]] Match match(Verb method, std::string_view path) const;
    [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }

  private:
    std::vector<Route> routes_;
};

// Splits "/a/b/" into {"a","b",""}: a trailing slash is a distinct path, not an alias.
[[nodiscard]] std::vector<std::string_view> split_path(std::string_view path);

}  // namespace bank::http
