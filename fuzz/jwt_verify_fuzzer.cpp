// JWT verification (libs/jwt) of arbitrary tokens: the input is the token text, checked by a
// PEM-loaded verifier and a JWKS-loaded one (kid lookup among two keys). Nobody but the fuzz
// key's holder can sign, and the fuzzer cannot, so the property is absolute: every input is
// refused with kUnauthenticated "invalid_token" and a reason that does not echo the token. Also:
// base64url decoding is strict (one encoding per byte string), and a JWKS document from the
// input never crashes the loader.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bank/core/check.hpp"
#include "bank/jwt/base64url.hpp"
#include "bank/jwt/verifier.hpp"
#include "fuzz_keys.hpp"

namespace {

void check_refused(const bank::jwt::Verifier& verifier, std::string_view token) {
    const auto claims = verifier.verify(token, bank::fuzz::kNowSeconds);
    BANK_CHECK(!claims.ok(), "a token the fuzzer made up was accepted");
    BANK_CHECK(claims.error().code == bank::ErrorCode::kUnauthenticated &&
                   claims.error().slug == "invalid_token",
               "every refusal is one 401 error");
    // A reason quoting the token would put credentials in logs and answers. The reasons are
    // short sentences, so a short token can be a word of one ("lformed " is in "malformed").
    BANK_CHECK(token.size() < 64 || claims.error().detail.find(token) == std::string::npos,
               "the reason does not echo the token");
}

void check_base64url(std::string_view text) {
    const auto decoded = bank::jwt::base64url_decode(text);
    if (decoded.ok()) {
        BANK_CHECK(bank::jwt::base64url_encode(*decoded) == text, "encode(decode(t)) == t");
    }
    const auto round_trip = bank::jwt::base64url_decode(bank::jwt::base64url_encode(text));
    BANK_CHECK(round_trip.ok() && *round_trip == text, "decode(encode(b)) == b");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_refused(bank::fuzz::verifier(), text);
    check_refused(bank::fuzz::jwks_verifier(), text);
    check_base64url(text);
    // A JWKS is configuration, not request input, but it is parsed by the same code.
    const auto jwks = bank::jwt::Verifier::from_jwks(
        text, {std::string(bank::fuzz::kIssuer), std::string(bank::fuzz::kAudience), 60, 8192});
    if (jwks.ok()) check_refused(*jwks, text);
    return 0;
}
