#include "bank/log/log.hpp"

#include <poll.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>

namespace bank::log {

namespace {

std::string g_service = "bank";  // written once in init()
std::atomic<int> g_minimum{static_cast<int>(Level::kInfo)};
std::atomic<bool> g_request_logging{true};
std::shared_ptr<spdlog::logger> g_logger;  // written once in init()

std::string_view level_name(Level level) {
    switch (level) {
        case Level::kDebug:
            return "debug";
        case Level::kInfo:
            return "info";
        case Level::kWarn:
            return "warn";
        case Level::kError:
            return "error";
    }
    return "info";
}

// "2026-11-23T23:09:38.123Z". The part up to the seconds is formatted once per second per thread.
std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    thread_local std::time_t cached_second = -1;
    thread_local char cached_text[32] = {};
    thread_local std::size_t cached_length = 0;
    if (seconds != cached_second) {
        std::tm utc{};
        gmtime_r(&seconds, &utc);
        cached_length = std::strftime(cached_text, sizeof cached_text, "%Y-%m-%dT%H:%M:%S", &utc);
        cached_second = seconds;
    }
    std::string result(cached_text, cached_length);
    result += '.';
    result += static_cast<char>('0' + millis / 100);
    result += static_cast<char>('0' + millis / 10 % 10);
    result += static_cast<char>('0' + millis % 10);
    result += 'Z';
    return result;
}

// Lines to standard output, gathered in a buffer and written when it holds kFlushBytes, when
// spdlog flushes (a warning or error, the periodic flush, exit), or after every line when
// standard output is a terminal, where a person is reading.
//
// spdlog's own stdout sink calls fflush after every line: one write(2) per request, made under
// the sink's lock, so the I/O threads queued behind each other on it (futex calls on about a
// sixth of transfers) and behind a write that waited on the filesystem's journal (up to 4 ms
// seen while Redis synced its append-only file on the same disk).
class BufferedStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    BufferedStdoutSink() : interactive_(::isatty(STDOUT_FILENO) == 1) {
        buffer_.reserve(kFlushBytes + kFlushBytes / 4);
    }
    BufferedStdoutSink(const BufferedStdoutSink&) = delete;
    BufferedStdoutSink& operator=(const BufferedStdoutSink&) = delete;
    ~BufferedStdoutSink() override {
        const std::lock_guard<std::mutex> lock(mutex_);
        write_out();
    }

  protected:
    void sink_it_(const spdlog::details::log_msg& message) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(message, formatted);
        buffer_.append(formatted.data(), formatted.size());
        if (interactive_ || buffer_.size() >= kFlushBytes) write_out();
    }
    void flush_() override { write_out(); }

  private:
    static constexpr std::size_t kFlushBytes = 64 * 1024;

    // Whole buffer to file descriptor 1, after anything stdio holds for it, so lines keep their
    // order. A descriptor left non-blocking by whoever gave it to us is waited on for up to
    // kStallMs per try. What cannot be written is dropped (logging must never stop the service),
    // ending with a newline so the next line starts whole.
    void write_out() {
        if (buffer_.empty()) return;
        // The last write stopped inside a line and its newline could not be written either.
        const bool owed = owe_newline_;
        if (owed) buffer_.insert(buffer_.begin(), '\n');
        owe_newline_ = false;
        std::fflush(stdout);
        std::size_t done = 0;
        while (done < buffer_.size()) {
            const ssize_t written =
                ::write(STDOUT_FILENO, buffer_.data() + done, buffer_.size() - done);
            if (written > 0) {
                done += static_cast<std::size_t>(written);
                continue;
            }
            if (written < 0 && errno == EINTR) continue;
            pollfd ready{STDOUT_FILENO, POLLOUT, 0};
            if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
                ::poll(&ready, 1, kStallMs) > 0) {
                continue;
            }
            // Giving up: if the output now ends inside a line, end it before anything else.
            const bool inside_line = done > 0 ? buffer_[done - 1] != '\n' : owed;
            if (inside_line) owe_newline_ = ::write(STDOUT_FILENO, "\n", 1) != 1;
            break;
        }
        buffer_.clear();
    }

    static constexpr int kStallMs = 100;

    const bool interactive_;
    bool owe_newline_ = false;
    std::string buffer_;
};

