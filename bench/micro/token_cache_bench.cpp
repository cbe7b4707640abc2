// What a repeated access token costs once it is cached (hash of the token + a map lookup under a
// mutex), next to BM_Verify in jwt_bench.cpp (the RSA signature check it replaces).

#include <benchmark/benchmark.h>

#include <string>

#include "bank/service/token_cache.hpp"

namespace {

// The length of a real access token (RS256, 2048-bit key, the auth service's claims).
const std::string kToken(665, 't');

void BM_TokenCacheHit(benchmark::State& state) {
    bank::service::TokenCache cache(10'000);
    cache.insert(kToken, {"b3e70000-0000-4000-8000-000000000001", "bench1"}, 2'000'000'000);
    for (auto _ : state) {
        auto caller = cache.find(kToken, 1'700'000'000);
        benchmark::DoNotOptimize(caller);
    }
}
BENCHMARK(BM_TokenCacheHit)->ThreadRange(1, 2);

void BM_TokenDigest(benchmark::State& state) {
    for (auto _ : state) {
        auto digest = bank::service::TokenCache::digest(kToken);
        benchmark::DoNotOptimize(digest);
    }
}
BENCHMARK(BM_TokenDigest);

}  // namespace
