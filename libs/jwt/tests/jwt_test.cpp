// Proves that bank::jwt issues RS256 tokens that round-trip through verification, publishes a
// correct JWKS whose kid is the RFC 7638 thumbprint, and refuses every forged, altered, expired,
// misaddressed or malformed token (alg "none", HS256 keyed with the public key, other algorithms,
// bad signatures, unknown keys, wrong claims and claim types, truncated or oversized input) with
// one 401 error that never echoes the token. Also: strict base64url, and weak keys refused.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bank/jwt/base64url.hpp"
#include "bank/jwt/claims.hpp"
#include "bank/jwt/keys.hpp"
#include "bank/jwt/signer.hpp"
#include "bank/jwt/verifier.hpp"

namespace bank::jwt {
namespace {

namespace json = boost::json;

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::int64_t kLeeway = 60;
constexpr std::string_view kIssuer = "https://auth.bank.test";
constexpr std::string_view kAudience = "bank-api";
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// ---------------------------------------------------------------------------------------------
// OpenSSL helpers the tests use to build keys and tokens independently of the library.

struct PkeyDeleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

std::string bio_contents(BIO* bio) {
    char* data = nullptr;
    const long length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data);
    return std::string(data, static_cast<std::size_t>(length));
}

std::string private_pem_of(EVP_PKEY* key) {
    const BioPtr bio(BIO_new(BIO_s_mem()));
    EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
    return bio_contents(bio.get());
}

std::string public_pem_of(EVP_PKEY* key) {
    const BioPtr bio(BIO_new(BIO_s_mem()));
    EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), key), 1);
    return bio_contents(bio.get());
}

PkeyPtr load_private_key(const std::string& pem) {
    const BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string bn_param(EVP_PKEY* key, const char* name) {
    BIGNUM* number = nullptr;
    EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &number), 1);
    std::string bytes(static_cast<std::size_t>(BN_num_bytes(number)), '\0');
    BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(number);
    return bytes;
}

std::string rsa_sign(EVP_PKEY* key, const EVP_MD* digest, std::string_view input) {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    EXPECT_EQ(EVP_DigestSignInit(context, nullptr, digest, nullptr, key), 1);
    std::size_t length = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    EXPECT_EQ(EVP_DigestSign(context, nullptr, &length, data, input.size()), 1);
    std::vector<unsigned char> signature(length);
    EXPECT_EQ(EVP_DigestSign(context, signature.data(), &length, data, input.size()), 1);
    EVP_MD_CTX_free(context);
    signature.resize(length);
    return base64url_encode(std::span<const unsigned char>(signature));
}

std::string hmac_sha256(std::string_view secret, std::string_view input) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    EXPECT_NE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
                   reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac.data(),
                   &length),
              nullptr);
    return base64url_encode(std::span<const unsigned char>(mac.data(), length));
}

std::string sha256_base64url(std::string_view input) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EXPECT_EQ(EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha256(), nullptr),
              1);
    return base64url_encode(std::span<const unsigned char>(digest.data(), length));
}

std::string str(const json::value& value) { return json::value_to<std::string>(value); }

std::string encode_json(const json::value& value) {
    return base64url_encode(json::serialize(value));
}

// ---------------------------------------------------------------------------------------------
// Keys are generated once per process (RSA keygen is slow under ASan) and intentionally never
// freed, so no static destructor races OpenSSL's own atexit clean-up.

struct TestKeys {
    std::string private_pem;
    PkeyPtr key;
    std::optional<Signer> signer;
    std::string other_private_pem;
    PkeyPtr other_key;
    std::optional<Signer> other_signer;
    PkeyPtr weak_key;  // RSA-1024, generated directly with OpenSSL
    PkeyPtr ec_key;    // P-256
};

const TestKeys& keys() {
    static const TestKeys* const instance = [] {
        auto* made = new TestKeys();
        made->private_pem = generate_rsa_private_key_pem().value();
        made->key = load_private_key(made->private_pem);
        made->signer = Signer::from_private_key_pem(made->private_pem).value();
        made->other_private_pem = generate_rsa_private_key_pem().value();
        made->other_key = load_private_key(made->other_private_pem);
        made->other_signer = Signer::from_private_key_pem(made->other_private_pem).value();
        made->weak_key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024}));
        made->ec_key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
        return made;
    }();
    return *instance;
}

Verifier::Options options() {
    return Verifier::Options{std::string(kIssuer), std::string(kAudience)};
}

