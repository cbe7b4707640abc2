#include "rsa_key.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <array>
#include <climits>
#include <cstdio>
#include <vector>

#include "bank/core/check.hpp"
#include "bank/jwt/base64url.hpp"
#include "bank/jwt/keys.hpp"

namespace bank::jwt {
namespace detail {
namespace {

// PEM keys are a few KiB; the limit keeps a wrong path (a log file, /dev/zero) from being
// slurped into memory at start-up.
constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct BnDeleter {
    void operator()(BIGNUM* number) const { BN_free(number); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

struct PkeyCtxDeleter {
    void operator()(EVP_PKEY_CTX* context) const { EVP_PKEY_CTX_free(context); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

struct ParamBldDeleter {
    void operator()(OSSL_PARAM_BLD* builder) const { OSSL_PARAM_BLD_free(builder); }
};
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter>;

struct ParamDeleter {
    void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamDeleter>;

struct FileDeleter {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

Error invalid_key(std::string detail) {
    ERR_clear_error();
    return make_error(ErrorCode::kInvalidArgument, "invalid_key", std::move(detail));
}

// A memory BIO over caller-owned bytes: nothing is copied, so a private key is not duplicated.
BioPtr read_only_bio(std::string_view bytes) {
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        return nullptr;
    }
    return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// Encrypted keys are not supported; without this callback OpenSSL would prompt on the terminal.
int refuse_passphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return 0; }

std::string bn_to_base64url(const BIGNUM* number) {
    const int length = BN_num_bytes(number);
    BANK_CHECK(length >= 0, "BIGNUM length is negative");
    std::vector<unsigned char> bytes(static_cast<std::size_t>(length));
    BANK_CHECK(BN_bn2bin(number, bytes.data()) == length, "BN_bn2bin wrote an unexpected length");
    return base64url_encode(std::span<const unsigned char>(bytes));
}

BnPtr bn_from_bytes(std::string_view bytes) {
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        return nullptr;
    }
    return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()), nullptr));
}

}  // namespace

Status check_rsa_key(EVP_PKEY* key) {
    // EVP_PKEY_is_a(key, "RSA") is false for RSA-PSS keys, whose parameters may forbid the
    // PKCS #1 v1.5 padding RS256 uses.
    if (EVP_PKEY_is_a(key, "RSA") != 1) {
        return invalid_key("key is not an RSA key");
    }
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < kMinRsaKeyBits) {
        ERR_clear_error();
        return make_error(ErrorCode::kInvalidArgument, "weak_key",
                          "RSA key has " + std::to_string(bits) + " bits; at least " +
                              std::to_string(kMinRsaKeyBits) + " are required");
    }
    if (bits > kMaxRsaKeyBits) {
        return invalid_key("RSA key has " + std::to_string(bits) + " bits; at most " +
                           std::to_string(kMaxRsaKeyBits) + " are supported");
    }
    return ok_status();
}

Status check_rsa_public_key(EVP_PKEY* key) {
    const PkeyCtxPtr context(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!context || EVP_PKEY_public_check(context.get()) != 1) {
        return invalid_key("RSA public key fails sanity checks");
    }
    return ok_status();
}

Result<PkeyPtr> parse_private_key_pem(std::string_view pem) {
    const BioPtr bio = read_only_bio(pem);
    if (!bio) {
        return invalid_key("cannot read the private key PEM");
    }
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, nullptr));
    if (!key) {
        return invalid_key("not an unencrypted PEM private key");
    }
    if (Status status = check_rsa_key(key.get()); !status.ok()) {
        return std::move(status).error();
    }
    return key;
}

Result<PkeyPtr> parse_public_key_pem(std::string_view pem) {
    const BioPtr bio = read_only_bio(pem);
    if (!bio) {
        return invalid_key("cannot read the public key PEM");
    }
    PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, refuse_passphrase, nullptr));
    if (!key) {
        return invalid_key("not a PEM public key (expected BEGIN PUBLIC KEY)");
    }
    if (Status status = check_rsa_key(key.get()); !status.ok()) {
        return std::move(status).error();
    }
    if (Status status = check_rsa_public_key(key.get()); !status.ok()) {
        return std::move(status).error();
    }
    return key;
}

Result<PkeyPtr> rsa_public_key_from_components(std::string_view n_bytes, std::string_view e_bytes) {
    const BnPtr n = bn_from_bytes(n_bytes);
    const BnPtr e = bn_from_bytes(e_bytes);
    if (!n || !e) {
        return invalid_key("cannot read RSA modulus or exponent");
    }
    const ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
        return invalid_key("cannot build RSA key parameters");
    }
    const ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
    const PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1) {
        return invalid_key("cannot build RSA key");
    }
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return invalid_key("RSA modulus or exponent rejected");
    }
    PkeyPtr key(raw);
    if (Status status = check_rsa_key(key.get()); !status.ok()) {
        return std::move(status).error();
    }
    if (Status status = check_rsa_public_key(key.get()); !status.ok()) {
        return std::move(status).error();
    }
    return key;
}

