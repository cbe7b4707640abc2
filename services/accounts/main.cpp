// The accounts service: wiring only. Reads configuration, loads the token-verification key, and
// connects storage + auth client -> logic -> handlers -> server.
#include <iostream>

#include "bank/config/env.hpp"
#include "bank/http/client.hpp"
#include "bank/jwt/verifier.hpp"
#include "bank/log/log.hpp"
#include "bank/redis/config.hpp"
#include "bank/service/authenticator.hpp"
#include "bank/service/runtime.hpp"
#include "handlers/accounts_handlers.hpp"
#include "logic/accounts_logic.hpp"
#include "storage/auth_gateway.hpp"
#include "storage/redis_account_store.hpp"

namespace {

// "http://host:port" -> host and port; anything else is a configuration error.
bool parse_auth_url(const std::string& url, bank::http::ClientOptions& options) {
    constexpr std::string_view kScheme = "http://";
    if (url.rfind(kScheme, 0) != 0) return false;
    std::string rest = url.substr(kScheme.size());
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0) return false;
    options.host = rest.substr(0, colon);
    try {
        const int port = std::stoi(rest.substr(colon + 1));
        if (port < 1 || port > 65535) return false;
        options.port = static_cast<std::uint16_t>(port);
    } catch (const std::exception&) {
        return false;
    }
    return true;
}

}  // namespace

int main() {
    using namespace bank;
    const std::string name = "accounts";
    log::init(name);
    config::Env env;
    auto common = service::read_common_settings(env, name, 8082);
    const auto verifier_settings = service::read_verifier_settings(env);
    http::ClientOptions auth_options;
    const std::string auth_url = env.string("BANK_AUTH_URL", "http://127.0.0.1:8081");
    if (!parse_auth_url(auth_url, auth_options)) {
        env.fail("BANK_AUTH_URL", "must look like http://host:port, got '" + auth_url + "'");
    }
    const std::string internal_token_path = env.required_string("BANK_INTERNAL_TOKEN_PATH", "");
    auth_options.timeout = env.duration_ms("BANK_AUTH_TIMEOUT_MS", 5000, 50, 60'000);
    if (service::report_config_errors(env, name)) return 2;

    const auto authenticator = service::load_authenticator(verifier_settings, name);
    const auto internal_token =
        service::load_secret("BANK_INTERNAL_TOKEN_PATH", internal_token_path, name);
    if (!authenticator || !internal_token) return 2;

    service::Runtime runtime(common);
    http::ClientPool auth_clients(runtime.executors(), auth_options);
    accounts::HttpAuthGateway auth(auth_clients, *internal_token);
    accounts::RedisAccountStore store(runtime.redis());
    accounts::AccountsLogic logic(store, auth);
    accounts::AccountsHandlers handlers(logic, *authenticator);

    http::Router router;
    runtime.add_operational_routes(router);
    handlers.add_routes(router);
    return runtime.run(std::move(router));
}
