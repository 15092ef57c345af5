#include "settlement/address.hpp"
#include "settlement/errors.hpp"

#include <gtest/gtest.h>

#include <cctype>

namespace provernet::settlement {
namespace {

std::string lower(std::string s)
{
    for (char& c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The test addresses listed in EIP-55 itself.
const char* const eip55_vectors[] = {
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
};

TEST(SettlementAddress, Eip55SpecVectorsRoundTrip)
{
    for (const char* text : eip55_vectors) {
        const Address a = Address::parse(text);
        EXPECT_EQ(a.to_checksum_string(), text);
        EXPECT_EQ(a.to_lower_string(), lower(text));
        // All-lowercase input carries no checksum and is accepted as is.
        EXPECT_EQ(Address::parse(lower(text)), a);
    }
}

TEST(SettlementAddress, AllUppercaseDigitsAccepted)
{
    std::string upper = "0x" + lower(eip55_vectors[0]).substr(2);
    for (size_t i = 2; i < upper.size(); ++i)
        upper[i] = char(std::toupper(static_cast<unsigned char>(upper[i])));
    EXPECT_EQ(Address::parse(upper), Address::parse(eip55_vectors[0]));
}

TEST(SettlementAddress, RejectsEveryWrongCaseFlip)
{
    // Flipping the case of any single letter of a checksummed address must be caught.
    for (const char* text : eip55_vectors) {
        const std::string good = text;
        for (size_t i = 2; i < good.size(); ++i) {
            if (!std::isalpha(static_cast<unsigned char>(good[i])))
                continue;
            std::string bad = good;
            bad[i] = std::isupper(static_cast<unsigned char>(bad[i])) ? char(std::tolower(bad[i]))
                                                                       : char(std::toupper(bad[i]));
            if (bad == lower(good))
                continue;  // the only letter flipped back to all-lowercase: no checksum to check
            EXPECT_THROW(Address::parse(bad), KeyError) << bad;
        }
    }
}

TEST(SettlementAddress, RejectsBadLengthAndDigits)
{
    EXPECT_THROW(Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA"), KeyError);
    EXPECT_THROW(Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00"), KeyError);
    EXPECT_THROW(Address::parse("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), KeyError);
    EXPECT_THROW(Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg"), KeyError);
    try {
        Address::parse("0x1234", "signer");
        FAIL();
    }
    catch (const KeyError& e) {
        EXPECT_NE(std::string(e.what()).find("signer"), std::string::npos);
    }
}

TEST(SettlementAddress, FromWordTakesLowBytes)
{
    Hash256 word{};
    for (size_t i = 0; i < 32; ++i)
        word[i] = uint8_t(i);
    const Address a = Address::from_word(word);
    EXPECT_EQ(a.bytes[0], 12);
    EXPECT_EQ(a.bytes[19], 31);
    EXPECT_FALSE(a.is_zero());
    EXPECT_TRUE(Address{}.is_zero());
}

}  // namespace
}  // namespace provernet::settlement
