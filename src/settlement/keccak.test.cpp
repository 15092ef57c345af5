#include "settlement/hex.hpp"
#include "settlement/keccak.hpp"

#include <gtest/gtest.h>

namespace provernet::settlement {
namespace {

std::string hash_hex(BytesView data) { return to_hex(keccak256(data)); }

TEST(SettlementKeccak, EmptyInput)
{
    // Ethereum's well-known empty hash (SHA3-256("") would be a7ffc6f8...).
    EXPECT_EQ(to_hex(keccak256(std::string_view(""))),
              "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

TEST(SettlementKeccak, Abc)
{
    EXPECT_EQ(to_hex(keccak256(std::string_view("abc"))),
              "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

TEST(SettlementKeccak, RateBoundaries)
{
    // The sponge absorbs 136-byte blocks: 135 bytes pad within one block, 136 need a second one.
    // Expected values from @noble/hashes 1.8.0 keccak_256 (an independent implementation).
    EXPECT_EQ(hash_hex(Bytes(135, 'a')), "0x34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446");
    EXPECT_EQ(hash_hex(Bytes(136, 'a')), "0xa6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e");
    EXPECT_EQ(hash_hex(Bytes(200, 0xa3)), "0x3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a");
}

TEST(SettlementKeccak, FunctionSelectorPrefix)
{
    const Hash256 h = keccak256(std::string_view("transfer(address,uint256)"));
    EXPECT_EQ(to_hex(BytesView(h.data(), 4)), "0xa9059cbb");
}

TEST(SettlementKeccak, SingleBitChangesTheHash)
{
    Bytes data(64, 0);
    const Hash256 a = keccak256(data);
    data[63] = 1;
    EXPECT_NE(keccak256(data), a);
}

}  // namespace
}  // namespace provernet::settlement
