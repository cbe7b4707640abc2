#include "bank_services.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <sstream>
#include <utility>

#include "bank/core/check.hpp"
#include "bank/http/server.hpp"
#include "bank/identity/rules.hpp"
#include "bank/service/authenticator.hpp"
#include "fuzz_keys.hpp"
#include "handlers/accounts_handlers.hpp"
#include "handlers/auth_handlers.hpp"
#include "handlers/transactions_handlers.hpp"
#include "tests/in_memory_user_store.hpp"

namespace bank::fuzz {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kPassword = "correct horse";
constexpr std::string_view kAccountNumber = "1234567890";
constexpr std::string_view kBobId = "0b0b0b0b-0000-4000-8000-000000000002";
constexpr std::string_view kTransactionId = "7d3f5a8e-2c1b-4e6f-9a0d-3b2c1d4e5f60";
constexpr std::int64_t kMaxAmountMinor = 100'000'000;

// Runs one awaitable to completion on a thread-local io_context; an exception escaping it is a
// finding, so it is rethrown (and aborts the fuzz target).
template <class T>
asio::awaitable<void> store_result(asio::awaitable<T> task, std::optional<T>* out) {
    *out = co_await std::move(task);
}

template <class T>
T run(asio::awaitable<T> task) {
    thread_local asio::io_context io;
    std::optional<T> result;
    asio::co_spawn(io, store_result(std::move(task), &result), [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
    });
    io.restart();
    io.run();
    BANK_CHECK(result.has_value(), "the request finished");
    return std::move(*result);
}

std::int64_t fixed_clock() { return kNowSeconds; }

accounts::Account alice_account() {
    accounts::Account account;
    account.user_id = std::string(kUserId);
    account.username = std::string(kUsername);
    account.email = "alice@example.com";
    account.first_name = "Alice";
    account.last_name = "Smith";
    account.account_number = std::string(kAccountNumber);
    account.created_at_s = kNowSeconds - 3600;
    return account;
}

class AccountStore final : public accounts::AccountStore {
  public:
    asio::awaitable<Result<accounts::CreateOutcome>> create(const accounts::Account&,
                                                            std::string_view) override {
        co_return accounts::CreateOutcome::kCreated;
    }
    asio::awaitable<Result<std::optional<accounts::AccountView>>> find(
        std::string_view user_id) override {
        if (user_id != kUserId) co_return std::optional<accounts::AccountView>{};
        co_return std::optional<accounts::AccountView>{accounts::AccountView{alice_account(), 1}};
    }
    asio::awaitable<Result<bool>> username_has_account(std::string_view canonical) override {
        co_return canonical == kUsername;
    }
};

// Stands in for the auth service as accounts sees it: alice is taken, everyone else registers.
class AuthGateway final : public accounts::AuthGateway {
  public:
    asio::awaitable<Result<accounts::Registered>> register_user(std::string username,
                                                                std::string) override {
        if (identity::canonical_username(username) == kUsername) {
            co_return make_error(ErrorCode::kFailedPrecondition, "username_taken",
                                 "Username already taken");
        }
        co_return accounts::Registered{std::string(kBobId), std::move(username)};
    }
    asio::awaitable<Result<accounts::Grant>> password_grant(std::string username,
                                                            std::string password) override {
        if (identity::canonical_username(username) != kUsername || password != kPassword) {
            co_return make_error(ErrorCode::kInvalidArgument, "invalid_grant",
                                 "Incorrect username or password");
        }
        boost::json::object token_response{{"access_token", access_token()},
                                           {"token_type", "bearer"},
                                           {"expires_in", 900},
                                           {"refresh_token", kRefreshToken}};
        co_return accounts::Grant{std::move(token_response), std::string(kUserId)};
    }
    asio::awaitable<Status> delete_user(std::string) override { co_return ok_status(); }
    asio::awaitable<Status> revoke(std::string) override { co_return ok_status(); }
};

transactions::Entry sample_entry() {
    transactions::Entry entry;
    entry.transaction_id = std::string(kTransactionId);
    entry.type = "transfer";
    entry.amount_minor = 2000;
    entry.counterparty_username = "bob";
    entry.balance_after_minor = 15000;
    entry.created_at_s = kNowSeconds - 60;
    entry.sequence = 41;
    return entry;
}

class Ledger final : public transactions::Ledger {
  public:
    asio::awaitable<Result<transactions::Posting>> post(
        const transactions::PostingRequest& request) override {
        if (request.type == transactions::PostingType::kTransfer) {
            const bool known = request.receiver_kind == transactions::ReceiverKind::kUsername
                                   ? request.receiver == "bob"
                                   : request.receiver == "2345678901";
            if (!known) {
                co_return make_error(ErrorCode::kNotFound, "receiver_not_found",
                                     "The receiving account does not exist");
            }
        }
        transactions::Posting posting;
        posting.transaction_id = request.transaction_id;
        posting.balance_after_minor = 17000;
        if (request.type == transactions::PostingType::kTransfer) {
            posting.counterparty_balance_after_minor = 2000;
            posting.counterparty_username = "bob";
        }
        posting.sequence = 42;
        co_return posting;
    }
};

class TransactionStore final : public transactions::TransactionStore {
  public:
    asio::awaitable<Result<std::int64_t>> balance(std::string_view) override {
        co_return std::int64_t{17000};
    }
    asio::awaitable<Result<transactions::HistoryPage>> history(std::string_view,
                                                               std::optional<std::int64_t> before,
                                                               std::size_t) override {
        transactions::HistoryPage page;
        // A history of one entry, at position 0.
        if (!before || *before > 0) page.entries.push_back(sample_entry());
        co_return page;
    }
    asio::awaitable<Result<std::optional<transactions::Entry>>> find(
        std::string_view, std::string_view transaction_id) override {
        if (transaction_id != kTransactionId) co_return std::optional<transactions::Entry>{};
        co_return std::optional<transactions::Entry>{sample_entry()};
    }
    asio::awaitable<Result<transactions::RequestStart>> begin_request(std::string_view,
                                                                      std::string_view,
                                                                      std::int64_t) override {
        co_return transactions::RequestStart::kAcquired;
    }
    asio::awaitable<Status> end_request(std::string_view, std::string_view) override {
        co_return ok_status();
    }
};

// Deterministic "random" bytes for tokens and ids.
void counter_bytes(void* out, std::size_t size) {
    thread_local unsigned char next = 0;
    auto* bytes = static_cast<unsigned char*>(out);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = next++;
}

asio::awaitable<Status> seed_auth_store(auth::UserStore& store) {
    const auth::UserRecord alice{std::string(kUserId), std::string(kUsername),
                                 "fake$" + std::string(kPassword)};
    const std::string canonical(kUsername);
    auto created = co_await store.create_user(alice, canonical, kNowSeconds - 3600);
    if (!created.ok()) co_return std::move(created).error();
    const std::string hash = auth::sha256_hex(kRefreshToken);
    const auth::RefreshRecord record{std::string(kUserId), std::string(kUsername), "family-1"};
    const std::chrono::seconds ttl{3600};
    co_return co_await store.save_refresh(hash, record, ttl);
}

// One for the process: it holds a cache of verified tokens that is costly to build per input.
const service::Authenticator& shared_authenticator() {
    static const service::Authenticator authenticator{verifier(), fixed_clock};
    return authenticator;
}

}  // namespace