Claims valid_claims() {
    Claims claims;
    claims.iss = std::string(kIssuer);
    claims.aud = std::string(kAudience);
    claims.sub = "user-42";
    claims.name = "Ada Lovelace";
    claims.jti = "token-1";
    claims.iat = kNow;
    claims.exp = kNow + 900;
    return claims;
}

json::object valid_payload() {
    return json::object{{"iss", kIssuer},
                        {"aud", kAudience},
                        {"sub", "user-42"},
                        {"iat", kNow},
                        {"exp", kNow + 900}};
}

class JwtTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { (void)keys(); }

    static const Signer& signer() { return *keys().signer; }
    static const Signer& other_signer() { return *keys().other_signer; }

    static Verifier verifier(Verifier::Options verifier_options = options()) {
        return Verifier::from_public_key_pem(signer().public_key_pem(), std::move(verifier_options))
            .value();
    }

    // An RS256 header as Signer writes it.
    static json::object rs256_header() {
        return json::object{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", signer().kid()}};
    }

    // Signs arbitrary header and payload JSON with the real key, so claim checks can be tested
    // on tokens whose signature is valid.
    static std::string forge(const json::value& header, const json::value& payload,
                             EVP_PKEY* key = keys().key.get(),
                             const EVP_MD* digest = EVP_sha256()) {
        const std::string input = encode_json(header) + "." + encode_json(payload);
        return input + "." + rsa_sign(key, digest, input);
    }

    static std::string forge_payload(const json::value& payload) {
        return forge(rs256_header(), payload);
    }

    static void expect_rejected(const Verifier& token_verifier, const std::string& token,
                                std::string_view reason, std::int64_t now_s = kNow) {
        const Result<Claims> result = token_verifier.verify(token, now_s);
        ASSERT_FALSE(result.ok()) << "accepted; expected: " << reason;
        EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
        EXPECT_EQ(result.error().slug, "invalid_token");
        EXPECT_EQ(result.error().detail, reason);
        if (!token.empty()) {
            EXPECT_EQ(result.error().detail.find(token), std::string::npos);
        }
    }

    static void expect_rejected(const std::string& token, std::string_view reason,
                                std::int64_t now_s = kNow) {
        expect_rejected(verifier(), token, reason, now_s);
    }

    static void expect_accepted(const std::string& token, std::int64_t now_s = kNow) {
        const Result<Claims> result = verifier().verify(token, now_s);
        EXPECT_TRUE(result.ok()) << result.error().detail;
    }
};

// ---------------------------------------------------------------------------------------------
// base64url

TEST(Base64url, EncodesRfc4648VectorsWithoutPadding) {
    EXPECT_EQ(base64url_encode(std::string_view("")), "");
    EXPECT_EQ(base64url_encode(std::string_view("f")), "Zg");
    EXPECT_EQ(base64url_encode(std::string_view("fo")), "Zm8");
    EXPECT_EQ(base64url_encode(std::string_view("foo")), "Zm9v");
    EXPECT_EQ(base64url_encode(std::string_view("foob")), "Zm9vYg");
    EXPECT_EQ(base64url_encode(std::string_view("fooba")), "Zm9vYmE");
    EXPECT_EQ(base64url_encode(std::string_view("foobar")), "Zm9vYmFy");
    // 0xFB 0xFF uses both URL-safe characters where base64 would write '+' and '/'.
    EXPECT_EQ(base64url_encode(std::string_view("\xfb\xff")), "-_8");
}

TEST(Base64url, DecodesRfc4648Vectors) {
    EXPECT_EQ(base64url_decode("").value(), "");
    EXPECT_EQ(base64url_decode("Zg").value(), "f");
    EXPECT_EQ(base64url_decode("Zm8").value(), "fo");
    EXPECT_EQ(base64url_decode("Zm9vYmFy").value(), "foobar");
    EXPECT_EQ(base64url_decode("-_8").value(), "\xfb\xff");
}

TEST(Base64url, RejectsPaddingInvalidCharactersLengthAndTrailingBits) {
    const std::vector<std::string_view> rejected = {
        "Zg==",    "Zm8=",  "Zg=",
        "+_8",     "-/8",   "Zm 9v",
        "Zm9v\n",  "Zm9v.", std::string_view("Z\0g", 3),
        "Z",       "Zm9vY",  // a lone final character cannot hold a byte
        "Zh",      "Zm9",    // non-zero bits below the last byte
        "\xc3\xa9"};
    for (const std::string_view text : rejected) {
        const Result<std::string> result = base64url_decode(text);
        ASSERT_FALSE(result.ok()) << "accepted " << text;
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(result.error().slug, "invalid_base64url");
    }
}

