// Fq6 = Fq2[v] / (v^3 - xi), xi = 9 + u: the middle floor of the BN254 pairing tower
// Fq -> Fq2 -> Fq6 -> Fq12 (the same tower as EIP-197 implementations, arkworks, gnark, zcash/bn).
#pragma once

#include "math/fq2.hpp"

namespace provernet::math {

namespace detail {

// a / 2 mod p. Halving commutes with the Montgomery factor R, so it works directly on the limbs:
// an odd value gets p added first (a + p < 2p < 2^255, no carry out), then shifts right by one.
inline Fq fq_half(const Fq& a)
{
    const uint64_t mask = 0 - (a.v[0] & 1);
    const U256& p = Fq::modulus;
    u128 s = u128(a.v[0]) + (p.limb[0] & mask);
    const uint64_t t0 = uint64_t(s);
    s = u128(a.v[1]) + (p.limb[1] & mask) + uint64_t(s >> 64);
    const uint64_t t1 = uint64_t(s);
    s = u128(a.v[2]) + (p.limb[2] & mask) + uint64_t(s >> 64);
    const uint64_t t2 = uint64_t(s);
    const uint64_t t3 = a.v[3] + (p.limb[3] & mask) + uint64_t(s >> 64);
    Fq r;
    r.v[0] = (t0 >> 1) | (t1 << 63);
    r.v[1] = (t1 >> 1) | (t2 << 63);
    r.v[2] = (t2 >> 1) | (t3 << 63);
    r.v[3] = t3 >> 1;
    return r;
}
inline Fq2 fq2_half(const Fq2& a) { return {fq_half(a.c0), fq_half(a.c1)}; }

// Frobenius coefficients of the tower, computed once from xi (see fq12.cpp):
//   gamma1[k] = xi^(k (p - 1) / 6)            in Fq2,
//   gamma2[k] = xi^(k (p^2 - 1) / 6) = N(gamma1[k])       (lies in Fq),
//   gamma3[k] = xi^(k (p^3 - 1) / 6) = gamma1[k] gamma2[k],
// for k = 0..5. With w^6 = xi, (w^k)^(p^j) = gamma_j[k] w^k.
struct FrobeniusCoeffs {
    Fq2 gamma1[6];
    Fq gamma2[6];
    Fq2 gamma3[6];
};
const FrobeniusCoeffs& frobenius_coeffs();

}  // namespace detail

struct Fq6 {
    Fq2 c0, c1, c2;  // c0 + c1 v + c2 v^2

    static Fq6 zero() { return {}; }
    static Fq6 one() { return {Fq2::one(), Fq2::zero(), Fq2::zero()}; }

    bool is_zero() const { return c0.is_zero() && c1.is_zero() && c2.is_zero(); }
    bool is_one() const { return c0.is_one() && c1.is_zero() && c2.is_zero(); }
    friend bool operator==(const Fq6& a, const Fq6& b) { return a.c0 == b.c0 && a.c1 == b.c1 && a.c2 == b.c2; }

    friend Fq6 operator+(const Fq6& a, const Fq6& b) { return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2}; }
    friend Fq6 operator-(const Fq6& a, const Fq6& b) { return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2}; }
    friend Fq6 operator-(const Fq6& a) { return {-a.c0, -a.c1, -a.c2}; }
    Fq6& operator+=(const Fq6& b) { return *this = *this + b; }
    Fq6& operator-=(const Fq6& b) { return *this = *this - b; }
    Fq6 dbl() const { return {c0.dbl(), c1.dbl(), c2.dbl()}; }

    // Karatsuba over the cubic extension: 6 Fq2 multiplications.
    friend Fq6 operator*(const Fq6& a, const Fq6& b)
    {
        const Fq2 t0 = a.c0 * b.c0;
        const Fq2 t1 = a.c1 * b.c1;
        const Fq2 t2 = a.c2 * b.c2;
        return {((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mul_by_xi() + t0,
                (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mul_by_xi(),
                (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1};
    }
    Fq6& operator*=(const Fq6& b) { return *this = *this * b; }
    // By an Fq2 scalar.
    friend Fq6 operator*(const Fq6& a, const Fq2& s) { return {a.c0 * s, a.c1 * s, a.c2 * s}; }

    // Chung-Hasan SQR2: 2 Fq2 multiplications and 3 squarings.
    Fq6 square() const
    {
        const Fq2 s0 = c0.square();
        const Fq2 s1 = (c0 * c1).dbl();
        const Fq2 s2 = (c0 - c1 + c2).square();
        const Fq2 s3 = (c1 * c2).dbl();
        const Fq2 s4 = c2.square();
        return {s3.mul_by_xi() + s0, s4.mul_by_xi() + s1, s1 + s2 + s3 - s0 - s4};
    }

    // Multiplication by v (v^3 = xi).
    Fq6 mul_by_v() const { return {c2.mul_by_xi(), c0, c1}; }

    // Multiplication by the sparse element b0 + b1 v: 5 Fq2 multiplications.
    Fq6 mul_by_01(const Fq2& b0, const Fq2& b1) const
    {
        const Fq2 t0 = c0 * b0;
        const Fq2 t1 = c1 * b1;
        return {((c1 + c2) * b1 - t1).mul_by_xi() + t0, (c0 + c1) * (b0 + b1) - t0 - t1, (c0 + c2) * b0 - t0 + t1};
    }

    Fq6 inverse() const
    {
        const Fq2 t0 = c0.square() - (c1 * c2).mul_by_xi();
        const Fq2 t1 = c2.square().mul_by_xi() - c0 * c1;
        const Fq2 t2 = c1.square() - c0 * c2;
        const Fq2 den = c0 * t0 + (c2 * t1 + c1 * t2).mul_by_xi();
        const Fq2 inv = den.inverse();
        return {t0 * inv, t1 * inv, t2 * inv};
    }

    // x -> x^(p^k) for k = 1, 2, 3 (v = w^2, so v^(p^j) = gamma_j[2] v).
    Fq6 frobenius() const
    {
        const auto& g = detail::frobenius_coeffs();
        return {c0.conjugate(), c1.conjugate() * g.gamma1[2], c2.conjugate() * g.gamma1[4]};
    }
    Fq6 frobenius2() const
    {
        const auto& g = detail::frobenius_coeffs();
        return {c0, c1 * g.gamma2[2], c2 * g.gamma2[4]};
    }
    Fq6 frobenius3() const
    {
        const auto& g = detail::frobenius_coeffs();
        return {c0.conjugate(), c1.conjugate() * g.gamma3[2], c2.conjugate() * g.gamma3[4]};
    }

    Fq6 pow(const U256& e) const
    {
        Fq6 r = one();
        for (int i = int(e.bit_length()) - 1; i >= 0; --i) {
            r = r.square();
            if (e.bit(unsigned(i)))
                r *= *this;
        }
        return r;
    }
};

}  // namespace provernet::math
