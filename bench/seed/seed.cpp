// bank-bench-seed: writes benchmark users straight into Redis's wire format, for
// `redis-cli --pipe`, so `make bench` can load a million users in seconds instead of signing each
// one up through the API (an argon2id hash per user). It also times one argon2id verification,
// the unit of the login target.
//
//   bank-bench-seed users --from 0 --to 1000 --funded 200 --balance-minor 100000000
//       --seq-base 0 --password 'bench password' | redis-cli --pipe ...
//   bank-bench-seed hash-time --iterations 5
//
// The keys written are exactly those a sign-up (auth + accounts) and a deposit (transactions)
// write; the table below is the only place the benchmark knows the layout, and `make bench`
// checks it against the services (a seeded user logs in, reads its account and history, sends a
// transfer) and against bank-audit before it measures anything.
//
// User i is deterministic, so separate runs can add users to a seeded Redis and the load scripts
// can name any of them without reading Redis:
//   username        bench<i>                    (already canonical: lower case)
//   user id         b3e70000-0000-4000-8000-<i as 12 hex digits>     (UUID v4 form)
//   account number  2000000000 + i              (10 digits)
// Users 0..funded-1 each get one deposit of balance-minor from @cash (a ledger:tx record, a
// history entry and their balance); the others start at a zero balance (no ledger keys), as a
// new account does.
#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ---- The key layout (services/auth/storage/redis_user_store.*, services/accounts/storage/
// ---- redis_account_store.cpp, services/transactions/storage/ledger_script.*, docs/ledger.md).
constexpr std::string_view kAuthUser = "auth:user:";          // hash username, password_hash,
                                                              //      created_at
constexpr std::string_view kAuthUsername = "auth:username:";  // string -> user id
constexpr std::string_view kAccountUser = "accounts:user:";   // hash (see write_account)
constexpr std::string_view kAccountUsername = "accounts:username:";  // string -> user id
constexpr std::string_view kAccountNumber = "accounts:number:";      // string -> user id
constexpr std::string_view kBalance = "ledger:balance:";             // integer minor units
constexpr std::string_view kTransaction = "ledger:tx:";              // hash: journal record
constexpr std::string_view kHistory = "ledger:history:";             // list: tx ids, oldest first
constexpr std::string_view kCash = "@cash";

constexpr std::uint64_t kFirstAccountNumber = 2'000'000'000;
constexpr std::uint64_t kMaxUsers = 10'000'000;
// libsodium's INTERACTIVE limits, the auth service's defaults (BANK_ARGON2_*).
constexpr unsigned long long kDefaultOpslimit = 2;
constexpr std::size_t kDefaultMemlimitKib = 65536;

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "bank-bench-seed: %s\n"
                 "usage: bank-bench-seed users --from A --to B [--funded K] [--balance-minor X]\n"
                 "           [--seq-base S] [--cash-before C] [--password P] [--opslimit N]\n"
                 "           [--memlimit-kib N]            (Redis protocol on stdout)\n"
                 "       bank-bench-seed hash-time [--iterations N] [--opslimit N]\n"
                 "           [--memlimit-kib N]            (seconds per argon2id verify)\n",
                 why);
    std::exit(2);
}

std::string username(std::uint64_t index) { return "bench" + std::to_string(index); }

std::string user_id(std::uint64_t index) {
    char text[64];
    std::snprintf(text, sizeof text, "b3e70000-0000-4000-8000-%012" PRIx64, index);
    return text;
}

std::string transaction_id(std::uint64_t index) {
    char text[64];
    std::snprintf(text, sizeof text, "5eed0000-0000-4000-8000-%012" PRIx64, index);
    return text;
}

std::string account_number(std::uint64_t index) {
    return std::to_string(kFirstAccountNumber + index);
}

std::string join(std::string_view prefix, std::string_view id) {
    std::string key(prefix);
    key += id;
    return key;
}

// Redis protocol: one array of bulk strings per command, buffered into large writes.
class Writer {
  public:
    ~Writer() { flush(); }

    void command(std::initializer_list<std::string_view> arguments) {
        append_header('*', arguments.size());
        for (const std::string_view argument : arguments) {
            append_header('$', argument.size());
            buffer_.append(argument);
            buffer_ += "\r\n";
        }
        if (buffer_.size() >= kFlushBytes) flush();
    }

    void flush() {
        if (buffer_.empty()) return;
        if (std::fwrite(buffer_.data(), 1, buffer_.size(), stdout) != buffer_.size()) {
            std::fprintf(stderr, "bank-bench-seed: write to stdout failed\n");
            std::exit(1);
        }
        buffer_.clear();
    }

  private:
    static constexpr std::size_t kFlushBytes = 1 << 20;

    void append_header(char kind, std::size_t count) {
        buffer_ += kind;
        buffer_ += std::to_string(count);
        buffer_ += "\r\n";
    }

    std::string buffer_;
};

struct Options {
    std::uint64_t from = 0;
    std::uint64_t to = 0;
    std::uint64_t funded = 0;
    std::int64_t balance_minor = 100'000'000;
    std::int64_t seq_base = 0;
    std::int64_t cash_before = 0;
    std::string password = "bench password";
    unsigned long long opslimit = kDefaultOpslimit;
    std::size_t memlimit_kib = kDefaultMemlimitKib;
    int iterations = 5;
};

