#pragma once
// HTTP/1.1 server on Beast: connections are spread round-robin over the IoPool's threads and each
// is served by one coroutine on its thread. Every wait has a bound: the idle keep-alive wait,
// reading the header, reading the body and writing the answer each have their own timeout, and
// header and body sizes are capped (a body over the cap is a 413 before it is read).

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "bank/async/io_pool.hpp"
#include "bank/core/result.hpp"
#include "bank/http/message.hpp"
#include "bank/http/router.hpp"
#include "bank/metrics/registry.hpp"

namespace bank::http {

struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port (tests)
    std::size_t max_body_bytes = 64 * 1024;
    std::uint32_t max_header_bytes = 16 * 1024;
    std::size_t max_connections = 4096;
    std::chrono::milliseconds idle_timeout{30'000};
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{10'000};
    std::chrono::milliseconds write_timeout{10'000};
};

class Server {
  public:
    Server(async::IoPool& io, ServerOptions options, Router router, metrics::Registry& metrics);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens; returns the bound port (useful with port 0).
    [[nodiscard]] Result<std::uint16_t> listen();
    // Starts accepting on the IoPool's first thread.
    void start();
    // Stops accepting, closes idle keep-alive connections, lets requests in flight finish and
    // answer with Connection: close, and returns when none is left or `grace` has passed.
    // Returns true when everything drained in time. Call from outside the I/O threads.
    bool shutdown(std::chrono::milliseconds grace);

    [[nodiscard]] std::int64_t in_flight() const { return in_flight_.load(); }
    [[nodiscard]] const Router& router() const { return router_; }

  private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);

    async::IoPool& io_;
    ServerOptions options_;
    Router router_;
    metrics::Registry& metrics_;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::int64_t> in_flight_{0};
    // Shared with every session: a session suspended at shutdown is destroyed with its
    // io_context, after the Server may be gone, and its destructor still counts itself out.
    std::shared_ptr<std::atomic<std::int64_t>> connections_ =
        std::make_shared<std::atomic<std::int64_t>>(0);
    // Streams waiting idle for their next request, per I/O thread; each set is touched only by
    // its own thread, so shutdown posts the close to that thread.
    std::vector<std::unordered_set<boost::beast::tcp_stream*>> idle_streams_;
};

// A request id from the client's X-Request-Id when it is sane (1-128 visible ASCII characters),
// otherwise a fresh random one.
[[nodiscard]] std::string request_id_for(const Request& request);

// The steps of a session that need no socket. The session runs them around its reads and its
// write; the fuzz target (fuzz/http_request_fuzzer.cpp) runs them on bytes from memory, so it
// tests exactly what the server does with a request.
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// A parser for one request, with the header and body caps of `options`.
void limit_parser(RequestParser& parser, const ServerOptions& options);

// What a failed read means: read on (neither member set), close quietly (the client left, or a
// timeout or shutdown cut the read short), or send `refusal` and close.
struct ReadVerdict {
    bool close = false;
    std::optional<Response> refusal;
};
// After reading the header: 431, 413 (a declared Content-Length over the cap), 400 or close.
[[nodiscard]] ReadVerdict judge_header_read(const boost::system::error_code& error,
                                            const RequestParser& parser,
                                            const ServerOptions& options);
// After reading the body: 413, 400 or close.
[[nodiscard]] ReadVerdict judge_body_read(const boost::system::error_code& error,
                                          const ServerOptions& options);

// Routes a request that was read whole and runs its handler: 400 for a target that is not an
// absolute path, 404 and 405 from the router, 500 problem JSON when the handler throws.
// `route_name` is set to the label for metrics and the request log.
[[nodiscard]] boost::asio::awaitable<Response> dispatch(const Router& router, Request& request,
                                                        Context& context, std::string& route_name);

}  // namespace bank::http
