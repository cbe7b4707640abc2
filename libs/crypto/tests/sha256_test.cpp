// SHA-256 against the FIPS 180-2 test vectors, on the calling thread and on others (each thread
// has its own digest context), and with input that spans several blocks.
#include "bank/crypto/sha256.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace bank::crypto {
namespace {

TEST(Sha256Test, KnownVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, DigestMatchesHex) {
    const Sha256Digest digest = sha256("abc");
    EXPECT_EQ(digest[0], 0xbau);
    EXPECT_EQ(digest[31], 0xadu);
}

TEST(Sha256Test, EveryThreadGetsTheSameAnswers) {
    std::vector<std::string> answers(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        threads.emplace_back([&answers, i] {
            for (int round = 0; round < 100; ++round) answers[i] = sha256_hex("abc");
        });
    }
    for (auto& thread : threads) thread.join();
    for (const auto& answer : answers) EXPECT_EQ(answer, sha256_hex("abc"));
}

}  // namespace
}  // namespace bank::crypto
