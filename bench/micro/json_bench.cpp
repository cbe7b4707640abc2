// What reading a transfer body costs: the same steps as the transactions handler (strict object
// parse with the duplicate-key pass, the field reader, then the amount's literal text and its
// exact parse), and each step alone.

#include <benchmark/benchmark.h>

#include <string_view>

#include "bank/json/body.hpp"
#include "bank/money/json_amount.hpp"
#include "bank/money/money.hpp"
#include "bank/money/parse_amount.hpp"

namespace {

constexpr std::string_view kTransferBody = R"({"receiver_username":"bench4711","amount":"12.34"})";
constexpr bank::money::Money kMaxAmount = bank::money::Money::from_minor(100'000'000);

void BM_ParseObject(benchmark::State& state) {
    for (auto _ : state) {
        auto object = bank::json::parse_object(kTransferBody);
        benchmark::DoNotOptimize(object);
    }
}
BENCHMARK(BM_ParseObject);

// The handler's read of a transfer body, end to end.
void BM_ReadTransferBody(benchmark::State& state) {
    for (auto _ : state) {
        auto object = bank::json::parse_object(kTransferBody);
        if (!object.ok()) {
            state.SkipWithError("parse failed");
            return;
        }
        bank::json::FieldReader reader(*object);
        reader.allow("amount");
        auto receiver = reader.optional_string("receiver_username");
        auto finished = reader.finish();
        auto text = bank::money::amount_literal(kTransferBody);
        if (!finished.ok() || !text.ok()) {
            state.SkipWithError("read failed");
            return;
        }
        auto amount = bank::money::parse_amount(*text, kMaxAmount);
        benchmark::DoNotOptimize(receiver);
        benchmark::DoNotOptimize(amount);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(kTransferBody.size()));
}
BENCHMARK(BM_ReadTransferBody);

}  // namespace
