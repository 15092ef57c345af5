#include "settlement/abi_type.hpp"
#include "settlement/errors.hpp"

#include <gtest/gtest.h>

namespace provernet::settlement::abi {
namespace {

TEST(SettlementAbiType, CanonicalForms)
{
    const std::pair<const char*, const char*> cases[] = {
        {"uint", "uint256"},
        {"int", "int256"},
        {"uint8", "uint8"},
        {"int72", "int72"},
        {"address", "address"},
        {"bool", "bool"},
        {"bytes", "bytes"},
        {"bytes1", "bytes1"},
        {"bytes32", "bytes32"},
        {"string", "string"},
        {"uint[]", "uint256[]"},
        {"uint256[2][2]", "uint256[2][2]"},
        {"bytes3[2]", "bytes3[2]"},
        {"(uint,bytes)[]", "(uint256,bytes)[]"},
        {"(address,(bool,int)[3])", "(address,(bool,int256)[3])"},
    };
    for (const auto& [text, canonical] : cases)
        EXPECT_EQ(Type::parse(text).canonical(), canonical) << text;
}

TEST(SettlementAbiType, StaticAndDynamicLayout)
{
    EXPECT_FALSE(Type::parse("uint256[2][2]").is_dynamic());
    EXPECT_EQ(Type::parse("uint256[2][2]").head_size(), 128u);
    EXPECT_EQ(Type::parse("(uint8,address,bytes32)").head_size(), 96u);
    EXPECT_TRUE(Type::parse("uint256[]").is_dynamic());
    EXPECT_TRUE(Type::parse("string[2]").is_dynamic());  // a fixed array of dynamic elements is dynamic
    EXPECT_TRUE(Type::parse("(uint256,bytes)").is_dynamic());
    EXPECT_EQ(Type::parse("string[2]").head_size(), 32u);
    // The array index nests outward: uint256[2][3] is three uint256[2].
    const Type t = Type::parse("uint256[2][3]");
    EXPECT_EQ(t.size, 3u);
    EXPECT_EQ(t.element().size, 2u);
}

TEST(SettlementAbiType, RejectsBadTypes)
{
    for (const char* text : {"", "uint7", "uint264", "uint0", "int9", "bytes0", "bytes33", "uint08", "uint256[0]",
                             "uint256[01]", "uint256[", "uint256[x]", "uint256]", "(uint256", "()", "(uint256,)",
                             "foo", "address8", "bool1", "string2", "uint256 ", " uint256", "fixed128x18",
                             "uint256[99999999999]", "function"}) {
        EXPECT_THROW(Type::parse(text), AbiError) << "\"" << text << "\"";
    }
    std::string deep = "uint256";
    for (int i = 0; i < 20; ++i)
        deep += "[]";
    EXPECT_THROW(Type::parse(deep), AbiError);
    // A static array whose encoding would be absurdly large.
    EXPECT_THROW(Type::parse("uint256[4096][4096][4096]"), AbiError);
}

TEST(SettlementAbiType, ErrorNamesTheText)
{
    try {
        Type::parse("uint7");
        FAIL();
    }
    catch (const AbiError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("uint7"), std::string::npos) << msg;
        EXPECT_NE(msg.find("multiple of 8"), std::string::npos) << msg;
    }
}

TEST(SettlementAbiType, TypeLists)
{
    EXPECT_TRUE(parse_type_list("").empty());
    const auto list = parse_type_list("uint,bool,uint32[]");
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[2].canonical(), "uint32[]");
    EXPECT_THROW(parse_type_list("uint,"), AbiError);
    EXPECT_THROW(parse_type_list(",uint"), AbiError);
}

TEST(SettlementAbiType, Signatures)
{
    EXPECT_EQ(Signature::parse("f(uint,uint32[],bytes10,bytes)").canonical(), "f(uint256,uint32[],bytes10,bytes)");
    EXPECT_EQ(Signature::parse("noArgs()").canonical(), "noArgs()");
    EXPECT_EQ(Signature::parse("_x$1(address)").name, "_x$1");
    for (const char* text : {"f", "f(", "(uint256)", "1f(uint256)", "f(uint256))", "f(uint256) ", "f (uint256)",
                             "f(uint256, bool)"})
        EXPECT_THROW(Signature::parse(text), AbiError) << text;
}

}  // namespace
}  // namespace provernet::settlement::abi
