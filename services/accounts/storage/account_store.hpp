#pragma once
// Where the accounts service keeps customer profiles and bank accounts. The logic sees only this
// interface; Redis is in redis_account_store.*, the test double in tests/.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bank/core/result.hpp"

namespace bank::accounts {

struct Account {
    std::string user_id;
    std::string username;
    std::string email;
    std::string first_name;
    std::string last_name;
    std::optional<std::string> phone;
    std::string account_number;  // 10 digits, unique
    std::string currency = "USD";
    std::int64_t created_at_s = 0;
};

// An account with the ledger's current balance, read in the same round trip.
struct AccountView {
    Account account;
    std::int64_t balance_minor = 0;
};

enum class CreateOutcome {
    kCreated,
    kNumberTaken,    // the account number collided: pick another and retry
    kAlreadyExists,  // this user or this username already has an account
};

class AccountStore {
  public:
    virtual ~AccountStore() = default;
    // Atomic: the account, its username index and its account-number index, or nothing.
    virtual boost::asio::awaitable<Result<CreateOutcome>> create(const Account& account,
                                                                 std::string_view canonical) = 0;
    virtual boost::asio::awaitable<Result<std::optional<AccountView>>> find(
        std::string_view user_id) = 0;
    virtual boost::asio::awaitable<Result<bool>> username_has_account(
        std::string_view canonical) = 0;
};

}  // namespace bank::accounts
