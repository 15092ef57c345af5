#include "settlement/address.hpp"

#include "settlement/errors.hpp"
#include "settlement/hex.hpp"
#include "settlement/keccak.hpp"

#include <algorithm>

namespace provernet::settlement {

Address Address::from_word(const Hash256& word)
{
    Address a;
    std::copy(word.begin() + 12, word.end(), a.bytes.begin());
    return a;
}

bool Address::is_zero() const
{
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

std::string Address::to_lower_string() const { return to_hex(bytes); }

std::string Address::to_checksum_string() const
{
    // EIP-55: hex letter i is uppercase when nibble i of keccak256(lowercase hex text) is >= 8.
    std::string text = to_lower_string();
    const Hash256 hash = keccak256(std::string_view(text).substr(2));
    for (size_t i = 0; i < 40; ++i) {
        const uint8_t nibble = (i % 2 == 0) ? (hash[i / 2] >> 4) : (hash[i / 2] & 15);
        char& c = text[2 + i];
        if (c >= 'a' && c <= 'f' && nibble >= 8)
            c = char(c - 'a' + 'A');
    }
    return text;
}

Address Address::parse(std::string_view text, std::string_view what)
{
    Address a;
    try {
        const Bytes b = from_hex_exact(text, 20, what);
        std::copy(b.begin(), b.end(), a.bytes.begin());
    }
    catch (const HexError& e) {
        throw KeyError(e.what());
    }
    const std::string_view digits = text.substr(2);
    const bool has_lower = std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'a' && c <= 'f'; });
    const bool has_upper = std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'A' && c <= 'F'; });
    if (has_lower && has_upper) {
        const std::string expected = a.to_checksum_string();
        if (digits != std::string_view(expected).substr(2))
            throw KeyError(std::string(what) + ": EIP-55 checksum mismatch in \"" + std::string(text) +
                           "\" (expected " + expected + ")");
    }
    return a;
}

}  // namespace provernet::settlement
