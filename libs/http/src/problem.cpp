#include "bank/http/problem.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "bank/core/check.hpp"
#include "bank/log/log.hpp"

namespace bank::http {

namespace {

// Length of the well-formed UTF-8 sequence (RFC 3629) at the start of `text`, or 0.
std::size_t utf8_sequence_length(std::string_view text) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const auto continuation = [&](std::size_t i, unsigned char low = 0x80,
                                  unsigned char high = 0xBF) {
        return i < text.size() && byte(i) >= low && byte(i) <= high;
    };
    const unsigned char lead = byte(0);
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        // E0 must not encode what fits in two bytes; ED must not encode a surrogate.
        const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
        const unsigned char high = lead == 0xED ? 0x9F : 0xBF;
        return continuation(1, low, high) && continuation(2) ? 3 : 0;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        // F0 must not encode what fits in three bytes; F4 must stay at or below U+10FFFF.
        const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
        const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
        return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
    }
    return 0;
}

// Every JSON answer must be UTF-8 (RFC 8259 section 8.1), but details and field names can echo
// bytes a client sent (a path, a form field's name) and the serializer copies string bytes as
// they are. So each byte that starts no well-formed sequence becomes U+FFFD.
// One pass, copying only when needed, so a body full of such bytes costs linear time.
std::string serialize_utf8(const boost::json::value& body) {
    std::string text = boost::json::serialize(body);
    const std::string_view view(text);
    std::string repaired;
    std::size_t copied = 0;  // text before this offset is already in `repaired`
    std::size_t i = 0;
    while (i < view.size()) {
        const std::size_t length = utf8_sequence_length(view.substr(i));
        if (length != 0) {
            i += length;
            continue;
        }
        repaired.append(view.substr(copied, i - copied));
        repaired.append("\xEF\xBF\xBD");
        copied = ++i;
    }
    if (copied == 0) return text;
    repaired.append(view.substr(copied));
    return repaired;
}

}  // namespace

unsigned status_for(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return 400;
        case ErrorCode::kFailedPrecondition:
            return 400;
        case ErrorCode::kUnauthenticated:
            return 401;
        case ErrorCode::kPermissionDenied:
            return 403;
        case ErrorCode::kNotFound:
            return 404;
        case ErrorCode::kMethodNotAllowed:
            return 405;
        case ErrorCode::kAlreadyExists:
            return 409;
        case ErrorCode::kAborted:
            return 409;
        case ErrorCode::kPayloadTooLarge:
            return 413;
        case ErrorCode::kHeaderTooLarge:
            return 431;
        case ErrorCode::kUnsupportedMediaType:
            return 415;
        case ErrorCode::kUnprocessable:
            return 422;
        case ErrorCode::kResourceExhausted:
            return 429;
        case ErrorCode::kInternal:
            return 500;
        case ErrorCode::kUnavailable:
            return 503;
        case ErrorCode::kDeadlineExceeded:
            return 504;
    }
    return 500;
}

Response json(unsigned status, const boost::json::value& body) {
    Response response{static_cast<boost::beast::http::status>(status), 11};
    response.set(Field::content_type, "application/json");
    response.body() = serialize_utf8(body);
    response.prepare_payload();
    return response;
}

Response problem(const Error& error, std::string_view request_id) {
    const unsigned status = status_for(error.code);
    const auto beast_status = static_cast<boost::beast::http::status>(status);
    boost::json::object body;
    // A relative type URI per problem kind (RFC 9457 allows URI references); the code member is
    // the same slug for clients that prefer a plain string to switch on.
    const std::string slug = error.slug.empty() ? "error" : error.slug;
    // An internal failure's detail (a Redis error text, a script message) is for operators:
    // it goes to the log with the request id, and the client gets a sentence to quote.
    std::string detail = error.detail;
    if (error.code == ErrorCode::kInternal && slug != "internal_error") {
        log::error("internal error",
                   {{"request_id", request_id}, {"code", slug}, {"detail", detail}});
        detail = "An unexpected error occurred; quote the request id";
    }
    body["type"] = "/problems/" + slug;
    body["title"] = boost::beast::http::obsolete_reason(beast_status);
    body["status"] = status;
    body["detail"] = detail;
    body["code"] = slug;
    if (!error.field_errors.empty()) {
        boost::json::array errors;
        for (const auto& field_error : error.field_errors) {
            errors.push_back(boost::json::object{{"field", field_error.field},
                                                 {"message", field_error.message}});
        }
        body["errors"] = std::move(errors);
    }
    if (!request_id.empty()) body["request_id"] = request_id;

    Response response{beast_status, 11};
    response.set(Field::content_type, "application/problem+json");
    response.set(Field::cache_control, "no-store");
    if (status == 401) {
        // RFC 6750 section 3: a request without a token gets the bare challenge; one with a bad
        // token learns it was invalid_token.
        response.set(Field::www_authenticate,
                     error.slug == "invalid_token" ? R"(Bearer error="invalid_token")" : "Bearer");
    }
    if (status == 503) {
        // RFC 9110 section 10.2.3: how long to wait. Every 503 here is a dependency that is down
        // or a queue that is full (redis_unavailable, server_busy, ...): a second is enough to
        // try again, and tells a retrying client not to spin.
        response.set(Field::retry_after, "1");
    }
    response.body() = serialize_utf8(body);
    response.prepare_payload();
    return response;
}

Response oauth_error(unsigned status, std::string_view error, std::string_view description) {
    Response response =
        json(status, boost::json::object{{"error", error}, {"error_description", description}});
    response.set(Field::cache_control, "no-store");
    response.set(Field::pragma, "no-cache");
    return response;
}

bool has_content_type(const Request& request, std::string_view media_type) {
    std::string_view value = request[Field::content_type];
    value = value.substr(0, value.find(';'));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    if (value.size() != media_type.size()) return false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto lower = [](char c) {
            return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        };
        if (lower(value[i]) != lower(media_type[i])) return false;
    }
    return true;
}

Status require_content_type(const Request& request, std::string_view media_type) {
    if (has_content_type(request, media_type)) return ok_status();
    return make_error(ErrorCode::kUnsupportedMediaType, "unsupported_media_type",
                      "Content-Type must be " + std::string(media_type));
}

}  // namespace bank::http
