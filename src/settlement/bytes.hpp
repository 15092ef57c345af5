// Byte strings and 256-bit big-endian conversions shared by the Ethereum encodings.
#pragma once

#include "math/u256.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace provernet::settlement {

using Bytes = std::vector<uint8_t>;
using BytesView = std::span<const uint8_t>;
using Hash256 = std::array<uint8_t, 32>;

inline BytesView as_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

inline void append(Bytes& out, BytesView data) { out.insert(out.end(), data.begin(), data.end()); }

// Big-endian 32-byte form of a U256 (Ethereum's word order).
Hash256 to_be_bytes(const math::U256& v);
// Big-endian bytes (at most 32) to a U256; shorter input is left-padded with zeros.
math::U256 u256_from_be(BytesView be);
// The minimal big-endian bytes of v: empty for zero, no leading zero byte otherwise (RLP's integers).
Bytes minimal_be_bytes(const math::U256& v);

}  // namespace provernet::settlement
