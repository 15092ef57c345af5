// Ethereum account addresses: 20 bytes, printed in EIP-55 mixed-case checksum form.
#pragma once

#include "settlement/bytes.hpp"

#include <array>
#include <compare>
#include <string>
#include <string_view>

namespace provernet::settlement {

struct Address {
    std::array<uint8_t, 20> bytes{};

    // "0x" + 40 hex digits. All-lowercase or all-uppercase digits are accepted as they are;
    // mixed case must be the exact EIP-55 checksum (a mistyped address is rejected).
    // Throws KeyError naming `what`.
    static Address parse(std::string_view text, std::string_view what = "address");
    // The last 20 bytes of a 32-byte word (how ABI and keccak-derived addresses arrive).
    static Address from_word(const Hash256& word);

    // EIP-55 checksummed, e.g. 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23.
    std::string to_checksum_string() const;
    // All lowercase, e.g. for canonical signed payloads and database keys.
    std::string to_lower_string() const;
    bool is_zero() const;

    friend bool operator==(const Address&, const Address&) = default;
    friend std::strong_ordering operator<=>(const Address&, const Address&) = default;
};

}  // namespace provernet::settlement