RC_GTEST_PROP(Base64url, RoundTripsAnyBytes, (const std::vector<unsigned char>& bytes)) {
    const std::string original(bytes.begin(), bytes.end());
    const std::string encoded = base64url_encode(original);
    RC_ASSERT(encoded.find_first_not_of(kAlphabet) == std::string::npos);
    RC_ASSERT(encoded.size() == (original.size() * 4 + 2) / 3);
    const Result<std::string> decoded = base64url_decode(encoded);
    RC_ASSERT(decoded.ok());
    RC_ASSERT(*decoded == original);
}

// Canonical: any text the decoder accepts is exactly what the encoder writes for its bytes.
RC_GTEST_PROP(Base64url, AcceptedTextIsCanonical, ()) {
    const std::string text =
        *rc::gen::container<std::string>(rc::gen::elementOf(std::string(kAlphabet)));
    const Result<std::string> decoded = base64url_decode(text);
    if (decoded.ok()) {
        RC_ASSERT(base64url_encode(*decoded) == text);
    } else {
        RC_ASSERT(text.size() % 4 != 0);
    }
}

// ---------------------------------------------------------------------------------------------
// Signing, JWKS, kid

TEST_F(JwtTest, SignThenVerifyReturnsTheSameClaims) {
    Claims claims = valid_claims();
    claims.nbf = kNow - 5;
    const Result<Claims> verified = verifier().verify(signer().sign(claims), kNow);
    ASSERT_TRUE(verified.ok()) << verified.error().detail;
    EXPECT_EQ(*verified, claims);
}

TEST_F(JwtTest, OptionalClaimsAreOmittedWhenEmpty) {
    Claims claims = valid_claims();
    claims.name.clear();
    claims.jti.clear();
    const std::string token = signer().sign(claims);
    const std::string payload =
        base64url_decode(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1))
            .value();
    const json::object object = json::parse(payload).as_object();
    EXPECT_FALSE(object.contains("name"));
    EXPECT_FALSE(object.contains("jti"));
    EXPECT_FALSE(object.contains("nbf"));
    const Result<Claims> verified = verifier().verify(token, kNow);
    ASSERT_TRUE(verified.ok()) << verified.error().detail;
    EXPECT_EQ(*verified, claims);
}

TEST_F(JwtTest, HeaderIsRs256JwtWithKid) {
    const std::string token = signer().sign(valid_claims());
    const std::string header = base64url_decode(token.substr(0, token.find('.'))).value();
    EXPECT_EQ(header, R"({"alg":"RS256","typ":"JWT","kid":")" + signer().kid() + R"("})");
}

TEST_F(JwtTest, JwksHasOneRs256SigningKeyWithUnpaddedModulus) {
    const json::value jwks = json::parse(signer().jwks_json());
    ASSERT_TRUE(jwks.is_object());
    ASSERT_EQ(jwks.as_object().size(), 1U);
    const json::array& entries = jwks.at("keys").as_array();
    ASSERT_EQ(entries.size(), 1U);
    const json::object& key = entries[0].as_object();
    EXPECT_EQ(key.size(), 6U);
    EXPECT_EQ(str(key.at("kty")), "RSA");
    EXPECT_EQ(str(key.at("use")), "sig");
    EXPECT_EQ(str(key.at("alg")), "RS256");
    EXPECT_EQ(str(key.at("kid")), signer().kid());
    EXPECT_EQ(str(key.at("e")), "AQAB");  // 65537
    const std::string n = base64url_decode(json::value_to<std::string>(key.at("n"))).value();
    EXPECT_EQ(n.size(), 256U);
    EXPECT_NE(n.front(), '\0');
    // Same modulus as OpenSSL reports for the private key.
    EXPECT_EQ(n, bn_param(keys().key.get(), OSSL_PKEY_PARAM_RSA_N));
}

TEST_F(JwtTest, KidIsTheRfc7638ThumbprintAndStable) {
    const json::value jwks = json::parse(signer().jwks_json());
    const json::object& key = jwks.at("keys").as_array()[0].as_object();
    const std::string n = base64url_encode(bn_param(keys().key.get(), OSSL_PKEY_PARAM_RSA_N));
    const std::string e = base64url_encode(bn_param(keys().key.get(), OSSL_PKEY_PARAM_RSA_E));
    EXPECT_EQ(str(key.at("n")), n);
    EXPECT_EQ(str(key.at("e")), e);
    const std::string canonical = R"({"e":")" + e + R"(","kty":"RSA","n":")" + n + R"("})";
    EXPECT_EQ(signer().kid(), sha256_base64url(canonical));
    EXPECT_EQ(signer().kid().size(), 43U);  // 32 bytes, unpadded

    const Signer reloaded = Signer::from_private_key_pem(keys().private_pem).value();
    EXPECT_EQ(reloaded.kid(), signer().kid());
    EXPECT_NE(other_signer().kid(), signer().kid());
}

