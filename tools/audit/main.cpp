// bank-audit: reads the whole ledger from Redis and checks its invariants (see audit.hpp).
//
//   BANK_REDIS_URL=redis://default:<password>@127.0.0.1:6390/0 bank-audit
//
// Exit status: 0 clean, 1 at least one violation, 2 a usage or connection error. It walks the
// keyspace with SCAN, which no request path may do, so it is an offline tool: run it against a
// quiet ledger (or a copy); postings that land while it reads can show up as false violations.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit.hpp"
#include "bank/core/result.hpp"
#include "bank/redis/client.hpp"
#include "bank/redis/config.hpp"
#include "bank/redis/outcome.hpp"
#include "bank/redis/reply.hpp"

namespace {

namespace asio = boost::asio;
using bank::Error;
using bank::ErrorCode;
using bank::Result;
using bank::Status;
using bank::redis::Client;
using bank::redis::Reply;

constexpr int kExitClean = 0;
constexpr int kExitViolations = 1;
constexpr int kExitError = 2;

// Limits: the audit holds the ledger in memory, so it refuses a keyspace beyond these instead of
// running the machine out of memory; SCAN loops end after this many keys or rounds.
constexpr std::size_t kMaxKeysPerPattern = 20'000'000;
constexpr std::size_t kMaxScanRounds = 10'000'000;
constexpr std::string_view kScanCount = "1000";
constexpr std::int64_t kHistoryPage = 1000;
constexpr std::int64_t kMaxHistoryLength = 100'000'000;
constexpr std::chrono::milliseconds kConnectWait{5000};
constexpr std::chrono::milliseconds kCommandTimeout{10000};

Error failure(std::string detail) {
    return bank::make_error(ErrorCode::kUnavailable, "audit_failed", std::move(detail));
}

Error call_failure(const Result<Reply>& reply, std::string_view what) {
    std::string detail(what);
    detail += ": ";
    detail += reply.ok() ? reply->error_message() : reply.error().detail;
    return failure(std::move(detail));
}

asio::awaitable<Result<Reply>> call(Client& client, const std::vector<std::string>& args) {
    const std::span<const std::string> view(args);
    co_return co_await client.command(view);
}

// Every key matching `pattern`, deduplicated by the caller (SCAN may return a key twice). Each
// page is handed to `on_page` so large keyspaces are processed as they arrive.
using PageHandler = std::function<asio::awaitable<Status>(const std::vector<std::string>&)>;

asio::awaitable<Status> scan(Client& client, const std::string& pattern,
                             const PageHandler& on_page) {
    std::string cursor = "0";
    std::size_t keys = 0;
    for (std::size_t round = 0; round < kMaxScanRounds; ++round) {
        const std::vector<std::string> args{"SCAN",  cursor,  "MATCH",
                                            pattern, "COUNT", std::string(kScanCount)};
        const Result<Reply> reply = co_await call(client, args);
        if (bank::redis::failed(reply)) co_return call_failure(reply, "SCAN " + pattern);
        const Reply& value = *reply;
        if (!value.is_array() || value.elements().size() != 2 || !value.elements()[0].is_string() ||
            !value.elements()[1].is_array()) {
            co_return failure("SCAN " + pattern + ": unexpected reply");
        }
        std::vector<std::string> page;
        for (const Reply& key : value.elements()[1].elements()) {
            if (!key.is_string()) co_return failure("SCAN " + pattern + ": unexpected key");
            page.push_back(key.as_string());
        }
        keys += page.size();
        if (keys > kMaxKeysPerPattern) {
            co_return failure("more than " + std::to_string(kMaxKeysPerPattern) + " keys match " +
                              pattern + "; the audit refuses to hold them all in memory");
        }
        if (!page.empty()) {
            const Status handled = co_await on_page(page);
            if (!handled.ok()) co_return handled;
        }
        cursor = value.elements()[0].as_string();
        if (cursor == "0") co_return bank::ok_status();
    }
    co_return failure("SCAN " + pattern + " did not finish within its round limit");
}

std::string suffix(const std::string& key, std::string_view prefix) {
    return key.substr(prefix.size());
}

asio::awaitable<Status> read_balances(Client& client, bank::audit::Snapshot& snapshot) {
    static constexpr std::string_view kPrefix = "ledger:balance:";
    const std::string pattern = std::string(kPrefix) + "*";
    const PageHandler on_page =
        [&client, &snapshot](const std::vector<std::string>& keys) -> asio::awaitable<Status> {
        std::vector<std::string> args{"MGET"};
        args.insert(args.end(), keys.begin(), keys.end());
        const Result<Reply> reply = co_await call(client, args);
        if (bank::redis::failed(reply)) co_return call_failure(reply, "MGET balances");
        if (!reply->is_array() || reply->elements().size() != keys.size()) {
            co_return failure("MGET balances: unexpected reply");
        }
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const Reply& value = reply->elements()[i];
            const std::string account = suffix(keys[i], kPrefix);
            if (value.is_nil()) continue;  // deleted since SCAN saw it, or not a string key
            const std::optional<std::int64_t> balance =
                value.is_string() ? bank::redis::parse_integer(value.as_string()) : std::nullopt;
            if (balance) {
                snapshot.balances[account] = *balance;
            } else {
                snapshot.malformed_balances[account] =
                    value.is_string() ? value.as_string() : std::string("<not a string>");
            }
        }
        co_return bank::ok_status();
    };
    co_return co_await scan(client, pattern, on_page);
}

