#include "settlement/errors.hpp"
#include "settlement/hex.hpp"
#include "settlement/rlp.hpp"

#include <gtest/gtest.h>

#include <random>

namespace provernet::settlement {
namespace {

using rlp::Item;

std::string enc(const Item& item) { return to_hex(rlp::encode(item)); }

// Encodes, checks the expected bytes, and checks decoding returns the same item.
void expect_round_trip(const Item& item, const std::string& expected_hex)
{
    EXPECT_EQ(enc(item), expected_hex);
    EXPECT_EQ(rlp::decode(from_hex(expected_hex)), item) << expected_hex;
}

void expect_rejected(const std::string& hex, const std::string& fragment)
{
    try {
        rlp::decode(from_hex(hex));
        ADD_FAILURE() << hex << " was accepted";
    }
    catch (const RlpError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << hex << ": " << e.what();
    }
}

// The examples from the Ethereum wiki's RLP page.
TEST(SettlementRlp, WikiStrings)
{
    expect_round_trip(Item::string("dog"), "0x83646f67");
    expect_round_trip(Item::string(""), "0x80");
    expect_round_trip(Item::string(std::string_view("\x00", 1)), "0x00");
    expect_round_trip(Item::string("\x0f"), "0x0f");
    expect_round_trip(Item::string(Bytes{0x04, 0x00}), "0x820400");
}

TEST(SettlementRlp, WikiLists)
{
    expect_round_trip(Item::list({Item::string("cat"), Item::string("dog")}), "0xc88363617483646f67");
    expect_round_trip(Item::list({}), "0xc0");
    // The set-theoretical representation of three: [ [], [[]], [ [], [[]] ] ].
    const Item empty = Item::list({});
    const Item three = Item::list({empty, Item::list({empty}), Item::list({empty, Item::list({empty})})});
    expect_round_trip(three, "0xc7c0c1c0c3c0c1c0");
}

TEST(SettlementRlp, WikiIntegers)
{
    expect_round_trip(Item::uint(0), "0x80");
    expect_round_trip(Item::uint(15), "0x0f");
    expect_round_trip(Item::uint(1024), "0x820400");
    expect_round_trip(Item::uint(0x7f), "0x7f");
    expect_round_trip(Item::uint(0x80), "0x8180");
    expect_round_trip(Item::uint(math::U256(~uint64_t(0), ~uint64_t(0), ~uint64_t(0), ~uint64_t(0))),
                      "0xa0" + std::string(64, 'f'));
}

TEST(SettlementRlp, WikiLoremIpsumLongString)
{
    // 56 bytes: the first length that needs the long form (0xb8 0x38).
    const std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
    ASSERT_EQ(lorem.size(), 56u);
    const Bytes encoded = rlp::encode(Item::string(lorem));
    ASSERT_EQ(encoded.size(), 58u);
    EXPECT_EQ(encoded[0], 0xb8);
    EXPECT_EQ(encoded[1], 0x38);
    EXPECT_EQ(std::string(encoded.begin() + 2, encoded.end()), lorem);
    EXPECT_EQ(rlp::decode(encoded), Item::string(lorem));
}

TEST(SettlementRlp, LengthBoundaries)
{
    for (size_t n : {0, 1, 55, 56, 255, 256, 65535, 65536}) {
        const Item s = Item::string(Bytes(n, 0xaa));
        const Bytes e = rlp::encode(s);
        const size_t header = n <= 55 ? 1 : n <= 255 ? 2 : n <= 65535 ? 3 : 4;
        EXPECT_EQ(e.size(), header + n) << n;
        EXPECT_EQ(rlp::decode(e), s) << n;
    }
    // A list whose payload is exactly 56 bytes takes the long list form 0xf8 0x38.
    const Item list = Item::list({Item::string(Bytes(55, 1))});
    const Bytes e = rlp::encode(list);
    EXPECT_EQ(e[0], 0xf8);
    EXPECT_EQ(e[1], 56);
    EXPECT_EQ(rlp::decode(e), list);
}

TEST(SettlementRlp, RejectsTruncatedInput)
{
    expect_rejected("0x", "truncated");
    expect_rejected("0x83646f", "truncated");
    expect_rejected("0xc88363617483646f", "truncated");
    expect_rejected("0xb8", "truncated");
    expect_rejected("0xb938", "truncated");
    expect_rejected("0xb838" + std::string(110, '6'), "truncated");
    // A list header promising more than its parent holds.
    expect_rejected("0xc283646f67", "truncated");
}

TEST(SettlementRlp, RejectsNonCanonicalForms)
{
    expect_rejected("0x8100", "single byte");
    expect_rejected("0x817f", "single byte");
    expect_rejected("0xb80100", "long form");
    expect_rejected("0xb837" + std::string(110, '6'), "long form");
    expect_rejected("0xf80180", "long form");
    expect_rejected("0xf800", "leading zero");
    expect_rejected("0xb9003a" + std::string(116, '6'), "leading zero");
}

TEST(SettlementRlp, RejectsTrailingBytes)
{
    expect_rejected("0x83646f6700", "trailing");
    expect_rejected("0x8080", "trailing");
}

TEST(SettlementRlp, RejectsExcessiveNesting)
{
    std::string deep = "0x";
    for (size_t i = 0; i < 100; ++i)
        deep += "c0";  // not a valid nesting shape anyway, but each c0 is a complete item
    expect_rejected(deep, "trailing");
    // 70 nested lists: c1 c1 ... c0 is structurally valid but deeper than max_depth.
    Bytes nested{0xc0};
    for (size_t i = 0; i < 70; ++i) {
        Bytes wrapped = rlp::encode_header(true, nested.size());
        append(wrapped, nested);
        nested = wrapped;
    }
    EXPECT_THROW(rlp::decode(nested), RlpError);
}

TEST(SettlementRlp, TypedViews)
{
    const Item decoded = rlp::decode(from_hex("0xc8820400c0830a0b0c"));
    const auto& items = rlp::as_list(decoded, "root");
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(rlp::as_uint64(items[0], "a"), 1024u);
    EXPECT_TRUE(rlp::as_list(items[1], "b").empty());
    EXPECT_EQ(rlp::as_fixed_bytes(items[2], 3, "c"), (Bytes{0x0a, 0x0b, 0x0c}));
    EXPECT_THROW(rlp::as_fixed_bytes(items[2], 4, "c"), RlpError);
    EXPECT_THROW(rlp::as_uint64(items[1], "b"), RlpError);
    EXPECT_THROW(rlp::as_list(items[0], "a"), RlpError);

    // Integers: no leading zeros, no more than 64 / 256 bits.
    EXPECT_THROW(rlp::as_uint64(Item::string(Bytes{0x00, 0x01}), "x"), RlpError);
    EXPECT_THROW(rlp::as_uint64(Item::string(Bytes(9, 1)), "x"), RlpError);
    EXPECT_EQ(rlp::as_uint64(Item::string(Bytes(8, 0xff)), "x"), ~uint64_t(0));
    EXPECT_THROW(rlp::as_u256(Item::string(Bytes(33, 1)), "x"), RlpError);
    try {
        rlp::as_uint64(Item::string(Bytes{0x00}), "gas_limit");
        FAIL();
    }
    catch (const RlpError& e) {
        EXPECT_NE(std::string(e.what()).find("gas_limit"), std::string::npos);
    }
}

TEST(SettlementRlp, MutatedInputsDecodeCanonicallyOrThrow)
{
    // Strictness means decoding is injective: whatever decodes must re-encode to the same bytes.
    const Item base = Item::list({Item::string("cat"), Item::list({Item::uint(1024), Item::string(Bytes(60, 7))}),
                                  Item::list({}), Item::uint(0)});
    const Bytes good = rlp::encode(base);
    std::mt19937_64 rng(12345);
    int decoded = 0;
    for (int round = 0; round < 3000; ++round) {
        Bytes input = good;
        const int edits = 1 + int(rng() % 3);
        for (int e = 0; e < edits; ++e) {
            switch (rng() % 3) {
            case 0:
                input[rng() % input.size()] = uint8_t(rng());
                break;
            case 1:
                input.resize(rng() % input.size());
                break;
            default:
                input.insert(input.begin() + long(rng() % (input.size() + 1)), uint8_t(rng()));
            }
            if (input.empty())
                break;
        }
        try {
            EXPECT_EQ(rlp::encode(rlp::decode(input)), input) << to_hex(input);
            ++decoded;
        }
        catch (const RlpError&) {
        }
    }
    EXPECT_GT(decoded, 0);  // the mutations do not only produce garbage
}

}  // namespace
}  // namespace provernet::settlement
