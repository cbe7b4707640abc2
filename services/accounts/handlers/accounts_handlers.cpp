#include "handlers/accounts_handlers.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bank/http/form.hpp"
#include "bank/http/problem.hpp"
#include "bank/json/body.hpp"

namespace bank::accounts {

namespace asio = boost::asio;
using http::Context;
using http::Response;

namespace {

// A failed login is problem JSON like every other error here, with the OAuth members added
// (error, error_description) so OAuth-minded clients find what they expect.
Response login_failure(const Error& error, std::string_view request_id) {
    Response response = http::problem(error, request_id);
    if (error.slug == "invalid_grant") {
        auto body = boost::json::parse(response.body()).as_object();
        body["error"] = "invalid_grant";
        body["error_description"] = error.detail;
        response.body() = boost::json::serialize(body);
        response.prepare_payload();
    }
    return response;
}

}  // namespace

void AccountsHandlers::add_routes(http::Router& router) {
    router.add(http::Verb::post, "/accounts",
               [this](Context& context) { return open_account(context); });
    router.add(http::Verb::get, "/accounts/me",
               [this](Context& context) { return get_account(context, true); });
    router.add(http::Verb::get, "/accounts/{user_id}",
               [this](Context& context) { return get_account(context, false); });
    router.add(http::Verb::post, "/accounts/login",
               [this](Context& context) { return login(context); });
}

asio::awaitable<Response> AccountsHandlers::open_account(Context& context) {
    if (auto media = http::require_content_type(context.request, "application/json"); !media.ok()) {
        co_return http::problem(media.error(), context.request_id);
    }
    auto body = json::parse_object(context.request.body());
    if (!body.ok()) co_return http::problem(body.error(), context.request_id);
    json::FieldReader reader(*body);
    SignUp sign_up;
    sign_up.username = reader.required_string("username");
    sign_up.password = reader.required_string("password");
    sign_up.email = reader.required_string("email");
    sign_up.first_name = reader.required_string("first_name");
    sign_up.last_name = reader.required_string("last_name");
    sign_up.phone = reader.optional_string("phone");
    // Shape problems and value problems together, so a client fixes the form in one pass.
    for (auto& problem : validate(sign_up)) {
        if (!reader.has_error(problem.field)) reader.error(problem.field, problem.message);
    }
    if (auto status = reader.finish(); !status.ok()) {
        co_return http::problem(status.error(), context.request_id);
    }
    auto account = co_await logic_.open_account(std::move(sign_up));
    if (!account.ok()) co_return http::problem(account.error(), context.request_id);
    context.user_id = account->account.user_id;
    Response response = http::json(201, to_json(*account));
    response.set(http::Field::location, "/api/accounts/" + account->account.user_id);
    co_return response;
}

asio::awaitable<Response> AccountsHandlers::get_account(Context& context, bool me) {
    auto caller = authenticator_.authenticate(context.request);
    if (!caller.ok()) co_return http::problem(caller.error(), context.request_id);
    context.user_id = caller->user_id;
    std::string caller_id = caller->user_id;
    std::string user_id = me ? caller->user_id : std::string(context.param("user_id"));
    auto account = co_await logic_.get_account(std::move(caller_id), std::move(user_id));
    if (!account.ok()) co_return http::problem(account.error(), context.request_id);
    Response response = http::json(200, to_json(*account));
    response.set(http::Field::cache_control, "no-store");
    co_return response;
}

asio::awaitable<Response> AccountsHandlers::login(Context& context) {
    std::string username;
    std::string password;
    if (http::has_content_type(context.request, "application/x-www-form-urlencoded")) {
        auto form = http::parse_form(context.request.body());
        if (!form.ok()) co_return http::problem(form.error(), context.request_id);
        std::vector<FieldError> missing;
        for (const char* name : {"username", "password"}) {
            auto it = form->find(name);
            if (it == form->end() || it->second.empty()) {
                missing.push_back({name, "is required"});
            } else {
                (std::string_view(name) == "username" ? username : password) = it->second;
            }
        }
        if (!missing.empty()) {
            co_return http::problem(validation_error(std::move(missing)), context.request_id);
        }
    } else if (http::has_content_type(context.request, "application/json")) {
        auto body = json::parse_object(context.request.body());
        if (!body.ok()) co_return http::problem(body.error(), context.request_id);
        json::FieldReader reader(*body);
        username = reader.required_string("username");
        password = reader.required_string("password");
        if (auto status = reader.finish(); !status.ok()) {
            co_return http::problem(status.error(), context.request_id);
        }
    } else {
        co_return http::problem(
            make_error(ErrorCode::kUnsupportedMediaType, "unsupported_media_type",
                       "Content-Type must be application/x-www-form-urlencoded or "
                       "application/json"),
            context.request_id);
    }
    auto result = co_await logic_.login(std::move(username), std::move(password));
    if (!result.ok()) co_return login_failure(result.error(), context.request_id);
    boost::json::object body = std::move(result->token_response);
    if (result->account) {
        context.user_id = result->account->account.user_id;
        body["account"] = to_json(*result->account);
    } else {
        body["account"] = nullptr;
    }
    Response response = http::json(200, body);
    response.set(http::Field::cache_control, "no-store");
    response.set(http::Field::pragma, "no-cache");
    co_return response;
}

}  // namespace bank::accounts
