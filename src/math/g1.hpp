// BN254 G1: y^2 = x^3 + 3 over Fq, prime order r (cofactor 1).
#pragma once

#include "math/bn254.hpp"
#include "math/curve.hpp"

namespace provernet::math {

struct G1Params {
    static Fq b() { return Fq::from_uint(3); }
    static AffinePoint<Fq, G1Params> generator() { return {Fq::from_uint(1), Fq::from_uint(2)}; }
};

using G1Affine = AffinePoint<Fq, G1Params>;
using G1 = JacobianPoint<Fq, G1Params>;

static_assert(sizeof(G1Affine) == 64, "G1Affine must match the zkey layout (x || y, Montgomery LE)");

// Cofactor 1: every point on the curve is in the group.
template <>
inline bool G1Affine::is_valid() const
{
    return is_on_curve();
}

}  // namespace provernet::math
