#pragma once
// Password hashing behind an interface: the real one (hashing/argon2_hasher.hpp) runs argon2id
// in worker processes (it costs tens of milliseconds of CPU and 64 MiB by design), the test
// double is instant.

#include <boost/asio/awaitable.hpp>
#include <string>

#include "bank/core/result.hpp"

namespace bank::auth {

class PasswordHasher {
  public:
    virtual ~PasswordHasher() = default;
    virtual boost::asio::awaitable<Result<std::string>> hash(std::string password) = 0;
    virtual boost::asio::awaitable<Result<bool>> verify(std::string hash, std::string password) = 0;
};

}  // namespace bank::auth
