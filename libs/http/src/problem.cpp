#include "bank/http/problem.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/json/serialize.hpp>

#include "bank/core/check.hpp"
#include "bank/log/log.hpp"

namespace bank::http {

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
    response.body() = boost::json::serialize(body);
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
    response.body() = boost::json::serialize(body);
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
