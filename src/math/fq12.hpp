// Fq12 = Fq6[w] / (w^2 - v): the top of the BN254 pairing tower and the home of GT.
//
// As a vector over Fq2 an element is sum_k a_k w^k (k = 0..5, w^6 = xi = 9 + u) with
//   c0 = a_0 + a_2 v + a_4 v^2,   c1 = a_1 + a_3 v + a_5 v^2.
// This is the tower of the EIP-197 implementations, arkworks, gnark-crypto and zcash/bn, so
// printed coefficients can be compared with theirs directly (c0.c0.c0, c0.c0.c1, c0.c1.c0, ...).
#pragma once

#include "math/fq6.hpp"

#include <cstdint>
#include <span>

namespace provernet::math {

struct Fq12 {
    Fq6 c0, c1;  // c0 + c1 w

    static Fq12 zero() { return {}; }
    static Fq12 one() { return {Fq6::one(), Fq6::zero()}; }

    bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
    bool is_one() const { return c0.is_one() && c1.is_zero(); }
    friend bool operator==(const Fq12& a, const Fq12& b) { return a.c0 == b.c0 && a.c1 == b.c1; }

    friend Fq12 operator+(const Fq12& a, const Fq12& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
    friend Fq12 operator-(const Fq12& a, const Fq12& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
    friend Fq12 operator-(const Fq12& a) { return {-a.c0, -a.c1}; }
    Fq12& operator+=(const Fq12& b) { return *this = *this + b; }
    Fq12& operator-=(const Fq12& b) { return *this = *this - b; }

    // Karatsuba over the quadratic extension: 3 Fq6 multiplications (18 Fq2).
    friend Fq12 operator*(const Fq12& a, const Fq12& b);
    Fq12& operator*=(const Fq12& b) { return *this = *this * b; }

    // Complex squaring: 2 Fq6 multiplications.
    Fq12 square() const;
    Fq12 inverse() const;  // inverse of zero is zero

    // The p^6-power Frobenius: in the cyclotomic subgroup (where GT and every final
    // exponentiation output live) this is the inverse.
    Fq12 conjugate() const { return {c0, -c1}; }

    // x -> x^p, x^(p^2), x^(p^3).
    Fq12 frobenius() const;
    Fq12 frobenius2() const;
    Fq12 frobenius3() const;

    // Multiplication by the sparse element d0 + (d3 + d4 v) w, the shape of the Miller loop's
    // line functions (coefficients a_0, a_1, a_3 in the w-basis, hence "034"): 13 Fq2 mults.
    Fq12 mul_by_034(const Fq2& d0, const Fq2& d3, const Fq2& d4) const;

    // Granger-Scott squaring, valid only in the cyclotomic subgroup {x : x^(p^4 - p^2 + 1) = 1}
    // (every output of the easy part of the final exponentiation, hence all of GT):
    // 9 Fq2 squarings instead of 2 Fq6 multiplications. Gives garbage elsewhere.
    Fq12 cyclotomic_square() const;
    // x^bn254_x for a cyclotomic element (width-4 signed windows, cyclotomic squarings,
    // conjugate = inverse): 63 cyclotomic squarings and 16 multiplications.
    Fq12 cyclotomic_exp_by_x() const;

    // Generic square-and-multiply, any element; exponent as little-endian 64-bit limbs.
    Fq12 pow(std::span<const uint64_t> exponent_limbs) const;
    Fq12 pow(const U256& e) const { return pow(std::span<const uint64_t>(e.limb.data(), 4)); }
};

}  // namespace provernet::math
