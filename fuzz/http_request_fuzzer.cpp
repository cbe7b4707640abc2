// The HTTP request path: the input is what a client sends on one connection. It is read the way
// a session reads it (Beast's request parser with the server's header and body caps, then the
// server's verdict on each read) from a stream in memory that hands out at most 512 bytes per
// read and then reports the client's end of stream; each request read whole goes through the
// server's dispatch to the real handlers of all three services (see bank_services.hpp), and
// keep-alive requests follow each other as on a connection, up to 8. "@token@" and friends in
// the input become valid credentials. Every answer, refusals included, must pass
// check_response: never a 500, no CR/LF in headers, JSON that parses, a message that serialises.
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/system/system_error.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bank/http/server.hpp"
#include "bank_services.hpp"

namespace {

namespace beast = boost::beast;

// A SyncReadStream over the input: what a client wrote, then its end of stream.
class InputStream {
  public:
    explicit InputStream(std::string_view input) : rest_(input) {}

    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& error) {
        if (rest_.empty()) {
            error = boost::asio::error::eof;
            return 0;
        }
        error = {};
        const std::size_t size = std::min(rest_.size(), kMaxReadBytes);
        const std::size_t copied =
            boost::asio::buffer_copy(buffers, boost::asio::buffer(rest_.data(), size));
        rest_.remove_prefix(copied);
        return copied;
    }

    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers) {
        boost::system::error_code error;
        const std::size_t copied = read_some(buffers, error);
        if (error) throw boost::system::system_error(error);
        return copied;
    }

  private:
    static constexpr std::size_t kMaxReadBytes = 512;
    std::string_view rest_;
};

// Small caps, so inputs of fuzzing size reach them; the services run with 64 KiB and 16 KiB.
bank::http::ServerOptions fuzz_options() {
    bank::http::ServerOptions options;
    options.max_body_bytes = 1024;
    options.max_header_bytes = 2048;
    return options;
}

constexpr int kMaxRequestsPerConnection = 8;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bank::http::ServerOptions options = fuzz_options();
    const std::string input =
        bank::fuzz::expand_placeholders({reinterpret_cast<const char*>(data), size});
    bank::fuzz::Services services;
    InputStream stream(input);
    beast::flat_buffer buffer;
    for (int i = 0; i < kMaxRequestsPerConnection; ++i) {
        bank::http::RequestParser parser;
        bank::http::limit_parser(parser, options);
        boost::system::error_code header_error;
        beast::http::read_header(stream, buffer, parser, header_error);
        bank::http::ReadVerdict verdict =
            bank::http::judge_header_read(header_error, parser, options);
        if (verdict.close) break;
        if (!verdict.refusal) {
            boost::system::error_code body_error;
            beast::http::read(stream, buffer, parser, body_error);
            verdict = bank::http::judge_body_read(body_error, options);
            if (verdict.close) break;
        }
        if (verdict.refusal) {
            verdict.refusal->prepare_payload();
            bank::fuzz::check_response(*verdict.refusal);
            break;  // a refusal closes the connection
        }
        bank::http::Request request = parser.release();
        const bank::http::Response response = services.handle(request);
        if (!request.keep_alive() || !response.keep_alive()) break;
    }
    return 0;
}
