#include "bank/jwt/verifier.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <array>
#include <boost/json.hpp>
#include <cstddef>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "bank/jwt/base64url.hpp"
#include "rsa_key.hpp"

namespace bank::jwt {
namespace {

// Leeway is meant for clock skew between hosts; an hour or more would quietly extend every
// token's lifetime.
constexpr std::int64_t kMaxLeewaySeconds = 3600;
// JWK Sets published for rotation hold a handful of keys; the limits keep a misconfigured or
// hostile document from costing much at start-up.
constexpr std::size_t kMaxJwksBytes = 256 * 1024;
constexpr std::size_t kMaxJwksKeys = 32;
// Headers and payloads are flat objects; deep nesting is never legitimate.
constexpr std::size_t kMaxJsonDepth = 8;

Error invalid_token(std::string reason) {
    return make_error(ErrorCode::kUnauthenticated, "invalid_token", std::move(reason));
}

Error invalid_jwks(std::string detail) {
    return make_error(ErrorCode::kInvalidArgument, "invalid_jwks", std::move(detail));
}

Error invalid_options(std::string detail) {
    return make_error(ErrorCode::kInvalidArgument, "invalid_verifier_options", std::move(detail));
}

Status check_options(const Verifier::Options& options) {
    // An empty issuer or audience would make the check compare against "", which no real token
    // carries; refusing it turns a configuration slip into a start-up error.
    if (options.issuer.empty()) {
        return invalid_options("issuer must not be empty");
    }
    if (options.audience.empty()) {
        return invalid_options("audience must not be empty");
    }
    if (options.leeway_s < 0 || options.leeway_s > kMaxLeewaySeconds) {
        return invalid_options("leeway_s must be between 0 and " +
                               std::to_string(kMaxLeewaySeconds));
    }
    if (options.max_token_bytes == 0) {
        return invalid_options("max_token_bytes must be positive");
    }
    return ok_status();
}

std::optional<boost::json::object> parse_object(std::string_view text,
                                                boost::json::storage_ptr storage = {}) {
    boost::json::parse_options parse_options;
    parse_options.max_depth = kMaxJsonDepth;
    boost::system::error_code error;
    boost::json::value value = boost::json::parse(text, error, std::move(storage), parse_options);
    if (error || !value.is_object()) {
        return std::nullopt;
    }
    return std::move(value.as_object());
}

std::string_view view(const boost::json::string& text) { return {text.data(), text.size()}; }

std::string to_string(const boost::json::string& text) { return std::string(view(text)); }

// Saturating so that an exp near INT64_MAX plus the leeway cannot overflow into the past.
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) {
        return b > 0 ? std::numeric_limits<std::int64_t>::max()
                     : std::numeric_limits<std::int64_t>::min();
    }
    return sum;
}

enum class Presence { kRequired, kOptional };

// NumericDate claims must be JSON integers that fit in int64. Fractional seconds are legal in
// RFC 7519 but our issuer never writes them, so they are treated as a wrong type.
Result<std::optional<std::int64_t>> read_time(const boost::json::object& payload,
                                              std::string_view name, Presence presence) {
    const boost::json::value* value = payload.if_contains(name);
    if (value == nullptr) {
        if (presence == Presence::kRequired) {
            return invalid_token("missing " + std::string(name) + " claim");
        }
        return std::optional<std::int64_t>{};
    }
    if (const std::int64_t* number = value->if_int64()) {
        return std::optional<std::int64_t>{*number};
    }
    return invalid_token(std::string(name) + " claim is not an integer");
}

Result<std::string> read_string(const boost::json::object& payload, std::string_view name,
                                Presence presence) {
    const boost::json::value* value = payload.if_contains(name);
    if (value == nullptr) {
        if (presence == Presence::kRequired) {
            return invalid_token("missing " + std::string(name) + " claim");
        }
        return std::string();
    }
    if (const boost::json::string* text = value->if_string()) {
        return to_string(*text);
    }
    return invalid_token(std::string(name) + " claim is not a string");
}

