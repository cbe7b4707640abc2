// Proves that log lines are single-line JSON objects with the fixed fields and the caller's
// fields, with quotes and newlines in values escaped rather than breaking the line; and that the
// request line, written without building a JSON object, has exactly the shape and values the
// general formatter would give it; and that lines reach standard output in order, request lines
// buffered (not a write per request) until a warning, a flush or a full buffer.
#include "bank/log/log.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace bank::log {
namespace {

TEST(Log, FormatsOneJsonObjectPerLine) {
    init("test-service");
    boost::json::object fields;
    fields["request_id"] = "abc\"\n";
    fields["status"] = 201;
    const std::string line = format_line(Level::kWarn, "hello\nworld", fields);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    const auto parsed = boost::json::parse(line).as_object();
    EXPECT_EQ(parsed.at("service").as_string(), "test-service");
    EXPECT_EQ(parsed.at("level").as_string(), "warn");
    EXPECT_EQ(parsed.at("message").as_string(), "hello\nworld");
    EXPECT_EQ(parsed.at("request_id").as_string(), "abc\"\n");
    EXPECT_EQ(parsed.at("status").as_int64(), 201);
    EXPECT_TRUE(parsed.contains("time"));
}

TEST(Log, RequestLineMatchesTheGeneralFormat) {
    init("test-service");
    const std::string hostile_id = "id\"\\\n\x01\x1f\u00e9";
    const RequestRecord record{"POST",     "/transactions/transfer",
                               201,        std::chrono::microseconds(1234),
                               hostile_id, "user-1"};
    const std::string line = format_request_line(record);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    const auto parsed = boost::json::parse(line).as_object();

    boost::json::object fields;
    fields["method"] = "POST";
    fields["route"] = "/transactions/transfer";
    fields["status"] = 201;
    fields["latency_ms"] = 1.234;
    fields["request_id"] = hostile_id;
    fields["user_id"] = "user-1";
    const auto expected =
        boost::json::parse(format_line(Level::kInfo, "request", fields)).as_object();

    ASSERT_EQ(parsed.size(), expected.size());
    auto got = parsed.begin();
    for (auto want = expected.begin(); want != expected.end(); ++want, ++got) {
        EXPECT_EQ(got->key(), want->key());  // same keys in the same order
        if (want->key() == "time") continue;
        if (want->key() == "latency_ms") {
            EXPECT_DOUBLE_EQ(got->value().to_number<double>(), 1.234);
            continue;
        }
        EXPECT_EQ(got->value(), want->value()) << want->key();
    }
    EXPECT_EQ(parsed.at("request_id").as_string(), hostile_id);
    EXPECT_EQ(parsed.at("time").as_string().size(),
              std::string_view("2026-11-23T23:09:38.123Z").size());
}

TEST(Log, RequestLineLeavesOutAnUnknownUser) {
    init("test-service");
    const RequestRecord record{"GET", "/healthz", 200, std::chrono::microseconds(7), "r-1", ""};
    const auto parsed = boost::json::parse(format_request_line(record)).as_object();
    EXPECT_FALSE(parsed.contains("user_id"));
    EXPECT_DOUBLE_EQ(parsed.at("latency_ms").to_number<double>(), 0.007);
    EXPECT_EQ(parsed.at("status").as_int64(), 200);
}

// Standard output sent to a temporary file for the life of the object (and log::init() run
// then, so its sink sees a file, not the terminal the test may run in); restored after.
class CapturedStdout {
  public:
    CapturedStdout() {
        char name[] = "/tmp/bank-log-test-XXXXXX";
        const int fd = ::mkstemp(name);
        EXPECT_GE(fd, 0);
        path_ = name;
        flush();  // lines of earlier tests go where they belong, not into this file
        std::fflush(stdout);
        saved_ = ::dup(STDOUT_FILENO);
        EXPECT_EQ(::dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
        ::close(fd);
        init("capture-test");
    }
    CapturedStdout(const CapturedStdout&) = delete;
    CapturedStdout& operator=(const CapturedStdout&) = delete;
    ~CapturedStdout() {
        flush();
        std::fflush(stdout);
        ::dup2(saved_, STDOUT_FILENO);
        ::close(saved_);
        init("test-service");
        ::unlink(path_.c_str());
    }
    [[nodiscard]] std::vector<std::string> lines() const {
        std::ifstream in(path_);
        std::vector<std::string> result;
        for (std::string line; std::getline(in, line);) result.push_back(line);
        return result;
    }

  private:
    std::string path_;
    int saved_ = -1;
};

std::string message_of(const std::string& line) {
    return std::string(boost::json::parse(line).as_object().at("message").as_string());
}

TEST(Log, RequestLinesAreBufferedUntilAWarning) {
    const CapturedStdout captured;
    request({"GET", "/a", 200, std::chrono::microseconds(5), "first", ""});
    request({"GET", "/b", 200, std::chrono::microseconds(5), "second", ""});
    EXPECT_TRUE(captured.lines().empty()) << "request lines were written one by one";
    warn("something to look at");
    const auto lines = captured.lines();
    ASSERT_EQ(lines.size(), 3U);
    EXPECT_NE(lines[0].find(R"("request_id":"first")"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find(R"("request_id":"second")"), std::string::npos) << lines[1];
    EXPECT_EQ(message_of(lines[2]), "something to look at");
}

TEST(Log, FlushWritesWhatIsBuffered) {
    const CapturedStdout captured;
    info("starting");
    request({"POST", "/c", 201, std::chrono::microseconds(5), "third", "u1"});
    EXPECT_TRUE(captured.lines().empty());
    flush();
    const auto lines = captured.lines();
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(message_of(lines[0]), "starting");
    EXPECT_NE(lines[1].find(R"("user_id":"u1")"), std::string::npos) << lines[1];
}

TEST(Log, AFullBufferIsWrittenWithoutAFlush) {
    const CapturedStdout captured;
    // Far more than the buffer holds (64 KiB): most of it must be out before any flush, and
    // every line whole.
    const std::string id(100, 'x');
    constexpr int kLines = 2000;
    for (int i = 0; i < kLines; ++i) {
        request({"GET", "/d", 200, std::chrono::microseconds(i), id, ""});
    }
    const auto before_flush = captured.lines();
    EXPECT_GT(before_flush.size(), static_cast<std::size_t>(kLines / 2));
    EXPECT_LT(before_flush.size(), static_cast<std::size_t>(kLines));
    flush();
    const auto lines = captured.lines();
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(kLines));
    for (const auto& line : lines) EXPECT_EQ(message_of(line), "request");
}

// Standard output as a non-blocking pipe that nobody reads: a full pipe must not stop the
// service for more than a moment per write; lines are dropped, a line cut where the pipe filled
// is ended with a newline (now or before the next write), so the lines after it start whole.
TEST(Log, AFullNonBlockingPipeDropsLinesAndTheNextLineStartsWhole) {
    int ends[2];
    ASSERT_EQ(::pipe2(ends, O_NONBLOCK), 0);
    ASSERT_GE(::fcntl(ends[1], F_SETPIPE_SZ, 4096), 0);
    flush();
    std::fflush(stdout);
    const int saved = ::dup(STDOUT_FILENO);
    ASSERT_EQ(::dup2(ends[1], STDOUT_FILENO), STDOUT_FILENO);
    ::close(ends[1]);
    init("pipe-test");
    const std::string id(100, 'y');
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; ++i) {
        request({"GET", "/e", 200, std::chrono::microseconds(i), id, ""});
    }
    flush();
    const auto took = std::chrono::steady_clock::now() - started;
    // Drain what got through, then log once more: the owed newline (if any) comes first.
    std::string received;
    auto drain = [&] {
        char chunk[4096];
        for (ssize_t n; (n = ::read(ends[0], chunk, sizeof chunk)) > 0;) {
            received.append(chunk, static_cast<std::size_t>(n));
        }
    };
    drain();
    info("after the stall");
    flush();
    drain();
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
    ::close(ends[0]);
    init("test-service");

    EXPECT_LT(took, std::chrono::seconds(5)) << "the writes waited on the full pipe too long";
    std::istringstream lines(received);
    int whole = 0;
    int cut = 0;
    bool saw_last = false;
    for (std::string line; std::getline(lines, line);) {
        boost::system::error_code error;
        const auto parsed = boost::json::parse(line, error);
        if (error) {
            // Only the line the pipe filled in, and only its start.
            EXPECT_EQ(line.rfind(R"({"time":)", 0), 0U) << line;
            ++cut;
            continue;
        }
        saw_last = parsed.as_object().at("message").as_string() == "after the stall";
        ++whole;
    }
    EXPECT_LE(cut, 1);
    EXPECT_LT(whole, 1000) << "the pipe holds 4 KiB; most lines must have been dropped";
    EXPECT_TRUE(saw_last) << "the line after the stall arrived whole";
}

}  // namespace
}  // namespace bank::log
