#pragma once
// The accounts service's view of the auth service (which owns credentials). An interface so the
// logic is tested without a running auth service; the HTTP implementation is auth_gateway.cpp.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string>

#include "bank/core/result.hpp"
#include "bank/http/client.hpp"

namespace bank::accounts {

struct Registered {
    std::string user_id;
    std::string username;
};

struct Grant {
    boost::json::object token_response;  // as auth returned it (RFC 6749 section 5.1)
    std::string user_id;
};

class AuthGateway {
  public:
    virtual ~AuthGateway() = default;
    // Errors: kFailedPrecondition "username_taken", kUnprocessable "validation_failed" (with the
    // field errors auth gave), kUnavailable when auth cannot be reached or answers unexpectedly.
    virtual boost::asio::awaitable<Result<Registered>> register_user(std::string username,
                                                                     std::string password) = 0;
    // Errors: kInvalidArgument "invalid_grant"; kUnavailable otherwise.
    virtual boost::asio::awaitable<Result<Grant>> password_grant(std::string username,
                                                                 std::string password) = 0;
    virtual boost::asio::awaitable<Status> delete_user(std::string user_id) = 0;
    // RFC 7009 revocation of a refresh token (and its family).
    virtual boost::asio::awaitable<Status> revoke(std::string refresh_token) = 0;
};

class HttpAuthGateway final : public AuthGateway {
  public:
    // `internal_token` is sent as X-Internal-Token on auth's internal routes.
    HttpAuthGateway(http::ClientPool& clients, std::string internal_token)
        : clients_(clients), internal_token_(std::move(internal_token)) {}
    boost::asio::awaitable<Result<Registered>> register_user(std::string username,
                                                             std::string password) override;
    boost::asio::awaitable<Result<Grant>> password_grant(std::string username,
                                                         std::string password) override;
    boost::asio::awaitable<Status> delete_user(std::string user_id) override;
    boost::asio::awaitable<Status> revoke(std::string refresh_token) override;

  private:
    http::ClientPool& clients_;
    std::string internal_token_;
};

}  // namespace bank::accounts
