// Prime fields of 254 bits in Montgomery form, four 64-bit limbs (BN254's Fq and Fr).
//
// Elements are kept fully reduced (< p). Multiplication is CIOS Montgomery with the "no-carry"
// shortcut, valid because both BN254 moduli leave the top bit of the top limb free. On x86-64
// with PROVERNET_ASM the product uses mulx/adcx/adox (field_x86_64.hpp); otherwise the portable
// 128-bit C++ below. Both are tested against each other.
#pragma once

#include "math/u256.hpp"

#if defined(PROVERNET_USE_ASM)
#include "math/field_x86_64.hpp"
#endif

#include <cstdint>
#include <optional>
#include <string>

namespace provernet::math {

namespace detail {

// -p^-1 mod 2^64 by Newton iteration.
constexpr uint64_t mont_inv64(uint64_t p0)
{
    uint64_t x = 1;
    for (int i = 0; i < 7; ++i)
        x *= 2 - p0 * x;
    return 0 - x;
}

// 2^k mod p for k up to 512, by repeated doubling; used at compile time only.
constexpr U256 pow2_mod(const U256& p, unsigned k)
{
    U256 r{1};
    for (unsigned i = 0; i < k; ++i) {
        U256 d;
        const uint64_t carry = U256::add(d, r, r);
        U256 s;
        const uint64_t borrow = U256::sub(s, d, p);
        r = (carry != 0 || borrow == 0) ? s : d;
    }
    return r;
}

// Portable Montgomery product: r = a * b * 2^-256 mod p, inputs and output < p.
inline void mont_mul_portable(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t p[4],
                              uint64_t inv)
{
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int i = 0; i < 4; ++i) {
        u128 c = u128(a[i]) * b[0] + t0;
        const uint64_t lo = uint64_t(c);
        uint64_t carry = uint64_t(c >> 64);
        const uint64_t m = lo * inv;
        u128 c2 = u128(m) * p[0] + lo;
        uint64_t carry2 = uint64_t(c2 >> 64);

        c = u128(a[i]) * b[1] + t1 + carry;
        carry = uint64_t(c >> 64);
        c2 = u128(m) * p[1] + uint64_t(c) + carry2;
        t0 = uint64_t(c2);
        carry2 = uint64_t(c2 >> 64);

        c = u128(a[i]) * b[2] + t2 + carry;
        carry = uint64_t(c >> 64);
        c2 = u128(m) * p[2] + uint64_t(c) + carry2;
        t1 = uint64_t(c2);
        carry2 = uint64_t(c2 >> 64);

        c = u128(a[i]) * b[3] + t3 + carry;
        carry = uint64_t(c >> 64);
        c2 = u128(m) * p[3] + uint64_t(c) + carry2;
        t2 = uint64_t(c2);
        carry2 = uint64_t(c2 >> 64);

        t3 = carry + carry2;
    }
    // Conditional subtraction of p.
    u128 d = u128(t0) - p[0];
    const uint64_t s0 = uint64_t(d);
    d = u128(t1) - p[1] - ((d >> 64) & 1);
    const uint64_t s1 = uint64_t(d);
    d = u128(t2) - p[2] - ((d >> 64) & 1);
    const uint64_t s2 = uint64_t(d);
    d = u128(t3) - p[3] - ((d >> 64) & 1);
    const uint64_t s3 = uint64_t(d);
    const uint64_t keep = 0 - uint64_t((d >> 64) & 1);  // all ones when t < p
    r[0] = (t0 & keep) | (s0 & ~keep);
    r[1] = (t1 & keep) | (s1 & ~keep);
    r[2] = (t2 & keep) | (s2 & ~keep);
    r[3] = (t3 & keep) | (s3 & ~keep);
}

}  // namespace detail

// Params provides: static constexpr U256 modulus; static constexpr const char* name.
template <class Params>
class Field {
public:
    static constexpr U256 modulus = Params::modulus;
    static constexpr uint64_t inv = detail::mont_inv64(modulus.limb[0]);
    static constexpr U256 r1 = detail::pow2_mod(modulus, 256);  // Montgomery form of 1
    static constexpr U256 r2 = detail::pow2_mod(modulus, 512);  // converts into Montgomery form
    static constexpr U256 r3 = detail::pow2_mod(modulus, 768);
    static constexpr uint64_t modulus_and_inv[5] = {modulus.limb[0], modulus.limb[1], modulus.limb[2],
                                                    modulus.limb[3], inv};

    uint64_t v[4];  // Montgomery form, always < modulus

    constexpr Field() : v{0, 0, 0, 0} {}