// "aud" is a string or an array of strings (RFC 7519 §4.1.3); the token is for us if our
// audience is among them. Claims::aud then holds our audience.
Status check_audience(const boost::json::object& payload, const std::string& audience) {
    const boost::json::value* value = payload.if_contains("aud");
    if (value == nullptr) {
        return invalid_token("missing aud claim");
    }
    if (const boost::json::string* text = value->if_string()) {
        return view(*text) == audience ? ok_status() : Status(invalid_token("wrong audience"));
    }
    if (const boost::json::array* list = value->if_array()) {
        bool found = false;
        for (const boost::json::value& item : *list) {
            const boost::json::string* text = item.if_string();
            if (text == nullptr) {
                return invalid_token("aud claim is not a string or array of strings");
            }
            found = found || view(*text) == audience;
        }
        return found ? ok_status() : Status(invalid_token("wrong audience"));
    }
    return invalid_token("aud claim is not a string or array of strings");
}

bool ascii_iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
        };
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

}  // namespace

struct Verifier::State {
    Options options;
    // Keyed by kid; std::less<> lets verify() look up a string_view without allocating.
    std::map<std::string, detail::PkeyPtr, std::less<>> keys;
};

Verifier::Verifier(std::shared_ptr<const State> state) : state_(std::move(state)) {}

Result<Verifier> Verifier::from_public_key_pem(std::string_view pem, Options options) {
    if (Status status = check_options(options); !status.ok()) {
        return std::move(status).error();
    }
    Result<detail::PkeyPtr> key = detail::parse_public_key_pem(pem);
    if (!key.ok()) {
        return std::move(key).error();
    }
    auto state = std::make_shared<State>();
    state->options = std::move(options);
    std::string kid = detail::jwk_thumbprint(detail::public_jwk(key->get()));
    state->keys.emplace(std::move(kid), std::move(key).value());
    return Verifier(std::move(state));
}

Result<Verifier> Verifier::from_public_key_pem_file(const std::string& path, Options options) {
    Result<std::string> pem = detail::read_key_file(path);
    if (!pem.ok()) {
        return std::move(pem).error();
    }
    return from_public_key_pem(*pem, std::move(options));
}

