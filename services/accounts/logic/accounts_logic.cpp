#include "logic/accounts_logic.hpp"

#include <sodium.h>

#include <boost/json/monotonic_resource.hpp>
#include <chrono>
#include <ctime>

#include "bank/core/check.hpp"
#include "bank/core/clock.hpp"
#include "bank/identity/rules.hpp"
#include "bank/money/money.hpp"

// Values passed to co_await'ed calls are named locals, never temporaries: g++ 12 destroys such
// temporaries twice when the call suspends.

namespace bank::accounts {

namespace asio = boost::asio;

namespace {
constexpr int kAccountNumberAttempts = 8;
}

std::vector<FieldError> validate(const SignUp& sign_up) {
    std::vector<FieldError> problems;
    auto check = [&problems](const char* field, std::optional<std::string> problem) {
        if (problem) problems.push_back({field, std::move(*problem)});
    };
    check("username", identity::username_problem(sign_up.username));
    check("password", identity::password_problem(sign_up.password));
    check("email", identity::email_problem(sign_up.email));
    check("first_name", identity::name_problem(sign_up.first_name));
    check("last_name", identity::name_problem(sign_up.last_name));
    if (sign_up.phone) check("phone", identity::phone_problem(*sign_up.phone));
    return problems;
}

boost::json::object to_json(const AccountView& view) {
    const Account& account = view.account;
    // One arena for the whole body (it is serialised once and dropped), instead of a heap
    // allocation per key and per long string.
    boost::json::object object(
        {
            {"user_id", account.user_id},
            {"username", account.username},
            {"email", account.email},
            {"first_name", account.first_name},
            {"last_name", account.last_name},
            {"account_number", account.account_number},
            {"currency", account.currency},
            {"balance", money::format(money::Money::from_minor(view.balance_minor))},
            {"balance_minor", view.balance_minor},
            {"created_at", iso8601(account.created_at_s)},
        },
        boost::json::make_shared_resource<boost::json::monotonic_resource>(1024));
    if (account.phone) {
        object["phone"] = *account.phone;
    } else {
        object["phone"] = nullptr;
    }
    return object;
}

AccountsLogic::AccountsLogic(AccountStore& store, AuthGateway& auth, Clock clock,
                             NumberSource numbers)
    : store_(store), auth_(auth), clock_(std::move(clock)), numbers_(std::move(numbers)) {
    BANK_CHECK(sodium_init() >= 0, "libsodium failed to initialise");
    if (!clock_) {
        clock_ = unix_seconds_now;
    }
    if (!numbers_) {
        // Uniform over 1000000000..9999999999: ten digits, never a leading zero.
        numbers_ = [] {
            const std::uint64_t high = randombytes_uniform(90000);  // 0..89999
            const std::uint64_t low = randombytes_uniform(100000);  // 0..99999
            return std::to_string(1'000'000'000ULL + high * 100000ULL + low);
        };
    }
}

asio::awaitable<Result<AccountView>> AccountsLogic::create_for(const std::string& user_id,
                                                               const SignUp& sign_up) {
    Account account{user_id,
                    sign_up.username,
                    sign_up.email,
                    sign_up.first_name,
                    sign_up.last_name,
                    sign_up.phone,
                    {},
                    "USD",
                    clock_()};
    const std::string canonical = identity::canonical_username(sign_up.username);
    for (int attempt = 0; attempt < kAccountNumberAttempts; ++attempt) {
        account.account_number = numbers_();
        auto outcome = co_await store_.create(account, canonical);
        if (!outcome.ok()) co_return std::move(outcome).error();
        if (*outcome == CreateOutcome::kCreated) co_return AccountView{std::move(account), 0};
        if (*outcome == CreateOutcome::kAlreadyExists) {
            co_return make_error(ErrorCode::kFailedPrecondition, "username_taken",
                                 "Username already taken");
        }
    }
    co_return make_error(ErrorCode::kUnavailable, "account_number_exhausted",
                         "Could not allocate an account number; retry");
}

asio::awaitable<Result<AccountView>> AccountsLogic::open_account(SignUp sign_up) {
    auto problems = validate(sign_up);
    if (!problems.empty()) co_return validation_error(std::move(problems));

    std::string username = sign_up.username;
    std::string password = sign_up.password;
    auto registered = co_await auth_.register_user(std::move(username), std::move(password));
    if (registered.ok()) {
        auto created = co_await create_for(registered->user_id, sign_up);
        if (created.ok()) co_return created;
        if (created.error().code == ErrorCode::kUnavailable) {
            // A timeout does not say whether the write happened: look before undoing, and when
            // even that cannot be known, leave the registration for a retry to complete (below).
            auto found = co_await store_.find(registered->user_id);
            if (found.ok() && found->has_value()) co_return std::move(**found);
            if (!found.ok()) co_return created;
        }
        // The name is registered but definitely has no account: undo the registration so the
        // name is free again. If even that fails, a retry with the same credentials completes
        // the account (below), so the name is never stranded.
        std::string user_id = registered->user_id;
        auto undone = co_await auth_.delete_user(std::move(user_id));
        (void)undone;
        co_return created;
    }
    if (registered.error().slug != "username_taken") co_return std::move(registered).error();

    // Taken: either someone has this name, or an earlier sign-up of ours registered it and
    // failed before opening the account. In the second case the same credentials prove it.
    const std::string canonical = identity::canonical_username(sign_up.username);
    auto has_account = co_await store_.username_has_account(canonical);
    if (!has_account.ok()) co_return std::move(has_account).error();
    if (*has_account) co_return std::move(registered).error();
    std::string grant_username = sign_up.username;
    std::string grant_password = sign_up.password;
    auto grant =
        co_await auth_.password_grant(std::move(grant_username), std::move(grant_password));
    if (!grant.ok()) {
        if (grant.error().slug == "invalid_grant") co_return std::move(registered).error();
        co_return std::move(grant).error();
    }
    // The grant only proved the password; its refresh token must not stay alive unseen.
    const auto* refresh = grant->token_response.if_contains("refresh_token");
    if (refresh != nullptr && refresh->is_string()) {
        std::string refresh_token(refresh->as_string());
        auto revoked = co_await auth_.revoke(std::move(refresh_token));
        (void)revoked;  // best effort: the token is random, unseen, and expires on its own
    }
    co_return co_await create_for(grant->user_id, sign_up);
}

asio::awaitable<Result<AccountView>> AccountsLogic::get_account(std::string caller_id,
                                                                std::string user_id) {
    if (caller_id != user_id) {
        // 403 whether or not the account exists, so ids cannot be probed.
        co_return make_error(ErrorCode::kPermissionDenied, "forbidden",
                             "You may only read your own account");
    }
    auto found = co_await store_.find(user_id);
    if (!found.ok()) co_return std::move(found).error();
    if (!found->has_value()) {
        co_return make_error(ErrorCode::kNotFound, "account_not_found", "No account for this user");
    }
    co_return std::move(**found);
}

asio::awaitable<Result<LoginResult>> AccountsLogic::login(std::string username,
                                                          std::string password) {
    auto grant = co_await auth_.password_grant(std::move(username), std::move(password));
    if (!grant.ok()) co_return std::move(grant).error();
    auto found = co_await store_.find(grant->user_id);
    if (!found.ok()) co_return std::move(found).error();
    co_return LoginResult{std::move(grant->token_response), std::move(*found)};
}

}  // namespace bank::accounts
