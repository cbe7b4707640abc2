// Proves the hash worker processes: a hash and its verification round-trip through a real
// `bank-auth --hash-worker` child running at SCHED_IDLE; a worker that dies is replaced and the
// request still answered; a program that never answers is killed after the timeout and reaped;
// one that cannot be started or that is not a hash worker gives Unavailable; input too long for
// the protocol is refused without a worker; and the worker answers malformed messages with
// kBadRequest and goes on serving.
#include "hashing/hash_process.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace bank::auth {
namespace {

// The cheapest limits libsodium accepts: these tests are about the process, not the cost.
constexpr Argon2Parameters kCheap{1, 8192};

bool alive(pid_t pid) { return pid > 0 && kill(pid, 0) == 0; }

TEST(HashProcessTest, HashesAndVerifiesInAnIdlePriorityChild) {
    HashProcess process(BANK_AUTH_EXECUTABLE);
    EXPECT_EQ(process.pid(), -1) << "nothing is started before the first request";
    auto hash = process.hash("correct horse battery", kCheap);
    ASSERT_TRUE(hash.ok()) << hash.error().detail;
    EXPECT_EQ(hash->rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << *hash;
    const pid_t pid = process.pid();
    ASSERT_GT(pid, 0);
    EXPECT_NE(pid, getpid());
    EXPECT_EQ(sched_getscheduler(pid), SCHED_IDLE);

    auto right = process.verify(*hash, "correct horse battery");
    ASSERT_TRUE(right.ok()) << right.error().detail;
    EXPECT_TRUE(*right);
    auto wrong = process.verify(*hash, "correct horse batterY");
    ASSERT_TRUE(wrong.ok()) << wrong.error().detail;
    EXPECT_FALSE(*wrong);
    auto garbage = process.verify("$argon2id$v=19$m=8,t=1,p=1$not-base64", "x");
    ASSERT_TRUE(garbage.ok()) << garbage.error().detail;
    EXPECT_FALSE(*garbage);
    EXPECT_EQ(process.pid(), pid) << "one worker serves request after request";

    auto salted = process.hash("correct horse battery", kCheap);
    ASSERT_TRUE(salted.ok());
    EXPECT_NE(*salted, *hash) << "each hash has its own salt";
}

TEST(HashProcessTest, ReplacesAWorkerThatDied) {
    HashProcess process(BANK_AUTH_EXECUTABLE);
    auto hash = process.hash("pw", kCheap);
    ASSERT_TRUE(hash.ok());
    const pid_t first = process.pid();
    ASSERT_EQ(kill(first, SIGKILL), 0);

    auto verified = process.verify(*hash, "pw");
    ASSERT_TRUE(verified.ok()) << verified.error().detail;
    EXPECT_TRUE(*verified);
    EXPECT_GT(process.pid(), 0);
    EXPECT_NE(process.pid(), first);
    // The dead one was reaped (no zombie left behind): it is no child of ours any more.
    EXPECT_EQ(waitpid(first, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
}

TEST(HashProcessTest, StopsTheWorkerWhenDestroyed) {
    pid_t pid = -1;
    {
        HashProcess process(BANK_AUTH_EXECUTABLE);
        ASSERT_TRUE(process.hash("pw", kCheap).ok());
        pid = process.pid();
        ASSERT_TRUE(alive(pid));
    }
    EXPECT_FALSE(alive(pid));
}

TEST(HashProcessTest, KillsAWorkerThatDoesNotAnswerInTime) {
    const auto directory =
        std::filesystem::temp_directory_path() / ("hash-process-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(directory);
    const auto script = directory / "silent";
    std::ofstream(script) << "#!/bin/sh\nexec sleep 60\n";
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);

    HashProcess process(script.string(), std::chrono::milliseconds(300));
    const auto started = std::chrono::steady_clock::now();
    auto hash = process.hash("pw", kCheap);
    const auto waited = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(hash.ok());
    EXPECT_EQ(hash.error().code, ErrorCode::kUnavailable);
    EXPECT_GE(waited, std::chrono::milliseconds(300));
    EXPECT_LT(waited, std::chrono::seconds(10)) << "asked once, not again after the timeout";
    EXPECT_EQ(process.pid(), -1);
    EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1) << "the silent child was reaped";
    std::filesystem::remove_all(directory);
}

TEST(HashProcessTest, UnavailableWhenTheWorkerCannotRunOrIsNotAWorker) {
    HashProcess missing("/nonexistent/bank-auth");
    auto hash = missing.hash("pw", kCheap);
    ASSERT_FALSE(hash.ok());
    EXPECT_EQ(hash.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(hash.error().detail.find("could not start"), std::string::npos)
        << hash.error().detail;

    HashProcess not_a_worker("/bin/true");  // exits at once: the reply never comes
    auto verified = not_a_worker.verify("$argon2id$", "pw");
    ASSERT_FALSE(verified.ok());
    EXPECT_EQ(verified.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(not_a_worker.pid(), -1);
}

TEST(HashProcessTest, RefusesInputTooLongForTheProtocolWithoutAWorker) {
    HashProcess process(BANK_AUTH_EXECUTABLE);
    const std::string password(hash_protocol::kMaxPasswordBytes + 1, 'p');
    auto hash = process.hash(password, kCheap);
    ASSERT_FALSE(hash.ok());
    EXPECT_EQ(hash.error().code, ErrorCode::kInternal);
    const std::string stored(hash_protocol::kMaxHashBytes + 1, 'h');
    auto verified = process.verify(stored, "pw");
    ASSERT_FALSE(verified.ok());
    EXPECT_EQ(process.pid(), -1);

    // The largest allowed password is hashed.
    const std::string longest(hash_protocol::kMaxPasswordBytes, 'p');
    auto fits = process.hash(longest, kCheap);
    ASSERT_TRUE(fits.ok()) << fits.error().detail;
    auto matches = process.verify(*fits, longest);
    ASSERT_TRUE(matches.ok());
    EXPECT_TRUE(*matches);
}

TEST(HashProcessTest, LimitsLibsodiumRefusesAreAnError) {
    HashProcess process(BANK_AUTH_EXECUTABLE);
    auto hash = process.hash("pw", Argon2Parameters{0, 8192});
    ASSERT_FALSE(hash.ok());
    EXPECT_EQ(hash.error().code, ErrorCode::kUnavailable);
    EXPECT_GT(process.pid(), 0) << "a refusal is an answer: the worker stays";
}

// The worker's side of the protocol, in a forked child of this test, fed raw messages.
class HashWorkerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        int ends[2];
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ends), 0);
        child_ = fork();
        ASSERT_GE(child_, 0);
        if (child_ == 0) {
            close(ends[0]);
            _exit(run_hash_worker(ends[1]));
        }
        close(ends[1]);
        socket_ = ends[0];
    }
    void TearDown() override {
        close(socket_);
        int status = 0;
        ASSERT_EQ(waitpid(child_, &status, 0), child_);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "the worker ends cleanly when its socket closes";
    }

    // Sends one message and returns the reply's bytes.
    std::string ask(const std::vector<unsigned char>& message) {
        EXPECT_EQ(send(socket_, message.data(), message.size(), 0),
                  static_cast<ssize_t>(message.size()));
        std::array<char, 256> reply{};
        const ssize_t received = recv(socket_, reply.data(), reply.size(), 0);
        EXPECT_GT(received, 0);
        return std::string(reply.data(), received > 0 ? static_cast<std::size_t>(received) : 0);
    }

    static std::vector<unsigned char> message(hash_protocol::RequestHeader header,
                                              const std::string& body) {
        std::vector<unsigned char> bytes(sizeof header + body.size());
        std::memcpy(bytes.data(), &header, sizeof header);
        std::memcpy(bytes.data() + sizeof header, body.data(), body.size());
        return bytes;
    }

    pid_t child_ = -1;
    int socket_ = -1;
};

TEST_F(HashWorkerTest, AnswersMalformedMessagesWithBadRequestAndGoesOn) {
    const std::string bad(1, static_cast<char>(hash_protocol::Status::kBadRequest));
    hash_protocol::RequestHeader header{};
    header.operation = hash_protocol::Operation::kHash;
    header.opslimit = 1;
    header.memlimit_bytes = 8192;

    EXPECT_EQ(ask({1, 2, 3}), bad) << "shorter than the header";
    header.password_bytes = 5;
    EXPECT_EQ(ask(message(header, "abc")), bad) << "fewer bytes than announced";
    EXPECT_EQ(ask(message(header, "abcdefg")), bad) << "more bytes than announced";
    header.password_bytes = hash_protocol::kMaxPasswordBytes + 1;
    EXPECT_EQ(ask(message(header, std::string(header.password_bytes, 'p'))), bad)
        << "password over the bound";
    header.password_bytes = 2;
    header.hash_bytes = 1;
    EXPECT_EQ(ask(message(header, "hpw")), bad) << "a hash request carrying a stored hash";
    header.hash_bytes = 0;
    header.operation = static_cast<hash_protocol::Operation>(9);
    EXPECT_EQ(ask(message(header, "pw")), bad) << "an unknown operation";

    header.operation = hash_protocol::Operation::kHash;
    const std::string good = ask(message(header, "pw"));
    ASSERT_FALSE(good.empty());
    EXPECT_EQ(good[0], static_cast<char>(hash_protocol::Status::kOk));
    EXPECT_EQ(good.rfind("$argon2id$", 1), 1u) << good;
}

}  // namespace
}  // namespace bank::auth