asio::awaitable<Status> read_transactions(Client& client, bank::audit::Snapshot& snapshot) {
    static constexpr std::string_view kPrefix = "ledger:tx:";
    const std::string pattern = std::string(kPrefix) + "*";
    const PageHandler on_page =
        [&client, &snapshot](const std::vector<std::string>& keys) -> asio::awaitable<Status> {
        for (const std::string& key : keys) {
            const std::vector<std::string> args{"HMGET", key, "from", "to", "entries"};
            const Result<Reply> reply = co_await call(client, args);
            bank::audit::Transaction transaction;
            // A key of another type (WRONGTYPE) or missing fields is a malformed record, which
            // the checker reports; only a transport failure stops the audit.
            if (!reply.ok()) co_return call_failure(reply, "HMGET " + key);
            if (!reply->is_error() && reply->is_array() && reply->elements().size() == 3) {
                const std::vector<Reply>& fields = reply->elements();
                if (fields[0].is_string()) transaction.from = fields[0].as_string();
                if (fields[1].is_string()) transaction.to = fields[1].as_string();
                if (fields[2].is_string()) {
                    transaction.entries = bank::audit::parse_entries(fields[2].as_string());
                }
            }
            snapshot.transactions[suffix(key, kPrefix)] = std::move(transaction);
        }
        co_return bank::ok_status();
    };
    co_return co_await scan(client, pattern, on_page);
}

asio::awaitable<Status> read_histories(Client& client, bank::audit::Snapshot& snapshot) {
    static constexpr std::string_view kPrefix = "ledger:history:";
    const std::string pattern = std::string(kPrefix) + "*";
    const PageHandler on_page =
        [&client, &snapshot](const std::vector<std::string>& keys) -> asio::awaitable<Status> {
        for (const std::string& key : keys) {
            std::vector<std::string>& members = snapshot.histories[suffix(key, kPrefix)];
            members.clear();  // SCAN may return the key twice
            for (std::int64_t start = 0; start < kMaxHistoryLength; start += kHistoryPage) {
                const std::vector<std::string> args{"LRANGE", key, std::to_string(start),
                                                    std::to_string(start + kHistoryPage - 1)};
                const Result<Reply> reply = co_await call(client, args);
                if (bank::redis::failed(reply)) co_return call_failure(reply, "LRANGE " + key);
                if (!reply->is_array()) co_return failure("LRANGE " + key + ": unexpected reply");
                for (const Reply& member : reply->elements()) {
                    if (member.is_string()) members.push_back(member.as_string());
                }
                if (static_cast<std::int64_t>(reply->elements().size()) < kHistoryPage) break;
            }
        }
        co_return bank::ok_status();
    };
    co_return co_await scan(client, pattern, on_page);
}

asio::awaitable<Status> read_event_count(Client& client, bank::audit::Snapshot& snapshot) {
    const std::vector<std::string> args{"XLEN", "ledger:events"};
    const Result<Reply> reply = co_await call(client, args);
    if (bank::redis::failed(reply)) co_return call_failure(reply, "XLEN ledger:events");
    if (!reply->is_integer()) co_return failure("XLEN ledger:events: unexpected reply");
    snapshot.event_count = reply->as_integer();
    co_return bank::ok_status();
}

asio::awaitable<Status> wait_connected(Client& client) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + kConnectWait;
    while (!client.connected()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            const std::string reason = client.last_error();
            co_return failure("cannot connect to Redis: " +
                              (reason.empty() ? std::string("timed out") : reason));
        }
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(asio::use_awaitable);
    }
    co_return bank::ok_status();
}

asio::awaitable<int> audit(Client& client) {
    const Status connected = co_await wait_connected(client);
    if (!connected.ok()) {
        std::fprintf(stderr, "bank-audit: %s\n", connected.error().detail.c_str());
        co_return kExitError;
    }
    bank::audit::Snapshot snapshot;
    Status read = co_await read_balances(client, snapshot);
    if (read.ok()) read = co_await read_transactions(client, snapshot);
    if (read.ok()) read = co_await read_histories(client, snapshot);
    if (read.ok()) read = co_await read_event_count(client, snapshot);
    if (!read.ok()) {
        std::fprintf(stderr, "bank-audit: %s\n", read.error().detail.c_str());
        co_return kExitError;
    }
    const bank::audit::Report report = bank::audit::check(snapshot);
    const std::string summary = bank::audit::format_report(report);
    std::fputs(summary.c_str(), stdout);
    co_return report.clean() ? kExitClean : kExitViolations;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) {
        const std::string_view arg = argv[1];
        const bool help = arg == "-h" || arg == "--help";
        std::fprintf(help ? stdout : stderr,
                     "usage: BANK_REDIS_URL=redis://[user:password@]host:port/db bank-audit\n"
                     "Checks the ledger's invariants; exit 0 clean, 1 violations, 2 error.\n");
        return help ? kExitClean : kExitError;
    }
    const char* url = std::getenv("BANK_REDIS_URL");
    if (url == nullptr || *url == '\0') {
        std::fprintf(stderr, "bank-audit: BANK_REDIS_URL is not set\n");
        return kExitError;
    }
    Result<bank::redis::Config> config = bank::redis::parse_url(url);
    if (!config.ok()) {
        std::fprintf(stderr, "bank-audit: BANK_REDIS_URL: %s\n", config.error().detail.c_str());
        return kExitError;
    }
    config->command_timeout = kCommandTimeout;

    try {
        asio::io_context io;
        int status = kExitError;
        {
            Client client(io.get_executor(), std::move(config).value());
            client.start();
            asio::co_spawn(io, audit(client),
                           [&client, &status](const std::exception_ptr& exception, int result) {
                               client.stop();
                               if (exception) std::rethrow_exception(exception);
                               status = result;
                           });
            io.run();
        }
        return status;
    } catch (const std::exception& exception) {
        std::fprintf(stderr, "bank-audit: %s\n", exception.what());
        return kExitError;
    }
}
