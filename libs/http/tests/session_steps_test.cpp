// Proves the socket-free steps of a session (server.hpp), which the server and the fuzz target
// share: the parser gets the configured header and body caps; a read error becomes 431, 413 or
// 400 problem JSON that closes the connection, or a quiet close when the client left or a
// timeout or shutdown cut the read; a declared Content-Length over the cap is refused before the
// body is read; and dispatch answers 400 for a target that is not an absolute path, 404 for an
// undecodable path parameter, 500 problem JSON for a throwing handler, and the handler's answer
// (with the route pattern as its name) otherwise.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json/parse.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "bank/http/problem.hpp"
#include "bank/http/server.hpp"

namespace bank::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

ServerOptions small_options() {
    ServerOptions options;
    options.max_body_bytes = 16;
    options.max_header_bytes = 256;
    return options;
}

// Feeds `bytes` to the parser as one buffer, as a read would, and returns the parser's error.
boost::system::error_code put(RequestParser& parser, std::string_view bytes) {
    boost::system::error_code error;
    parser.put(asio::buffer(bytes.data(), bytes.size()), error);
    return error;
}

std::string problem_code(const Response& response) {
    return std::string(boost::json::parse(response.body()).as_object().at("code").as_string());
}

TEST(LimitParser, HeaderOverTheCapIs431) {
    const ServerOptions options = small_options();
    RequestParser parser;
    limit_parser(parser, options);
    const std::string request = "GET / HTTP/1.1\r\nX-Long: " + std::string(300, 'a') + "\r\n\r\n";
    const auto error = put(parser, request);
    EXPECT_EQ(error, beast::http::error::header_limit);
    const ReadVerdict verdict = judge_header_read(error, parser, options);
    EXPECT_FALSE(verdict.close);
    ASSERT_TRUE(verdict.refusal.has_value());
    EXPECT_EQ(verdict.refusal->result_int(), 431u);
    EXPECT_FALSE(verdict.refusal->keep_alive());
    EXPECT_EQ(problem_code(*verdict.refusal), "header_too_large");
    // Found by fuzzing (fuzz/regressions/http_request/header_too_large_status): the body said
    // 400 while the answer was 431.
    EXPECT_EQ(boost::json::parse(verdict.refusal->body()).as_object().at("status").as_int64(), 431);
}

TEST(LimitParser, DeclaredBodyOverTheCapIs413BeforeTheBody) {
    const ServerOptions options = small_options();
    RequestParser parser;
    limit_parser(parser, options);
    const auto error = put(parser, "POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n");
    EXPECT_EQ(error, beast::http::error::body_limit);
    const ReadVerdict verdict = judge_header_read(error, parser, options);
    ASSERT_TRUE(verdict.refusal.has_value());
    EXPECT_EQ(verdict.refusal->result_int(), 413u);
    EXPECT_EQ(problem_code(*verdict.refusal), "payload_too_large");
}

TEST(JudgeHeaderRead, ContentLengthOverTheCapIs413EvenIfTheParserAllowedIt) {
    const ServerOptions options = small_options();
    RequestParser parser;  // Beast's own, larger body limit
    const auto error = put(parser, "POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n");
    ASSERT_FALSE(error);
    const ReadVerdict verdict = judge_header_read(error, parser, options);
    ASSERT_TRUE(verdict.refusal.has_value());
    EXPECT_EQ(verdict.refusal->result_int(), 413u);
}

TEST(JudgeHeaderRead, AWholeHeaderWithinTheCapsReadsOn) {
    const ServerOptions options = small_options();
    RequestParser parser;
    limit_parser(parser, options);
    const auto error = put(parser, "POST / HTTP/1.1\r\nContent-Length: 16\r\n\r\n");
    ASSERT_FALSE(error);
    const ReadVerdict verdict = judge_header_read(error, parser, options);
    EXPECT_FALSE(verdict.close);
    EXPECT_FALSE(verdict.refusal.has_value());
}

TEST(JudgeHeaderRead, MalformedHttpIs400) {
    const ServerOptions options = small_options();
    RequestParser parser;
    limit_parser(parser, options);
    const auto error = put(parser, "GET / HTTP/1.1\r\nHost\r\n\r\n");
    ASSERT_TRUE(error);
    const ReadVerdict verdict = judge_header_read(error, parser, options);
    ASSERT_TRUE(verdict.refusal.has_value());
    EXPECT_EQ(verdict.refusal->result_int(), 400u);
    EXPECT_EQ(problem_code(*verdict.refusal), "bad_request");
}

