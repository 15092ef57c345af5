#include "settlement/hex.hpp"
#include "settlement/personal_message.hpp"

#include <gtest/gtest.h>

namespace provernet::settlement {
namespace {

TEST(SettlementPersonalMessage, Web3DocsSignVector)
{
    // web3.eth.accounts.sign('Some data', key) from the web3.js documentation.
    const PrivateKey key = PrivateKey::from_hex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    EXPECT_EQ(to_hex(personal_message_digest("Some data")),
              "0x1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655");
    const Signature sig = personal_sign(key, as_bytes("Some data"));
    EXPECT_EQ(sig.to_hex(),
              "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef0"
              "45e5d18a5f5d4300f8e1a0291c");
    EXPECT_EQ(personal_recover(as_bytes("Some data"), sig), key.address());
}

TEST(SettlementPersonalMessage, HelloWorldDigest)
{
    EXPECT_EQ(to_hex(personal_message_digest("Hello World")),
              "0xa1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2");
}

TEST(SettlementPersonalMessage, LengthIsPartOfTheDigest)
{
    // The decimal length prevents "ab" + "c" colliding with "a" + "bc" style prefix games.
    EXPECT_NE(personal_message_digest("1abc"), personal_message_digest("abc"));
    EXPECT_NE(personal_message_digest(""), personal_message_digest(std::string_view("\0", 1)));
}

TEST(SettlementPersonalMessage, OtherMessageRecoversOtherAddress)
{
    const PrivateKey key = PrivateKey::from_hex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    const Signature sig = personal_sign(key, as_bytes("pay 1"));
    EXPECT_NE(personal_recover(as_bytes("pay 2"), sig), key.address());
}

}  // namespace
}  // namespace provernet::settlement
