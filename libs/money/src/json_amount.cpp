#include "bank/money/json_amount.hpp"

#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "bank/money/parse_amount.hpp"

namespace bank::money {
namespace {

using boost::json::error_code;

// The parser reports a value as a sequence of SAX events. This handler watches for `key` among
// the members of the top-level object and copies the text of its value into a fixed buffer, so
// reading the amount allocates nothing until the result string is built. Every event returns
// true: the handler never aborts the parse, because a malformed document must be reported as
// such even when the amount was already seen to be wrong, and malformed outranks invalid.
class AmountHandler {
  public:
    // Limits the parser enforces; exceeding one is reported as malformed JSON. Request bodies
    // are small flat objects, and the HTTP layer caps the body size, so these only bound
    // pathological documents.
    static constexpr std::size_t max_object_size = 1024;
    static constexpr std::size_t max_array_size = 1024;
    static constexpr std::size_t max_key_size = 1024;
    static constexpr std::size_t max_string_size = 64 * 1024;

    explicit AmountHandler(std::string_view key) : key_(key) {}

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }

    bool on_object_begin(error_code&) {
        if (depth_ == 0) {
            top_level_is_object_ = true;
        }
        reject_captured_value();
        ++depth_;
        return true;
    }
    bool on_object_end(std::size_t, error_code&) {
        --depth_;
        return true;
    }
    bool on_array_begin(error_code&) {
        reject_captured_value();
        ++depth_;
        return true;
    }
    bool on_array_end(std::size_t, error_code&) {
        --depth_;
        return true;
    }

    // Keys may arrive in pieces (escapes, or a document split across buffers); `total_size` is
    // the length so far, so each piece is compared against its slice of the wanted key.
    bool on_key_part(std::string_view piece, std::size_t total_size, error_code&) {
        match_key_piece(piece, total_size);
        return true;
    }
    bool on_key(std::string_view piece, std::size_t total_size, error_code&) {
        match_key_piece(piece, total_size);
        if (depth_ == 1 && key_matches_ && total_size == key_.size()) {
            if (found_) {
                duplicate_ = true;
            }
            found_ = true;
            capturing_ = true;
            captured_size_ = 0;
        }
        return true;
    }

    bool on_string_part(std::string_view piece, std::size_t, error_code&) {
        capture(piece);
        return true;
    }
    bool on_string(std::string_view piece, std::size_t, error_code&) {
        capture(piece);
        capturing_ = false;
        return true;
    }

    // For numbers the parser hands over the literal source text next to the converted value;
    // only the text is used, so 12.345 or 1e3 reach parse_amount exactly as the client wrote them.
    bool on_number_part(std::string_view piece, error_code&) {
        capture(piece);
        return true;
    }
    bool on_int64(std::int64_t, std::string_view piece, error_code&) {
        capture(piece);
        capturing_ = false;
        return true;
    }
    bool on_uint64(std::uint64_t, std::string_view piece, error_code&) {
        capture(piece);
        capturing_ = false;
        return true;
    }
    // The handler interface hands over a double; it is deliberately left unnamed and unread.
    bool on_double(double, std::string_view piece, error_code&) {
        capture(piece);
        capturing_ = false;
        return true;
    }

    bool on_bool(bool, error_code&) {
        reject_captured_value();
        return true;
    }
    bool on_null(error_code&) {
        reject_captured_value();
        return true;
    }
    bool on_comment_part(std::string_view, error_code&) { return true; }
    bool on_comment(std::string_view, error_code&) { return true; }

    [[nodiscard]] bool top_level_is_object() const { return top_level_is_object_; }
    [[nodiscard]] bool found() const { return found_; }
    [[nodiscard]] bool duplicate() const { return duplicate_; }
    [[nodiscard]] bool wrong_type() const { return wrong_type_; }
    [[nodiscard]] bool too_long() const { return too_long_; }
    [[nodiscard]] std::string_view literal() const { return {captured_.data(), captured_size_}; }

  private:
    void match_key_piece(std::string_view piece, std::size_t total_size) {
        const std::size_t offset = total_size - piece.size();
        if (offset == 0) {
            key_matches_ = true;
        }
        key_matches_ = key_matches_ && offset + piece.size() <= key_.size() &&
                       key_.substr(offset, piece.size()) == piece;
    }

    void capture(std::string_view piece) {
        if (!capturing_) {
            return;
        }
        if (piece.size() > captured_.size() - captured_size_) {
            too_long_ = true;
            return;
        }
        piece.copy(captured_.data() + captured_size_, piece.size());
        captured_size_ += piece.size();
    }

    // The wanted key's value turned out to be a bool, null, object or array.
    void reject_captured_value() {
        if (capturing_) {
            wrong_type_ = true;
            capturing_ = false;
        }
    }

    std::string_view key_;
    std::size_t depth_ = 0;
    bool key_matches_ = false;
    bool top_level_is_object_ = false;
    bool found_ = false;
    bool duplicate_ = false;
    bool capturing_ = false;
    bool wrong_type_ = false;
    bool too_long_ = false;
    std::array<char, kMaxAmountTextLength> captured_{};
    std::size_t captured_size_ = 0;
};

Error malformed_json(std::string detail) {
    return make_error(ErrorCode::kInvalidArgument, "malformed_json", std::move(detail));
}

Error invalid_amount(std::string_view key, std::string_view rule) {
    std::string detail(key);
    detail += ' ';
    detail += rule;
    return make_error(ErrorCode::kUnprocessable, "invalid_amount", std::move(detail));
}

}  // namespace

Result<std::string> amount_literal(std::string_view json_body, std::string_view key) {
    if (json_body.empty()) {
        return malformed_json("request body is empty");
    }

    boost::json::parse_options options;
    options.max_depth = 32;
    options.allow_comments = false;
    options.allow_trailing_commas = false;
    options.allow_invalid_utf8 = false;
    boost::json::basic_parser<AmountHandler> parser(options, key);

    error_code parse_error;
    const std::size_t consumed =
        parser.write_some(false, json_body.data(), json_body.size(), parse_error);
    if (parse_error) {
        return malformed_json("request body is not valid JSON: " + parse_error.message() +
                              " at byte " + std::to_string(consumed));
    }
    // write_some stops after one complete value; anything left over is a second document.
    if (consumed != json_body.size()) {
        return malformed_json("request body has data after the JSON value at byte " +
                              std::to_string(consumed));
    }

    const AmountHandler& handler = parser.handler();
    if (!handler.top_level_is_object()) {
        return malformed_json("request body must be a JSON object");
    }
    if (handler.duplicate()) {
        return invalid_amount(key, "must appear only once");
    }
    if (!handler.found()) {
        std::string field(key);
        return Error{ErrorCode::kUnprocessable,
                     "validation_failed",
                     field + " is required",
                     {FieldError{field, "is required"}}};
    }
    if (handler.wrong_type()) {
        return invalid_amount(key, "must be a string or a number");
    }
    if (handler.too_long()) {
        return invalid_amount(
            key, "must be at most " + std::to_string(kMaxAmountTextLength) + " characters");
    }
    return std::string(handler.literal());
}

}  // namespace bank::money
