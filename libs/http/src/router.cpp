#include "bank/http/router.hpp"

#include <algorithm>

#include "bank/core/check.hpp"

namespace bank::http {

namespace {

bool is_parameter(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Scores a match so literal segments win: each literal segment counts, earlier ones more.
// Returns -1 when the path does not fit the pattern.
long score(const Route& route, const std::vector<std::string_view>& parts,
           std::vector<std::pair<std::string, std::string>>* params) {
    if (route.segments.size() != parts.size()) return -1;
    long value = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& segment = route.segments[i];
        if (is_parameter(segment)) {
            // An empty parameter ("/accounts/") never matches.
            if (parts[i].empty()) return -1;
            if (params != nullptr) {
                params->emplace_back(segment.substr(1, segment.size() - 2), std::string(parts[i]));
            }
        } else if (segment == parts[i]) {
            value += 1L << (parts.size() - i);
        } else {
            return -1;
        }
    }
    return value;
}

}  // namespace

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> parts;
    if (path.empty() || path.front() != '/') return parts;
    path.remove_prefix(1);
    while (true) {
        const auto slash = path.find('/');
        parts.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return parts;
}

void Router::add(Verb method, std::string_view pattern, Handler handler) {
    Route route{method, std::string(pattern), {}, std::move(handler)};
    for (auto part : split_path(pattern)) route.segments.emplace_back(part);
    BANK_CHECK(!route.segments.empty(), "route pattern must start with '/'");
    routes_.push_back(std::move(route));
}

Match Router::match(Verb method, std::string_view path) const {
    const auto parts = split_path(path);
    Match result;
    if (parts.empty()) return result;
    long best = -1;
    std::vector<std::string> allowed;
    for (const auto& route : routes_) {
        const long value = score(route, parts, nullptr);
        if (value < 0) continue;
        if (route.method == method) {
            if (value > best) {
                best = value;
                result.route = &route;
            }
        }
    }
    if (result.route != nullptr) {
        // A literal route for another method can still outrank this one: then this path really
        // names that resource, and the method is what is wrong.
        for (const auto& route : routes_) {
            if (route.method != method && score(route, parts, nullptr) > best) {
                result.route = nullptr;
                break;
            }
        }
    }
    if (result.route != nullptr) {
        result.kind = Match::Kind::kFound;
        score(*result.route, parts, &result.params);
        return result;
    }
    // 405 when the best-scoring pattern(s) for this path exist under other methods.
    long top = -1;
    for (const auto& route : routes_) top = std::max(top, score(route, parts, nullptr));
    if (top < 0) return result;
    for (const auto& route : routes_) {
        if (score(route, parts, nullptr) == top) {
            std::string name(boost::beast::http::to_string(route.method));
            if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
                allowed.push_back(name);
            }
        }
    }
    // HEAD is served for GET resources by the server only where handlers opt in; we do not
    // advertise it.
    result.kind = Match::Kind::kMethodNotAllowed;
    for (const auto& name : allowed) result.allow += (result.allow.empty() ? "" : ", ") + name;
    return result;
}

}  // namespace bank::http
