#include "settlement/errors.hpp"
#include "settlement/hex.hpp"

#include <gtest/gtest.h>

namespace provernet::settlement {
namespace {

TEST(SettlementHex, RoundTripsAllByteValues)
{
    Bytes all(256);
    for (int i = 0; i < 256; ++i)
        all[size_t(i)] = uint8_t(i);
    const std::string text = to_hex(all);
    EXPECT_EQ(text.size(), 2u + 512u);
    EXPECT_EQ(text.substr(0, 8), "0x000102");
    EXPECT_EQ(from_hex(text), all);
}

TEST(SettlementHex, EmptyAndCase)
{
    EXPECT_EQ(to_hex(Bytes{}), "0x");
    EXPECT_TRUE(from_hex("0x").empty());
    EXPECT_EQ(from_hex("0xABcd"), (Bytes{0xab, 0xcd}));
    EXPECT_EQ(from_hex("0XFF"), (Bytes{0xff}));
}

TEST(SettlementHex, RejectsMissingPrefix)
{
    EXPECT_THROW(from_hex("abcd"), HexError);
    EXPECT_THROW(from_hex(""), HexError);
    EXPECT_THROW(from_hex("0"), HexError);
    EXPECT_THROW(from_hex("x0ab"), HexError);
}

TEST(SettlementHex, RejectsOddLengthNamingTheField)
{
    try {
        from_hex("0xabc", "signature");
        FAIL() << "odd length accepted";
    }
    catch (const HexError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("signature"), std::string::npos) << msg;
        EXPECT_NE(msg.find("odd"), std::string::npos) << msg;
    }
}

TEST(SettlementHex, RejectsBadDigitWithPosition)
{
    try {
        from_hex("0x12g4");
        FAIL() << "bad digit accepted";
    }
    catch (const HexError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("'g'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("position 4"), std::string::npos) << msg;
    }
    EXPECT_THROW(from_hex("0x 1"), HexError);
    EXPECT_THROW(from_hex("0x1-"), HexError);
}

TEST(SettlementHex, ExactLength)
{
    EXPECT_EQ(from_hex_exact("0x0102", 2), (Bytes{1, 2}));
    EXPECT_THROW(from_hex_exact("0x0102", 3), HexError);
    EXPECT_THROW(from_hex_exact("0x010203", 2), HexError);
    const auto arr = from_hex_array<3>("0x0a0b0c");
    EXPECT_EQ(arr[2], 0x0c);
    EXPECT_THROW(from_hex_array<4>("0x0a0b0c"), HexError);
}

TEST(SettlementHex, LongJunkIsExcerptedInMessages)
{
    const std::string junk = "0x" + std::string(10000, 'z');
    try {
        from_hex(junk);
        FAIL();
    }
    catch (const HexError& e) {
        EXPECT_LT(std::string(e.what()).size(), 300u);
    }
}

}  // namespace
}  // namespace provernet::settlement
