#include "math/g2.hpp"

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
    // On the twist, psi acts on the order-r subgroup as multiplication by p = 6x^2 (mod r), and
    // psi(Q) == [6x^2]Q holds for no other point (Dai, Lin, Zhao, Zhou, eprint 2022/352, sec.
    // 4.3; arkworks uses the same test). A 128-bit multiplication instead of [r]Q's 254 bits:
    // the coordinator checks every proof's B point, so this is on its hot path.
    static const U256 six_x_squared = [] {
        const u128 xx = u128(bn254_x) * bn254_x;  // 126 bits
        const U256 x2{uint64_t(xx), uint64_t(xx >> 64), 0, 0};
        U256 two, four, six;
        U256::add(two, x2, x2);
        U256::add(four, two, two);
        U256::add(six, four, two);
        return six;
    }();
    return g2_frobenius(*this).to_jacobian() == to_jacobian().mul(six_x_squared);
}

G2Affine g2_frobenius(const G2Affine& q)
{
    // psi(x, y) = (conj(x) * xi^((p-1)/3), conj(y) * xi^((p-1)/2))
    static const auto [gx, gy] = [] {
        const Fq2 xi{Fq::from_uint(9), Fq::from_uint(1)};
        U256 pm1;
        U256::sub(pm1, Fq::modulus, U256(1));
        // (p-1)/3 and (p-1)/2 by long division of U256 by a small number.
        auto div_small = [](U256 a, uint64_t d) {
            uint64_t rem = 0;
            for (int i = 3; i >= 0; --i) {
                const u128 cur = (u128(rem) << 64) | a.limb[i];
                a.limb[i] = uint64_t(cur / d);
                rem = uint64_t(cur % d);
            }
            return a;
        };
        return std::pair{xi.pow(div_small(pm1, 3)), xi.pow(div_small(pm1, 2))};
    }();
    if (q.is_infinity())
        return q;
    return {q.x.conjugate() * gx, q.y.conjugate() * gy};
}

}  // namespace provernet::math
