// BN254 G2: the sextic twist y^2 = x^3 + 3/(9+u) over Fq2, restricted to its order-r subgroup.
#pragma once

#include "math/bn254.hpp"
#include "math/curve.hpp"
#include "math/fq2.hpp"

namespace provernet::math {

struct G2Params {
    static const Fq2& b()
    {
        static const Fq2 twist_b = Fq2{Fq::from_uint(9), Fq::from_uint(1)}.inverse() * Fq::from_uint(3);
        return twist_b;
    }
    static AffinePoint<Fq2, G2Params> generator();
};

using G2Affine = AffinePoint<Fq2, G2Params>;
using G2 = JacobianPoint<Fq2, G2Params>;

static_assert(sizeof(G2Affine) == 128, "G2Affine must match the zkey layout (x.c0 x.c1 y.c0 y.c1)");

// The twist's cofactor is large, so on-curve points need an explicit subgroup check.
template <>
bool G2Affine::is_valid() const;

// psi: the untwist-Frobenius-twist endomorphism on the twist (used by the subgroup check and the
// pairing's final lines).
G2Affine g2_frobenius(const G2Affine& q);
G2 g2_frobenius(const G2& q);  // the same in Jacobian coordinates (infinity stays infinity)

}  // namespace provernet::math