    static constexpr Field zero() { return Field(); }
    static constexpr Field one() { return from_raw(r1); }
    // Wraps limbs that are already in Montgomery form; caller guarantees < modulus.
    static constexpr Field from_raw(const U256& mont)
    {
        Field f;
        for (int i = 0; i < 4; ++i)
            f.v[i] = mont.limb[i];
        return f;
    }
    U256 raw() const { return U256(v[0], v[1], v[2], v[3]); }

    // From a plain integer; nullopt when it is not canonical (>= modulus).
    static std::optional<Field> from_canonical(const U256& x)
    {
        if (x >= modulus)
            return std::nullopt;
        return from_u256_unchecked(x);
    }
    // From a plain integer known to be < modulus.
    static Field from_u256_unchecked(const U256& x)
    {
        Field a = from_raw(x), b = from_raw(r2);
        return a * b;
    }
    // From any 256-bit integer, reduced mod p.
    static Field from_u256_reduce(U256 x)
    {
        while (x >= modulus)
            U256::sub(x, x, modulus);
        return from_u256_unchecked(x);
    }
    static Field from_uint(uint64_t x) { return from_u256_unchecked(U256(x)); }
    static Field from_int(int64_t x) { return x >= 0 ? from_uint(uint64_t(x)) : -from_uint(uint64_t(-(x + 1)) + 1); }
    static std::optional<Field> from_decimal(std::string_view s)
    {
        const auto u = U256::from_decimal(s);
        if (!u)
            return std::nullopt;
        return from_canonical(*u);
    }

    U256 to_u256() const
    {
        Field one_plain = from_raw(U256(1));
        return (*this * one_plain).raw();
    }
    std::string to_decimal() const { return to_u256().to_decimal(); }

    bool is_zero() const { return (v[0] | v[1] | v[2] | v[3]) == 0; }
    bool is_one() const { return *this == one(); }
    friend bool operator==(const Field& a, const Field& b)
    {
        return ((a.v[0] ^ b.v[0]) | (a.v[1] ^ b.v[1]) | (a.v[2] ^ b.v[2]) | (a.v[3] ^ b.v[3])) == 0;
    }

    friend Field operator+(const Field& a, const Field& b)
    {
#if defined(PROVERNET_USE_ASM)
        Field r;
        detail::mod_add_x86_64(r.v, a.v, b.v, modulus_and_inv);
        return r;
#else
        return add_portable(a, b);
#endif
    }
    friend Field operator-(const Field& a, const Field& b)
    {
#if defined(PROVERNET_USE_ASM)
        Field r;
        detail::mod_sub_x86_64(r.v, a.v, b.v, modulus_and_inv);
        return r;
#else
        return sub_portable(a, b);
#endif
    }

    // The portable C++ arithmetic (always compiled, so tests can hold the fast path against it).
    static Field add_portable(const Field& a, const Field& b)
    {
        // Sum < 2p < 2^255, so no carry out of 256 bits.
        u128 s = u128(a.v[0]) + b.v[0];
        const uint64_t t0 = uint64_t(s);
        s = u128(a.v[1]) + b.v[1] + uint64_t(s >> 64);
        const uint64_t t1 = uint64_t(s);
        s = u128(a.v[2]) + b.v[2] + uint64_t(s >> 64);
        const uint64_t t2 = uint64_t(s);
        const uint64_t t3 = a.v[3] + b.v[3] + uint64_t(s >> 64);
        return reduce_once(t0, t1, t2, t3);
    }
    static Field sub_portable(const Field& a, const Field& b)
    {
        u128 d = u128(a.v[0]) - b.v[0];
        uint64_t t0 = uint64_t(d);
        d = u128(a.v[1]) - b.v[1] - ((d >> 64) & 1);
        uint64_t t1 = uint64_t(d);
        d = u128(a.v[2]) - b.v[2] - ((d >> 64) & 1);
        uint64_t t2 = uint64_t(d);
        d = u128(a.v[3]) - b.v[3] - ((d >> 64) & 1);
        uint64_t t3 = uint64_t(d);
        // On borrow add p back; mask keeps it branch-free.
        const uint64_t mask = 0 - uint64_t((d >> 64) & 1);
        u128 s = u128(t0) + (modulus.limb[0] & mask);
        t0 = uint64_t(s);
        s = u128(t1) + (modulus.limb[1] & mask) + uint64_t(s >> 64);
        t1 = uint64_t(s);
        s = u128(t2) + (modulus.limb[2] & mask) + uint64_t(s >> 64);
        t2 = uint64_t(s);
        t3 = t3 + (modulus.limb[3] & mask) + uint64_t(s >> 64);
        Field r;
        r.v[0] = t0;
        r.v[1] = t1;
        r.v[2] = t2;
        r.v[3] = t3;
        return r;
    }
    friend Field operator-(const Field& a) { return Field() - a; }
    friend Field operator*(const Field& a, const Field& b)
    {
        Field r;
#if defined(PROVERNET_USE_ASM)
        detail::mont_mul_x86_64(r.v, a.v, b.v, modulus_and_inv);
#else
        detail::mont_mul_portable(r.v, a.v, b.v, modulus.limb.data(), inv);
#endif
        return r;
    }
    Field& operator+=(const Field& b) { return *this = *this + b; }
    Field& operator-=(const Field& b) { return *this = *this - b; }
    Field& operator*=(const Field& b) { return *this = *this * b; }

