#include "bank/http/form.hpp"

namespace bank::http {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Error form_error(std::string detail) {
    return make_error(ErrorCode::kInvalidArgument, "malformed_form", std::move(detail));
}

}  // namespace

Result<std::string> percent_decode(std::string_view text, bool plus_as_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return form_error("truncated percent-escape");
            const int high = hex_value(text[i + 1]);
            const int low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) return form_error("invalid percent-escape");
            out.push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else if (c == '+' && plus_as_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

Result<Form> parse_form(std::string_view body) {
    Form form;
    std::size_t count = 0;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
        if (pair.empty()) continue;  // "a=1&&b=2" is tolerated, as browsers do
        if (++count > kMaxFormFields) return form_error("too many form fields");
        const auto equals = pair.find('=');
        auto name = percent_decode(pair.substr(0, equals), true);
        if (!name.ok()) return std::move(name).error();
        auto value = percent_decode(
            equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1), true);
        if (!value.ok()) return std::move(value).error();
        if (name->empty()) return form_error("a form field has no name");
        if (form.contains(*name)) {
            return form_error("form field '" + *name + "' is repeated");
        }
        form.emplace(std::move(*name), std::move(*value));
    }
    return form;
}

}  // namespace bank::http
