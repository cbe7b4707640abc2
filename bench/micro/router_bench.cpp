// Route matching with the transactions and accounts route tables: every request pays it once.

#include <benchmark/benchmark.h>

#include <boost/asio/awaitable.hpp>
#include <string_view>
#include <utility>

#include "bank/http/router.hpp"

namespace {

using bank::http::Verb;

// The transactions and accounts services' routes, with the operational ones.
constexpr std::pair<Verb, std::string_view> kRoutes[] = {
    {Verb::get, "/healthz"},
    {Verb::get, "/readyz"},
    {Verb::get, "/metrics"},
    {Verb::post, "/transactions/deposit"},
    {Verb::post, "/transactions/withdraw"},
    {Verb::post, "/transactions/transfer"},
    {Verb::get, "/transactions/balance"},
    {Verb::get, "/transactions/history"},
    {Verb::get, "/transactions/{transaction_id}"},
    {Verb::post, "/accounts"},
    {Verb::get, "/accounts/me"},
    {Verb::get, "/accounts/{user_id}"},
};

bank::http::Router service_routes() {
    const bank::http::Handler handler =
        [](bank::http::Context&) -> boost::asio::awaitable<bank::http::Response> {
        co_return bank::http::Response{};
    };
    bank::http::Router router;
    for (const auto& [method, pattern] : kRoutes) router.add(method, pattern, handler);
    return router;
}

// A literal route, a route with a parameter, and a path no route matches.
void BM_Match(benchmark::State& state, Verb method, std::string_view path) {
    const bank::http::Router router = service_routes();
    for (auto _ : state) {
        auto match = router.match(method, path);
        benchmark::DoNotOptimize(match);
    }
}
BENCHMARK_CAPTURE(BM_Match, literal, Verb::post, "/transactions/transfer");
BENCHMARK_CAPTURE(BM_Match, parameter, Verb::get,
                  "/transactions/5eed0000-0000-4000-8000-000000000001");
BENCHMARK_CAPTURE(BM_Match, not_found, Verb::get, "/nothing/here/at/all");

}  // namespace