    Field square() const { return *this * *this; }
    Field dbl() const { return *this + *this; }

    Field pow(const U256& e) const
    {
        Field r = one();
        for (int i = int(e.bit_length()) - 1; i >= 0; --i) {
            r = r.square();
            if (e.bit(unsigned(i)))
                r *= *this;
        }
        return r;
    }
    // Multiplicative inverse by the binary extended Euclidean algorithm; inverse of zero is zero.
    // Variable time: for public values (curve points, MSM buckets). Use inverse_ct() on secrets.
    Field inverse() const
    {
        if (is_zero())
            return Field();
        // The raw limbs hold x = a*R; binary_inverse gives x^-1 = a^-1 * R^-1, and a Montgomery
        // product with R^3 turns that into a^-1 * R, the Montgomery form of a^-1.
        return from_raw(binary_inverse(raw())) * from_raw(r3);
    }
    // Constant-time inverse (Fermat: a^(p-2)); inverse of zero is zero.
    Field inverse_ct() const
    {
        U256 e;
        U256::sub(e, modulus, U256(2));
        return pow(e);
    }
    // Legendre symbol: 1 for nonzero squares, -1 for non-squares, 0 for zero.
    int legendre() const
    {
        if (is_zero())
            return 0;
        U256 e;
        U256::sub(e, modulus, U256(1));
        return pow(e.shr1()).is_one() ? 1 : -1;
    }

private:
    // x^-1 mod p for 0 < x < p (plain integers), binary extended Euclid.
    static U256 binary_inverse(const U256& x)
    {
        U256 u = x, v = modulus, x1(1), x2(0);
        const U256 one(1);
        // halve(a) = a / 2 mod p
        auto halve = [](U256& a) {
            if (a.limb[0] & 1) {
                const uint64_t carry = U256::add(a, a, modulus);
                a = a.shr1();
                a.limb[3] |= carry << 63;
            } else {
                a = a.shr1();
            }
        };
        auto sub_mod = [](U256& a, const U256& b) {
            if (U256::sub(a, a, b))
                U256::add(a, a, modulus);
        };
        while (u != one && v != one) {
            while ((u.limb[0] & 1) == 0) {
                u = u.shr1();
                halve(x1);
            }
            while ((v.limb[0] & 1) == 0) {
                v = v.shr1();
                halve(x2);
            }
            if (u >= v) {
                U256::sub(u, u, v);
                sub_mod(x1, x2);
            } else {
                U256::sub(v, v, u);
                sub_mod(x2, x1);
            }
        }
        return u == one ? x1 : x2;
    }

    static Field reduce_once(uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3)
    {
        u128 d = u128(t0) - modulus.limb[0];
        const uint64_t s0 = uint64_t(d);
        d = u128(t1) - modulus.limb[1] - ((d >> 64) & 1);
        const uint64_t s1 = uint64_t(d);
        d = u128(t2) - modulus.limb[2] - ((d >> 64) & 1);
        const uint64_t s2 = uint64_t(d);
        d = u128(t3) - modulus.limb[3] - ((d >> 64) & 1);
        const uint64_t s3 = uint64_t(d);
        const uint64_t keep = 0 - uint64_t((d >> 64) & 1);  // all ones when t < p
        Field r;
        r.v[0] = (t0 & keep) | (s0 & ~keep);
        r.v[1] = (t1 & keep) | (s1 & ~keep);
        r.v[2] = (t2 & keep) | (s2 & ~keep);
        r.v[3] = (t3 & keep) | (s3 & ~keep);
        return r;
    }
};

// Batch inversion (Montgomery's trick): inverts every nonzero element of xs in place with one
// field inversion; zeros stay zero. scratch must hold xs.size() elements.
template <class F>
void batch_inverse(F* xs, size_t n, F* scratch)
{
    F acc = F::one();
    for (size_t i = 0; i < n; ++i) {
        scratch[i] = acc;
        if (!xs[i].is_zero())
            acc *= xs[i];
    }
    acc = acc.inverse();
    for (size_t i = n; i-- > 0;) {
        if (xs[i].is_zero())
            continue;
        const F inv = acc * scratch[i];
        acc *= xs[i];
        xs[i] = inv;
    }
}

}  // namespace provernet::math
