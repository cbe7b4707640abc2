#pragma once
// TransactionStore on Redis. Reads the ledger's keys (storage/ledger_script.hpp) and, read only,
// the counterparties' usernames (accounts:user:<user_id>, a hash of the accounts service), and
// owns one key of its own:
//   ledger:inflight:<user_id>:<sha256 of the idempotency key>  "1", PX the request timeout
// Every read is one round trip: small Lua scripts gather a page of transactions with the
// counterparties' usernames in one call.

#include "bank/redis/pool.hpp"
#include "storage/transaction_store.hpp"

namespace bank::transactions {

class RedisTransactionStore final : public TransactionStore {
  public:
    // Registers the read scripts with the pool; construct before pool.start().
    explicit RedisTransactionStore(redis::Pool& pool);

    [[nodiscard]] boost::asio::awaitable<Result<std::int64_t>> balance(
        std::string_view user_id) override;
    [[nodiscard]] boost::asio::awaitable<Result<HistoryPage>> history(
        std::string_view user_id, std::optional<std::int64_t> before, std::size_t limit) override;
    [[nodiscard]] boost::asio::awaitable<Result<std::optional<Entry>>> find(
        std::string_view user_id, std::string_view transaction_id) override;
    [[nodiscard]] boost::asio::awaitable<Result<RequestStart>> begin_request(
        std::string_view user_id, std::string_view key_sha256, std::int64_t timeout_ms) override;
    [[nodiscard]] boost::asio::awaitable<Status> end_request(std::string_view user_id,
                                                             std::string_view key_sha256) override;

  private:
    redis::Pool& pool_;
};

[[nodiscard]] std::string inflight_key(std::string_view user_id, std::string_view key_sha256);

}  // namespace bank::transactions