RsaPublicJwk public_jwk(EVP_PKEY* key) {
    BIGNUM* n_raw = nullptr;
    BIGNUM* e_raw = nullptr;
    const bool have_n = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n_raw) == 1;
    const bool have_e = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e_raw) == 1;
    const BnPtr n(n_raw);
    const BnPtr e(e_raw);
    // Only called on keys check_rsa_key accepted, which always have both components.
    BANK_CHECK(have_n && have_e, "RSA key without modulus or exponent");
    return RsaPublicJwk{bn_to_base64url(n.get()), bn_to_base64url(e.get())};
}

std::string jwk_thumbprint(const RsaPublicJwk& jwk) {
    // n and e are base64url, which needs no JSON escaping, so plain concatenation is canonical.
    const std::string canonical = R"({"e":")" + jwk.e + R"(","kty":"RSA","n":")" + jwk.n + R"("})";
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    unsigned int digest_length = 0;
    BANK_CHECK(EVP_Digest(canonical.data(), canonical.size(), digest.data(), &digest_length,
                          EVP_sha256(), nullptr) == 1 &&
                   digest_length == digest.size(),
               "SHA-256 failed");
    return base64url_encode(std::span<const unsigned char>(digest));
}

std::string public_key_pem(EVP_PKEY* key) {
    const BioPtr bio(BIO_new(BIO_s_mem()));
    BANK_CHECK(bio != nullptr, "BIO_new failed");
    BANK_CHECK(PEM_write_bio_PUBKEY(bio.get(), key) == 1, "PEM_write_bio_PUBKEY failed");
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    BANK_CHECK(length >= 0, "BIO_get_mem_data failed");
    return std::string(data, static_cast<std::size_t>(length));
}

Result<std::string> read_key_file(const std::string& path) {
    const auto unreadable = [&path](const std::string& why) {
        return make_error(ErrorCode::kFailedPrecondition, "key_file_unreadable",
                          "cannot read key file " + path + ": " + why);
    };
    const std::unique_ptr<std::FILE, FileDeleter> file(std::fopen(path.c_str(), "rb"));
    if (!file) {
        return unreadable("cannot open it");
    }
    std::string contents(kMaxKeyFileBytes + 1, '\0');
    const std::size_t length = std::fread(contents.data(), 1, contents.size(), file.get());
    if (std::ferror(file.get()) != 0) {
        OPENSSL_cleanse(contents.data(), contents.size());
        return unreadable("read error");
    }
    if (length > kMaxKeyFileBytes) {
        OPENSSL_cleanse(contents.data(), contents.size());
        return unreadable("larger than " + std::to_string(kMaxKeyFileBytes) + " bytes");
    }
    contents.resize(length);
    return contents;
}

}  // namespace detail

Result<std::string> generate_rsa_private_key_pem(int bits) {
    if (bits < kMinRsaKeyBits || bits > kMaxRsaKeyBits) {
        return make_error(ErrorCode::kInvalidArgument, "invalid_key_size",
                          "RSA key size must be between " + std::to_string(kMinRsaKeyBits) +
                              " and " + std::to_string(kMaxRsaKeyBits) + " bits");
    }
    const detail::PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!context || EVP_PKEY_keygen_init(context.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(context.get(), bits) != 1 ||
        EVP_PKEY_generate(context.get(), &raw) != 1) {
        ERR_clear_error();
        return make_error(ErrorCode::kInternal, "key_generation_failed",
                          "OpenSSL could not generate an RSA key");
    }
    const detail::PkeyPtr key(raw);
    const detail::BioPtr bio(BIO_new(BIO_s_mem()));
    // PEM_write_bio_PrivateKey writes PKCS #8 ("BEGIN PRIVATE KEY"), unencrypted without a cipher.
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr) != 1) {
        ERR_clear_error();
        return make_error(ErrorCode::kInternal, "key_generation_failed",
                          "OpenSSL could not encode the RSA key");
    }
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    BANK_CHECK(length >= 0, "BIO_get_mem_data failed");
    std::string pem(data, static_cast<std::size_t>(length));
    // Wipe the BIO's copy now so the returned string is the only copy of the secret.
    OPENSSL_cleanse(data, static_cast<std::size_t>(length));
    return pem;
}

}  // namespace bank::jwt
