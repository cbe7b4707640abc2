#include "logic/auth_logic.hpp"

#include <sodium.h>

#include <chrono>

#include "bank/core/check.hpp"
#include "bank/core/clock.hpp"
#include "bank/identity/rules.hpp"
#include "bank/jwt/base64url.hpp"

// A note on style in this file and every coroutine in the project: values passed to a
// co_await'ed call are named locals, never temporaries (braced aggregates, conditional
// expressions, function results bound to references). g++ 12 destroys such temporaries twice
// when the call suspends; ASan reports it as a bad free.

namespace bank::auth {

namespace asio = boost::asio;

namespace {

Error invalid_grant(std::string description) {
    return make_error(ErrorCode::kInvalidArgument, std::string(kInvalidGrant),
                      std::move(description));
}

constexpr char kHex[] = "0123456789abcdef";

std::string hex(const unsigned char* bytes, std::size_t size) {
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += kHex[bytes[i] >> 4];
        out += kHex[bytes[i] & 0xF];
    }
    return out;
}

}  // namespace

std::string uuid_v4_from(const unsigned char (&bytes)[16]) {
    unsigned char b[16];
    std::copy(std::begin(bytes), std::end(bytes), std::begin(b));
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
    const std::string h = hex(b, 16);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20, 12);
}

AuthLogic::AuthLogic(UserStore& store, PasswordHasher& hasher, const jwt::Signer& signer,
                     TokenSettings settings, LoginThrottlePolicy throttle, Clock clock,
                     Random random)
    : store_(store),
      hasher_(hasher),
      signer_(signer),
      settings_(std::move(settings)),
      throttle_(throttle),
      clock_(std::move(clock)),
      random_(std::move(random)) {
    BANK_CHECK(sodium_init() >= 0, "libsodium failed to initialise");
    BANK_CHECK(!policy_problem(throttle_), "invalid login throttle policy");
    if (!clock_) {
        clock_ = unix_seconds_now;
    }
    if (!random_) random_ = [](void* out, std::size_t size) { randombytes_buf(out, size); };
}

asio::awaitable<Status> AuthLogic::prepare() {
    std::string throwaway = random_token(16);
    auto hash = co_await hasher_.hash(std::move(throwaway));
    if (!hash.ok()) co_return std::move(hash).error();
    dummy_hash_ = std::move(*hash);
    co_return ok_status();
}

std::string AuthLogic::random_token(std::size_t bytes) {
    std::string raw(bytes, '\0');
    random_(raw.data(), raw.size());
    return jwt::base64url_encode(raw);
}

asio::awaitable<Result<RegisteredUser>> AuthLogic::register_user(std::string username,
                                                                 std::string password) {
    std::vector<FieldError> problems;
    if (auto problem = identity::username_problem(username)) {
        problems.push_back({"username", *problem});
    }
    if (auto problem = identity::password_problem(password)) {
        problems.push_back({"password", *problem});
    }
    if (!problems.empty()) co_return validation_error(std::move(problems));

    const std::string canonical = identity::canonical_username(username);
    // A cheap early answer for the common case; the atomic SET NX in create_user decides races.
    auto existing = co_await store_.find_by_username(canonical);
    if (!existing.ok()) co_return std::move(existing).error();
    if (existing->has_value()) {
        co_return make_error(ErrorCode::kFailedPrecondition, "username_taken",
                             "Username already taken");
    }
    auto hash = co_await hasher_.hash(std::move(password));
    if (!hash.ok()) co_return std::move(hash).error();

    unsigned char id_bytes[16];
    random_(id_bytes, sizeof id_bytes);
    UserRecord user{uuid_v4_from(id_bytes), username, std::move(*hash)};
    auto created = co_await store_.create_user(user, canonical, clock_());
    if (!created.ok()) co_return std::move(created).error();
    if (!*created) {
        co_return make_error(ErrorCode::kFailedPrecondition, "username_taken",
                             "Username already taken");
    }
    co_return RegisteredUser{std::move(user.user_id), std::move(user.username)};
}

