#include "math/g2.hpp"

#include <utility>

namespace provernet::math {

AffinePoint<Fq2, G2Params> G2Params::generator()
{
    static const G2Affine g = [] {
        auto d = [](const char* s) { return *Fq::from_decimal(s); };
        return G2Affine{
            {d("10857046999023057135944570762232829481370756359578518086990519993285655852781"),
             d("11559732032986387107991004021392285783925812861821192530917403151452391805634")},
            {d("8495653923123431417604973247489272438418190587263600148770280649306958101930"),
             d("4082367875863433681332203403145435568316851327593401208105741076214120093531")}};
    }();
    return g;
}

template <>
bool G2Affine::is_valid() const
{
    if (!is_on_curve())
        return false;
    if (is_infinity())
        return true;
    // On the twist, psi acts on the order-r subgroup as multiplication by p (mod r), and
    //     [x+1]Q + psi([x]Q) + psi^2([x]Q) == psi^3([2x]Q)
    // holds for no point outside it (El Housni, Guillevic, Piellard, eprint 2022/348, sec. 3 and
    // 5.1; gnark uses the same test): one 63-bit multiplication instead of [r]Q's 254 bits. The
    // coordinator checks every proof's B point, so this is on its hot path.
    // psi in Jacobian coordinates (conjugation is a field automorphism, so it passes through
    // the Z^2, Z^3 denominators): no inversion anywhere in the check.
    const G2 xq = mul(U256(bn254_x));
    const G2 psi_xq = g2_frobenius(xq);
    const G2 lhs = xq.add_mixed(*this) + psi_xq + g2_frobenius(psi_xq);
    return lhs == g2_frobenius(g2_frobenius(g2_frobenius(xq.dbl())));
}

namespace {

// psi(x, y) = (conj(x) * xi^((p-1)/3), conj(y) * xi^((p-1)/2)): the two constants.
const std::pair<Fq2, Fq2>& frobenius_constants()
{
    static const std::pair<Fq2, Fq2> constants = [] {
        const Fq2 xi{Fq::from_uint(9), Fq::from_uint(1)};
        U256 pm1;
        U256::sub(pm1, Fq::modulus, U256(1));
        return std::pair{xi.pow(U256::div_small(pm1, 3)), xi.pow(U256::div_small(pm1, 2))};
    }();
    return constants;
}

}  // namespace

G2Affine g2_frobenius(const G2Affine& q)
{
    if (q.is_infinity())
        return q;
    const auto& [gx, gy] = frobenius_constants();
    return {q.x.conjugate() * gx, q.y.conjugate() * gy};
}

G2 g2_frobenius(const G2& q)
{
    const auto& [gx, gy] = frobenius_constants();
    return {q.x.conjugate() * gx, q.y.conjugate() * gy, q.z.conjugate()};
}

}  // namespace provernet::math