TEST_F(JwtTest, FromJwksVerifiesSignerTokens) {
    const Verifier from_jwks = Verifier::from_jwks(signer().jwks_json(), options()).value();
    const Result<Claims> verified = from_jwks.verify(signer().sign(valid_claims()), kNow);
    ASSERT_TRUE(verified.ok()) << verified.error().detail;
    EXPECT_EQ(*verified, valid_claims());
}

TEST_F(JwtTest, FromJwksWithSeveralKeysPicksTheKeyByKid) {
    json::value jwks = json::parse(signer().jwks_json());
    json::array& entries = jwks.at("keys").as_array();
    entries.push_back(json::parse(other_signer().jwks_json()).at("keys").as_array()[0]);
    // Keys for other purposes are skipped rather than fatal.
    entries.push_back(json::object{{"kty", "EC"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}});
    const Verifier both = Verifier::from_jwks(json::serialize(jwks), options()).value();
    EXPECT_TRUE(both.verify(signer().sign(valid_claims()), kNow).ok());
    EXPECT_TRUE(both.verify(other_signer().sign(valid_claims()), kNow).ok());

    // With several keys the header must say which one.
    json::object header = rs256_header();
    header.erase("kid");
    expect_rejected(both, forge(header, valid_payload()), "missing key id");
}

TEST_F(JwtTest, FromJwksWithoutKidUsesTheThumbprint) {
    json::value jwks = json::parse(signer().jwks_json());
    jwks.at("keys").as_array()[0].as_object().erase("kid");
    const Verifier without_kid = Verifier::from_jwks(json::serialize(jwks), options()).value();
    EXPECT_TRUE(without_kid.verify(signer().sign(valid_claims()), kNow).ok());
}

TEST_F(JwtTest, SingleKeyVerifierAcceptsHeaderWithoutKid) {
    json::object header = rs256_header();
    header.erase("kid");
    expect_accepted(forge(header, valid_payload()));
}

TEST_F(JwtTest, KeysLoadFromFiles) {
    const std::filesystem::path directory = ::testing::TempDir();
    const std::filesystem::path private_path = directory / "jwt_test_private.pem";
    const std::filesystem::path public_path = directory / "jwt_test_public.pem";
    std::ofstream(private_path) << keys().private_pem;
    std::ofstream(public_path) << signer().public_key_pem();

    const Signer from_file = Signer::from_private_key_pem_file(private_path.string()).value();
    EXPECT_EQ(from_file.kid(), signer().kid());
    const Verifier verifier_from_file =
        Verifier::from_public_key_pem_file(public_path.string(), options()).value();
    EXPECT_TRUE(verifier_from_file.verify(from_file.sign(valid_claims()), kNow).ok());
    std::filesystem::remove(private_path);
    std::filesystem::remove(public_path);

    const Result<Signer> missing = Signer::from_private_key_pem_file(private_path.string());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(missing.error().slug, "key_file_unreadable");
    EXPECT_FALSE(Verifier::from_public_key_pem_file(public_path.string(), options()).ok());
}

TEST_F(JwtTest, ConcurrentSignAndVerifyAgree) {
    const Verifier shared_verifier = verifier();
    constexpr int kThreads = 4;
    constexpr int kTokensPerThread = 8;
    std::array<int, kThreads> accepted{};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kTokensPerThread; ++i) {
                Claims claims = valid_claims();
                claims.jti = std::to_string(t) + "-" + std::to_string(i);
                const Result<Claims> verified = shared_verifier.verify(signer().sign(claims), kNow);
                if (verified.ok() && *verified == claims) {
                    ++accepted[static_cast<std::size_t>(t)];
                }
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    for (const int count : accepted) {
        EXPECT_EQ(count, kTokensPerThread);
    }
}

// ---------------------------------------------------------------------------------------------
// Algorithm confusion

TEST_F(JwtTest, RejectsAlgNoneUnsigned) {
    const json::object header{{"alg", "none"}, {"typ", "JWT"}};
    expect_rejected(encode_json(header) + "." + encode_json(valid_payload()) + ".",
                    "unsupported algorithm");
    expect_rejected(encode_json(header) + "." + encode_json(valid_payload()), "malformed token");
}

