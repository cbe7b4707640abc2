// Proves the hash worker processes: a hash and its verification round-trip through a real
// `bank-auth --hash-worker` child, which runs at SCHED_IDLE under its own name in a session (and
// autogroup, at the lowest weight) of its own, holds no
// descriptor but its socket and the standard ones, blocks no signal, ignores SIGTERM, and gets
// none of auth's environment; a worker that dies is replaced and the request still answered; a
// worker whose starting thread exits is killed by the kernel even with its socket open; a
// program that never answers is killed after the timeout, reaped, and not asked again; one that
// cannot be started or is not a hash worker gives Unavailable; input too long for the protocol
// is refused without a worker, and a stored hash longer than any PHC string matches nothing;
// the worker answers malformed messages with kBadRequest and goes on serving; and a worker is
// moved into the cgroup it is given (BANK_HASH_CGROUP), hashes anyway when it cannot be, and
// only a cpu cgroup directory this process may write is accepted as one.
#include "hashing/hash_process.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace bank::auth {
namespace {

// The cheapest limits libsodium accepts: these tests are about the process, not the cost.
constexpr Argon2Parameters kCheap{1, 8192};
constexpr std::chrono::milliseconds kTimeout{10'000};

bool alive(pid_t pid) { return pid > 0 && kill(pid, 0) == 0; }

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The value of a "Name:\tvalue" line of /proc/<pid>/status.
std::string status_field(pid_t pid, const std::string& name) {
    std::istringstream lines(read_text("/proc/" + std::to_string(pid) + "/status"));
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(name + ":", 0) == 0) {
            const auto value = line.find_first_not_of(" \t", name.size() + 1);
            return value == std::string::npos ? "" : line.substr(value);
        }
    }
    return "(none)";
}

// A directory of its own beside the test binary (a temp directory may be mounted noexec),
// removed at the end.
struct ScratchDirectory {
    std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe").parent_path() /
                                 ("hash-process-test-" + std::to_string(getpid()));
    ScratchDirectory() { std::filesystem::create_directories(path); }
    ~ScratchDirectory() { std::filesystem::remove_all(path); }
};

TEST(HashProcessTest, HashesAndVerifiesInAnIdlePriorityChild) {
    HashProcess process(BANK_AUTH_EXECUTABLE, kTimeout);
    EXPECT_EQ(process.pid(), -1) << "nothing is started before the first request";
    auto hash = process.hash("correct horse battery", kCheap);
    ASSERT_TRUE(hash.ok()) << hash.error().detail;
    EXPECT_EQ(hash->rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << *hash;
    const pid_t pid = process.pid();
    ASSERT_GT(pid, 0);
    EXPECT_NE(pid, getpid());
    EXPECT_EQ(sched_getscheduler(pid), SCHED_IDLE);
    EXPECT_EQ(read_text("/proc/" + std::to_string(pid) + "/comm"), "bank-auth-hash\n");
    // A session of its own, so it is not in auth's autogroup, and that autogroup at the lowest
    // weight (where the kernel has autogroups: /proc/<pid>/autogroup then exists).
    EXPECT_EQ(getsid(pid), pid);
    EXPECT_NE(getsid(pid), getsid(0));
    if (read_text("/proc/self/autogroup").empty()) {
        std::cout << "[ INFO     ] no autogroups in this kernel: the weight is not checked\n";
    } else {
        const std::string group = read_text("/proc/" + std::to_string(pid) + "/autogroup");
        EXPECT_NE(group.find(" nice 19"), std::string::npos) << group;
        EXPECT_NE(group, read_text("/proc/self/autogroup"));
    }

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

    // A stored value longer than any PHC string is no match, and no question for the worker.
    auto overlong = process.verify(*hash + std::string(hash_protocol::kMaxHashBytes, 'x'),
                                   "correct horse battery");
    ASSERT_TRUE(overlong.ok());
    EXPECT_FALSE(*overlong);
}

TEST(HashProcessTest, TheWorkerHoldsOnlyItsSocketAndNoneOfAuthsEnvironment) {
    ASSERT_EQ(setenv("BANK_TEST_SECRET", "not-for-the-worker", 1), 0);
    // A descriptor of ours that is not close-on-exec: the worker must not get it either.
    const int inheritable = dup(STDOUT_FILENO);
    ASSERT_GT(inheritable, STDERR_FILENO);
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &blocked, nullptr), 0);

    HashProcess process(BANK_AUTH_EXECUTABLE, kTimeout);
    ASSERT_TRUE(process.hash("pw", kCheap).ok());
    const pid_t pid = process.pid();
    std::set<std::string> descriptors;
    for (const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        descriptors.insert(entry.path().filename().string());
    }
    EXPECT_EQ(descriptors, (std::set<std::string>{"0", "1", "2"}));
    EXPECT_EQ(read_text("/proc/" + std::to_string(pid) + "/environ").find("BANK_TEST_SECRET"),
              std::string::npos);
    EXPECT_EQ(status_field(pid, "SigBlk"), "0000000000000000") << "no signal blocked";

    // SIGTERM for the whole process group leaves the worker to auth.
    ASSERT_EQ(kill(pid, SIGTERM), 0);
    auto after = process.hash("pw", kCheap);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(process.pid(), pid);

    ASSERT_EQ(pthread_sigmask(SIG_UNBLOCK, &blocked, nullptr), 0);
    close(inheritable);
    unsetenv("BANK_TEST_SECRET");
}