struct Services::State {
    auth::testing::InMemoryUserStore users;
    auth::testing::FakeHasher hasher;
    auth::AuthLogic auth_logic{
        users,       hasher,       signer(), auth::TokenSettings{}, auth::LoginThrottlePolicy{},
        fixed_clock, counter_bytes};
    auth::AuthHandlers auth_handlers{auth_logic, signer().jwks_json(), std::string(kInternalToken)};

    const service::Authenticator& authenticator = shared_authenticator();

    AccountStore accounts;
    AuthGateway gateway;
    accounts::AccountsLogic accounts_logic{accounts, gateway, fixed_clock,
                                           [] { return std::string(kAccountNumber); }};
    accounts::AccountsHandlers accounts_handlers{accounts_logic, authenticator};

    Ledger ledger;
    TransactionStore transactions;
    transactions::TransactionsLogic transactions_logic{ledger, transactions,
                                                       transactions::Settings{}, fixed_clock,
                                                       [] { return std::string(kTransactionId); }};
    transactions::TransactionsHandlers transactions_handlers{transactions_logic, authenticator,
                                                             kMaxAmountMinor};
    http::Router router;
};

Services::Services() : state_(std::make_unique<State>()) {
    BANK_CHECK(run(state_->auth_logic.prepare()).ok(), "auth logic prepares");
    BANK_CHECK(run(seed_auth_store(state_->users)).ok(), "auth store seeded");
    state_->auth_handlers.add_routes(state_->router);
    state_->accounts_handlers.add_routes(state_->router);
    state_->transactions_handlers.add_routes(state_->router);
}