TEST_F(JwtTest, RejectsAlgNoneWithEmptyOrCopiedSignature) {
    const std::string genuine = signer().sign(valid_claims());
    const std::string genuine_signature = genuine.substr(genuine.rfind('.') + 1);
    for (const std::string_view alg : {"none", "None", "NONE"}) {
        const json::object header{{"alg", alg}, {"typ", "JWT"}, {"kid", signer().kid()}};
        const std::string input = encode_json(header) + "." + encode_json(valid_payload());
        expect_rejected(input + ".", "unsupported algorithm");
        expect_rejected(input + "." + genuine_signature, "unsupported algorithm");
    }
}

TEST_F(JwtTest, RejectsHs256KeyedWithThePublicKeyPem) {
    const std::string secret = signer().public_key_pem();
    for (const bool with_kid : {true, false}) {
        json::object header{{"alg", "HS256"}, {"typ", "JWT"}};
        if (with_kid) {
            header["kid"] = signer().kid();
        }
        const std::string input = encode_json(header) + "." + encode_json(valid_payload());
        expect_rejected(input + "." + hmac_sha256(secret, input), "unsupported algorithm");
    }
}

TEST_F(JwtTest, RejectsRs512EvenWithAValidSignature) {
    json::object header = rs256_header();
    header["alg"] = "RS512";
    expect_rejected(forge(header, valid_payload(), keys().key.get(), EVP_sha512()),
                    "unsupported algorithm");
}

TEST_F(JwtTest, RejectsOtherAlgorithmsAndMissingAlg) {
    for (const json::value& alg : {json::value("ES256"), json::value("PS256"), json::value("HS512"),
                                   json::value("rs256"), json::value("RS256 "), json::value(256),
                                   json::value(nullptr), json::value(json::array{"RS256"})}) {
        json::object header = rs256_header();
        header["alg"] = alg;
        expect_rejected(forge(header, valid_payload()), "unsupported algorithm");
    }
    json::object header = rs256_header();
    header.erase("alg");
    expect_rejected(forge(header, valid_payload()), "unsupported algorithm");
}

TEST_F(JwtTest, RejectsUnknownTypAndCriticalHeaders) {
    json::object header = rs256_header();
    header["typ"] = "at+jwt";
    expect_rejected(forge(header, valid_payload()), "unsupported token type");
    header["typ"] = "jwt";  // media type names are case-insensitive
    expect_accepted(forge(header, valid_payload()));
    header["crit"] = json::array{"exp"};
    expect_rejected(forge(header, valid_payload()), "unsupported critical header");
}

// ---------------------------------------------------------------------------------------------
// Signatures and keys

TEST_F(JwtTest, RejectsTamperedPayload) {
    const std::string token = signer().sign(valid_claims());
    const std::size_t first_dot = token.find('.');
    const std::size_t second_dot = token.rfind('.');
    json::object payload = valid_payload();
    payload["sub"] = "admin";
    const std::string tampered =
        token.substr(0, first_dot + 1) + encode_json(payload) + token.substr(second_dot);
    expect_rejected(tampered, "bad signature");
}

TEST_F(JwtTest, RejectsTamperedSignature) {
    const std::string token = signer().sign(valid_claims());
    const std::size_t signature_start = token.rfind('.') + 1;
    std::string flipped = token;
    flipped[signature_start] = flipped[signature_start] == 'A' ? 'B' : 'A';
    expect_rejected(flipped, "bad signature");
    expect_rejected(token.substr(0, token.size() - 4), "bad signature");  // shortened
    expect_rejected(token.substr(0, signature_start), "bad signature");   // empty signature
    expect_rejected(token + "AAAA", "bad signature");                     // lengthened
}

TEST_F(JwtTest, RejectsTokenFromAnotherKey) {
    // The other signer's kid is unknown here...
    expect_rejected(other_signer().sign(valid_claims()), "unknown key id");
    // ...and claiming our kid does not make its signature verify.
    expect_rejected(forge(rs256_header(), valid_payload(), keys().other_key.get()),
                    "bad signature");
    json::object header = rs256_header();
    header.erase("kid");
    expect_rejected(forge(header, valid_payload(), keys().other_key.get()), "bad signature");
}

TEST_F(JwtTest, RejectsUnknownOrMalformedKid) {
    json::object header = rs256_header();
    header["kid"] = "not-a-known-key";
    expect_rejected(forge(header, valid_payload()), "unknown key id");
    header["kid"] = "";
    expect_rejected(forge(header, valid_payload()), "unknown key id");
    header["kid"] = 7;
    expect_rejected(forge(header, valid_payload()), "malformed header");
}

