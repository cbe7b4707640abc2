#pragma once
// A throw-away redis-server for tests: its own free port on 127.0.0.1 and its own temp directory,
// no persistence, and it stops exactly the process it started. pause()/resume()/kill()/restart()
// let tests play a hung, crashed or restarted server. Test-only code: failures to start throw
// std::runtime_error, which GoogleTest reports as a failed test.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace bank::testing {

struct RedisServerOptions {
    // Non-empty: started with --requirepass.
    std::string password;
    // Appended to the command line, e.g. {"--maxmemory", "10mb"}.
    std::vector<std::string> extra_args;
    // Overridden by the BANK_REDIS_SERVER environment variable when that is set.
    std::string executable = "/usr/bin/redis-server";
    std::chrono::milliseconds start_timeout{5000};
};

class RedisServer {
  public:
    RedisServer();
    explicit RedisServer(RedisServerOptions options);
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] const std::string& host() const { return host_; }
    // redis://[:password@]127.0.0.1:port (the password percent-encoded).
    [[nodiscard]] std::string url() const;
    [[nodiscard]] const std::string& password() const { return options_.password; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] bool running() const { return pid_ > 0; }

    // SIGSTOP / SIGCONT: the server keeps its connections but stops answering (a hung server).
    void pause();
    void resume();
    // SIGKILL: connections are reset, like a crash.
    void kill();
    // Stops the server if it runs, then starts a fresh one on the same port and waits for PING.
    void restart();
    // SIGTERM, then SIGKILL if it has not exited within a bound.
    void stop();

  private:
    void launch();
    bool wait_until_ready(std::chrono::milliseconds timeout);
    [[nodiscard]] std::string log_tail() const;

    RedisServerOptions options_;
    std::string host_ = "127.0.0.1";
    std::uint16_t port_ = 0;
    std::filesystem::path dir_;
    pid_t pid_ = -1;
    bool paused_ = false;
};

}  // namespace bank::testing
