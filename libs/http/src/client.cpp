#include "bank/http/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "bank/async/io_pool.hpp"
#include "bank/core/check.hpp"

namespace bank::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {
Error unavailable(const std::string& what) {
    return make_error(ErrorCode::kUnavailable, "upstream_unavailable", what);
}
}  // namespace

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {}

Client::~Client() = default;

void Client::close_idle() { idle_.clear(); }

asio::awaitable<Result<Response>> Client::send(Request request) {
    request.set(Field::host, options_.host + ":" + std::to_string(options_.port));
    request.keep_alive(true);
    request.prepare_payload();
    if (!idle_.empty()) {
        auto stream = std::move(idle_.back());
        idle_.pop_back();
        auto result = co_await attempt(request, std::move(stream), true);
        if (result.ok() || result.error().slug != "stale_connection") co_return result;
        // The server closed a kept-alive connection before reading our request (its idle
        // timeout): nothing was processed, so one retry on a fresh connection is safe.
    }
    co_return co_await attempt(request, nullptr, false);
}

asio::awaitable<Result<Response>> Client::attempt(Request& request,
                                                  std::unique_ptr<beast::tcp_stream> stream,
                                                  bool reused) {
    if (!stream) {
        stream = std::make_unique<beast::tcp_stream>(executor_);
        tcp::resolver resolver(executor_);
        stream->expires_after(options_.timeout);
        const std::string service = std::to_string(options_.port);
        auto [resolve_error, endpoints] =
            co_await resolver.async_resolve(options_.host, service, kTuple);
        if (resolve_error) co_return unavailable("cannot resolve " + options_.host);
        auto [connect_error, endpoint] = co_await stream->async_connect(endpoints, kTuple);
        if (connect_error) {
            co_return unavailable("cannot connect to " + options_.host + ": " +
                                  connect_error.message());
        }
        boost::system::error_code ignored;
        stream->socket().set_option(tcp::no_delay(true), ignored);
    }
    stream->expires_after(options_.timeout);
    auto [write_error, written] = co_await beast::http::async_write(*stream, request, kTuple);
    if (write_error) {
        if (reused) co_return make_error(ErrorCode::kUnavailable, "stale_connection", "");
        co_return unavailable("write failed: " + write_error.message());
    }
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    auto [read_error, read] = co_await beast::http::async_read(*stream, buffer, parser, kTuple);
    if (read_error) {
        if (reused && buffer.size() == 0 &&
            (read_error == beast::http::error::end_of_stream ||
             read_error == asio::error::connection_reset)) {
            co_return make_error(ErrorCode::kUnavailable, "stale_connection", "");
        }
        if (read_error == beast::error::timeout) co_return unavailable("upstream timed out");
        co_return unavailable("read failed: " + read_error.message());
    }
    Response response = parser.release();
    if (response.keep_alive() && idle_.size() < options_.max_idle_connections) {
        stream->expires_never();
        idle_.push_back(std::move(stream));
    }
    co_return response;
}

ClientPool::ClientPool(const std::vector<asio::any_io_executor>& executors,
                       const ClientOptions& options) {
    for (const auto& executor : executors) {
        clients_.push_back(std::make_unique<Client>(executor, options));
    }
}

Client& ClientPool::local() {
    const int index = async::this_thread_index();
    BANK_CHECK(index >= 0 && static_cast<std::size_t>(index) < clients_.size(),
               "ClientPool::local() called off an I/O thread");
    return *clients_[static_cast<std::size_t>(index)];
}

}  // namespace bank::http
