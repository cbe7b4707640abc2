#pragma once
// HTTP in and out for the transactions service. Routes (the gateway adds /api); all need a
// Bearer token, and the acting user is always the token's subject:
//   POST /transactions/deposit            {"amount"}                  (Idempotency-Key optional)
//   POST /transactions/withdraw           {"amount"}                  (Idempotency-Key optional)
//   POST /transactions/transfer           {"receiver_username" | "to_account_number", "amount"}
//   GET  /transactions/balance
//   GET  /transactions/history?limit=&cursor=
//   GET  /transactions/{transaction_id}

#include <cstdint>

#include "bank/http/router.hpp"
#include "bank/service/authenticator.hpp"
#include "logic/transactions_logic.hpp"

namespace bank::transactions {

class TransactionsHandlers {
  public:
    // `max_amount_minor`: the largest amount one request may move.
    TransactionsHandlers(TransactionsLogic& logic, const service::Authenticator& authenticator,
                         std::int64_t max_amount_minor)
        : logic_(logic), authenticator_(authenticator), max_amount_minor_(max_amount_minor) {}
    void add_routes(http::Router& router);

  private:
    boost::asio::awaitable<http::Response> move(http::Context& context, PostingType type);
    boost::asio::awaitable<http::Response> balance(http::Context& context);
    boost::asio::awaitable<http::Response> history(http::Context& context);
    boost::asio::awaitable<http::Response> transaction(http::Context& context);

    TransactionsLogic& logic_;
    const service::Authenticator& authenticator_;
    std::int64_t max_amount_minor_;
};

}  // namespace bank::transactions
