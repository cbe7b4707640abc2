#include "fuzz_keys.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bank/core/check.hpp"
#include "bank/jwt/base64url.hpp"
#include "bank/jwt/keys.hpp"

namespace bank::fuzz {
namespace {

jwt::Verifier::Options verifier_options() {
    return {std::string(kIssuer), std::string(kAudience), 60, 8192};
}

struct Keys {
    std::string private_pem;
    jwt::Signer signer;
    jwt::Verifier verifier;
    jwt::Verifier jwks_verifier;
};

jwt::Signer make_signer(const std::string& pem) {
    auto signer = jwt::Signer::from_private_key_pem(pem);
    BANK_CHECK(signer.ok(), "the fuzz key loads");
    return *signer;
}

std::string generate_pem() {
    auto pem = jwt::generate_rsa_private_key_pem(jwt::kMinRsaKeyBits);
    BANK_CHECK(pem.ok(), "an RSA key for fuzzing");
    return *pem;
}

// {"keys":[ours, another]}: both JWKS documents Signer writes hold one key each.
std::string two_key_jwks(const jwt::Signer& ours, const jwt::Signer& other) {
    const std::string first = ours.jwks_json();
    const std::string second = other.jwks_json();
    const std::string prefix = "{\"keys\":[";
    BANK_CHECK(first.starts_with(prefix) && second.starts_with(prefix), "JWKS layout");
    return first.substr(0, first.size() - 2) + "," + second.substr(prefix.size());
}

const Keys& keys() {
    static const Keys instance = [] {
        std::string pem = generate_pem();
        jwt::Signer signer = make_signer(pem);
        auto verifier =
            jwt::Verifier::from_public_key_pem(signer.public_key_pem(), verifier_options());
        BANK_CHECK(verifier.ok(), "the fuzz verifier loads");
        const jwt::Signer other = make_signer(generate_pem());
        auto jwks = jwt::Verifier::from_jwks(two_key_jwks(signer, other), verifier_options());
        BANK_CHECK(jwks.ok(), "the fuzz JWKS loads");
        return Keys{std::move(pem), std::move(signer), std::move(*verifier), std::move(*jwks)};
    }();
    return instance;
}

struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

EVP_PKEY* private_key() {
    static const std::unique_ptr<EVP_PKEY, PkeyFree> key = [] {
        const std::string& pem = keys().private_pem;
        BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
        EVP_PKEY* parsed = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        BANK_CHECK(parsed != nullptr, "the fuzz key parses");
        return std::unique_ptr<EVP_PKEY, PkeyFree>(parsed);
    }();
    return key.get();
}

}  // namespace

const jwt::Signer& signer() { return keys().signer; }
const jwt::Verifier& verifier() { return keys().verifier; }
const jwt::Verifier& jwks_verifier() { return keys().jwks_verifier; }

std::string sign_rs256(std::string_view signing_input) {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    BANK_CHECK(context != nullptr, "EVP_MD_CTX_new");
    const auto* data = reinterpret_cast<const unsigned char*>(signing_input.data());
    std::size_t length = 0;
    BANK_CHECK(EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, private_key()) == 1 &&
                   EVP_DigestSign(context, nullptr, &length, data, signing_input.size()) == 1,
               "RS256 signing starts");
    std::vector<unsigned char> signature(length);
    BANK_CHECK(EVP_DigestSign(context, signature.data(), &length, data, signing_input.size()) == 1,
               "RS256 signing");
    EVP_MD_CTX_free(context);
    signature.resize(length);
    return jwt::base64url_encode(std::span<const unsigned char>(signature));
}

const std::string& access_token() {
    static const std::string token = signer().sign(jwt::Claims{std::string(kIssuer),
                                                               std::string(kAudience),
                                                               std::string(kUserId),
                                                               std::string(kUsername),
                                                               "fuzz-jti",
                                                               kNowSeconds - 10,
                                                               kNowSeconds + 900,
                                                               {}});
    return token;
}

}  // namespace bank::fuzz
