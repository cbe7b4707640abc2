// Form and percent-decoding (libs/http form.hpp), as the token, revoke and login endpoints and
// the history query string use them. Properties, beyond "no crash and no undefined behaviour":
//   - parse_form never returns more than kMaxFormFields fields, never an empty name;
//   - every field it returns re-encodes (percent-encoding every byte) to a body that parses to
//     the same form;
//   - percent_decode never lengthens its input, and decoding the full encoding of its output
//     gives the output back.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bank/core/check.hpp"
#include "bank/http/form.hpp"

namespace {

std::string encode_every_byte(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        out.push_back('%');
        out.push_back(kHex[byte >> 4]);
        out.push_back(kHex[byte & 0x0F]);
    }
    return out;
}

void check_decode(std::string_view text, bool plus_as_space) {
    const auto decoded = bank::http::percent_decode(text, plus_as_space);
    if (!decoded.ok()) {
        BANK_CHECK(decoded.error().slug == "malformed_form", "a refusal is malformed_form");
        return;
    }
    BANK_CHECK(decoded->size() <= text.size(), "decoding never lengthens");
    const auto again = bank::http::percent_decode(encode_every_byte(*decoded), plus_as_space);
    BANK_CHECK(again.ok() && *again == *decoded, "decode(encode(x)) == x");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_decode(text, true);
    check_decode(text, false);

    const auto form = bank::http::parse_form(text);
    if (!form.ok()) {
        BANK_CHECK(form.error().slug == "malformed_form", "a refusal is malformed_form");
        return 0;
    }
    BANK_CHECK(form->size() <= bank::http::kMaxFormFields, "at most kMaxFormFields fields");
    std::string body;
    for (const auto& [name, value] : *form) {
        BANK_CHECK(!name.empty(), "no field without a name");
        if (!body.empty()) body += '&';
        body += encode_every_byte(name) + '=' + encode_every_byte(value);
    }
    const auto again = bank::http::parse_form(body);
    BANK_CHECK(again.ok() && *again == *form, "a form re-encoded parses to itself");
    return 0;
}
