#include "bank/http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>
#include <future>
#include <random>
#include <thread>

#include "bank/core/check.hpp"
#include "bank/http/form.hpp"
#include "bank/http/problem.hpp"
#include "bank/log/log.hpp"

namespace bank::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

std::string random_request_id() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(32, '0');
    std::uint64_t high = generator();
    std::uint64_t low = generator();
    for (std::size_t i = 0; i < 16; ++i) {
        id[i] = kHex[(high >> (i * 4)) & 0xF];
        id[16 + i] = kHex[(low >> (i * 4)) & 0xF];
    }
    return id;
}

// An answer for requests the server refuses before any route sees them.
Response early_problem(ErrorCode code, std::string slug, std::string detail) {
    Response response = problem(make_error(code, std::move(slug), std::move(detail)));
    response.keep_alive(false);
    return response;
}

Response payload_too_large(const ServerOptions& options) {
    return early_problem(
        ErrorCode::kPayloadTooLarge, "payload_too_large",
        "The request body is larger than " + std::to_string(options.max_body_bytes) + " bytes");
}

}  // namespace

std::string request_id_for(const Request& request) {
    const std::string_view given = request["X-Request-Id"];
    if (!given.empty() && given.size() <= 128) {
        bool sane = true;
        for (char c : given) sane = sane && c > 0x20 && c < 0x7F;
        if (sane) return std::string(given);
    }
    return random_request_id();
}

Server::Server(async::IoPool& io, ServerOptions options, Router router, metrics::Registry& metrics)
    : io_(io),
      options_(std::move(options)),
      router_(std::move(router)),
      metrics_(metrics),
      idle_streams_(io.size()) {}

Server::~Server() = default;

Result<std::uint16_t> Server::listen() {
    boost::system::error_code error;
    const auto address = asio::ip::make_address(options_.address, error);
    if (error) {
        return make_error(ErrorCode::kInvalidArgument, "bad_address",
                          "listen address '" + options_.address + "' is not an IP address");
    }
    const tcp::endpoint endpoint{address, options_.port};
    acceptor_ = std::make_unique<tcp::acceptor>(io_.context(0));
    acceptor_->open(endpoint.protocol(), error);
    if (!error) acceptor_->set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor_->bind(endpoint, error);
    if (!error) acceptor_->listen(asio::socket_base::max_listen_connections, error);
    if (error) {
        return make_error(ErrorCode::kUnavailable, "listen_failed",
                          "cannot listen on " + options_.address + ":" +
                              std::to_string(options_.port) + ": " + error.message());
    }
    return acceptor_->local_endpoint().port();
}

void Server::start() {
    BANK_CHECK(acceptor_ != nullptr, "Server::start before listen");
    asio::co_spawn(io_.context(0), accept_loop(), asio::detached);
}