TEST(HashProcessTest, TheKernelKillsAWorkerWhoseStartingThreadExits) {
    // The socket stays open (the object outlives the thread), so only PR_SET_PDEATHSIG can end
    // the worker: this is the case of auth dying in the middle of a hash.
    std::unique_ptr<HashProcess> process;
    std::thread starter([&process] {
        process = std::make_unique<HashProcess>(BANK_AUTH_EXECUTABLE, kTimeout);
        EXPECT_TRUE(process->hash("pw", kCheap).ok());
    });
    starter.join();
    const pid_t pid = process->pid();
    ASSERT_GT(pid, 0);
    // Dead but not yet reaped: its state in /proc/<pid>/stat is Z.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::string state;
    while (std::chrono::steady_clock::now() < deadline) {
        state = status_field(pid, "State");
        if (state.rfind("Z", 0) == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(state.rfind("Z", 0), 0u) << "the worker still runs: " << state;
    process.reset();  // reaps it
    EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), -1);
}

TEST(HashProcessTest, ReplacesAWorkerThatDied) {
    HashProcess process(BANK_AUTH_EXECUTABLE, kTimeout);
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
        HashProcess process(BANK_AUTH_EXECUTABLE, kTimeout);
        ASSERT_TRUE(process.hash("pw", kCheap).ok());
        pid = process.pid();
        ASSERT_TRUE(alive(pid));
    }
    EXPECT_FALSE(alive(pid));
}

TEST(HashProcessTest, KillsAWorkerThatDoesNotAnswerInTimeAndDoesNotAskAgain) {
    ScratchDirectory scratch;
    const auto starts = scratch.path / "starts";
    const auto script = scratch.path / "silent";
    // Counts its starts, then never answers.
    std::ofstream(script) << "#!/bin/sh\necho started >> '" << starts.string()
                          << "'\nexec sleep 60\n";
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);

    HashProcess process(script.string(), std::chrono::milliseconds(300));
    const auto began = std::chrono::steady_clock::now();
    auto hash = process.hash("pw", kCheap);
    const auto waited = std::chrono::steady_clock::now() - began;
    ASSERT_FALSE(hash.ok());
    EXPECT_EQ(hash.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(hash.error().detail.find("sleep"), std::string::npos) << "no internals for clients";
    EXPECT_GE(waited, std::chrono::milliseconds(300));
    EXPECT_EQ(read_text(starts.string()), "started\n") << "one worker, asked once";
    EXPECT_EQ(process.pid(), -1);
    EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1) << "the silent child was reaped";
}

