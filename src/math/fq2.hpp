// Fq2 = Fq[u] / (u^2 + 1), the field of G2's coordinates.
#pragma once

#include "math/bn254.hpp"

namespace provernet::math {

struct Fq2 {
    Fq c0, c1;  // c0 + c1 * u

    static Fq2 zero() { return {}; }
    static Fq2 one() { return {Fq::one(), Fq::zero()}; }

    bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
    bool is_one() const { return c0.is_one() && c1.is_zero(); }
    friend bool operator==(const Fq2& a, const Fq2& b) { return a.c0 == b.c0 && a.c1 == b.c1; }

    friend Fq2 operator+(const Fq2& a, const Fq2& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
    friend Fq2 operator-(const Fq2& a, const Fq2& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
    friend Fq2 operator-(const Fq2& a) { return {-a.c0, -a.c1}; }
    friend Fq2 operator*(const Fq2& a, const Fq2& b)
    {
        // Karatsuba: three base multiplications.
        const Fq t0 = a.c0 * b.c0;
        const Fq t1 = a.c1 * b.c1;
        return {t0 - t1, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
    }
    friend Fq2 operator*(const Fq2& a, const Fq& s) { return {a.c0 * s, a.c1 * s}; }
    Fq2& operator+=(const Fq2& b) { return *this = *this + b; }
    Fq2& operator-=(const Fq2& b) { return *this = *this - b; }
    Fq2& operator*=(const Fq2& b) { return *this = *this * b; }

    Fq2 square() const
    {
        const Fq ab = c0 * c1;
        return {(c0 + c1) * (c0 - c1), ab + ab};
    }
    Fq2 dbl() const { return {c0.dbl(), c1.dbl()}; }
    Fq2 conjugate() const { return {c0, -c1}; }
    Fq2 inverse() const
    {
        const Fq t = (c0.square() + c1.square()).inverse();
        return {c0 * t, -(c1 * t)};
    }
    // Multiplication by xi = 9 + u, the non-residue of the sextic twist.
    Fq2 mul_by_xi() const
    {
        const Fq a8 = c0.dbl().dbl().dbl(), b8 = c1.dbl().dbl().dbl();
        return {a8 + c0 - c1, b8 + c1 + c0};
    }
    Fq2 pow(const U256& e) const
    {
        Fq2 r = one();
        for (int i = int(e.bit_length()) - 1; i >= 0; --i) {
            r = r.square();
            if (e.bit(unsigned(i)))
                r *= *this;
        }
        return r;
    }
    // Frobenius x -> x^p is conjugation in Fq2.
    Fq2 frobenius() const { return conjugate(); }
};

}  // namespace provernet::math
