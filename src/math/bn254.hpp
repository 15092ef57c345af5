// The BN254 (alt_bn128) base field Fq and scalar field Fr.
#pragma once

#include "math/field.hpp"

namespace provernet::math {

struct FqParams {
    static constexpr U256 modulus =
        u256_from_hex_literal("0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47");
    static constexpr const char* name = "Fq";
};

struct FrParams {
    static constexpr U256 modulus =
        u256_from_hex_literal("0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");
    static constexpr const char* name = "Fr";
};

using Fq = Field<FqParams>;
using Fr = Field<FrParams>;

// The curve parameter x (often u or t) defining BN254: p = 36x^4 + 36x^3 + 24x^2 + 6x + 1.
inline constexpr uint64_t bn254_x = 4965661367192848881ull;

}  // namespace provernet::math