// ---------------------------------------------------------------------------------------------
// Time claims (leeway 60 s)

TEST_F(JwtTest, ExpiryHonoursLeeway) {
    Claims claims = valid_claims();
    claims.exp = kNow - kLeeway;
    expect_accepted(signer().sign(claims));
    claims.exp = kNow - kLeeway - 1;
    expect_rejected(signer().sign(claims), "token expired");
    claims.exp = kNow - 86400;
    expect_rejected(signer().sign(claims), "token expired");
}

TEST_F(JwtTest, ZeroLeewayIsExact) {
    Verifier::Options strict = options();
    strict.leeway_s = 0;
    Claims claims = valid_claims();
    claims.exp = kNow;
    EXPECT_TRUE(verifier(strict).verify(signer().sign(claims), kNow).ok());
    expect_rejected(verifier(strict), signer().sign(claims), "token expired", kNow + 1);
}

TEST_F(JwtTest, ExpNearInt64MaxDoesNotOverflow) {
    json::object payload = valid_payload();
    payload["exp"] = std::numeric_limits<std::int64_t>::max();
    expect_accepted(forge_payload(payload));
    payload["exp"] = std::numeric_limits<std::int64_t>::min();
    expect_rejected(forge_payload(payload), "token expired");
}

TEST_F(JwtTest, NotBeforeHonoursLeeway) {
    Claims claims = valid_claims();
    claims.nbf = kNow + kLeeway;
    expect_accepted(signer().sign(claims));
    claims.nbf = kNow + kLeeway + 1;
    expect_rejected(signer().sign(claims), "token not yet valid");
}

TEST_F(JwtTest, IssuedAtInTheFutureIsRejected) {
    Claims claims = valid_claims();
    claims.iat = kNow + kLeeway;
    expect_accepted(signer().sign(claims));
    claims.iat = kNow + 3600;
    expect_rejected(signer().sign(claims), "token issued in the future");
}

TEST_F(JwtTest, MissingIatIsAllowed) {
    json::object payload = valid_payload();
    payload.erase("iat");
    expect_accepted(forge_payload(payload));
}

// ---------------------------------------------------------------------------------------------
// Identity claims

TEST_F(JwtTest, RejectsWrongIssuer) {
    Claims claims = valid_claims();
    claims.iss = "https://evil.test";
    expect_rejected(signer().sign(claims), "wrong issuer");
    claims.iss = std::string(kIssuer) + "/";
    expect_rejected(signer().sign(claims), "wrong issuer");
}

TEST_F(JwtTest, RejectsWrongAudience) {
    Claims claims = valid_claims();
    claims.aud = "bank-admin";
    expect_rejected(signer().sign(claims), "wrong audience");
}

TEST_F(JwtTest, AudienceArrayMustContainOurs) {
    json::object payload = valid_payload();
    payload["aud"] = json::array{"other-api", kAudience};
    const Result<Claims> verified = verifier().verify(forge_payload(payload), kNow);
    ASSERT_TRUE(verified.ok()) << verified.error().detail;
    EXPECT_EQ(verified->aud, kAudience);

    payload["aud"] = json::array{"other-api", "bank-admin"};
    expect_rejected(forge_payload(payload), "wrong audience");
    payload["aud"] = json::array{};
    expect_rejected(forge_payload(payload), "wrong audience");
    payload["aud"] = json::array{kAudience, 5};
    expect_rejected(forge_payload(payload), "aud claim is not a string or array of strings");
}

TEST_F(JwtTest, RejectsMissingRequiredClaims) {
    const std::vector<std::pair<std::string_view, std::string_view>> cases = {
        {"exp", "missing exp claim"},
        {"sub", "missing sub claim"},
        {"iss", "missing iss claim"},
        {"aud", "missing aud claim"},
    };
    for (const auto& [claim, reason] : cases) {
        json::object payload = valid_payload();
        payload.erase(claim);
        expect_rejected(forge_payload(payload), reason);
    }
    json::object payload = valid_payload();
    payload["sub"] = "";
    expect_rejected(forge_payload(payload), "empty sub claim");
}

