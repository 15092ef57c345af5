// Ethereum's Keccak-256 (the original Keccak padding 0x01, not FIPS-202 SHA3-256's 0x06).
#pragma once

#include "settlement/bytes.hpp"

#include <string_view>

namespace provernet::settlement {

Hash256 keccak256(BytesView data);
inline Hash256 keccak256(std::string_view text) { return keccak256(as_bytes(text)); }

}  // namespace provernet::settlement
