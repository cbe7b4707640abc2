#include "bank/jwt/base64url.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace bank::jwt {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
    std::array<std::uint8_t, 256> table{};
    table.fill(kInvalid);
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
    }
    return table;
}

constexpr std::array<std::uint8_t, 256> kDecodeTable = make_decode_table();

Error invalid(std::string detail) {
    return make_error(ErrorCode::kInvalidArgument, "invalid_base64url", std::move(detail));
}

}  // namespace

std::string base64url_encode(std::span<const unsigned char> bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t group = (std::uint32_t{bytes[i]} << 16) |
                                    (std::uint32_t{bytes[i + 1]} << 8) |
                                    std::uint32_t{bytes[i + 2]};
        out.push_back(kAlphabet[(group >> 18) & 0x3F]);
        out.push_back(kAlphabet[(group >> 12) & 0x3F]);
        out.push_back(kAlphabet[(group >> 6) & 0x3F]);
        out.push_back(kAlphabet[group & 0x3F]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t group = std::uint32_t{bytes[i]} << 16;
        out.push_back(kAlphabet[(group >> 18) & 0x3F]);
        out.push_back(kAlphabet[(group >> 12) & 0x3F]);
    } else if (rest == 2) {
        const std::uint32_t group =
            (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
        out.push_back(kAlphabet[(group >> 18) & 0x3F]);
        out.push_back(kAlphabet[(group >> 12) & 0x3F]);
        out.push_back(kAlphabet[(group >> 6) & 0x3F]);
    }
    return out;
}

std::string base64url_encode(std::string_view bytes) {
    // string_view holds char, which may be signed; the encoder works on unsigned octets.
    return base64url_encode(std::span<const unsigned char>(
        reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}

Result<std::string> base64url_decode(std::string_view text) {
    // A single leftover character carries only 6 bits, which is less than one byte: no encoder
    // produces that length.
    if (text.size() % 4 == 1) {
        return invalid("base64url text has an impossible length");
    }
    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    std::uint32_t group = 0;
    std::size_t count = 0;
    for (const char c : text) {
        const std::uint8_t sextet = kDecodeTable[static_cast<unsigned char>(c)];
        if (sextet == kInvalid) {
            return invalid(c == '=' ? "base64url text must not be padded"
                                    : "base64url text has a character outside the alphabet");
        }
        group = (group << 6) | sextet;
        if (++count == 4) {
            out.push_back(static_cast<char>((group >> 16) & 0xFF));
            out.push_back(static_cast<char>((group >> 8) & 0xFF));
            out.push_back(static_cast<char>(group & 0xFF));
            group = 0;
            count = 0;
        }
    }
    // The bits below the last whole byte must be zero; otherwise several texts would decode to
    // the same bytes.
    if (count == 2) {
        if ((group & 0x0F) != 0) {
            return invalid("base64url text has non-zero trailing bits");
        }
        out.push_back(static_cast<char>((group >> 4) & 0xFF));
    } else if (count == 3) {
        if ((group & 0x03) != 0) {
            return invalid("base64url text has non-zero trailing bits");
        }
        out.push_back(static_cast<char>((group >> 10) & 0xFF));
        out.push_back(static_cast<char>((group >> 2) & 0xFF));
    }
    return out;
}

}  // namespace bank::jwt
