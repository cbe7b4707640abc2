#pragma once
// What the accounts service decides: whether a sign-up is valid, how an account is opened
// without ever leaving a username taken with no account, who may read an account, and what a
// login returns. Storage and the auth service are interfaces; time and randomness are injected.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>

#include "bank/core/clock.hpp"
#include "bank/core/result.hpp"
#include "storage/account_store.hpp"
#include "storage/auth_gateway.hpp"

namespace bank::accounts {

struct SignUp {
    std::string username;
    std::string password;
    std::string email;
    std::string first_name;
    std::string last_name;
    std::optional<std::string> phone;
};

struct LoginResult {
    boost::json::object token_response;
    std::optional<AccountView> account;
};

class AccountsLogic {
  public:
    using Clock = std::function<std::int64_t()>;        // Unix seconds
    using NumberSource = std::function<std::string()>;  // a random 10-digit number

    AccountsLogic(AccountStore& store, AuthGateway& auth, Clock clock = {},
                  NumberSource numbers = {});

    boost::asio::awaitable<Result<AccountView>> open_account(SignUp sign_up);
    // kPermissionDenied unless caller_id == user_id; kNotFound when there is no account.
    boost::asio::awaitable<Result<AccountView>> get_account(std::string caller_id,
                                                            std::string user_id);
    boost::asio::awaitable<Result<LoginResult>> login(std::string username, std::string password);

  private:
    boost::asio::awaitable<Result<AccountView>> create_for(const std::string& user_id,
                                                           const SignUp& sign_up);

    AccountStore& store_;
    AuthGateway& auth_;
    Clock clock_;
    NumberSource numbers_;
};

// Every problem with a sign-up form, one FieldError per field.
[[nodiscard]] std::vector<FieldError> validate(const SignUp& sign_up);

// The account as the API shows it (never a password or hash: there is none to show).
[[nodiscard]] boost::json::object to_json(const AccountView& view);

}  // namespace bank::accounts
