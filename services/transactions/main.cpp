// The transactions service: wiring only. Reads configuration, loads the token-verification key,
// and connects the ledger + read store -> logic -> handlers -> server.
#include <iostream>

#include "bank/config/env.hpp"
#include "bank/jwt/verifier.hpp"
#include "bank/log/log.hpp"
#include "bank/service/authenticator.hpp"
#include "bank/service/runtime.hpp"
#include "handlers/transactions_handlers.hpp"
#include "logic/transactions_logic.hpp"
#include "storage/ledger_script.hpp"
#include "storage/redis_ledger.hpp"
#include "storage/redis_transaction_store.hpp"

int main() {
    using namespace bank;
    const std::string name = "transactions";
    log::init(name);
    config::Env env;
    auto common = service::read_common_settings(env, name, 8083);
    const auto verifier_settings = service::read_verifier_settings(env);
    // 1,000,000.00 per request by default; never above what the ledger can hold.
    const std::int64_t max_amount_minor =
        env.integer("BANK_MAX_AMOUNT_MINOR", 100'000'000, 1, transactions::kMaxSafeBalanceMinor);
    transactions::Settings settings;
    // At least a day, so a client's retries within a day are always recognised.
    settings.idempotency_ttl_s = env.integer("BANK_IDEMPOTENCY_TTL_S", 86400, 86400, 30LL * 86400);
    settings.events_maxlen = env.integer("BANK_EVENTS_MAXLEN", 100000, 1000, 100'000'000);
    settings.inflight_timeout_ms =
        env.duration_ms("BANK_INFLIGHT_TIMEOUT_MS", 30'000, 1000, 600'000).count();
    if (service::report_config_errors(env, name)) return 2;

    const auto authenticator = service::load_authenticator(verifier_settings, name);
    if (!authenticator) return 2;

    common.readiness_key = "ledger:readyz";  // the transactions user's keys are ledger:*
    service::Runtime runtime(common);
    transactions::RedisLedger ledger(runtime.redis());
    transactions::RedisTransactionStore store(runtime.redis());
    transactions::TransactionsLogic logic(ledger, store, settings);
    transactions::TransactionsHandlers handlers(logic, *authenticator, max_amount_minor);

    http::Router router;
    runtime.add_operational_routes(router);
    handlers.add_routes(router);
    return runtime.run(std::move(router));
}
