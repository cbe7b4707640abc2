#include "bank/testing/redis_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace bank::testing {

namespace {

using namespace std::chrono_literals;

constexpr int kPortAttempts = 5;
constexpr auto kStopTimeout = 3s;
constexpr auto kPollInterval = 10ms;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("RedisServer: " + what);
}

[[noreturn]] void fail_errno(const std::string& what) { fail(what + ": " + std::strerror(errno)); }

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// The kernel picks a free port for port 0. Another process may take it before redis-server
// binds it, so the caller retries with a new port when the server does not come up.
std::uint16_t pick_free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail_errno("socket");
    sockaddr_in address = loopback(0);
    // reinterpret_cast is how the sockets API is used; sockaddr_in is layout-compatible.
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        fail_errno("bind");
    }
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(fd);
        fail_errno("getsockname");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

// One PING over a fresh connection; any RESP answer ("+PONG", or "-NOAUTH" with a password)
// means the server is accepting commands.
bool answers_ping(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    timeval timeout{};
    timeout.tv_usec = 200'000;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address = loopback(port);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        constexpr std::string_view kPing = "PING\r\n";
        if (::send(fd, kPing.data(), kPing.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(kPing.size())) {
            char reply[64] = {};
            const ssize_t got = ::recv(fd, reply, sizeof reply, 0);
            ok = got > 0 && (reply[0] == '+' || reply[0] == '-');
        }
    }
    ::close(fd);
    return ok;
}

bool is_unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

std::string percent_encode(const std::string& text) {
    constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string encoded;
    for (const char c : text) {
        if (is_unreserved(c)) {
            encoded.push_back(c);
        } else {
            const auto byte = static_cast<unsigned char>(c);
            encoded.push_back('%');
            encoded.push_back(kHex[byte >> 4U]);
            encoded.push_back(kHex[byte & 0x0FU]);
        }
    }
    return encoded;
}

// Reaps `pid` if it exited; true when it is gone.
bool reaped(pid_t pid) {
    int status = 0;
    const pid_t result = ::waitpid(pid, &status, WNOHANG);
    return result == pid || (result < 0 && errno == ECHILD);
}

}  // namespace

RedisServer::RedisServer() : RedisServer(RedisServerOptions{}) {}

RedisServer::RedisServer(RedisServerOptions options) : options_(std::move(options)) {
    if (const char* executable = std::getenv("BANK_REDIS_SERVER"); executable != nullptr) {
        options_.executable = executable;
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "bank-redis-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) fail_errno("mkdtemp");
    dir_ = pattern;

    for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
        port_ = pick_free_port();
        launch();
        if (wait_until_ready(options_.start_timeout)) return;
        stop();
    }
    const std::string log = log_tail();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    fail("redis-server did not start; its log ends with:\n" + log);
}

RedisServer::~RedisServer() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string RedisServer::url() const {
    std::string url = "redis://";
    if (!options_.password.empty()) url += ":" + percent_encode(options_.password) + "@";
    return url + host_ + ":" + std::to_string(port_);
}

void RedisServer::launch() {
    const std::string port = std::to_string(port_);
    const std::string log = (dir_ / "redis.log").string();
    std::vector<std::string> args = {options_.executable,
                                     "--port",
                                     port,
                                     "--bind",
                                     host_,
                                     "--dir",
                                     dir_.string(),
                                     "--save",
                                     "",
                                     "--appendonly",
                                     "no",
                                     "--daemonize",
                                     "no",
                                     "--logfile",
                                     log};
    if (!options_.password.empty()) {
        args.emplace_back("--requirepass");
        args.push_back(options_.password);
    }
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    // Between fork and exec the child only makes system calls (async-signal-safe), which is
    // what a threaded parent allows. PR_SET_PDEATHSIG kills the server if the test process dies
    // (a crash or a failed CHECK), so no orphaned redis-server outlives its test. It fires when
    // the forking thread exits, so create the server on a thread that outlives it.
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) fail_errno("fork");
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(126);  // the parent died before prctl took effect
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    pid_ = pid;
    paused_ = false;
}

bool RedisServer::wait_until_ready(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (reaped(pid_)) {
            pid_ = -1;  // exited, most likely because the port was taken
            return false;
        }
        if (answers_ping(port_)) {
            // Something answered; make sure it is our server and not a squatter on the port.
            if (!reaped(pid_)) return true;
            pid_ = -1;
            return false;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    return false;
}

std::string RedisServer::log_tail() const {
    constexpr std::streamoff kTailBytes = 2000;
    std::ifstream log(dir_ / "redis.log", std::ios::binary);
    if (!log) return "(no log)";
    log.seekg(0, std::ios::end);
    const std::streamoff size = log.tellg();
    log.seekg(size > kTailBytes ? size - kTailBytes : 0);
    return std::string(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>());
}

void RedisServer::pause() {
    if (pid_ > 0 && ::kill(pid_, SIGSTOP) == 0) paused_ = true;
}

void RedisServer::resume() {
    if (pid_ > 0 && ::kill(pid_, SIGCONT) == 0) paused_ = false;
}

void RedisServer::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    paused_ = false;
}

void RedisServer::stop() {
    if (pid_ <= 0) return;
    // A stopped process would not act on SIGTERM until continued.
    if (paused_) resume();
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (reaped(pid_)) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    kill();
}

void RedisServer::restart() {
    stop();
    launch();
    if (!wait_until_ready(options_.start_timeout)) {
        stop();
        fail("redis-server did not restart on port " + std::to_string(port_) +
             "; its log ends with:\n" + log_tail());
    }
}

}  // namespace bank::testing