TEST_F(JwtTest, RejectsClaimsOfTheWrongType) {
    const std::vector<std::pair<std::string_view, json::value>> cases = {
        {"exp", json::value("1700000900")},
        {"exp", json::value(1700000900.0)},
        {"exp", json::value(std::uint64_t{1} << 63)},
        {"exp", json::value(nullptr)},
        {"nbf", json::value("0")},
        {"nbf", json::value(true)},
        {"iat", json::value(json::array{kNow})},
        {"iss", json::value(1)},
        {"iss", json::value(json::array{kIssuer})},
        {"sub", json::value(42)},
        {"sub", json::value(nullptr)},
        {"aud", json::value(json::object{{"aud", kAudience}})},
        {"aud", json::value(7)},
        {"name", json::value(7)},
        {"jti", json::value(false)},
    };
    for (const auto& [claim, value] : cases) {
        SCOPED_TRACE(std::string(claim) + "=" + json::serialize(value));
        json::object payload = valid_payload();
        payload[claim] = value;
        const Result<Claims> result = verifier().verify(forge_payload(payload), kNow);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
        EXPECT_EQ(result.error().slug, "invalid_token");
        EXPECT_THAT(result.error().detail, ::testing::HasSubstr(std::string(claim)));
    }
}

// ---------------------------------------------------------------------------------------------
// Structure

TEST_F(JwtTest, RejectsWrongSegmentCounts) {
    const std::string token = signer().sign(valid_claims());
    const std::string two_segments = token.substr(0, token.rfind('.'));
    expect_rejected(two_segments, "malformed token");
    expect_rejected(token + ".", "malformed token");
    expect_rejected(token + ".AAAA", "malformed token");
    expect_rejected(two_segments.substr(0, two_segments.find('.')), "malformed token");
    expect_rejected("", "malformed token");
    expect_rejected(".", "malformed token");
    expect_rejected("..", "malformed header");
    expect_rejected("...", "malformed token");
}

TEST_F(JwtTest, RejectsTokensCutAnywhere) {
    const std::string token = signer().sign(valid_claims());
    for (std::size_t length = 0; length < token.size(); length += 7) {
        const Result<Claims> result = verifier().verify(token.substr(0, length), kNow);
        EXPECT_FALSE(result.ok()) << "accepted a prefix of length " << length;
    }
    const std::size_t middle_of_payload = (token.find('.') + token.rfind('.')) / 2;
    expect_rejected(token.substr(0, middle_of_payload), "malformed token");
    const std::size_t middle_of_signature = (token.rfind('.') + token.size()) / 2;
    expect_rejected(token.substr(0, middle_of_signature), "bad signature");
}

TEST_F(JwtTest, RejectsOversizedTokensBeforeDecoding) {
    Claims claims = valid_claims();
    claims.name = std::string(9000, 'x');
    expect_rejected(signer().sign(claims), "token too large");
    expect_rejected(std::string(8193, '!'), "token too large");

    // The limit is inclusive.
    const std::string token = signer().sign(valid_claims());
    Verifier::Options exact = options();
    exact.max_token_bytes = token.size();
    EXPECT_TRUE(verifier(exact).verify(token, kNow).ok());
    exact.max_token_bytes = token.size() - 1;
    expect_rejected(verifier(exact), token, "token too large");
}

TEST_F(JwtTest, RejectsHeadersThatAreNotJsonObjects) {
    const std::string rest = "." + encode_json(valid_payload()) + ".AAAA";
    expect_rejected(base64url_encode(std::string_view("not json")) + rest, "malformed header");
    expect_rejected(encode_json(json::array{"alg", "RS256"}) + rest, "malformed header");
    expect_rejected(encode_json(json::value("RS256")) + rest, "malformed header");
    expect_rejected(base64url_encode(std::string_view(R"({"alg":"RS256"} x)")) + rest,
                    "malformed header");
    // Valid JSON object, but encoded with base64 padding / the non-URL alphabet.
    expect_rejected("eyJhbGciOiJSUzI1NiJ9=" + rest, "malformed header");
    expect_rejected("eyJhbGciOiJSUzI1NiJ9+" + rest, "malformed header");
}

TEST_F(JwtTest, RejectsSignedPayloadsThatAreNotJsonObjects) {
    const std::string header = encode_json(rs256_header());
    for (const std::string_view payload : {"not json", "[1,2]", "\"sub\"", "", "{\"exp\":"}) {
        const std::string input = header + "." + base64url_encode(payload);
        expect_rejected(input + "." + rsa_sign(keys().key.get(), EVP_sha256(), input),
                        "malformed payload");
    }
}

// ---------------------------------------------------------------------------------------------
// Key and configuration checks