Services::~Services() = default;

const http::Router& Services::router() const { return state_->router; }

http::Response Services::handle(http::Request& request) {
    http::Context context{request, {}, {}, http::request_id_for(request), {}, {}};
    std::string route_name;
    http::Response response = run(http::dispatch(state_->router, request, context, route_name));
    response.set("X-Request-Id", context.request_id);
    response.prepare_payload();
    // BANK_FUZZ_TRACE=1 shows what each input reached, for whoever curates the seed corpus.
    static const bool trace = std::getenv("BANK_FUZZ_TRACE") != nullptr;
    if (trace) {
        std::fprintf(stderr, "%s %s -> %u %s\n", std::string(request.method_string()).c_str(),
                     route_name.c_str(), response.result_int(), response.body().c_str());
    }
    check_response(response);
    return response;
}

std::string expand_placeholders(std::string_view input) {
    static const std::pair<std::string_view, std::string_view> kPlaceholders[] = {
        {"@token@", access_token()},
        {"@internal@", kInternalToken},
        {"@refresh@", kRefreshToken},
    };
    std::string out;
    out.reserve(input.size());
    while (!input.empty()) {
        bool replaced = false;
        for (const auto& [name, value] : kPlaceholders) {
            if (input.starts_with(name)) {
                out += value;
                input.remove_prefix(name.size());
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            out.push_back(input.front());
            input.remove_prefix(1);
        }
    }
    return out;
}

void check_response(const http::Response& response) {
    const unsigned status = response.result_int();
    BANK_CHECK(status >= 100 && status <= 599, "a real status");
    BANK_CHECK(status != 500, "no internal error: storage never fails here");
    for (const auto& field : response) {
        const std::string_view value(field.value().data(), field.value().size());
        BANK_CHECK(value.find_first_of("\r\n") == std::string_view::npos,
                   "no CR or LF in a header value");
    }
    const std::string_view type(response[http::Field::content_type].data(),
                                response[http::Field::content_type].size());
    if (type.starts_with("application/json") || type.starts_with("application/problem+json")) {
        boost::system::error_code error;
        const boost::json::value body = boost::json::parse(response.body(), error);
        BANK_CHECK(!error, "a JSON answer parses");
        if (type.starts_with("application/problem+json")) {
            const boost::json::value* problem_status =
                body.is_object() ? body.as_object().if_contains("status") : nullptr;
            BANK_CHECK(problem_status != nullptr && problem_status->is_int64() &&
                           problem_status->as_int64() == static_cast<std::int64_t>(status),
                       "problem JSON carries the answer's status");
        }
    }
    std::ostringstream serialized;
    serialized << response;
    BANK_CHECK(serialized.str().size() >= response.body().size(), "the answer serialises");
}

}  // namespace bank::fuzz
