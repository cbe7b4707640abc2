// How much reading an amount costs on the request path: parse_amount alone, and extracting the
// literal from a typical transfer body (which is most of the per-request JSON work for transfers).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string_view>

#include "bank/money/json_amount.hpp"
#include "bank/money/money.hpp"
#include "bank/money/parse_amount.hpp"

namespace {

constexpr bank::money::Money kMillion = bank::money::Money::from_minor(100'000'000);

void BM_ParseAmount(benchmark::State& state) {
    constexpr std::string_view kText = "12.34";
    for (auto _ : state) {
        auto result = bank::money::parse_amount(kText, kMillion);
        benchmark::DoNotOptimize(result);
    }
}
BENCHMARK(BM_ParseAmount);

void BM_AmountLiteral(benchmark::State& state) {
    constexpr std::string_view kBody = R"({"receiver_username":"alice","amount":"12.34"})";
    for (auto _ : state) {
        auto result = bank::money::amount_literal(kBody);
        benchmark::DoNotOptimize(result);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(kBody.size()));
}
BENCHMARK(BM_AmountLiteral);

}  // namespace
