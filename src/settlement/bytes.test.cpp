#include "settlement/bytes.hpp"
#include "settlement/errors.hpp"
#include "settlement/hex.hpp"

#include <gtest/gtest.h>

namespace provernet::settlement {
namespace {

using math::U256;

TEST(SettlementBytes, BigEndianRoundTrip)
{
    const U256 v = math::u256_from_hex_literal("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
    const Hash256 be = to_be_bytes(v);
    EXPECT_EQ(to_hex(be), "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
    EXPECT_EQ(u256_from_be(be), v);
    // Short input is a smaller number, left-padded.
    EXPECT_EQ(u256_from_be(Bytes{0x01, 0x00}), U256(256));
    EXPECT_TRUE(u256_from_be(Bytes{}).is_zero());
    EXPECT_THROW(u256_from_be(Bytes(33, 0)), Error);
}

TEST(SettlementBytes, MinimalBigEndian)
{
    EXPECT_TRUE(minimal_be_bytes(U256(0)).empty());
    EXPECT_EQ(minimal_be_bytes(U256(1)), (Bytes{1}));
    EXPECT_EQ(minimal_be_bytes(U256(0x100)), (Bytes{1, 0}));
    EXPECT_EQ(minimal_be_bytes(U256(0, 0, 0, uint64_t(1) << 63)).size(), 32u);
}

}  // namespace
}  // namespace provernet::settlement
