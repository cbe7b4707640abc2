#pragma once
// HTTP in and out for the auth service: parse the request, call AuthLogic, turn its Result into
// a response. Routes:
//   POST   /register         internal (the gateway does not route it): JSON -> 201 user
//   POST   /token            OAuth 2.0 token endpoint (RFC 6749): password and refresh_token
//   POST   /revoke           OAuth 2.0 token revocation (RFC 7009)
//   GET    /jwks.json        the public signing keys (RFC 7517)
//   DELETE /users/{user_id}  internal: undo a registration whose account could not be opened
// The two internal routes also require the shared secret in X-Internal-Token: the gateway does
// not route them, but any local process can reach a loopback port.

#include <string>

#include "bank/http/router.hpp"
#include "logic/auth_logic.hpp"

namespace bank::auth {

class AuthHandlers {
  public:
    AuthHandlers(AuthLogic& logic, std::string jwks_json, std::string internal_token);
    void add_routes(http::Router& router);

  private:
    boost::asio::awaitable<http::Response> register_user(http::Context& context);
    boost::asio::awaitable<http::Response> token(http::Context& context);
    boost::asio::awaitable<http::Response> revoke(http::Context& context);
    boost::asio::awaitable<http::Response> jwks(http::Context& context);
    boost::asio::awaitable<http::Response> delete_user(http::Context& context);

    AuthLogic& logic_;
    std::string jwks_json_;
    std::string internal_token_;
};

}  // namespace bank::auth
