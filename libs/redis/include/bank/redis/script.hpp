#pragma once
// A Lua script identified by the SHA-1 of its source, so calls send EVALSHA (40 bytes) instead
// of the whole source. Copies share the source, so passing a Script by value is cheap.

#include <memory>
#include <string>

namespace bank::redis {

class Script {
  public:
    explicit Script(std::string source);

    // Lower-case hex SHA-1 of source(), as Redis computes it for SCRIPT LOAD.
    [[nodiscard]] const std::string& sha1() const { return state_->sha1; }
    [[nodiscard]] const std::string& source() const { return state_->source; }

  private:
    struct State {
        std::string source;
        std::string sha1;
    };
    std::shared_ptr<const State> state_;
};

}  // namespace bank::redis
