#include "storage/auth_gateway.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bank/http/form.hpp"

namespace bank::accounts {

namespace asio = boost::asio;

namespace {

Error auth_unavailable(std::string detail) {
    return make_error(ErrorCode::kUnavailable, "auth_unavailable", std::move(detail));
}

std::string form_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0xF];
        }
    }
    return out;
}

std::optional<boost::json::object> parse_object(const std::string& body) {
    boost::system::error_code error;
    auto value = boost::json::parse(body, error);
    if (error || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
}

std::string string_member(const boost::json::object& object, std::string_view name) {
    const auto* value = object.if_contains(name);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace

asio::awaitable<Result<Registered>> HttpAuthGateway::register_user(std::string username,
                                                                   std::string password) {
    http::Request request{http::Verb::post, "/register", 11};
    request.set(http::Field::content_type, "application/json");
    request.set("X-Internal-Token", internal_token_);
    request.body() =
        boost::json::serialize(boost::json::object{{"username", username}, {"password", password}});
    auto response = co_await clients_.local().send(std::move(request));
    if (!response.ok()) co_return auth_unavailable("the auth service did not answer");
    auto body = parse_object(response->body());
    if (response->result_int() == 201 && body) {
        co_return Registered{string_member(*body, "user_id"), string_member(*body, "username")};
    }
    if (body && response->result_int() == 400 && string_member(*body, "code") == "username_taken") {
        co_return make_error(ErrorCode::kFailedPrecondition, "username_taken",
                             "Username already taken");
    }
    if (body && response->result_int() == 422) {
        std::vector<FieldError> errors;
        if (const auto* list = body->if_contains("errors"); list != nullptr && list->is_array()) {
            for (const auto& item : list->as_array()) {
                if (!item.is_object()) continue;
                errors.push_back({string_member(item.as_object(), "field"),
                                  string_member(item.as_object(), "message")});
            }
        }
        co_return validation_error(std::move(errors));
    }
    co_return auth_unavailable("the auth service answered " +
                               std::to_string(response->result_int()) + " to a registration");
}

asio::awaitable<Result<Grant>> HttpAuthGateway::password_grant(std::string username,
                                                               std::string password) {
    http::Request request{http::Verb::post, "/token", 11};
    request.set(http::Field::content_type, "application/x-www-form-urlencoded");
    request.body() = "grant_type=password&username=" + form_encode(username) +
                     "&password=" + form_encode(password);
    auto response = co_await clients_.local().send(std::move(request));
    if (!response.ok()) co_return auth_unavailable("the auth service did not answer");
    auto body = parse_object(response->body());
    if (response->result_int() == 200 && body && !string_member(*body, "access_token").empty()) {
        std::string user_id = string_member(*body, "user_id");
        co_return Grant{std::move(*body), std::move(user_id)};
    }
    if (response->result_int() == 400 && body && string_member(*body, "error") == "invalid_grant") {
        co_return make_error(ErrorCode::kInvalidArgument, "invalid_grant",
                             string_member(*body, "error_description"));
    }
    // The username is locked after failed logins (auth's login throttle): the caller's to wait
    // out, not an outage.
    if (response->result_int() == 429 && body &&
        string_member(*body, "code") == "login_throttled") {
        co_return make_error(ErrorCode::kResourceExhausted, "login_throttled",
                             string_member(*body, "detail"));
    }
    co_return auth_unavailable("the auth service answered " +
                               std::to_string(response->result_int()) + " to a login");
}

asio::awaitable<Status> HttpAuthGateway::delete_user(std::string user_id) {
    http::Request request{http::Verb::delete_, "/users/" + user_id, 11};
    request.set("X-Internal-Token", internal_token_);
    auto response = co_await clients_.local().send(std::move(request));
    if (!response.ok()) co_return auth_unavailable("the auth service did not answer");
    if (response->result_int() == 204 || response->result_int() == 404) co_return ok_status();
    co_return auth_unavailable("the auth service answered " +
                               std::to_string(response->result_int()) + " to a delete");
}

asio::awaitable<Status> HttpAuthGateway::revoke(std::string refresh_token) {
    http::Request request{http::Verb::post, "/revoke", 11};
    request.set(http::Field::content_type, "application/x-www-form-urlencoded");
    request.body() = "token=" + form_encode(refresh_token);
    auto response = co_await clients_.local().send(std::move(request));
    if (!response.ok()) co_return auth_unavailable("the auth service did not answer");
    if (response->result_int() == 200) co_return ok_status();
    co_return auth_unavailable("the auth service answered " +
                               std::to_string(response->result_int()) + " to a revocation");
}

}  // namespace bank::accounts
