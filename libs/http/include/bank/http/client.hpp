#pragma once
// A small HTTP/1.1 client for service-to-service calls (accounts -> auth). One Client per I/O
// thread keeps a few idle keep-alive connections to its one upstream, so a call usually costs a
// write and a read, no handshake. Every call has a deadline; a timeout or a refused connection is
// kUnavailable, never a success.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bank/core/result.hpp"
#include "bank/http/message.hpp"

namespace bank::http {

struct ClientOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 80;
    std::chrono::milliseconds timeout{2'000};
    std::size_t max_idle_connections = 16;
    std::size_t max_response_bytes = 256 * 1024;
};

class Client {
  public:
    Client(boost::asio::any_io_executor executor, ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Sends `request` (Host and Content-Length are filled in) and returns the response, whatever
    // its status. Transport failures and timeouts are Error{kUnavailable, "upstream_unavailable"}.
    boost::asio::awaitable<Result<Response>> send(Request request);

    // Closes idle connections (for shutdown, on the client's own thread).
    void close_idle();

  private:
    boost::asio::awaitable<Result<Response>> attempt(
        Request& request, std::unique_ptr<boost::beast::tcp_stream> stream, bool reused);
    boost::asio::any_io_executor executor_;
    ClientOptions options_;
    std::vector<std::unique_ptr<boost::beast::tcp_stream>> idle_;
};

// One Client per I/O thread, for handlers to use from their own thread.
class ClientPool {
  public:
    ClientPool(const std::vector<boost::asio::any_io_executor>& executors,
               const ClientOptions& options);
    Client& local();

  private:
    std::vector<std::unique_ptr<Client>> clients_;
};

}  // namespace bank::http
