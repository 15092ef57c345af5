#include "settlement/abi.hpp"
#include "settlement/errors.hpp"
#include "settlement/hex.hpp"

#include <gtest/gtest.h>

#include <random>

namespace provernet::settlement::abi {
namespace {

using math::U256;

std::string words(std::initializer_list<const char*> hex_words)
{
    std::string out;
    for (const char* w : hex_words)
        out += w;
    return out;
}

Bytes body(const Bytes& call) { return Bytes(call.begin() + 4, call.end()); }

// The examples of the Solidity ABI specification (docs/abi-spec.rst, "Examples" and "Use of
// Dynamic Types").
TEST(SettlementAbi, SpecSelectors)
{
    EXPECT_EQ(to_hex(selector("transfer(address,uint256)")), "0xa9059cbb");
    EXPECT_EQ(to_hex(selector("baz(uint32,bool)")), "0xcdcd77c0");
    EXPECT_EQ(to_hex(selector("bar(bytes3[2])")), "0xfce353f6");
    EXPECT_EQ(to_hex(selector("sam(bytes,bool,uint256[])")), "0xa5643bf2");
    EXPECT_EQ(to_hex(selector("f(uint,uint32[],bytes10,bytes)")), "0x8be65246");  // uint hashed as uint256
    EXPECT_EQ(to_hex(selector("g(uint256[][],string[])")), "0x2289b18c");
    // A snarkjs Groth16 verifier with one public signal (value from @noble/hashes keccak_256).
    EXPECT_EQ(to_hex(selector("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[1])")), "0x43753b4d");
}

TEST(SettlementAbi, SpecBaz)
{
    const Bytes call = encode_call("baz(uint32,bool)", {Value::uint(69), Value::boolean(true)});
    EXPECT_EQ(to_hex(call), "0xcdcd77c0" + words({"0000000000000000000000000000000000000000000000000000000000000045",
                                                    "0000000000000000000000000000000000000000000000000000000000000001"}));
    const auto decoded = decode("uint32,bool", body(call));
    EXPECT_EQ(decoded[0].as_uint64(), 69u);
    EXPECT_TRUE(decoded[1].as_bool());
}

TEST(SettlementAbi, SpecBar)
{
    const Bytes call = encode_call("bar(bytes3[2])", {Value::list({Value::string("abc"), Value::string("def")})});
    EXPECT_EQ(to_hex(call), "0xfce353f6" + words({"6162630000000000000000000000000000000000000000000000000000000000",
                                                    "6465660000000000000000000000000000000000000000000000000000000000"}));
    const auto decoded = decode("bytes3[2]", body(call));
    EXPECT_EQ(decoded[0].as_list()[1].as_string(), "def");
}

TEST(SettlementAbi, SpecSam)
{
    const Bytes call = encode_call("sam(bytes,bool,uint256[])",
                                   {Value::string("dave"), Value::boolean(true),
                                    Value::list({Value::uint(1), Value::uint(2), Value::uint(3)})});
    EXPECT_EQ(to_hex(call),
              "0xa5643bf2" + words({"0000000000000000000000000000000000000000000000000000000000000060",
                                    "0000000000000000000000000000000000000000000000000000000000000001",
                                    "00000000000000000000000000000000000000000000000000000000000000a0",
                                    "0000000000000000000000000000000000000000000000000000000000000004",
                                    "6461766500000000000000000000000000000000000000000000000000000000",
                                    "0000000000000000000000000000000000000000000000000000000000000003",
                                    "0000000000000000000000000000000000000000000000000000000000000001",
                                    "0000000000000000000000000000000000000000000000000000000000000002",
                                    "0000000000000000000000000000000000000000000000000000000000000003"}));
    const auto decoded = decode("bytes,bool,uint256[]", body(call));
    EXPECT_EQ(decoded[0].as_string(), "dave");
    EXPECT_EQ(decoded[2].as_list().size(), 3u);
    EXPECT_EQ(decoded[2].as_list()[2].as_uint64(), 3u);
}

const std::string spec_f_body = words({"0000000000000000000000000000000000000000000000000000000000000123",
                                       "0000000000000000000000000000000000000000000000000000000000000080",
                                       "3132333435363738393000000000000000000000000000000000000000000000",
                                       "00000000000000000000000000000000000000000000000000000000000000e0",
                                       "0000000000000000000000000000000000000000000000000000000000000002",
                                       "0000000000000000000000000000000000000000000000000000000000000456",
                                       "0000000000000000000000000000000000000000000000000000000000000789",
                                       "000000000000000000000000000000000000000000000000000000000000000d",
                                       "48656c6c6f2c20776f726c642100000000000000000000000000000000000000"});

TEST(SettlementAbi, SpecDynamicF)
{
    const std::vector<Value> args = {Value::uint(0x123), Value::list({Value::uint(0x456), Value::uint(0x789)}),
                                     Value::string("1234567890"), Value::string("Hello, world!")};
    const Bytes call = encode_call("f(uint,uint32[],bytes10,bytes)", args);
    EXPECT_EQ(to_hex(call), "0x8be65246" + spec_f_body);
    EXPECT_EQ(decode("uint256,uint32[],bytes10,bytes", body(call)), args);
}

TEST(SettlementAbi, SpecNestedDynamicG)
{
    const std::vector<Value> args = {
        Value::list({Value::list({Value::uint(1), Value::uint(2)}), Value::list({Value::uint(3)})}),
        Value::list({Value::string("one"), Value::string("two"), Value::string("three")})};
    const Bytes call = encode_call("g(uint[][],string[])", args);
    EXPECT_EQ(to_hex(call),
              "0x2289b18c" + words({"0000000000000000000000000000000000000000000000000000000000000040",
                                    "0000000000000000000000000000000000000000000000000000000000000140",
                                    "0000000000000000000000000000000000000000000000000000000000000002",
                                    "0000000000000000000000000000000000000000000000000000000000000040",
                                    "00000000000000000000000000000000000000000000000000000000000000a0",
                                    "0000000000000000000000000000000000000000000000000000000000000002",
                                    "0000000000000000000000000000000000000000000000000000000000000001",
                                    "0000000000000000000000000000000000000000000000000000000000000002",
                                    "0000000000000000000000000000000000000000000000000000000000000001",
                                    "0000000000000000000000000000000000000000000000000000000000000003",
                                    "0000000000000000000000000000000000000000000000000000000000000003",
                                    "0000000000000000000000000000000000000000000000000000000000000060",
                                    "00000000000000000000000000000000000000000000000000000000000000a0",
                                    "00000000000000000000000000000000000000000000000000000000000000e0",
                                    "0000000000000000000000000000000000000000000000000000000000000003",
                                    "6f6e650000000000000000000000000000000000000000000000000000000000",
                                    "0000000000000000000000000000000000000000000000000000000000000003",
                                    "74776f0000000000000000000000000000000000000000000000000000000000",
                                    "0000000000000000000000000000000000000000000000000000000000000005",
                                    "7468726565000000000000000000000000000000000000000000000000000000"}));
    EXPECT_EQ(decode("uint256[][],string[]", body(call)), args);
}

TEST(SettlementAbi, Groth16VerifierLayout)
{
    // verifyProof(a, b, c, input): all static, laid out a0 a1 b00 b01 b10 b11 c0 c1 input0.
    auto pair = [](uint64_t x, uint64_t y) { return Value::list({Value::uint(x), Value::uint(y)}); };
    const std::vector<Value> args = {pair(1, 2), Value::list({pair(3, 4), pair(5, 6)}), pair(7, 8),
                                     Value::list({Value::uint(9)})};
    const Bytes call = encode_call("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[1])", args);
    ASSERT_EQ(call.size(), 4u + 9 * 32);
    for (size_t i = 0; i < 9; ++i)
        EXPECT_EQ(call[4 + 32 * i + 31], i + 1) << i;
    EXPECT_EQ(decode("uint256[2],uint256[2][2],uint256[2],uint256[1]", body(call)), args);
}

TEST(SettlementAbi, AddressAndSignedIntegers)
{
    const Address a = Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    const Bytes data = encode(parse_type_list("address,int8,int256,int16"),
                              {Value::address(a), Value::sint(-1), Value::sint(INT64_MIN), Value::sint(300)});
    EXPECT_EQ(to_hex(BytesView(data).subspan(0, 32)), "0x0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    EXPECT_EQ(to_hex(BytesView(data).subspan(32, 32)), "0x" + std::string(64, 'f'));
    EXPECT_EQ(to_hex(BytesView(data).subspan(64, 32)), "0x" + std::string(48, 'f') + "8000000000000000");
    const auto decoded = decode("address,int8,int256,int16", data);
    EXPECT_EQ(decoded[0].as_address(), a);
    EXPECT_EQ(decoded[1].as_sint64(), -1);
    EXPECT_EQ(decoded[2].as_sint64(), INT64_MIN);
    EXPECT_EQ(decoded[3].as_sint64(), 300);
}

TEST(SettlementAbi, IntegerRangeLimits)
{
    EXPECT_NO_THROW(encode({Type::uint(8)}, {Value::uint(255)}));
    EXPECT_THROW(encode({Type::uint(8)}, {Value::uint(256)}), AbiError);
    EXPECT_NO_THROW(encode({Type::sint(8)}, {Value::sint(-128)}));
    EXPECT_NO_THROW(encode({Type::sint(8)}, {Value::sint(127)}));
    EXPECT_THROW(encode({Type::sint(8)}, {Value::sint(128)}), AbiError);
    EXPECT_THROW(encode({Type::sint(8)}, {Value::sint(-129)}), AbiError);
    const U256 max(~uint64_t(0), ~uint64_t(0), ~uint64_t(0), ~uint64_t(0));
    EXPECT_NO_THROW(encode({Type::uint(256)}, {Value::uint(max)}));
    EXPECT_THROW(encode({Type::uint(248)}, {Value::uint(max)}), AbiError);
    EXPECT_THROW(Value::uint(max).as_uint64(), AbiError);
}

TEST(SettlementAbi, EncodeErrorsNameTheArgument)
{
    try {
        encode_call("baz(uint32,bool)", {Value::uint(69), Value::uint(1)});
        FAIL();
    }
    catch (const AbiError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("argument[1]"), std::string::npos) << msg;
        EXPECT_NE(msg.find("bool"), std::string::npos) << msg;
    }
    EXPECT_THROW(encode_call("baz(uint32,bool)", {Value::uint(69)}), AbiError);
    EXPECT_THROW(encode_call("bar(bytes3[2])", {Value::list({Value::string("abc")})}), AbiError);
    EXPECT_THROW(encode_call("bar(bytes3[2])", {Value::list({Value::string("abc"), Value::string("de")})}), AbiError);
    EXPECT_THROW(encode({Type::tuple({Type::uint(), Type::boolean()})}, {Value::list({Value::uint(1)})}), AbiError);
    try {
        encode(parse_type_list("uint256[][]"), {Value::list({Value::list({Value::uint(1), Value::string("x")})})});
        FAIL();
    }
    catch (const AbiError& e) {
        EXPECT_NE(std::string(e.what()).find("argument[0][0][1]"), std::string::npos) << e.what();
    }
}

TEST(SettlementAbi, TuplesRoundTrip)
{
    const auto types = parse_type_list("(address,bytes)[],(uint8,bool)");
    const Address a = Address::parse("0xde709f2102306220921060314715629080e2fb77");
    const std::vector<Value> values = {
        Value::list({Value::list({Value::address(a), Value::string("x")}),
                     Value::list({Value::address(Address{}), Value::bytes(Bytes(70, 7))})}),
        Value::list({Value::uint(5), Value::boolean(false)})};
    EXPECT_EQ(decode(types, encode(types, values)), values);
}

TEST(SettlementAbi, EventTopicsAndIndexedArguments)
{
    EXPECT_EQ(to_hex(event_topic("Transfer(address,address,uint256)")),
              "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    const auto topic = from_hex_array<32>("0x0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    EXPECT_EQ(decode_topic(Type::address(), topic).as_address(),
              Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
    EXPECT_EQ(decode_topic(Type::uint(), topic).as_uint(), u256_from_be(topic));
    EXPECT_THROW(decode_topic(Type::uint(8), topic), AbiError);
    EXPECT_THROW(decode_topic(Type::string(), topic), AbiError);
}

TEST(SettlementAbi, DecodeRejectsEveryTruncation)
{
    const Bytes data = from_hex("0x" + spec_f_body);
    const auto types = parse_type_list("uint256,uint32[],bytes10,bytes");
    for (size_t n = 0; n < data.size(); n += 8)
        EXPECT_THROW(decode(types, BytesView(data).first(n)), AbiError) << n;
}

Bytes patch_word(Bytes data, size_t word_index, const std::string& hex_word)
{
    const Bytes w = from_hex("0x" + hex_word);
    std::copy(w.begin(), w.end(), data.begin() + long(32 * word_index));
    return data;
}

void expect_decode_error(const std::vector<Type>& types, const Bytes& data, const std::string& fragment)
{
    try {
        decode(types, data);
        ADD_FAILURE() << "accepted " << to_hex(data);
    }
    catch (const AbiError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(SettlementAbi, DecodeRejectsBadOffsetsAndLengths)
{
    const Bytes data = from_hex("0x" + spec_f_body);
    const auto types = parse_type_list("uint256,uint32[],bytes10,bytes");
    const std::string big = "00000000000000000000000000000000000000000000000000000000000fffff";
    const std::string huge = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    expect_decode_error(types, patch_word(data, 1, big), "offset");
    expect_decode_error(types, patch_word(data, 1, huge), "offset");
    expect_decode_error(types, patch_word(data, 3, huge), "offset");
    expect_decode_error(types, patch_word(data, 4, big), "length");   // uint32[] length
    expect_decode_error(types, patch_word(data, 4, huge), "length");
    expect_decode_error(types, patch_word(data, 7, "0000000000000000000000000000000000000000000000000000000000000021"),
                        "length");  // bytes length 33: needs 64 padded bytes, only 32 remain
}

TEST(SettlementAbi, DecodeRejectsDirtyWords)
{
    const Bytes data = from_hex("0x" + spec_f_body);
    const auto types = parse_type_list("uint256,uint32[],bytes10,bytes");
    // uint32 element above 2^32.
    expect_decode_error(types, patch_word(data, 5, "0000000000000000000000000000000000000000000000000000000100000000"),
                        "exceeds 32 bits");
    // bytes10 with a nonzero byte in its padding.
    expect_decode_error(types, patch_word(data, 2, "3132333435363738393000000000000000000000000000000000000000000001"),
                        "padding");
    // bytes content padding.
    expect_decode_error(types, patch_word(data, 8, "48656c6c6f2c20776f726c642100000000000000000000000000000000000001"),
                        "padding");

    const Bytes one_word(32, 0);
    expect_decode_error({Type::boolean()}, patch_word(one_word, 0, std::string(62, '0') + "02"), "bool");
    expect_decode_error({Type::address()}, patch_word(one_word, 0, "01" + std::string(62, '0')), "address");
    expect_decode_error({Type::sint(8)}, patch_word(one_word, 0, std::string(62, '0') + "80"), "sign-extended");
    expect_decode_error({Type::sint(8)}, patch_word(one_word, 0, std::string(62, 'f') + "7f"), "sign-extended");
    EXPECT_EQ(decode({Type::sint(8)}, patch_word(one_word, 0, std::string(62, 'f') + "80"))[0].as_sint64(), -128);
}

TEST(SettlementAbi, DecodeRejectsOverlappingOffsetBlowup)
{
    // bytes[] of 40 elements whose offsets all point at the same 1000-byte string: 1.4 KB of
    // input claiming 40 KB of output.
    Bytes data;
    auto word = [&](uint64_t v) { append(data, to_be_bytes(U256(v))); };
    const size_t count = 40;
    word(32);     // offset of the array
    word(count);  // array length
    for (size_t i = 0; i < count; ++i)
        word(32 * count);  // every element at the same place (relative to the element heads)
    word(1000);
    data.resize(data.size() + 1024, 0x41);
    std::fill(data.end() - 24, data.end(), 0);
    expect_decode_error(parse_type_list("bytes[]"), data, "overlapping");
}

TEST(SettlementAbi, ValueAccessorsCheckKinds)
{
    EXPECT_THROW(Value::boolean(true).as_uint(), AbiError);
    EXPECT_THROW(Value::uint(1).as_bool(), AbiError);
    EXPECT_THROW(Value::uint(1).as_bytes(), AbiError);
    EXPECT_THROW(Value::uint(1).as_list(), AbiError);
    EXPECT_THROW(Value::uint(1).as_address(), AbiError);
    EXPECT_THROW(Value::sint_twos_complement(U256(0, 1, 0, 0)).as_sint64(), AbiError);
}

TEST(SettlementAbi, RandomMutationsDecodeOrThrowAbiError)
{
    // Offsets and lengths overwritten with random small and huge values: only AbiError may escape,
    // and whatever decodes must encode again under the same types.
    const auto types = parse_type_list("uint256,uint32[],bytes10,bytes,string[],(address,bytes)[2]");
    const std::vector<Value> values = {
        Value::uint(1), Value::list({Value::uint(2), Value::uint(3)}), Value::bytes(Bytes(10, 4)), Value::string("five"),
        Value::list({Value::string("six"), Value::string("")}),
        Value::list({Value::list({Value::address(Address{}), Value::string("7")}),
                     Value::list({Value::address(Address{}), Value::bytes(Bytes(40, 8))})})};
    const Bytes good = encode(types, values);
    ASSERT_EQ(decode(types, good), values);
    std::mt19937_64 rng(7);
    for (int round = 0; round < 3000; ++round) {
        Bytes input = good;
        const size_t word_index = rng() % (input.size() / 32);
        U256 v;
        switch (rng() % 3) {
        case 0:
            v = U256(rng() % 512);
            break;
        case 1:
            v = U256(rng());
            break;
        default:
            v = U256(rng(), rng(), rng(), rng());
        }
        const Hash256 w = to_be_bytes(v);
        std::copy(w.begin(), w.end(), input.begin() + long(32 * word_index));
        if (rng() % 5 == 0)
            input.resize(rng() % input.size());
        try {
            const auto decoded = decode(types, input);
            EXPECT_NO_THROW(encode(types, decoded));
        }
        catch (const AbiError&) {
        }
    }
}

}  // namespace
}  // namespace provernet::settlement::abi
