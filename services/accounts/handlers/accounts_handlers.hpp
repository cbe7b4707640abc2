#pragma once
// HTTP in and out for the accounts service. Routes (the gateway adds /api):
//   POST /accounts             open an account (JSON)
//   GET  /accounts/me          the caller's account (Bearer)
//   GET  /accounts/{user_id}   an account, for its owner only (Bearer)
//   POST /accounts/login       password login (form or JSON) -> tokens + account

#include "bank/http/router.hpp"
#include "bank/service/authenticator.hpp"
#include "logic/accounts_logic.hpp"

namespace bank::accounts {

class AccountsHandlers {
  public:
    AccountsHandlers(AccountsLogic& logic, const service::Authenticator& authenticator)
        : logic_(logic), authenticator_(authenticator) {}
    void add_routes(http::Router& router);

  private:
    boost::asio::awaitable<http::Response> open_account(http::Context& context);
    boost::asio::awaitable<http::Response> get_account(http::Context& context, bool me);
    boost::asio::awaitable<http::Response> login(http::Context& context);

    AccountsLogic& logic_;
    const service::Authenticator& authenticator_;
};

}  // namespace bank::accounts
