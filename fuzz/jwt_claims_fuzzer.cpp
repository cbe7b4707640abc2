// JWT claim checks (libs/jwt) behind a valid signature. The verifier parses a payload only once
// the RS256 signature holds, which a fuzzer cannot forge, so this target signs what it is given:
// the input is "<header JSON>\n<payload JSON>" (or just the payload, under a correct header),
// base64url-encoded and signed with the fuzz key. Properties: no crash; a refusal is the one 401
// error; an accepted token's claims are exactly what its payload says, with the right issuer and
// audience, a non-empty subject and times valid at the fixed "now" within the leeway.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bank/core/check.hpp"
#include "bank/jwt/base64url.hpp"
#include "bank/jwt/verifier.hpp"
#include "fuzz_keys.hpp"

namespace {

constexpr std::int64_t kLeewaySeconds = 60;

std::string default_header() {
    return R"({"alg":"RS256","typ":"JWT","kid":")" + bank::fuzz::signer().kid() + "\"}";
}

std::string string_claim(const boost::json::object& payload, std::string_view name) {
    const boost::json::value* value = payload.if_contains(name);
    if (value == nullptr) return {};
    const boost::json::string& text = value->as_string();
    return std::string(text.data(), text.size());
}

void check_accepted(const bank::jwt::Claims& claims, std::string_view payload_text) {
    boost::system::error_code error;
    const boost::json::value payload = boost::json::parse(payload_text, error);
    BANK_CHECK(!error && payload.is_object(), "accepted payloads are JSON objects");
    const boost::json::object& object = payload.as_object();
    BANK_CHECK(claims.iss == bank::fuzz::kIssuer && string_claim(object, "iss") == claims.iss,
               "the issuer is ours");
    BANK_CHECK(claims.aud == bank::fuzz::kAudience, "the audience is ours");
    BANK_CHECK(!claims.sub.empty() && string_claim(object, "sub") == claims.sub,
               "the subject is the payload's, not empty");
    BANK_CHECK(string_claim(object, "name") == claims.name, "the name is the payload's");
    BANK_CHECK(string_claim(object, "jti") == claims.jti, "the jti is the payload's");
    BANK_CHECK(object.at("exp").as_int64() == claims.exp, "exp is the payload's");
    BANK_CHECK(claims.exp >= bank::fuzz::kNowSeconds - kLeewaySeconds, "not expired");
    if (claims.nbf) {
        BANK_CHECK(*claims.nbf <= bank::fuzz::kNowSeconds + kLeewaySeconds, "already valid");
    }
    BANK_CHECK(claims.iat <= bank::fuzz::kNowSeconds + kLeewaySeconds, "not issued later");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = text.find('\n');
    const std::string header =
        newline == std::string_view::npos ? default_header() : std::string(text.substr(0, newline));
    const std::string_view payload =
        newline == std::string_view::npos ? text : text.substr(newline + 1);

    const std::string signing_input =
        bank::jwt::base64url_encode(header) + "." + bank::jwt::base64url_encode(payload);
    const std::string token = signing_input + "." + bank::fuzz::sign_rs256(signing_input);
    const auto claims = bank::fuzz::verifier().verify(token, bank::fuzz::kNowSeconds);
    if (!claims.ok()) {
        BANK_CHECK(claims.error().code == bank::ErrorCode::kUnauthenticated &&
                       claims.error().slug == "invalid_token",
                   "every refusal is one 401 error");
        return 0;
    }
    check_accepted(*claims, payload);
    return 0;
}
