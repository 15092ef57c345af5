// Short Weierstrass curves y^2 = x^3 + b (a = 0) over a field F: affine and Jacobian points.
//
// Affine infinity is (0, 0), which is not on the curve: this matches the snarkjs/zkey encoding,
// so zkey point sections can be used in place. Jacobian infinity has Z = 0.
#pragma once

#include "math/field.hpp"
#include "math/u256.hpp"

#include <vector>

namespace provernet::math {

template <class F, class Params>
struct JacobianPoint;

template <class F, class Params>
struct AffinePoint {
    using Field = F;
    F x, y;

    static AffinePoint infinity() { return {}; }
    static AffinePoint generator() { return Params::generator(); }
    bool is_infinity() const { return x.is_zero() && y.is_zero(); }
    bool is_on_curve() const { return is_infinity() || y.square() == x.square() * x + Params::b(); }
    // On the curve and in the prime-order subgroup (for G1 the same thing: cofactor 1).
    bool is_valid() const;
    friend bool operator==(const AffinePoint& a, const AffinePoint& b) { return a.x == b.x && a.y == b.y; }
    AffinePoint operator-() const { return is_infinity() ? *this : AffinePoint{x, -y}; }
    JacobianPoint<F, Params> to_jacobian() const;
    // [k]P by double-and-add with mixed additions (P stays affine: cheaper than Jacobian mul).
    JacobianPoint<F, Params> mul(const U256& k) const;
};

template <class F, class Params>
struct JacobianPoint {
    using Affine = AffinePoint<F, Params>;
    F x, y, z;

    static JacobianPoint infinity() { return {F::one(), F::one(), F::zero()}; }
    static JacobianPoint generator() { return Params::generator().to_jacobian(); }
    bool is_infinity() const { return z.is_zero(); }

    JacobianPoint operator-() const { return {x, -y, z}; }

    // dbl-2009-l: 2M + 5S.
    JacobianPoint dbl() const
    {
        if (is_infinity())
            return *this;
        const F a = x.square();
        const F b = y.square();
        const F c = b.square();
        F d = (x + b).square() - a - c;
        d = d + d;
        const F e = a + a + a;
        const F f = e.square();
        JacobianPoint r;
        r.x = f - d - d;
        F c8 = c + c;
        c8 = c8 + c8;
        c8 = c8 + c8;
        r.y = e * (d - r.x) - c8;
        r.z = y * z;
        r.z = r.z + r.z;
        return r;
    }

    // add-2007-bl, with the special cases handled: 11M + 5S.
    friend JacobianPoint operator+(const JacobianPoint& p, const JacobianPoint& q)
    {
        if (p.is_infinity())
            return q;
        if (q.is_infinity())
            return p;
        const F z1z1 = p.z.square();
        const F z2z2 = q.z.square();
        const F u1 = p.x * z2z2;
        const F u2 = q.x * z1z1;
        const F s1 = p.y * q.z * z2z2;
        const F s2 = q.y * p.z * z1z1;
        const F h = u2 - u1;
        F rr = s2 - s1;
        if (h.is_zero())
            return rr.is_zero() ? p.dbl() : infinity();
        rr = rr + rr;
        const F i = (h + h).square();
        const F j = h * i;
        const F v = u1 * i;
        JacobianPoint r;
        r.x = rr.square() - j - v - v;
        const F s1j = s1 * j;
        r.y = rr * (v - r.x) - s1j - s1j;
        r.z = ((p.z + q.z).square() - z1z1 - z2z2) * h;
        return r;
    }

    // madd-2007-bl (q affine): 7M + 4S.
    JacobianPoint add_mixed(const Affine& q) const
    {
        if (q.is_infinity())
            return *this;
        if (is_infinity())
            return q.to_jacobian();
        const F z1z1 = z.square();
        const F u2 = q.x * z1z1;
        const F s2 = q.y * z * z1z1;
        const F h = u2 - x;
        F rr = s2 - y;
        if (h.is_zero())
            return rr.is_zero() ? dbl() : infinity();
        rr = rr + rr;
        const F hh = h.square();
        F i = hh + hh;
        i = i + i;
        const F j = h * i;
        const F v = x * i;
        JacobianPoint r;
        r.x = rr.square() - j - v - v;
        const F yj = y * j;
        r.y = rr * (v - r.x) - yj - yj;
        r.z = (z + h).square() - z1z1 - hh;
        return r;
    }
    JacobianPoint sub_mixed(const Affine& q) const { return add_mixed(-q); }

    friend JacobianPoint operator-(const JacobianPoint& p, const JacobianPoint& q) { return p + (-q); }
    JacobianPoint& operator+=(const JacobianPoint& q) { return *this = *this + q; }

    friend bool operator==(const JacobianPoint& p, const JacobianPoint& q)
    {
        if (p.is_infinity() || q.is_infinity())
            return p.is_infinity() && q.is_infinity();
        const F z1z1 = p.z.square(), z2z2 = q.z.square();
        return p.x * z2z2 == q.x * z1z1 && p.y * q.z * z2z2 == q.y * p.z * z1z1;
    }

    Affine to_affine() const
    {
        if (is_infinity())
            return Affine::infinity();
        const F zi = z.inverse();
        const F zi2 = zi.square();
        return {x * zi2, y * zi2 * zi};
    }

    // Variable-time double-and-add; for secret scalars use only where timing cannot leak
    // (the prover's blinding factors are used once per proof).
    JacobianPoint mul(const U256& k) const
    {
        JacobianPoint r = infinity();
        for (int i = int(k.bit_length()) - 1; i >= 0; --i) {
            r = r.dbl();
            if (k.bit(unsigned(i)))
                r += *this;
        }
        return r;
    }
};

template <class F, class Params>
JacobianPoint<F, Params> AffinePoint<F, Params>::to_jacobian() const
{
    if (is_infinity())
        return JacobianPoint<F, Params>::infinity();
    return {x, y, F::one()};
}

template <class F, class Params>
JacobianPoint<F, Params> AffinePoint<F, Params>::mul(const U256& k) const
{
    JacobianPoint<F, Params> r = JacobianPoint<F, Params>::infinity();
    if (is_infinity())
        return r;
    for (int i = int(k.bit_length()) - 1; i >= 0; --i) {
        r = r.dbl();
        if (k.bit(unsigned(i)))
            r = r.add_mixed(*this);
    }
    return r;
}

// Converts many Jacobian points to affine with one field inversion.
template <class F, class Params>
void batch_to_affine(const JacobianPoint<F, Params>* in, AffinePoint<F, Params>* out, size_t n)
{
    std::vector<F> zs(n), scratch(n);
    for (size_t i = 0; i < n; ++i)
        zs[i] = in[i].z;
    batch_inverse(zs.data(), n, scratch.data());
    for (size_t i = 0; i < n; ++i) {
        if (in[i].is_infinity()) {
            out[i] = AffinePoint<F, Params>::infinity();
            continue;
        }
        const F zi2 = zs[i].square();
        out[i] = {in[i].x * zi2, in[i].y * zi2 * zs[i]};
    }
}

}  // namespace provernet::math
