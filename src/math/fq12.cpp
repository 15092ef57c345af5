#include "math/fq12.hpp"

#include <array>

namespace provernet::math {

namespace detail {

const FrobeniusCoeffs& frobenius_coeffs()
{
    static const FrobeniusCoeffs coeffs = [] {
        // g = xi^((p - 1) / 6); 6 divides p - 1 because p = 1 mod 6 for every BN prime.
        U256 e;
        U256::sub(e, Fq::modulus, U256(1));
        uint64_t rem = 0;
        for (int i = 3; i >= 0; --i) {
            const u128 cur = (u128(rem) << 64) | e.limb[i];
            e.limb[i] = uint64_t(cur / 6);
            rem = uint64_t(cur % 6);
        }
        const Fq2 xi{Fq::from_uint(9), Fq::from_uint(1)};
        const Fq2 g = xi.pow(e);
        FrobeniusCoeffs c;
        Fq2 gk = Fq2::one();
        for (int k = 0; k < 6; ++k) {
            c.gamma1[k] = gk;
            // (p^2 - 1)/6 = (p + 1)(p - 1)/6, so gamma2 = gamma1^(p + 1) = gamma1 * conj(gamma1).
            const Fq2 n = gk * gk.conjugate();
            c.gamma2[k] = n.c0;
            // (p^3 - 1)/6 = (p^2 + p + 1)(p - 1)/6, so gamma3 = gamma1^(p^2) gamma1^p gamma1
            // = gamma1 * N(gamma1) (gamma1^(p^2) = gamma1 in Fq2).
            c.gamma3[k] = gk * n.c0;
            gk = gk * g;
        }
        return c;
    }();
    return coeffs;
}

}  // namespace detail

Fq12 operator*(const Fq12& a, const Fq12& b)
{
    const Fq6 t0 = a.c0 * b.c0;
    const Fq6 t1 = a.c1 * b.c1;
    return {t0 + t1.mul_by_v(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
}

Fq12 Fq12::square() const
{
    // (c0 + c1 w)^2 = c0^2 + v c1^2 + 2 c0 c1 w, with c0^2 + v c1^2 = (c0 + c1)(c0 + v c1) - c0c1 - v c0c1.
    const Fq6 ab = c0 * c1;
    return {(c0 + c1) * (c0 + c1.mul_by_v()) - ab - ab.mul_by_v(), ab.dbl()};
}

Fq12 Fq12::inverse() const
{
    // 1 / (c0 + c1 w) = (c0 - c1 w) / (c0^2 - v c1^2).
    const Fq6 t = (c0.square() - c1.square().mul_by_v()).inverse();
    return {c0 * t, -(c1 * t)};
}

Fq12 Fq12::frobenius() const
{
    const auto& g = detail::frobenius_coeffs();
    return {{c0.c0.conjugate(), c0.c1.conjugate() * g.gamma1[2], c0.c2.conjugate() * g.gamma1[4]},
            {c1.c0.conjugate() * g.gamma1[1], c1.c1.conjugate() * g.gamma1[3], c1.c2.conjugate() * g.gamma1[5]}};
}

Fq12 Fq12::frobenius2() const
{
    const auto& g = detail::frobenius_coeffs();
    return {{c0.c0, c0.c1 * g.gamma2[2], c0.c2 * g.gamma2[4]},
            {c1.c0 * g.gamma2[1], c1.c1 * g.gamma2[3], c1.c2 * g.gamma2[5]}};
}

Fq12 Fq12::frobenius3() const
{
    const auto& g = detail::frobenius_coeffs();
    return {{c0.c0.conjugate(), c0.c1.conjugate() * g.gamma3[2], c0.c2.conjugate() * g.gamma3[4]},
            {c1.c0.conjugate() * g.gamma3[1], c1.c1.conjugate() * g.gamma3[3], c1.c2.conjugate() * g.gamma3[5]}};
}

Fq12 Fq12::mul_by_034(const Fq2& d0, const Fq2& d3, const Fq2& d4) const
{
    // (c0 + c1 w)(D0 + D1 w) with D0 = d0, D1 = d3 + d4 v; Karatsuba with sparse factors.
    const Fq6 t0{c0.c0 * d0, c0.c1 * d0, c0.c2 * d0};
    const Fq6 t1 = c1.mul_by_01(d3, d4);
    const Fq6 s = (c0 + c1).mul_by_01(d0 + d3, d4);
    return {t0 + t1.mul_by_v(), s - t0 - t1};
}

Fq12 Fq12::cyclotomic_square() const
{
    // View Fq12 as Fq4[t] / (t^3 - s), Fq4 = Fq2[s] / (s^2 - xi), with t = w and s = w^3:
    //   x = A0 + A1 t + A2 t^2,  A0 = a0 + a3 s,  A1 = a1 + a4 s,  A2 = a2 + a5 s.
    // For x in the cyclotomic subgroup (Granger-Scott 2010),
    //   x^2 = (3 A0^2 - 2 conj(A0)) + (3 s A2^2 + 2 conj(A1)) t + (3 A1^2 - 2 conj(A2)) t^2,
    // where conj(a + b s) = a - b s. An Fq4 square costs 3 Fq2 squarings:
    //   (a + b s)^2 = (a^2 + xi b^2) + ((a + b)^2 - a^2 - b^2) s.
    const Fq2& a0 = c0.c0;
    const Fq2& a1 = c1.c0;
    const Fq2& a2 = c0.c1;
    const Fq2& a3 = c1.c1;
    const Fq2& a4 = c0.c2;
    const Fq2& a5 = c1.c2;

    const Fq2 a0s = a0.square(), a3s = a3.square();
    const Fq2 A0sq_0 = a3s.mul_by_xi() + a0s;
    const Fq2 A0sq_1 = (a0 + a3).square() - a0s - a3s;
    const Fq2 a1s = a1.square(), a4s = a4.square();
    const Fq2 A1sq_0 = a4s.mul_by_xi() + a1s;
    const Fq2 A1sq_1 = (a1 + a4).square() - a1s - a4s;
    const Fq2 a2s = a2.square(), a5s = a5.square();
    const Fq2 A2sq_0 = a5s.mul_by_xi() + a2s;
    const Fq2 A2sq_1 = (a2 + a5).square() - a2s - a5s;

    // 3 t - 2 a = 2 (t - a) + t and 3 t + 2 a = 2 (t + a) + t.
    Fq12 r;
    r.c0.c0 = (A0sq_0 - a0).dbl() + A0sq_0;  // a0'
    r.c1.c1 = (A0sq_1 + a3).dbl() + A0sq_1;  // a3'
    // s * A2^2 = xi * A2sq_1 + A2sq_0 s
    const Fq2 sA2_0 = A2sq_1.mul_by_xi();
    r.c1.c0 = (sA2_0 + a1).dbl() + sA2_0;    // a1'
    r.c0.c2 = (A2sq_0 - a4).dbl() + A2sq_0;  // a4'
    r.c0.c1 = (A1sq_0 - a2).dbl() + A1sq_0;  // a2'
    r.c1.c2 = (A1sq_1 + a5).dbl() + A1sq_1;  // a5'
    return r;
}

namespace {

// Width-4 signed window form (wNAF) of bn254_x, most significant digit first: digits in
// {0, ±1, ±3, ±5, ±7}, 14 of them nonzero (plain NAF has 24, binary 28).
struct XWnaf {
    std::array<int8_t, 66> d{};
    int n = 0;
};
constexpr XWnaf make_x_wnaf()
{
    XWnaf out;
    std::array<int8_t, 66> lsb_first{};
    int n = 0;
    u128 v = bn254_x;
    while (v != 0) {
        int z = 0;
        if (v & 1) {
            z = int(v & 15);
            if (z >= 8)
                z -= 16;
            v = z >= 0 ? v - u128(z) : v + u128(-z);
        }
        lsb_first[n++] = int8_t(z);
        v >>= 1;
    }
    for (int i = 0; i < n; ++i)
        out.d[i] = lsb_first[n - 1 - i];
    out.n = n;
    return out;
}
constexpr XWnaf x_wnaf = make_x_wnaf();
static_assert(x_wnaf.d[0] > 0);

}  // namespace

Fq12 Fq12::cyclotomic_exp_by_x() const
{
    // odd[k] = x^(2k + 1), k = 0..3; negative digits use the conjugate (the inverse here).
    Fq12 odd[4];
    odd[0] = *this;
    const Fq12 sq = cyclotomic_square();
    for (int k = 1; k < 4; ++k)
        odd[k] = odd[k - 1] * sq;
    Fq12 r = odd[x_wnaf.d[0] >> 1];
    for (int i = 1; i < x_wnaf.n; ++i) {
        r = r.cyclotomic_square();
        const int z = x_wnaf.d[i];
        if (z > 0)
            r *= odd[z >> 1];
        else if (z < 0)
            r *= odd[(-z) >> 1].conjugate();
    }
    return r;
}

Fq12 Fq12::pow(std::span<const uint64_t> e) const
{
    Fq12 r = one();
    bool started = false;
    for (size_t i = e.size(); i-- > 0;) {
        for (int b = 63; b >= 0; --b) {
            if (started)
                r = r.square();
            if ((e[i] >> b) & 1) {
                r = started ? r * *this : *this;
                started = true;
            }
        }
    }
    return r;
}

}  // namespace provernet::math