TEST(HashProcessTest, UnavailableWhenTheWorkerCannotRunOrIsNotAWorker) {
    HashProcess missing("/nonexistent/bank-auth", kTimeout);
    auto hash = missing.hash("pw", kCheap);
    ASSERT_FALSE(hash.ok());
    EXPECT_EQ(hash.error().code, ErrorCode::kUnavailable);

    HashProcess not_a_worker("/bin/true", kTimeout);  // exits at once: the reply never comes
    auto verified = not_a_worker.verify("$argon2id$", "pw");
    ASSERT_FALSE(verified.ok());
    EXPECT_EQ(verified.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(not_a_worker.pid(), -1);
}

TEST(HashProcessTest, RefusesInputTooLongForTheProtocolWithoutAWorker) {
    HashProcess process(BANK_AUTH_EXECUTABLE, kTimeout);
    const std::string password(hash_protocol::kMaxPasswordBytes + 1, 'p');
    auto hash = process.hash(password, kCheap);
    ASSERT_FALSE(hash.ok());
    EXPECT_EQ(hash.error().code, ErrorCode::kInternal);
    auto verified = process.verify("$argon2id$", std::string(password));
    ASSERT_FALSE(verified.ok());
    EXPECT_EQ(verified.error().code, ErrorCode::kInternal);
    // A stored value no PHC string can be: no match, without asking.
    auto stored = process.verify(std::string(hash_protocol::kMaxHashBytes + 1, 'h'), "pw");
    ASSERT_TRUE(stored.ok());
    EXPECT_FALSE(*stored);
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
    HashProcess process(BANK_AUTH_EXECUTABLE, kTimeout);
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
    header.password_bytes = hash_protocol::kMaxPasswordBytes;
    std::vector<unsigned char> oversized = message(header, std::string(header.password_bytes, 'p'));
    oversized.resize(oversized.size() + 16, 'p');  // cut by recv to one byte over the maximum
    EXPECT_EQ(ask(oversized), bad) << "a message longer than any request";

    header.password_bytes = 2;
    const std::string good = ask(message(header, "pw"));
    ASSERT_FALSE(good.empty());
    EXPECT_EQ(good[0], static_cast<char>(hash_protocol::Status::kOk));
    EXPECT_EQ(good.rfind("$argon2id$", 1), 1u) << good;
}

// A cgroup of the test's own under the cpu controller's root, where the machine lets this
// process make one (root, with the cpu controller mounted: v1's cpu hierarchy or v2's root with
// cpu enabled for its children); removed at the end. `path` is empty where it cannot be made.
struct TestCgroup {
    std::filesystem::path path;
    TestCgroup() {
        const std::string name = "bank-hash-process-test-" + std::to_string(getpid());
        for (const std::filesystem::path root : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup"}) {
            const bool v1 = std::filesystem::exists(root / "cpu.shares");
            std::istringstream controllers(read_text(root / "cgroup.subtree_control"));
            bool v2 = false;
            for (std::string word; controllers >> word;) v2 = v2 || word == "cpu";
            if ((v1 || v2) && mkdir((root / name).c_str(), 0755) == 0) {
                path = root / name;
                return;
            }
        }
    }
    ~TestCgroup() {
        if (!path.empty()) rmdir(path.c_str());
    }
};

TEST(HashProcessTest, CgroupProblemRefusesWhatCannotHoldWorkers) {
    EXPECT_EQ(cgroup_problem(""), std::nullopt) << "empty: no cgroup";
    const auto relative = cgroup_problem("sys/fs/cgroup/cpu");
    ASSERT_TRUE(relative.has_value());
    EXPECT_NE(relative->find("absolute"), std::string::npos) << *relative;
    const auto missing = cgroup_problem("/nonexistent-bank-cgroup");
    ASSERT_TRUE(missing.has_value());
    EXPECT_NE(missing->find("No such file"), std::string::npos) << *missing;
    // A plain directory with a writable file of that name is still not a cgroup.
    ScratchDirectory scratch;
    std::ofstream(scratch.path / "cgroup.procs") << "";
    const auto plain = cgroup_problem(scratch.path.string());
    ASSERT_TRUE(plain.has_value());
    EXPECT_NE(plain->find("not a cgroup"), std::string::npos) << *plain;
    // A cgroup of another controller (cgroup v1's memory hierarchy, where it is mounted).
    if (std::filesystem::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes")) {
        const auto memory = cgroup_problem("/sys/fs/cgroup/memory");
        ASSERT_TRUE(memory.has_value());
        EXPECT_NE(memory->find("no cpu.idle"), std::string::npos) << *memory;
    }
}

TEST(HashProcessTest, MovesItsWorkerIntoTheGivenCgroup) {
    TestCgroup cgroup;
    if (cgroup.path.empty()) {
        GTEST_SKIP() << "this process cannot make a cgroup under the cpu controller here";
    }
    EXPECT_EQ(cgroup_problem(cgroup.path.string()), std::nullopt);
    {
        HashProcess process(BANK_AUTH_EXECUTABLE, kTimeout, cgroup.path.string());
        auto hash = process.hash("correct horse battery", kCheap);
        ASSERT_TRUE(hash.ok()) << hash.error().detail;
        const std::string procs = read_text(cgroup.path / "cgroup.procs");
        EXPECT_EQ(procs, std::to_string(process.pid()) + "\n") << "the worker, and only it";
        const std::string own = read_text("/proc/self/cgroup");
        EXPECT_EQ(own.find(cgroup.path.filename().string()), std::string::npos)
            << "auth itself stays where it was: " << own;
        auto right = process.verify(*hash, "correct horse battery");
        ASSERT_TRUE(right.ok()) << right.error().detail;
        EXPECT_TRUE(*right);
    }  // the worker is killed and reaped: the cgroup is empty again and can be removed
    EXPECT_EQ(read_text(cgroup.path / "cgroup.procs"), "");
}

TEST(HashProcessTest, AWorkerThatCannotBeMovedStillHashes) {
    // The directory was valid at start-up and went away since: latency, not correctness.
    HashProcess process(BANK_AUTH_EXECUTABLE, kTimeout, "/nonexistent-bank-cgroup");
    auto hash = process.hash("correct horse battery", kCheap);
    ASSERT_TRUE(hash.ok()) << hash.error().detail;
    auto right = process.verify(*hash, "correct horse battery");
    ASSERT_TRUE(right.ok()) << right.error().detail;
    EXPECT_TRUE(*right);
}

}  // namespace
}  // namespace bank::auth
