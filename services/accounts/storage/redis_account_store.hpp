#pragma once
// AccountStore on Redis. Keys (the accounts service's own ACL prefix is "accounts:"):
//   accounts:user:<user_id>          hash: the profile and account fields
//   accounts:username:<canonical>    string user_id (index for username lookups, O(1))
//   accounts:number:<account_number> string user_id (index for account-number lookups, O(1))
// and, read-only, the ledger's balance:
//   ledger:balance:<user_id>         integer minor units; absent means 0

#include "bank/redis/pool.hpp"
#include "storage/account_store.hpp"

namespace bank::accounts {

class RedisAccountStore final : public AccountStore {
  public:
    explicit RedisAccountStore(redis::Pool& pool);
    boost::asio::awaitable<Result<CreateOutcome>> create(const Account& account,
                                                         std::string_view canonical) override;
    boost::asio::awaitable<Result<std::optional<AccountView>>> find(
        std::string_view user_id) override;
    boost::asio::awaitable<Result<bool>> username_has_account(std::string_view canonical) override;

  private:
    redis::Pool& pool_;
};

}  // namespace bank::accounts
