// Cost of issuing and checking one access token with a 2048-bit key: verify runs on every
// authenticated request, sign once per login.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "bank/jwt/keys.hpp"
#include "bank/jwt/signer.hpp"
#include "bank/jwt/verifier.hpp"

namespace {

constexpr std::int64_t kNow = 1'700'000'000;

const bank::jwt::Signer& bench_signer() {
    static const bank::jwt::Signer signer = [] {
        bank::Result<std::string> pem = bank::jwt::generate_rsa_private_key_pem();
        bank::Result<bank::jwt::Signer> made = pem.ok()
                                                   ? bank::jwt::Signer::from_private_key_pem(*pem)
                                                   : bank::Result<bank::jwt::Signer>(pem.error());
        if (!made.ok()) {
            std::fprintf(stderr, "cannot create signer: %s\n", made.error().detail.c_str());
            std::abort();
        }
        return std::move(made).value();
    }();
    return signer;
}

bank::jwt::Claims bench_claims() {
    bank::jwt::Claims claims;
    claims.iss = "https://auth.bank.test";
    claims.aud = "bank-api";
    claims.sub = "user-42";
    claims.name = "Ada Lovelace";
    claims.jti = "0f8fad5b-d9cb-469f-a165-70867728950e";
    claims.iat = kNow;
    claims.exp = kNow + 900;
    return claims;
}

void BM_Sign(benchmark::State& state) {
    const bank::jwt::Signer& signer = bench_signer();
    const bank::jwt::Claims claims = bench_claims();
    for (auto _ : state) {
        benchmark::DoNotOptimize(signer.sign(claims));
    }
}
BENCHMARK(BM_Sign)->ThreadRange(1, 2);

void BM_Verify(benchmark::State& state) {
    const bank::jwt::Signer& signer = bench_signer();
    const bank::Result<bank::jwt::Verifier> verifier =
        bank::jwt::Verifier::from_jwks(signer.jwks_json(), {"https://auth.bank.test", "bank-api"});
    if (!verifier.ok()) {
        state.SkipWithError(verifier.error().detail.c_str());
        return;
    }
    const std::string token = signer.sign(bench_claims());
    for (auto _ : state) {
        benchmark::DoNotOptimize(verifier->verify(token, kNow));
    }
}
BENCHMARK(BM_Verify)->ThreadRange(1, 2);

}  // namespace
