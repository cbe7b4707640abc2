#include "handlers/auth_handlers.hpp"

#include <sodium.h>

#include <boost/json/object.hpp>

#include "bank/http/form.hpp"
#include "bank/http/problem.hpp"
#include "bank/json/body.hpp"

namespace bank::auth {

namespace asio = boost::asio;
using http::Context;
using http::Response;

namespace {

// Token endpoint failures use the RFC 6749 section 5.2 body, not problem JSON: OAuth client
// libraries parse "error" and "error_description".
Response oauth_failure(const Error& error, std::string_view request_id) {
    if (error.slug == kInvalidGrant) return http::oauth_error(400, "invalid_grant", error.detail);
    if (error.code == ErrorCode::kInvalidArgument || error.code == ErrorCode::kUnprocessable ||
        error.code == ErrorCode::kUnsupportedMediaType) {
        return http::oauth_error(400, "invalid_request", error.detail);
    }
    // Storage down and the like are not OAuth errors: problem JSON with the real status.
    return http::problem(error, request_id);
}

Response token_response(const TokenPair& pair) {
    Response response = http::json(200, boost::json::object{{"access_token", pair.access_token},
                                                            {"token_type", "bearer"},
                                                            {"expires_in", pair.expires_in},
                                                            {"refresh_token", pair.refresh_token},
                                                            {"user_id", pair.user_id},
                                                            {"username", pair.username}});
    // RFC 6749 section 5.1: responses with tokens must not be cached.
    response.set(http::Field::cache_control, "no-store");
    response.set(http::Field::pragma, "no-cache");
    return response;
}

// A locked username (logic/login_throttle.hpp): 429 problem JSON, like the gateway's own rate
// limit, with Retry-After (RFC 9110 section 10.2.3) in whole seconds.
Response throttled(const LoginThrottled& throttle, std::string_view request_id) {
    const std::string seconds = std::to_string(throttle.retry_after_s);
    Response response = http::problem(
        make_error(ErrorCode::kResourceExhausted, "login_throttled",
                   "Too many failed logins for this username; retry after " + seconds + " seconds"),
        request_id);
    response.set(http::Field::retry_after, seconds);
    response.set(http::Field::cache_control, "no-store");
    return response;
}

Result<http::Form> read_form(const http::Request& request) {
    if (!http::has_content_type(request, "application/x-www-form-urlencoded")) {
        return make_error(ErrorCode::kInvalidArgument, "invalid_request",
                          "Content-Type must be application/x-www-form-urlencoded");
    }
    return http::parse_form(request.body());
}

// Constant-time comparison, so the token cannot be found byte by byte from response times.
bool is_internal_caller(const http::Request& request, const std::string& internal_token) {
    const std::string_view given = request["X-Internal-Token"];
    return given.size() == internal_token.size() &&
           sodium_memcmp(given.data(), internal_token.data(), given.size()) == 0;
}

Error not_internal() {
    return make_error(ErrorCode::kPermissionDenied, "forbidden",
                      "This route is for the bank's own services");
}

std::string field(const http::Form& form, std::string_view name) {
    auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
}

}  // namespace

AuthHandlers::AuthHandlers(AuthLogic& logic, std::string jwks_json, std::string internal_token)
    : logic_(logic), jwks_json_(std::move(jwks_json)), internal_token_(std::move(internal_token)) {}

void AuthHandlers::add_routes(http::Router& router) {
    router.add(http::Verb::post, "/register",
               [this](Context& context) { return register_user(context); });
    router.add(http::Verb::post, "/token", [this](Context& context) { return token(context); });
    router.add(http::Verb::post, "/revoke", [this](Context& context) { return revoke(context); });
    router.add(http::Verb::get, "/jwks.json", [this](Context& context) { return jwks(context); });
    router.add(http::Verb::delete_, "/users/{user_id}",
               [this](Context& context) { return delete_user(context); });
}

asio::awaitable<Response> AuthHandlers::register_user(Context& context) {
    if (!is_internal_caller(context.request, internal_token_)) {
        co_return http::problem(not_internal(), context.request_id);
    }
    if (auto media = http::require_content_type(context.request, "application/json"); !media.ok()) {
        co_return http::problem(media.error(), context.request_id);
    }
    auto body = json::parse_object(context.request.body());
    if (!body.ok()) co_return http::problem(body.error(), context.request_id);
    json::FieldReader reader(*body);
    std::string username = reader.required_string("username");
    std::string password = reader.required_string("password");
    if (auto status = reader.finish(); !status.ok()) {
        co_return http::problem(status.error(), context.request_id);
    }
    auto user = co_await logic_.register_user(std::move(username), std::move(password));
    if (!user.ok()) co_return http::problem(user.error(), context.request_id);
    context.user_id = user->user_id;
    co_return http::json(
        201, boost::json::object{{"user_id", user->user_id}, {"username", user->username}});
}

asio::awaitable<Response> AuthHandlers::token(Context& context) {
    auto form = read_form(context.request);
    if (!form.ok()) co_return oauth_failure(form.error(), context.request_id);
    const std::string grant_type = field(*form, "grant_type");
    // Unknown parameters (client_id, scope, ...) are ignored as RFC 6749 section 3.2 requires.
    if (grant_type.empty()) {
        co_return http::oauth_error(400, "invalid_request", "grant_type is required");
    }
    Result<TokenPair> pair = make_error(ErrorCode::kInternal, "", "");
    if (grant_type == "password") {
        std::string username = field(*form, "username");
        std::string password = field(*form, "password");
        if (username.empty() || password.empty()) {
            co_return http::oauth_error(400, "invalid_request",
                                        "username and password are required");
        }
        auto grant = co_await logic_.password_grant(std::move(username), std::move(password));
        if (!grant.ok()) co_return oauth_failure(grant.error(), context.request_id);
        if (const auto* locked = std::get_if<LoginThrottled>(&*grant)) {
            co_return throttled(*locked, context.request_id);
        }
        pair = std::get<TokenPair>(std::move(*grant));
    } else if (grant_type == "refresh_token") {
        std::string refresh_token = field(*form, "refresh_token");
        if (refresh_token.empty()) {
            co_return http::oauth_error(400, "invalid_request", "refresh_token is required");
        }
        pair = co_await logic_.refresh_grant(std::move(refresh_token));
    } else {
        co_return http::oauth_error(400, "unsupported_grant_type",
                                    "grant_type must be password or refresh_token");
    }
    if (!pair.ok()) co_return oauth_failure(pair.error(), context.request_id);
    context.user_id = pair->user_id;
    co_return token_response(*pair);
}

asio::awaitable<Response> AuthHandlers::revoke(Context& context) {
    auto form = read_form(context.request);
    if (!form.ok()) co_return oauth_failure(form.error(), context.request_id);
    std::string token = field(*form, "token");
    if (token.empty()) co_return http::oauth_error(400, "invalid_request", "token is required");
    // token_type_hint is optional and only a hint (RFC 7009 section 2.1); access tokens are
    // short-lived and not revocable here, so any token is treated as a refresh token.
    auto status = co_await logic_.revoke(std::move(token));
    if (!status.ok()) co_return http::problem(status.error(), context.request_id);
    Response response{boost::beast::http::status::ok, 11};
    response.set(http::Field::cache_control, "no-store");
    response.prepare_payload();
    co_return response;
}

asio::awaitable<Response> AuthHandlers::jwks(Context&) {
    Response response{boost::beast::http::status::ok, 11};
    response.set(http::Field::content_type, "application/json");
    response.set(http::Field::cache_control, "public, max-age=300");
    response.body() = jwks_json_;
    response.prepare_payload();
    co_return response;
}

asio::awaitable<Response> AuthHandlers::delete_user(Context& context) {
    if (!is_internal_caller(context.request, internal_token_)) {
        co_return http::problem(not_internal(), context.request_id);
    }
    std::string user_id(context.param("user_id"));
    auto status = co_await logic_.delete_user(std::move(user_id));
    if (!status.ok()) co_return http::problem(status.error(), context.request_id);
    Response response{boost::beast::http::status::no_content, 11};
    response.prepare_payload();
    co_return response;
}

}  // namespace bank::auth