TEST_F(JwtTest, RefusesRsaKeysBelow2048Bits) {
    EVP_PKEY* weak = keys().weak_key.get();
    const Result<Signer> weak_signer = Signer::from_private_key_pem(private_pem_of(weak));
    ASSERT_FALSE(weak_signer.ok());
    EXPECT_EQ(weak_signer.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(weak_signer.error().slug, "weak_key");
    EXPECT_THAT(weak_signer.error().detail, ::testing::HasSubstr("2048"));

    const Result<Verifier> weak_verifier =
        Verifier::from_public_key_pem(public_pem_of(weak), options());
    ASSERT_FALSE(weak_verifier.ok());
    EXPECT_EQ(weak_verifier.error().slug, "weak_key");

    const json::object jwk{{"kty", "RSA"},
                           {"n", base64url_encode(bn_param(weak, OSSL_PKEY_PARAM_RSA_N))},
                           {"e", base64url_encode(bn_param(weak, OSSL_PKEY_PARAM_RSA_E))}};
    const Result<Verifier> weak_jwks =
        Verifier::from_jwks(json::serialize(json::object{{"keys", json::array{jwk}}}), options());
    ASSERT_FALSE(weak_jwks.ok());
    EXPECT_EQ(weak_jwks.error().slug, "weak_key");

    const Result<std::string> generated = generate_rsa_private_key_pem(1024);
    ASSERT_FALSE(generated.ok());
    EXPECT_EQ(generated.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(JwtTest, GeneratedKeyIsPkcs8Pem) {
    EXPECT_EQ(keys().private_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0U);
    EXPECT_EQ(signer().public_key_pem().rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0U);
}

TEST_F(JwtTest, RefusesNonRsaAndMalformedKeys) {
    for (const std::string& pem :
         {std::string(), std::string("not a key"), signer().public_key_pem(),
          private_pem_of(keys().ec_key.get())}) {
        const Result<Signer> result = Signer::from_private_key_pem(pem);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(result.error().slug, "invalid_key");
        // Never echo key material.
        if (!pem.empty()) {
            EXPECT_EQ(result.error().detail.find(pem), std::string::npos);
        }
    }
    for (const std::string& pem :
         {std::string("junk"), keys().private_pem, public_pem_of(keys().ec_key.get())}) {
        const Result<Verifier> result = Verifier::from_public_key_pem(pem, options());
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().slug, "invalid_key");
    }
}

TEST_F(JwtTest, RefusesBadVerifierOptions) {
    const std::string pem = signer().public_key_pem();
    Verifier::Options no_issuer = options();
    no_issuer.issuer.clear();
    Verifier::Options no_audience = options();
    no_audience.audience.clear();
    Verifier::Options negative_leeway = options();
    negative_leeway.leeway_s = -1;
    Verifier::Options no_size = options();
    no_size.max_token_bytes = 0;
    for (const Verifier::Options& bad : {no_issuer, no_audience, negative_leeway, no_size}) {
        const Result<Verifier> result = Verifier::from_public_key_pem(pem, bad);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
        EXPECT_FALSE(Verifier::from_jwks(signer().jwks_json(), bad).ok());
    }
}

TEST_F(JwtTest, RefusesMalformedJwks) {
    const json::object good =
        json::parse(signer().jwks_json()).at("keys").as_array()[0].as_object();
    const auto with = [&good](std::string_view member, const json::value& value) {
        json::object key = good;
        key[member] = value;
        return json::serialize(json::object{{"keys", json::array{key}}});
    };
    const auto without = [&good](std::string_view member) {
        json::object key = good;
        key.erase(member);
        return json::serialize(json::object{{"keys", json::array{key}}});
    };
    const json::object ec_only{
        {"keys", json::array{json::object{{"kty", "EC"}, {"crv", "P-256"}}}}};
    for (const std::string& jwks : {
             std::string("not json"),
             std::string("[]"),
             std::string(R"({"keys":{}})"),
             std::string(R"({"keys":[]})"),
             std::string(R"({"keys":[1]})"),
             json::serialize(ec_only),
             with("use", "enc"),  // the only key is for encryption: nothing usable
             with("alg", "RS512"),
             with("n", 5),
             with("n", "AQAB=="),
             with("n", ""),
             with("kid", ""),
             with("d", "AQAB"),  // private material in a public set
             without("n"),
             without("e"),
             without("kty"),
         }) {
        SCOPED_TRACE(jwks.substr(0, 80));
        const Result<Verifier> result = Verifier::from_jwks(jwks, options());
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    }
    // The same kid twice is ambiguous.
    json::value twice = json::parse(signer().jwks_json());
    twice.at("keys").as_array().push_back(good);
    EXPECT_FALSE(Verifier::from_jwks(json::serialize(twice), options()).ok());
}

}  // namespace
}  // namespace bank::jwt
