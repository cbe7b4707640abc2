// Proves the server end to end on a real socket: routing answers (200, 404, 405 with Allow),
// keep-alive reuse, request-id echo, the 64 KiB body cap (413 before reading), oversized headers
// (431), malformed HTTP (400), a throwing handler (500 problem, server keeps serving), the header
// timeout cutting off a slow client, and graceful shutdown letting a request in flight finish.
#include "bank/http/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include "bank/http/client.hpp"
#include "bank/http/problem.hpp"

namespace bank::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class ServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Router router;
        router.add(Verb::get, "/hello", [](Context&) -> asio::awaitable<Response> {
            co_return json(200, boost::json::object{{"hello", "world"}});
        });
        router.add(Verb::post, "/echo", [](Context& context) -> asio::awaitable<Response> {
            co_return json(200, boost::json::object{{"body", context.request.body()}});
        });
        router.add(Verb::get, "/throw", [](Context&) -> asio::awaitable<Response> {
            throw std::runtime_error("boom");
            co_return Response{};
        });
        router.add(Verb::get, "/slow", [](Context&) -> asio::awaitable<Response> {
            asio::steady_timer timer(co_await asio::this_coro::executor,
                                     std::chrono::milliseconds(300));
            co_await timer.async_wait(asio::use_awaitable);
            co_return json(200, boost::json::object{{"slow", true}});
        });
        ServerOptions options;
        options.header_timeout = std::chrono::milliseconds(300);
        options.idle_timeout = std::chrono::milliseconds(2000);
        server_ = std::make_unique<Server>(io_, options, std::move(router), metrics_);
        auto port = server_->listen();
        ASSERT_TRUE(port.ok());
        port_ = *port;
        server_->start();
        io_.start();
    }
    void TearDown() override {
        if (server_) server_->shutdown(std::chrono::milliseconds(1000));
        io_.force_stop_and_join();
    }

    // Sends one request with a fresh client on its own io_context.
    Result<Response> send(Request request) {
        asio::io_context client_io;
        Client client(client_io.get_executor(), ClientOptions{"127.0.0.1", port_});
        std::optional<Result<Response>> result;
        asio::co_spawn(
            client_io,
            [&]() -> asio::awaitable<void> {
                result.emplace(co_await client.send(std::move(request)));
            },
            asio::detached);
        client_io.run();
        return std::move(*result);
    }

    // Writes raw bytes and reads until the server closes (or 2 s pass).
    std::string raw(const std::string& bytes) {
        asio::io_context client_io;
        tcp::socket socket(client_io);
        socket.connect({asio::ip::make_address("127.0.0.1"), port_});
        asio::write(socket, asio::buffer(bytes));
        std::string out;
        boost::system::error_code error;
        char chunk[4096];
        while (true) {
            const auto n = socket.read_some(asio::buffer(chunk), error);
            if (error) break;
            out.append(chunk, n);
        }
        return out;
    }

    metrics::Registry metrics_{"test"};
    async::IoPool io_{2};
    std::unique_ptr<Server> server_;
    std::uint16_t port_ = 0;
};

Request make_request(Verb verb, std::string target, std::string body = {}) {
    Request request{verb, target, 11};
    request.body() = std::move(body);
    return request;
}

TEST_F(ServerTest, AnswersRoutes) {
    auto response = send(make_request(Verb::get, "/hello"));
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_EQ(boost::json::parse(response->body()).at("hello").as_string(), "world");
    EXPECT_FALSE((*response)["X-Request-Id"].empty());
}

TEST_F(ServerTest, EchoesRequestId) {
    Request request = make_request(Verb::get, "/hello");
    request.set("X-Request-Id", "abc-123");
    auto response = send(std::move(request));
    ASSERT_TRUE(response.ok());
    EXPECT_EQ((*response)["X-Request-Id"], "abc-123");
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowed) {
    auto missing = send(make_request(Verb::get, "/nope"));
    ASSERT_TRUE(missing.ok());
    EXPECT_EQ(missing->result_int(), 404u);
    EXPECT_EQ((*missing)[Field::content_type], "application/problem+json");
    auto wrong = send(make_request(Verb::delete_, "/hello"));
    ASSERT_TRUE(wrong.ok());
    EXPECT_EQ(wrong->result_int(), 405u);
    EXPECT_EQ((*wrong)[Field::allow], "GET");
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
    std::string request = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
    std::string last = "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const std::string out = raw(request + request + last);
    std::size_t count = 0;
    for (auto at = out.find("HTTP/1.1 200"); at != std::string::npos;
         at = out.find("HTTP/1.1 200", at + 1)) {
        ++count;
    }
    EXPECT_EQ(count, 3u);
}

TEST_F(ServerTest, RejectsOversizedBodyBeforeReadingIt) {
    const std::string out = raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out;
    EXPECT_NE(out.find("payload_too_large"), std::string::npos);
}

TEST_F(ServerTest, RejectsOversizedChunkedBody) {
    std::string chunk(65 * 1024, 'x');
    char size[32];
    std::snprintf(size, sizeof size, "%zx", chunk.size());
    const std::string out =
        raw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
            std::string(size) + "\r\n" + chunk + "\r\n0\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out.substr(0, 100);
}

TEST_F(ServerTest, AcceptsBodyAtTheCap) {
    auto response = send(make_request(Verb::post, "/echo", std::string(64 * 1024 - 100, 'a')));
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->result_int(), 200u);
}

TEST_F(ServerTest, RejectsOversizedHeader) {
    const std::string out =
        raw("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out.substr(0, 100);
}

TEST_F(ServerTest, RejectsMalformedHttp) {
    const std::string out = raw("GARBAGE\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerKeepsServing) {
    auto failed = send(make_request(Verb::get, "/throw"));
    ASSERT_TRUE(failed.ok());
    EXPECT_EQ(failed->result_int(), 500u);
    EXPECT_NE(failed->body().find("internal_error"), std::string::npos);
    auto next = send(make_request(Verb::get, "/hello"));
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->result_int(), 200u);
}

TEST_F(ServerTest, SlowHeaderIsCutOff) {
    asio::io_context client_io;
    tcp::socket socket(client_io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port_});
    asio::write(socket, asio::buffer(std::string("GET /hello HTTP/1.1\r\n")));
    const auto started = std::chrono::steady_clock::now();
    char chunk[256];
    boost::system::error_code error;
    socket.read_some(asio::buffer(chunk), error);  // blocks until the server closes
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(error);
    EXPECT_LT(waited, std::chrono::seconds(2));
}

TEST_F(ServerTest, ShutdownLetsInFlightRequestFinish) {
    auto pending =
        std::async(std::launch::async, [this] { return send(make_request(Verb::get, "/slow")); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(server_->shutdown(std::chrono::milliseconds(2000)));
    auto response = pending.get();
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_FALSE(response->keep_alive());
    server_.reset();
}

}  // namespace
}  // namespace bank::http