Result<Verifier> Verifier::from_jwks(std::string_view jwks_json, Options options) {
    if (Status status = check_options(options); !status.ok()) {
        return std::move(status).error();
    }
    if (jwks_json.size() > kMaxJwksBytes) {
        return invalid_jwks("JWKS is larger than " + std::to_string(kMaxJwksBytes) + " bytes");
    }
    const std::optional<boost::json::object> root = parse_object(jwks_json);
    if (!root) {
        return invalid_jwks("JWKS is not a JSON object");
    }
    const boost::json::value* keys_value = root->if_contains("keys");
    if (keys_value == nullptr || !keys_value->is_array()) {
        return invalid_jwks("JWKS has no \"keys\" array");
    }
    const boost::json::array& entries = keys_value->get_array();
    if (entries.size() > kMaxJwksKeys) {
        return invalid_jwks("JWKS has more than " + std::to_string(kMaxJwksKeys) + " keys");
    }

    auto state = std::make_shared<State>();
    state->options = std::move(options);
    for (std::size_t index = 0; index < entries.size(); ++index) {
        const std::string where = "JWKS key " + std::to_string(index) + ": ";
        const boost::json::object* entry = entries[index].if_object();
        if (entry == nullptr) {
            return invalid_jwks(where + "not an object");
        }
        const auto member = [entry](std::string_view name) -> Result<std::optional<std::string>> {
            const boost::json::value* value = entry->if_contains(name);
            if (value == nullptr) {
                return std::optional<std::string>{};
            }
            if (const boost::json::string* text = value->if_string()) {
                return std::optional<std::string>{to_string(*text)};
            }
            return invalid_jwks(std::string(name) + " is not a string");
        };
        Result<std::optional<std::string>> kty = member("kty");
        Result<std::optional<std::string>> use = member("use");
        Result<std::optional<std::string>> alg = member("alg");
        Result<std::optional<std::string>> kid = member("kid");
        Result<std::optional<std::string>> n = member("n");
        Result<std::optional<std::string>> e = member("e");
        for (const auto* field : {&kty, &use, &alg, &kid, &n, &e}) {
            if (!field->ok()) {
                return invalid_jwks(where + field->error().detail);
            }
        }
        if (!kty->has_value()) {
            return invalid_jwks(where + "missing kty");
        }
        // A JWK Set may also publish encryption keys or keys for other algorithms; those are
        // not ours to use, but they do not make the set invalid.
        if (**kty != "RSA" || (use->has_value() && **use != "sig") ||
            (alg->has_value() && **alg != "RS256")) {
            continue;
        }
        // A published set must hold public keys only; private members mean someone leaked a
        // signing key, which should stop start-up rather than be ignored.
        for (const std::string_view secret : {"d", "p", "q", "dp", "dq", "qi"}) {
            if (entry->contains(secret)) {
                return invalid_jwks(where + "contains private key material");
            }
        }
        if (!n->has_value() || !e->has_value()) {
            return invalid_jwks(where + "missing n or e");
        }
        Result<std::string> n_bytes = base64url_decode(**n);
        Result<std::string> e_bytes = base64url_decode(**e);
        if (!n_bytes.ok() || !e_bytes.ok()) {
            return invalid_jwks(where + "n or e is not base64url");
        }
        Result<detail::PkeyPtr> key = detail::rsa_public_key_from_components(*n_bytes, *e_bytes);
        if (!key.ok()) {
            Error error = std::move(key).error();
            error.detail = where + error.detail;
            return error;
        }
        std::string key_id =
            kid->has_value() ? **kid : detail::jwk_thumbprint(detail::public_jwk(key->get()));
        if (key_id.empty()) {
            return invalid_jwks(where + "kid is empty");
        }
        if (!state->keys.emplace(std::move(key_id), std::move(key).value()).second) {
            return invalid_jwks(where + "duplicate kid");
        }
    }
    if (state->keys.empty()) {
        return invalid_jwks("JWKS has no RSA key for RS256 signatures");
    }
    return Verifier(std::move(state));
}

