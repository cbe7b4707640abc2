#include "handlers/transactions_handlers.hpp"

#include "bank/http/form.hpp"
#include "bank/http/problem.hpp"
#include "bank/json/body.hpp"
#include "bank/money/json_amount.hpp"

namespace bank::transactions {

namespace asio = boost::asio;
using http::Context;
using http::Response;

namespace {

constexpr std::string_view kIdempotencyKeyHeader = "Idempotency-Key";
constexpr std::string_view kIdempotentReplayedHeader = "Idempotent-Replayed";

bool is_account_number(std::string_view text) {
    if (text.size() != 10) return false;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

// The movement a request body describes, or the first problem with it. Shape problems
// (unknown fields, a missing or doubled receiver) come before the amount's value.
Result<Movement> read_movement(const http::Request& request, PostingType type,
                               std::int64_t max_amount_minor) {
    auto body = json::parse_object(request.body());
    if (!body.ok()) return body.error();
    json::FieldReader reader(*body);
    reader.allow("amount");
    Movement movement;
    movement.type = type;
    if (type == PostingType::kTransfer) {
        auto username = reader.optional_string("receiver_username");
        auto number = reader.optional_string("to_account_number");
        if (username.has_value() == number.has_value()) {
            if (!reader.has_error("receiver_username") && !reader.has_error("to_account_number")) {
                reader.error("receiver_username",
                             "exactly one of receiver_username or to_account_number is required");
            }
        } else if (username) {
            if (username->empty()) {
                reader.error("receiver_username", "must not be empty");
            } else {
                movement.receiver = ReceiverRef{ReceiverKind::kUsername, std::move(*username)};
            }
        } else if (!is_account_number(*number)) {
            reader.error("to_account_number", "must be 10 digits");
        } else {
            movement.receiver = ReceiverRef{ReceiverKind::kAccountNumber, std::move(*number)};
        }
    }
    if (auto status = reader.finish(); !status.ok()) return status.error();
    auto text = money::amount_literal(request.body());
    if (!text.ok()) return text.error();
    auto amount = money::parse_amount(*text, money::Money::from_minor(max_amount_minor));
    if (!amount.ok()) return amount.error();
    movement.amount_minor = amount->minor();
    return movement;
}

// The Idempotency-Key header: absent, or one valid value.
Result<std::optional<std::string>> read_idempotency_key(const http::Request& request) {
    const auto [first, last] = request.equal_range(kIdempotencyKeyHeader);
    if (first == last) return std::optional<std::string>{};
    if (std::next(first) != last) {
        return validation_error(std::string(kIdempotencyKeyHeader), "must be sent once");
    }
    const std::string_view value(first->value().data(), first->value().size());
    if (auto status = validate_idempotency_key(value); !status.ok()) return status.error();
    return std::optional<std::string>{std::string(value)};
}

Response no_store(Response response) {
    response.set(http::Field::cache_control, "no-store");
    return response;
}

}  // namespace

void TransactionsHandlers::add_routes(http::Router& router) {
    router.add(http::Verb::post, "/transactions/deposit",
               [this](Context& context) { return move(context, PostingType::kDeposit); });
    router.add(http::Verb::post, "/transactions/withdraw",
               [this](Context& context) { return move(context, PostingType::kWithdrawal); });
    router.add(http::Verb::post, "/transactions/transfer",
               [this](Context& context) { return move(context, PostingType::kTransfer); });
    router.add(http::Verb::get, "/transactions/balance",
               [this](Context& context) { return balance(context); });
    router.add(http::Verb::get, "/transactions/history",
               [this](Context& context) { return history(context); });
    router.add(http::Verb::get, "/transactions/{transaction_id}",
               [this](Context& context) { return transaction(context); });
}

asio::awaitable<Response> TransactionsHandlers::move(Context& context, PostingType type) {
    auto caller = authenticator_.authenticate(context.request);
    if (!caller.ok()) co_return http::problem(caller.error(), context.request_id);
    context.user_id = caller->user_id;
    if (auto media = http::require_content_type(context.request, "application/json"); !media.ok()) {
        co_return http::problem(media.error(), context.request_id);
    }
    auto key = read_idempotency_key(context.request);
    if (!key.ok()) co_return http::problem(key.error(), context.request_id);
    auto movement = read_movement(context.request, type, max_amount_minor_);
    if (!movement.ok()) co_return http::problem(movement.error(), context.request_id);
    movement->user_id = caller->user_id;
    movement->username = caller->username;
    movement->idempotency_key = std::move(*key);
    Movement request = std::move(*movement);
    auto receipt = co_await logic_.move(std::move(request));
    if (!receipt.ok()) co_return http::problem(receipt.error(), context.request_id);
    Response response = no_store(http::json(200, to_json(*receipt)));
    if (receipt->replay) response.set(kIdempotentReplayedHeader, "true");
    co_return response;
}

asio::awaitable<Response> TransactionsHandlers::balance(Context& context) {
    auto caller = authenticator_.authenticate(context.request);
    if (!caller.ok()) co_return http::problem(caller.error(), context.request_id);
    context.user_id = caller->user_id;
    std::string user_id = caller->user_id;
    auto balance = co_await logic_.balance(std::move(user_id));
    if (!balance.ok()) co_return http::problem(balance.error(), context.request_id);
    co_return no_store(http::json(200, balance_json(*balance)));
}

asio::awaitable<Response> TransactionsHandlers::history(Context& context) {
    auto caller = authenticator_.authenticate(context.request);
    if (!caller.ok()) co_return http::problem(caller.error(), context.request_id);
    context.user_id = caller->user_id;
    auto query = http::parse_form(context.query);
    if (!query.ok()) {
        co_return http::problem(validation_error("query", query.error().detail),
                                context.request_id);
    }
    std::optional<std::string> limit_text;
    if (auto it = query->find("limit"); it != query->end()) limit_text = it->second;
    auto limit = parse_limit(limit_text);
    if (!limit.ok()) co_return http::problem(limit.error(), context.request_id);
    std::optional<std::int64_t> cursor;
    if (auto it = query->find("cursor"); it != query->end()) {
        auto decoded = decode_cursor(it->second);
        if (!decoded.ok()) co_return http::problem(decoded.error(), context.request_id);
        cursor = *decoded;
    }
    std::string user_id = caller->user_id;
    const std::size_t page_size = *limit;
    auto page = co_await logic_.history(std::move(user_id), page_size, cursor);
    if (!page.ok()) co_return http::problem(page.error(), context.request_id);
    co_return no_store(http::json(200, to_json(*page)));
}

asio::awaitable<Response> TransactionsHandlers::transaction(Context& context) {
    auto caller = authenticator_.authenticate(context.request);
    if (!caller.ok()) co_return http::problem(caller.error(), context.request_id);
    context.user_id = caller->user_id;
    std::string user_id = caller->user_id;
    std::string transaction_id(context.param("transaction_id"));
    auto entry = co_await logic_.transaction(std::move(user_id), std::move(transaction_id));
    if (!entry.ok()) co_return http::problem(entry.error(), context.request_id);
    co_return no_store(http::json(200, to_json(*entry)));
}

}  // namespace bank::transactions