asio::awaitable<void> Server::accept_loop() {
    while (!stopping_) {
        auto [error, socket] = co_await acceptor_->async_accept(io_.next_executor(), kTuple);
        if (stopping_) break;
        if (error) {
            if (error == asio::error::operation_aborted) break;
            // Out of file descriptors and the like: back off briefly instead of spinning.
            log::warn("accept failed", {{"error", error.message()}});
            asio::steady_timer pause(co_await asio::this_coro::executor,
                                     std::chrono::milliseconds(50));
            co_await pause.async_wait(kTuple);
            continue;
        }
        if (connections_->load() >= static_cast<std::int64_t>(options_.max_connections)) {
            // Over the connection cap the cheapest honest answer is to close at once; the
            // gateway in front retries on another connection.
            boost::system::error_code ignored;
            socket.close(ignored);
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto executor = socket.get_executor();
        asio::co_spawn(executor, session(std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> Server::session(tcp::socket socket) {
    connections_->fetch_add(1);
    struct ConnectionCount {
        std::shared_ptr<std::atomic<std::int64_t>> count;
        ~ConnectionCount() { count->fetch_sub(1); }
    } connection_count{connections_};

    const int thread = async::this_thread_index();
    BANK_CHECK(thread >= 0, "sessions run on IoPool threads");
    auto& idle = idle_streams_[static_cast<std::size_t>(thread)];

    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    while (!stopping_) {
        if (buffer.size() == 0) {
            // Waiting for the next request on a kept-alive connection: the idle timeout.
            stream.expires_after(options_.idle_timeout);
            idle.insert(&stream);
            auto [error, bytes] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
            idle.erase(&stream);
            if (error) break;
            buffer.commit(bytes);
        }

        RequestParser parser;
        limit_parser(parser, options_);

        // The header must arrive whole within header_timeout: a client trickling bytes
        // (slowloris) is cut off then, whatever its pace.
        stream.expires_after(options_.header_timeout);
        auto [header_error, header_bytes] =
            co_await beast::http::async_read_header(stream, buffer, parser, kTuple);
        ReadVerdict verdict = judge_header_read(header_error, parser, options_);
        if (verdict.close) break;

        if (!verdict.refusal) {
            if (beast::iequals(parser.get()[Field::expect], "100-continue")) {
                // curl sends Expect for bodies over 1 KiB and waits for this before sending.
                beast::http::response<beast::http::empty_body> proceed{
                    beast::http::status::continue_, 11};
                stream.expires_after(options_.write_timeout);
                auto [continue_error, continue_bytes] =
                    co_await beast::http::async_write(stream, proceed, kTuple);
                if (continue_error) break;
            }
            stream.expires_after(options_.body_timeout);
            auto [body_error, body_bytes] =
                co_await beast::http::async_read(stream, buffer, parser, kTuple);
            verdict = judge_body_read(body_error, options_);
            if (verdict.close) break;
        }
        std::optional<Response>& refusal = verdict.refusal;

        const auto started = std::chrono::steady_clock::now();
        Response response;
        std::string route_name = "(refused)";
        Request request;
        std::optional<Context> context;
        in_flight_.fetch_add(1);
        metrics_.add_in_flight(1);
        if (refusal) {
            response = std::move(*refusal);
            response.set("X-Request-Id", random_request_id());
        } else {
            request = parser.release();
            context.emplace(Context{request, {}, {}, request_id_for(request), {}, {}});
            response = co_await dispatch(router_, request, *context, route_name);
            response.set("X-Request-Id", context->request_id);
            response.keep_alive(request.keep_alive() && response.keep_alive() && !stopping_);
        }
        if (stopping_) response.keep_alive(false);
        response.prepare_payload();

        stream.expires_after(options_.write_timeout);
        auto [write_error, written] = co_await beast::http::async_write(stream, response, kTuple);
        const auto latency = std::chrono::steady_clock::now() - started;
        in_flight_.fetch_sub(1);
        metrics_.add_in_flight(-1);
        // Methods Beast does not know are one label: a client inventing verbs must not grow
        // the metrics table.
        const std::string_view method = refusal ? std::string_view("-")
                                        : request.method() == beast::http::verb::unknown
                                            ? std::string_view("OTHER")
                                            : std::string_view(request.method_string());
        metrics_.observe_request(route_name, method, response.result_int(), latency);
        log::request({method, route_name, response.result_int(),
                      std::chrono::duration_cast<std::chrono::microseconds>(latency),
                      context ? std::string_view(context->request_id) : std::string_view("-"),
                      context ? std::string_view(context->user_id) : std::string_view()});
        if (write_error || !response.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
}

void limit_parser(RequestParser& parser, const ServerOptions& options) {
    parser.header_limit(options.max_header_bytes);
    parser.body_limit(options.max_body_bytes);
}

ReadVerdict judge_header_read(const boost::system::error_code& error, const RequestParser& parser,
                              const ServerOptions& options) {
    ReadVerdict verdict;
    if (error == beast::http::error::header_limit) {
        verdict.refusal = early_problem(ErrorCode::kHeaderTooLarge, "header_too_large",
                                        "The request header is too large");
    } else if (error == beast::http::error::body_limit) {
        // Beast checks Content-Length against the body limit while reading the header.
        verdict.refusal = payload_too_large(options);
    } else if (error == beast::http::error::end_of_stream || error == beast::error::timeout ||
               error == asio::error::operation_aborted) {
        verdict.close = true;
    } else if (error) {
        verdict.refusal = early_problem(ErrorCode::kInvalidArgument, "bad_request",
                                        "The request is not valid HTTP/1.1");
    } else if (parser.content_length() && *parser.content_length() > options.max_body_bytes) {
        verdict.refusal = payload_too_large(options);
    }
    return verdict;
}

ReadVerdict judge_body_read(const boost::system::error_code& error, const ServerOptions& options) {
    ReadVerdict verdict;
    if (error == beast::http::error::body_limit) {
        verdict.refusal = payload_too_large(options);
    } else if (error == beast::error::timeout || error == beast::http::error::end_of_stream ||
               error == asio::error::operation_aborted) {
        verdict.close = true;
    } else if (error) {
        verdict.refusal = early_problem(ErrorCode::kInvalidArgument, "bad_request",
                                        "The request body is not valid HTTP/1.1");
    }
    return verdict;
}

asio::awaitable<Response> dispatch(const Router& router, Request& request, Context& context,
                                   std::string& route_name) {
    const std::string_view target = request.target();
    if (target.empty() || target.front() != '/') {
        route_name = "(bad target)";
        co_return problem(make_error(ErrorCode::kInvalidArgument, "bad_request",
                                     "The request target must be an absolute path"),
                          context.request_id);
    }
    const auto question = target.find('?');
    context.path = target.substr(0, question);
    context.query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    Match match = router.match(request.method(), context.path);
    if (match.kind == Match::Kind::kNotFound) {
        route_name = "(unmatched)";
        co_return problem(make_error(ErrorCode::kNotFound, "not_found",
                                     "No resource at " + std::string(context.path)),
                          context.request_id);
    }
    if (match.kind == Match::Kind::kMethodNotAllowed) {
        route_name = "(unmatched)";
        Response response = problem(make_error(ErrorCode::kMethodNotAllowed, "method_not_allowed",
                                               std::string(request.method_string()) +
                                                   " is not allowed here; use " + match.allow),
                                    context.request_id);
        response.set(Field::allow, match.allow);
        co_return response;
    }
    route_name = match.route->pattern;
    for (auto& [name, value] : match.params) {
        auto decoded = percent_decode(value, false);
        if (!decoded.ok()) {
            co_return problem(make_error(ErrorCode::kNotFound, "not_found",
                                         "No resource at " + std::string(context.path)),
                              context.request_id);
        }
        value = std::move(*decoded);
    }
    context.params = std::move(match.params);

    // The one catch on the request path: third-party code may throw; the process keeps serving
    // and the client gets problem JSON that names the request id found in the log.
    try {
        co_return co_await match.route->handler(context);
    } catch (const std::exception& exception) {
        log::error("unhandled exception", {{"request_id", context.request_id},
                                           {"route", route_name},
                                           {"error", exception.what()}});
    } catch (...) {
        log::error("unhandled exception",
                   {{"request_id", context.request_id}, {"route", route_name}});
    }
    co_return problem(make_error(ErrorCode::kInternal, "internal_error",
                                 "An unexpected error occurred; quote the request id"),
                      context.request_id);
}

bool Server::shutdown(std::chrono::milliseconds grace) {
    stopping_ = true;
    if (acceptor_) {
        // Shared: if the wait below times out, the posted close may still run later.
        auto closed = std::make_shared<std::promise<void>>();
        asio::post(io_.context(0), [this, closed] {
            boost::system::error_code ignored;
            acceptor_->close(ignored);
            closed->set_value();
        });
        closed->get_future().wait_for(grace);
    }
    // Wake idle keep-alive connections so they close now instead of at their idle timeout.
    for (std::size_t i = 0; i < io_.size(); ++i) {
        asio::post(io_.context(i), [this, i] {
            for (auto* stream : idle_streams_[i]) stream->cancel();
        });
    }
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (in_flight_.load() == 0 && connections_->load() == 0) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return in_flight_.load() == 0;
}

}  // namespace bank::http