Result<Claims> Verifier::verify(std::string_view token, std::int64_t now_s) const {
    const Options& options = state_->options;
    // Checked first so an attacker cannot make us decode or parse megabytes.
    if (token.size() > options.max_token_bytes) {
        return invalid_token("token too large");
    }
    const std::size_t first_dot = token.find('.');
    const std::size_t second_dot =
        first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos ||
        token.find('.', second_dot + 1) != std::string_view::npos) {
        return invalid_token("malformed token");
    }
    const std::string_view encoded_header = token.substr(0, first_dot);
    const std::string_view encoded_payload =
        token.substr(first_dot + 1, second_dot - first_dot - 1);
    const std::string_view encoded_signature = token.substr(second_dot + 1);
    const std::string_view signing_input = token.substr(0, second_dot);

    // Small per-call arena: header and payload are bounded by max_token_bytes, so most parses
    // allocate nothing from the heap.
    std::array<unsigned char, 4096> arena{};
    boost::json::monotonic_resource resource(arena.data(), arena.size());

    Result<std::string> header_text = base64url_decode(encoded_header);
    if (!header_text.ok()) {
        return invalid_token("malformed header");
    }
    const std::optional<boost::json::object> header = parse_object(*header_text, &resource);
    if (!header) {
        return invalid_token("malformed header");
    }
    // The algorithm is pinned, never taken from the token: this is what stops "none" and the
    // HS256-with-the-public-key-as-secret confusion.
    const boost::json::value* alg = header->if_contains("alg");
    if (alg == nullptr || !alg->is_string() || view(alg->get_string()) != "RS256") {
        return invalid_token("unsupported algorithm");
    }
    if (const boost::json::value* typ = header->if_contains("typ")) {
        if (!typ->is_string() || !ascii_iequals(view(typ->get_string()), "JWT")) {
            return invalid_token("unsupported token type");
        }
    }
    // RFC 7515 §4.1.11: a recipient that does not understand the listed extensions must reject
    // the token, and we understand none.
    if (header->contains("crit")) {
        return invalid_token("unsupported critical header");
    }

    EVP_PKEY* key = nullptr;
    if (const boost::json::value* kid = header->if_contains("kid")) {
        const boost::json::string* kid_text = kid->if_string();
        if (kid_text == nullptr) {
            return invalid_token("malformed header");
        }
        const auto found = state_->keys.find(view(*kid_text));
        if (found == state_->keys.end()) {
            return invalid_token("unknown key id");
        }
        key = found->second.get();
    } else if (state_->keys.size() == 1) {
        key = state_->keys.begin()->second.get();
    } else {
        return invalid_token("missing key id");
    }

    Result<std::string> signature = base64url_decode(encoded_signature);
    if (!signature.ok() || signature->empty()) {
        return invalid_token("bad signature");
    }
    // One context per call: an EVP_MD_CTX holds per-operation state and must not be shared
    // between threads, while the key itself is only read.
    const detail::MdCtxPtr context(EVP_MD_CTX_new());
    if (!context ||
        EVP_DigestVerifyInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) !=
            1 ||
        EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                         signature->size(),
                         reinterpret_cast<const unsigned char*>(signing_input.data()),
                         signing_input.size()) != 1) {
        ERR_clear_error();
        return invalid_token("bad signature");
    }

    // The payload is parsed only after the signature holds, so unauthenticated bytes never reach
    // the claim logic.
    Result<std::string> payload_text = base64url_decode(encoded_payload);
    if (!payload_text.ok()) {
        return invalid_token("malformed payload");
    }
    const std::optional<boost::json::object> payload = parse_object(*payload_text, &resource);
    if (!payload) {
        return invalid_token("malformed payload");
    }

    Claims claims;
    const std::int64_t leeway_s = options.leeway_s;

    Result<std::optional<std::int64_t>> exp = read_time(*payload, "exp", Presence::kRequired);
    if (!exp.ok()) {
        return std::move(exp).error();
    }
    claims.exp = **exp;
    if (now_s > saturating_add(claims.exp, leeway_s)) {
        return invalid_token("token expired");
    }
    Result<std::optional<std::int64_t>> nbf = read_time(*payload, "nbf", Presence::kOptional);
    if (!nbf.ok()) {
        return std::move(nbf).error();
    }
    claims.nbf = *nbf;
    if (claims.nbf && *claims.nbf > saturating_add(now_s, leeway_s)) {
        return invalid_token("token not yet valid");
    }
    Result<std::optional<std::int64_t>> iat = read_time(*payload, "iat", Presence::kOptional);
    if (!iat.ok()) {
        return std::move(iat).error();
    }
    claims.iat = iat->value_or(0);
    if (*iat && **iat > saturating_add(now_s, leeway_s)) {
        return invalid_token("token issued in the future");
    }

    Result<std::string> iss = read_string(*payload, "iss", Presence::kRequired);
    if (!iss.ok()) {
        return std::move(iss).error();
    }
    if (*iss != options.issuer) {
        return invalid_token("wrong issuer");
    }
    claims.iss = std::move(iss).value();

    if (Status audience = check_audience(*payload, options.audience); !audience.ok()) {
        return std::move(audience).error();
    }
    claims.aud = options.audience;

    Result<std::string> sub = read_string(*payload, "sub", Presence::kRequired);
    if (!sub.ok()) {
        return std::move(sub).error();
    }
    if (sub->empty()) {
        return invalid_token("empty sub claim");
    }
    claims.sub = std::move(sub).value();

    Result<std::string> name = read_string(*payload, "name", Presence::kOptional);
    if (!name.ok()) {
        return std::move(name).error();
    }
    claims.name = std::move(name).value();
    Result<std::string> jti = read_string(*payload, "jti", Presence::kOptional);
    if (!jti.ok()) {
        return std::move(jti).error();
    }
    claims.jti = std::move(jti).value();
    return claims;
}

}  // namespace bank::jwt
