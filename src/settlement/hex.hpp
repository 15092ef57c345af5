// 0x-prefixed hex text <-> bytes, strict: the prefix is required, digits may be either case,
// and every error names the field being parsed (`what`).
#pragma once

#include "settlement/bytes.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace provernet::settlement {

// "0x" followed by two lowercase digits per byte ("0x" for no bytes).
std::string to_hex(BytesView data);

// Bytes from "0x..." text. Throws HexError naming `what` on a missing prefix, an odd number of
// digits or a non-hex character.
Bytes from_hex(std::string_view text, std::string_view what = "hex");

// Exactly `expected` bytes (throws HexError on any other length).
Bytes from_hex_exact(std::string_view text, size_t expected, std::string_view what = "hex");

template <size_t N>
std::array<uint8_t, N> from_hex_array(std::string_view text, std::string_view what = "hex")
{
    const Bytes b = from_hex_exact(text, N, what);
    std::array<uint8_t, N> out{};
    std::copy(b.begin(), b.end(), out.begin());
    return out;
}

}  // namespace provernet::settlement