TEST(JudgeHeaderRead, ClientGoneTimeoutOrShutdownClosesQuietly) {
    const ServerOptions options = small_options();
    const RequestParser parser;
    for (const boost::system::error_code error :
         {boost::system::error_code(beast::http::error::end_of_stream),
          boost::system::error_code(beast::error::timeout),
          boost::system::error_code(asio::error::operation_aborted)}) {
        const ReadVerdict verdict = judge_header_read(error, parser, options);
        EXPECT_TRUE(verdict.close) << error.message();
        EXPECT_FALSE(verdict.refusal.has_value()) << error.message();
    }
}

TEST(JudgeBodyRead, MapsEveryOutcome) {
    const ServerOptions options = small_options();
    const ReadVerdict too_large =
        judge_body_read(beast::http::error::body_limit, options);  // chunked, over the cap
    ASSERT_TRUE(too_large.refusal.has_value());
    EXPECT_EQ(too_large.refusal->result_int(), 413u);

    const ReadVerdict broken = judge_body_read(beast::http::error::bad_chunk, options);
    ASSERT_TRUE(broken.refusal.has_value());
    EXPECT_EQ(broken.refusal->result_int(), 400u);

    for (const boost::system::error_code error :
         {boost::system::error_code(beast::http::error::end_of_stream),
          boost::system::error_code(beast::error::timeout),
          boost::system::error_code(asio::error::operation_aborted)}) {
        EXPECT_TRUE(judge_body_read(error, options).close) << error.message();
    }

    const ReadVerdict whole = judge_body_read({}, options);
    EXPECT_FALSE(whole.close);
    EXPECT_FALSE(whole.refusal.has_value());
}

class DispatchTest : public ::testing::Test {
  protected:
    DispatchTest() {
        router_.add(Verb::get, "/items/{id}", [](Context& context) -> asio::awaitable<Response> {
            co_return json(200, boost::json::object{{"id", context.param("id")}});
        });
        router_.add(Verb::get, "/throw", [](Context&) -> asio::awaitable<Response> {
            throw std::runtime_error("boom");
            co_return Response{};
        });
    }

    Response run(Verb method, std::string_view target) {
        Request request{method, target, 11};
        Context context{request, {}, {}, "request-1", {}, {}};
        asio::io_context io;
        auto answer =
            asio::co_spawn(io, dispatch(router_, request, context, route_name_), asio::use_future);
        io.run();
        return answer.get();
    }

    Router router_;
    std::string route_name_;
};

TEST_F(DispatchTest, RunsTheMatchingHandlerWithDecodedParameters) {
    const Response response = run(Verb::get, "/items/a%2Fb?x=1");
    EXPECT_EQ(response.result_int(), 200u);
    EXPECT_EQ(boost::json::parse(response.body()).as_object().at("id").as_string(), "a/b");
    EXPECT_EQ(route_name_, "/items/{id}");
}

TEST_F(DispatchTest, TargetThatIsNotAnAbsolutePathIs400) {
    const Response response = run(Verb::options, "*");
    EXPECT_EQ(response.result_int(), 400u);
    EXPECT_EQ(route_name_, "(bad target)");
}

TEST_F(DispatchTest, UndecodableParameterIs404) {
    const Response response = run(Verb::get, "/items/%zz");
    EXPECT_EQ(response.result_int(), 404u);
    EXPECT_EQ(problem_code(response), "not_found");
}

TEST_F(DispatchTest, UnknownPathIs404AndOtherMethodIs405) {
    EXPECT_EQ(run(Verb::get, "/nowhere").result_int(), 404u);
    EXPECT_EQ(route_name_, "(unmatched)");
    const Response response = run(Verb::post, "/items/1");
    EXPECT_EQ(response.result_int(), 405u);
    EXPECT_EQ(response[Field::allow], "GET");
}

TEST_F(DispatchTest, ThrowingHandlerIs500ProblemJson) {
    const Response response = run(Verb::get, "/throw");
    EXPECT_EQ(response.result_int(), 500u);
    EXPECT_EQ(problem_code(response), "internal_error");
    EXPECT_EQ(route_name_, "/throw");
}

}  // namespace
}  // namespace bank::http