// A logger named "bank" on a new BufferedStdoutSink, registered with spdlog so that its
// periodic flush reaches it. Warnings and errors are flushed at once, with every line before
// them; request lines wait at most a second. A process that dies without exiting (abort() from
// BANK_CHECK, SIGKILL, the OOM killer) loses what is still buffered, up to a second of request
// lines; BANK_CHECK writes its own message to stderr directly, so the reason is never lost.
std::shared_ptr<spdlog::logger> make_logger() {
    auto made = std::make_shared<spdlog::logger>("bank", std::make_shared<BufferedStdoutSink>());
    made->set_pattern("%v");
    made->flush_on(spdlog::level::warn);
    spdlog::drop("bank");
    spdlog::register_logger(made);
    return made;
}

spdlog::logger& logger() {
    // Tests may log without init(); give them a sink rather than crash.
    if (!g_logger) g_logger = make_logger();
    return *g_logger;
}

}  // namespace

void init(std::string service, Level minimum) {
    g_service = std::move(service);
    g_minimum = static_cast<int>(minimum);
    // A new sink, which looks at standard output now (a test may have redirected it).
    if (g_logger) g_logger->flush();
    g_logger = make_logger();
    spdlog::flush_every(std::chrono::seconds(1));
}

void flush() {
    if (g_logger) g_logger->flush();
}

void set_request_logging(bool enabled) { g_request_logging = enabled; }
bool request_logging() { return g_request_logging; }

std::string format_line(Level level, std::string_view message, const boost::json::object& fields) {
    boost::json::object line;
    line["time"] = timestamp();
    line["level"] = level_name(level);
    line["service"] = g_service;
    line["message"] = message;
    for (const auto& field : fields) line[field.key()] = field.value();
    return boost::json::serialize(line);
}

void write(Level level, std::string_view message, boost::json::object fields) {
    if (static_cast<int>(level) < g_minimum.load(std::memory_order_relaxed)) return;
    // The spdlog level matters only for flushing (warn and above flush at once).
    const auto spdlog_level = level == Level::kError  ? spdlog::level::err
                              : level == Level::kWarn ? spdlog::level::warn
                                                      : spdlog::level::info;
    logger().log(spdlog_level, format_line(level, message, fields));
}

namespace {

// JSON string contents (RFC 8259): quotes, backslashes and control characters escaped, every
// other byte as is, as boost::json::serialize writes them.
void append_json_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out += "\\u00";
                    out.push_back(kHex[static_cast<unsigned char>(c) >> 4U]);
                    out.push_back(kHex[static_cast<unsigned char>(c) & 0xFU]);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

}  // namespace

// The request line is written field by field rather than through a boost::json::object: it is
// the one log line per request, and building and serialising the object (with its own
// timestamp formatting) was an eighth of a transfer's instructions in the transactions service.
std::string format_request_line(const RequestRecord& record) {
    std::string line;
    line.reserve(256);
    line += R"({"time":)";
    append_json_string(line, timestamp());
    line += R"(,"level":"info","service":)";
    append_json_string(line, g_service);
    line += R"(,"message":"request","method":)";
    append_json_string(line, record.method);
    line += R"(,"route":)";
    append_json_string(line, record.route);
    line += R"(,"status":)";
    line += std::to_string(record.status);
    // Milliseconds with microsecond resolution, e.g. 1.234.
    const auto micros = record.latency.count();
    char latency[32];
    const int length =
        std::snprintf(latency, sizeof latency, "%lld.%03lld", static_cast<long long>(micros / 1000),
                      static_cast<long long>(micros % 1000));
    line += R"(,"latency_ms":)";
    line.append(latency, static_cast<std::size_t>(length));
    line += R"(,"request_id":)";
    append_json_string(line, record.request_id);
    if (!record.user_id.empty()) {
        line += R"(,"user_id":)";
        append_json_string(line, record.user_id);
    }
    line += '}';
    return line;
}

void request(const RequestRecord& record) {
    if (!g_request_logging.load(std::memory_order_relaxed)) return;
    if (static_cast<int>(Level::kInfo) < g_minimum.load(std::memory_order_relaxed)) return;
    logger().log(spdlog::level::info, format_request_line(record));
}

}  // namespace bank::log
