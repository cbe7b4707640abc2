#include "bank/jwt/signer.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <boost/json.hpp>
#include <utility>
#include <vector>

#include "bank/core/check.hpp"
#include "bank/jwt/base64url.hpp"
#include "rsa_key.hpp"

namespace bank::jwt {

struct Signer::State {
    detail::PkeyPtr key;
    std::string kid;
    std::string jwks_json;
    std::string public_key_pem;
    // base64url of the header, which is the same for every token this signer issues.
    std::string encoded_header;
};

Signer::Signer(std::shared_ptr<const State> state) : state_(std::move(state)) {}

Result<Signer> Signer::from_private_key_pem(std::string_view pem) {
    Result<detail::PkeyPtr> key = detail::parse_private_key_pem(pem);
    if (!key.ok()) {
        return std::move(key).error();
    }
    auto state = std::make_shared<State>();
    state->key = std::move(key).value();
    const detail::RsaPublicJwk jwk = detail::public_jwk(state->key.get());
    state->kid = detail::jwk_thumbprint(jwk);
    state->public_key_pem = detail::public_key_pem(state->key.get());

    boost::json::object entry;
    entry["kty"] = "RSA";
    entry["use"] = "sig";
    entry["alg"] = "RS256";
    entry["kid"] = state->kid;
    entry["n"] = jwk.n;
    entry["e"] = jwk.e;
    boost::json::array keys;
    keys.push_back(std::move(entry));
    boost::json::object jwks;
    jwks["keys"] = std::move(keys);
    state->jwks_json = boost::json::serialize(jwks);

    boost::json::object header;
    header["alg"] = "RS256";
    header["typ"] = "JWT";
    header["kid"] = state->kid;
    state->encoded_header = base64url_encode(boost::json::serialize(header));
    return Signer(std::move(state));
}

Result<Signer> Signer::from_private_key_pem_file(const std::string& path) {
    Result<std::string> pem = detail::read_key_file(path);
    if (!pem.ok()) {
        return std::move(pem).error();
    }
    Result<Signer> signer = from_private_key_pem(*pem);
    OPENSSL_cleanse(pem->data(), pem->size());
    return signer;
}

std::string Signer::sign(const Claims& claims) const {
    boost::json::object payload;
    payload["iss"] = claims.iss;
    payload["sub"] = claims.sub;
    payload["aud"] = claims.aud;
    if (!claims.name.empty()) {
        payload["name"] = claims.name;
    }
    if (!claims.jti.empty()) {
        payload["jti"] = claims.jti;
    }
    payload["iat"] = claims.iat;
    if (claims.nbf) {
        payload["nbf"] = *claims.nbf;
    }
    payload["exp"] = claims.exp;

    std::string token = state_->encoded_header;
    token += '.';
    token += base64url_encode(boost::json::serialize(payload));

    // One context per call: an EVP_MD_CTX holds per-operation state and must not be shared
    // between threads, while the key itself is only read.
    const detail::MdCtxPtr context(EVP_MD_CTX_new());
    BANK_CHECK(context != nullptr, "EVP_MD_CTX_new failed");
    BANK_CHECK(EVP_DigestSignInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr,
                                     state_->key.get(), nullptr) == 1,
               "EVP_DigestSignInit_ex failed");
    const auto* signing_input = reinterpret_cast<const unsigned char*>(token.data());
    std::size_t signature_length = 0;
    BANK_CHECK(
        EVP_DigestSign(context.get(), nullptr, &signature_length, signing_input, token.size()) == 1,
        "EVP_DigestSign (length) failed");
    std::vector<unsigned char> signature(signature_length);
    BANK_CHECK(EVP_DigestSign(context.get(), signature.data(), &signature_length, signing_input,
                              token.size()) == 1,
               "EVP_DigestSign failed");
    signature.resize(signature_length);

    token += '.';
    token += base64url_encode(std::span<const unsigned char>(signature));
    return token;
}

const std::string& Signer::kid() const { return state_->kid; }

std::string Signer::jwks_json() const { return state_->jwks_json; }

std::string Signer::public_key_pem() const { return state_->public_key_pem; }

}  // namespace bank::jwt