asio::awaitable<Result<PasswordGrant>> AuthLogic::password_grant(std::string username,
                                                                 std::string password) {
    BANK_CHECK(!dummy_hash_.empty(), "AuthLogic::prepare() was not awaited");
    std::optional<UserRecord> user;
    std::string canonical;
    // A name that could never have been registered is looked up nowhere and counted nowhere
    // (no key is made from it), but is still answered after one hash verification, like every
    // other failure.
    const bool possible = !identity::username_problem(username);
    const std::int64_t now = clock_();
    if (possible) {
        canonical = identity::canonical_username(username);
        // A locked name is refused before any lookup or hash.
        auto wait = co_await store_.login_lock_remaining(canonical, now);
        if (!wait.ok()) co_return std::move(wait).error();
        if (*wait > 0) co_return PasswordGrant{LoginThrottled{*wait}};
        auto found = co_await store_.find_by_username(canonical);
        if (!found.ok()) co_return std::move(found).error();
        user = std::move(*found);
    }
    const bool bounded = password.size() <= 4 * identity::kPasswordMaxLength;
    // Named locals, not temporaries in the co_await: g++ 12 mis-destroys temporaries of
    // conditional expressions inside co_await (a double free under ASan).
    std::string hash = user ? user->password_hash : dummy_hash_;
    if (!bounded) password = "x";
    auto verified = co_await hasher_.verify(std::move(hash), std::move(password));
    if (!verified.ok()) co_return std::move(verified).error();
    if (!user || !*verified || !bounded) {
        // Unknown but possible names are counted like real ones, so a lock reveals nothing.
        if (possible) {
            const std::int64_t failed_at = clock_();
            auto counted = co_await store_.record_login_failure(canonical, failed_at, throttle_);
            if (!counted.ok()) co_return std::move(counted).error();
        }
        co_return invalid_grant(std::string(kIncorrectCredentials));
    }
    auto reset = co_await store_.reset_login_failures(canonical);
    if (!reset.ok()) co_return std::move(reset).error();
    std::string family = random_token(16);
    auto issued = co_await issue(user->user_id, user->username, std::move(family));
    if (!issued.ok()) co_return std::move(issued).error();
    co_return PasswordGrant{std::move(*issued)};
}

asio::awaitable<Result<TokenPair>> AuthLogic::refresh_grant(std::string refresh_token) {
    if (refresh_token.empty() || refresh_token.size() > 512) {
        co_return invalid_grant("The refresh token is invalid, expired or revoked");
    }
    const std::string new_token = random_token(32);
    const std::string old_hash = sha256_hex(refresh_token);
    const std::string new_hash = sha256_hex(new_token);
    auto rotation = co_await store_.rotate_refresh(old_hash, new_hash, settings_.refresh_ttl);
    if (!rotation.ok()) co_return std::move(rotation).error();
    switch (rotation->outcome) {
        case RotateOutcome::kInvalid:
            co_return invalid_grant("The refresh token is invalid, expired or revoked");
        case RotateOutcome::kReused:
            co_return invalid_grant(
                "The refresh token was already used; every token of this login is now revoked");
        case RotateOutcome::kRotated:
            break;
    }
    auto& record = rotation->record;
    const std::int64_t now = clock_();
    jwt::Claims claims{settings_.issuer,
                       settings_.audience,
                       record.user_id,
                       record.username,
                       random_token(16),
                       now,
                       now + settings_.access_ttl.count(),
                       {}};
    co_return TokenPair{signer_.sign(claims), settings_.access_ttl.count(), new_token,
                        record.user_id, record.username};
}

asio::awaitable<Result<TokenPair>> AuthLogic::issue(std::string user_id, std::string username,
                                                    std::string family) {
    const std::string refresh = random_token(32);
    const std::string refresh_hash = sha256_hex(refresh);
    const RefreshRecord record{user_id, username, std::move(family)};
    auto saved = co_await store_.save_refresh(refresh_hash, record, settings_.refresh_ttl);
    if (!saved.ok()) co_return std::move(saved).error();
    const std::int64_t now = clock_();
    jwt::Claims claims{settings_.issuer,
                       settings_.audience,
                       user_id,
                       username,
                       random_token(16),
                       now,
                       now + settings_.access_ttl.count(),
                       {}};
    co_return TokenPair{signer_.sign(claims), settings_.access_ttl.count(), refresh,
                        std::move(user_id), std::move(username)};
}

asio::awaitable<Status> AuthLogic::revoke(std::string token) {
    if (token.empty() || token.size() > 512) co_return ok_status();
    const std::string token_hash = sha256_hex(token);
    co_return co_await store_.revoke_family_of(token_hash, settings_.refresh_ttl);
}

asio::awaitable<Status> AuthLogic::delete_user(std::string user_id) {
    auto deleted = co_await store_.delete_user(user_id);
    if (!deleted.ok()) co_return std::move(deleted).error();
    if (!*deleted) co_return make_error(ErrorCode::kNotFound, "user_not_found", "No such user");
    co_return ok_status();
}

}  // namespace bank::auth
