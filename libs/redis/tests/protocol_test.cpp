// Proves the RESP encoding of commands byte for byte (array header, then a length-prefixed bulk
// string per argument, binary-safe: empty, CR LF and NUL inside arguments) and that an empty
// command is refused; and that encoded commands round-trip through a real Redis' parser is shown
// by every other test of this library.
#include "../src/protocol.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace bank::redis::detail {
namespace {

TEST(Pack, WritesArrayOfBulkStrings) {
    const std::array<std::string_view, 3> args{"SET", "key", "value"};
    const auto packed = pack(args);
    ASSERT_TRUE(packed.ok());
    EXPECT_EQ(*packed, "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
}

TEST(Pack, IsBinarySafe) {
    const std::string with_nul("a\0b", 3);
    const std::array<std::string_view, 4> args{"SET", "", "x\r\ny", with_nul};
    const auto packed = pack(args);
    ASSERT_TRUE(packed.ok());
    EXPECT_EQ(*packed,
              std::string("*4\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\nx\r\ny\r\n$3\r\na\0b\r\n", 38));
}

TEST(Pack, WritesMultiDigitLengths) {
    const std::string long_value(12345, 'v');
    std::vector<std::string_view> args(11, "k");
    args.front() = "MSET";
    args.back() = long_value;
    const auto packed = pack(args);
    ASSERT_TRUE(packed.ok());
    EXPECT_TRUE(packed->starts_with("*11\r\n$4\r\nMSET\r\n$1\r\nk\r\n"));
    EXPECT_TRUE(packed->ends_with("$12345\r\n" + long_value + "\r\n"));
    EXPECT_EQ(packed->size(), 5 + 10 + 9 * 7 + 8 + long_value.size() + 2);
}

TEST(Pack, RefusesAnEmptyCommand) {
    const std::vector<std::string_view> none;
    const auto packed = pack(none);
    ASSERT_FALSE(packed.ok());
    EXPECT_EQ(packed.error().slug, "redis_empty_command");
}

}  // namespace
}  // namespace bank::redis::detail
