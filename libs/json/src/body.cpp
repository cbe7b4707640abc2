#include "bank/json/body.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <vector>

namespace bank::json {

namespace {

// Boost.JSON's DOM keeps the last of repeated keys without saying so. This SAX pass sees every
// key of every object, so a body that names a field twice (where a client and a server could
// disagree on which one counts) is refused instead of guessed at.
class DuplicateKeyFinder {
  public:
    static constexpr std::size_t max_object_size = 1024;
    static constexpr std::size_t max_array_size = 4096;
    static constexpr std::size_t max_key_size = 1024;
    static constexpr std::size_t max_string_size = 64 * 1024;

    bool duplicate = false;

    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_object_begin(boost::system::error_code&) {
        keys_.emplace_back();
        return true;
    }
    bool on_object_end(std::size_t, boost::system::error_code&) {
        keys_.pop_back();
        return true;
    }
    bool on_array_begin(boost::system::error_code&) { return true; }
    bool on_array_end(std::size_t, boost::system::error_code&) { return true; }
    bool on_key_part(boost::json::string_view part, std::size_t, boost::system::error_code&) {
        key_.append(part.data(), part.size());
        return true;
    }
    bool on_key(boost::json::string_view part, std::size_t, boost::system::error_code&) {
        key_.append(part.data(), part.size());
        auto& seen = keys_.back();
        for (const auto& existing : seen) {
            if (existing == key_) duplicate = true;
        }
        seen.push_back(std::move(key_));
        key_.clear();
        return true;
    }
    bool on_string_part(boost::json::string_view, std::size_t, boost::system::error_code&) {
        return true;
    }
    bool on_string(boost::json::string_view, std::size_t, boost::system::error_code&) {
        return true;
    }
    bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_int64(std::int64_t, boost::json::string_view, boost::system::error_code&) {
        return true;
    }
    bool on_uint64(std::uint64_t, boost::json::string_view, boost::system::error_code&) {
        return true;
    }
    bool on_double(double, boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_bool(bool, boost::system::error_code&) { return true; }
    bool on_null(boost::system::error_code&) { return true; }
    bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

  private:
    std::vector<std::vector<std::string>> keys_;
    std::string key_;
};

bool has_duplicate_keys(std::string_view body) {
    boost::json::parse_options options;
    options.max_depth = kMaxDepth;
    boost::json::basic_parser<DuplicateKeyFinder> parser(options);
    boost::system::error_code error;
    parser.write_some(false, body.data(), body.size(), error);
    return !error && parser.handler().duplicate;
}

}  // namespace

Result<boost::json::object> parse_object(std::string_view body) {
    boost::json::parse_options options;
    options.max_depth = kMaxDepth;
    options.allow_comments = false;
    options.allow_trailing_commas = false;
    options.allow_invalid_utf8 = false;
    boost::system::error_code error;
    boost::json::value value = boost::json::parse(body, error, {}, options);
    if (error) {
        return make_error(ErrorCode::kInvalidArgument, "malformed_json",
                          "The request body is not valid JSON: " + error.message());
    }
    if (!value.is_object()) {
        return validation_error("", "the request body must be a JSON object");
    }
    if (has_duplicate_keys(body)) return validation_error("", "the request body repeats a key");
    return std::move(value.as_object());
}

std::string_view kind_name(const boost::json::value& value) {
    switch (value.kind()) {
        case boost::json::kind::null:
            return "null";
        case boost::json::kind::bool_:
            return "a boolean";
        case boost::json::kind::int64:
        case boost::json::kind::uint64:
        case boost::json::kind::double_:
            return "a number";
        case boost::json::kind::string:
            return "a string";
        case boost::json::kind::array:
            return "an array";
        case boost::json::kind::object:
            return "an object";
    }
    return "a value";
}

std::string FieldReader::required_string(std::string_view name) {
    read_.emplace(name);
    const auto* value = object_.if_contains(name);
    if (value == nullptr || value->is_null()) {
        errors_.push_back({std::string(name), "is required"});
        return {};
    }
    if (!value->is_string()) {
        errors_.push_back(
            {std::string(name), "must be a string, not " + std::string(kind_name(*value))});
        return {};
    }
    return std::string(value->as_string());
}

std::optional<std::string> FieldReader::optional_string(std::string_view name) {
    read_.emplace(name);
    const auto* value = object_.if_contains(name);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_string()) {
        errors_.push_back(
            {std::string(name), "must be a string, not " + std::string(kind_name(*value))});
        return std::nullopt;
    }
    return std::string(value->as_string());
}

void FieldReader::error(std::string field, std::string message) {
    errors_.push_back({std::move(field), std::move(message)});
}

Status FieldReader::finish() {
    for (const auto& member : object_) {
        if (!read_.contains(member.key())) {
            errors_.push_back({std::string(member.key()), "is not a known field"});
        }
    }
    if (errors_.empty()) return ok_status();
    return validation_error(std::move(errors_));
}

}  // namespace bank::json
