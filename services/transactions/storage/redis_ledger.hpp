#pragma once
// Ledger on Redis: one EVALSHA of ledger_script() per posting, so every posting is atomic, takes
// one round trip and needs no lock; concurrent postings are serialised by Redis itself.

#include "bank/redis/pool.hpp"
#include "storage/ledger.hpp"

namespace bank::transactions {

class RedisLedger final : public Ledger {
  public:
    // Registers the script with the pool; construct before pool.start().
    explicit RedisLedger(redis::Pool& pool);

    [[nodiscard]] boost::asio::awaitable<Result<Posting>> post(
        const PostingRequest& request) override;

  private:
    redis::Pool& pool_;
};

// Maps the script's error reply ("CODE message", possibly prefixed "ERR ") to a bank::Error.
// Exposed for tests.
[[nodiscard]] Error ledger_error(std::string_view reply_message);

}  // namespace bank::transactions