std::int64_t number(const char* text, const char* name) {
    char* end = nullptr;
    errno = 0;
    const long long value = std::strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        usage((std::string(name) + " needs a number").c_str());
    return value;
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 2; i < argc; i += 2) {
        const std::string_view flag = argv[i];
        if (i + 1 >= argc) usage(("missing value after " + std::string(flag)).c_str());
        const char* value = argv[i + 1];
        if (flag == "--from") {
            options.from = static_cast<std::uint64_t>(number(value, "--from"));
        } else if (flag == "--to") {
            options.to = static_cast<std::uint64_t>(number(value, "--to"));
        } else if (flag == "--funded") {
            options.funded = static_cast<std::uint64_t>(number(value, "--funded"));
        } else if (flag == "--balance-minor") {
            options.balance_minor = number(value, "--balance-minor");
        } else if (flag == "--seq-base") {
            options.seq_base = number(value, "--seq-base");
        } else if (flag == "--cash-before") {
            options.cash_before = number(value, "--cash-before");
        } else if (flag == "--password") {
            options.password = value;
        } else if (flag == "--opslimit") {
            options.opslimit = static_cast<unsigned long long>(number(value, "--opslimit"));
        } else if (flag == "--memlimit-kib") {
            options.memlimit_kib = static_cast<std::size_t>(number(value, "--memlimit-kib"));
        } else if (flag == "--iterations") {
            options.iterations = static_cast<int>(number(value, "--iterations"));
        } else {
            usage(("unknown flag " + std::string(flag)).c_str());
        }
    }
    if (options.opslimit < 1 || options.memlimit_kib < 8) usage("argon2id limits too small");
    return options;
}

// One hash for every benchmark user: hashing is what sign-up costs, not what the benchmark is
// about, and every login still verifies it with the full argon2id cost.
std::string password_hash(const Options& options) {
    std::string hash(crypto_pwhash_STRBYTES, '\0');
    if (crypto_pwhash_str_alg(hash.data(), options.password.data(), options.password.size(),
                              options.opslimit, options.memlimit_kib * 1024,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        std::fprintf(stderr, "bank-bench-seed: argon2id ran out of memory\n");
        std::exit(1);
    }
    hash.resize(std::strlen(hash.c_str()));
    return hash;
}

int seed_users(const Options& options) {
    if (options.to <= options.from || options.to > kMaxUsers) usage("need 0 <= from < to <= 1e7");
    if (options.funded > options.to) usage("--funded must not exceed --to");
    if (options.balance_minor <= 0) usage("--balance-minor must be positive");
    const std::string hash = password_hash(options);
    const std::string created =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
    const std::string amount = std::to_string(options.balance_minor);
    const std::string negative_amount = "-" + amount;

    Writer out;
    std::int64_t cash = options.cash_before;
    std::int64_t seq = options.seq_base;
    std::int64_t deposited = 0;
    for (std::uint64_t index = options.from; index < options.to; ++index) {
        const std::string name = username(index);
        const std::string id = user_id(index);
        const std::string number_text = account_number(index);
        const std::string email = name + "@example.com";
        const std::string auth_user = join(kAuthUser, id);
        const std::string account_user = join(kAccountUser, id);
        out.command({"MSET", join(kAuthUsername, name), id, join(kAccountUsername, name), id,
                     join(kAccountNumber, number_text), id});
        out.command(
            {"HSET", auth_user, "username", name, "password_hash", hash, "created_at", created});
        out.command({"HSET", account_user, "username", name, "email", email, "first_name", "Bench",
                     "last_name", "User", "phone", "", "account_number", number_text, "currency",
                     "USD", "created_at", created});
        if (index >= options.funded) continue;

        // One deposit from @cash, recorded as the ledger script records it.
        cash -= options.balance_minor;
        ++seq;
        deposited += options.balance_minor;
        const std::string tx_id = transaction_id(index);
        const std::string seq_text = std::to_string(seq);
        const std::string entries = R"([{"account":"@cash","delta_minor":")" + negative_amount +
                                    R"("},{"account":")" + id + R"(","delta_minor":")" + amount +
                                    R"("}])";
        out.command({"HSET",
                     join(kTransaction, tx_id),
                     "transaction_id",
                     tx_id,
                     "type",
                     "deposit",
                     "amount_minor",
                     amount,
                     "from",
                     kCash,
                     "to",
                     id,
                     "created_at",
                     created,
                     "seq",
                     seq_text,
                     "from_balance_after_minor",
                     std::to_string(cash),
                     "to_balance_after_minor",
                     amount,
                     "idempotency_key_sha256",
                     "",
                     "entries",
                     entries});
        out.command({"INCRBY", join(kBalance, id), amount});
        out.command({"RPUSH", join(kHistory, id), tx_id});
    }
    if (deposited > 0) {
        out.command({"DECRBY", join(kBalance, kCash), std::to_string(deposited)});
    }
    return 0;
}

int hash_time(const Options& options) {
    if (options.iterations < 1) usage("--iterations must be at least 1");
    const std::string hash = password_hash(options);
    std::vector<double> seconds;
    for (int i = 0; i < options.iterations; ++i) {
        const auto started = std::chrono::steady_clock::now();
        const int verified = crypto_pwhash_str_verify(hash.c_str(), options.password.data(),
                                                      options.password.size());
        seconds.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (verified != 0) {
            std::fprintf(stderr, "bank-bench-seed: the hash did not verify\n");
            return 1;
        }
    }
    // The median: one slow run on a shared machine should not move the target.
    std::sort(seconds.begin(), seconds.end());
    std::printf("%.6f\n", seconds[seconds.size() / 2]);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) usage("no command");
    if (sodium_init() < 0) {
        std::fprintf(stderr, "bank-bench-seed: libsodium failed to initialise\n");
        return 1;
    }
    const std::string_view command = argv[1];
    const Options options = parse(argc, argv);
    if (command == "users") return seed_users(options);
    if (command == "hash-time") return hash_time(options);
    usage("unknown command");
}
