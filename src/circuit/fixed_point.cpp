// Fixed-point gadgets: see fixed_point.hpp for the representation and the cost summary.
//
// Transcendental functions (F = 48 figures; the tests pin all counts):
//   exp(x), -2^I <= x < 2^I, I <= 6: w = x + 2^I is decomposed into F + I + 1 bits (this is also
//     the range reduction): its integer part K and its top 4 fraction bits j index the segment
//     e^(K - 2^I + j/16 + t), t in [0, 1/16), and the low F - 4 bits are t. The segment value is
//     folded into the coefficients of a degree-6 polynomial of e^u, |u| <= 1/32, so for I <= 2 one
//     table of 2^(4 + I + 1) segments gives the result; for I >= 3 the table covers the low 2 bits
//     of K and the other bits select a factor e^(4n - 2^I) from a second table, multiplied in with
//     one extra truncation.
//   ln(x), 0 < x <= 2^I: a hint s with x * 2^s in [2^(N-1), 2^N) (N = F + I + 1; 2^s from the bits
//     of s, one product each) normalises x = 2^(N-1-s-F) * (1 + f); 32 segments of f, degree 6,
//     and (N - 1 - F - s) ln 2 added before the single rounding.
//   normal_cdf(x): x = (1 - 2 sign) * a, a decomposed into bits; Q(a) = 1 - Phi(a) on [0, 8) from
//     64 segments of degree 7; a >= 8 clamps Q to 0 (Q(8) = 6.2e-16); Phi = sign ? Q : 1 - Q.
//     Q(0) is made exactly 1/2 so the free sign of x = 0 cannot change the output.
// Each polynomial is evaluated exactly: u is taken from the argument's bits at per-power
// precisions g_k (rounded, free linear combinations of bits), u^k by exact products, each
// coefficient (a linear combination of the index monomials) times its power by one exact product,
// all at one scale 2^z, then one rounding by 2^(z - F) whose remainder and result are the only
// range checks. Precisions are chosen so that the internal error is at most half an ulp of
// 2^-min(F, 52); with the final rounding the gadgets are within 1 ulp plus the approximation
// error of the tables (exp 9.1e-17 relative, ln 4.6e-16, Q 6.4e-16 absolute). Measured at F = 48:
// 0.54-0.68 ulp (fixed_point.bench.cpp).
//
// The tables were generated with mpmath (50 digits) by Chebyshev interpolation on each segment
// (coefficients of the monomials of u = x - c); the comment above each table gives its maximum
// error, measured at 201 points per segment. The generator (python3 + mpmath 1.3):
//
//   import mpmath as mp; mp.mp.dps = 50
//   def cheb_fit(f, c, h, d):
//       nodes = [c + h*mp.cos(mp.pi*(2*i+1)/(2*(d+1))) for i in range(d+1)]
//       A = mp.matrix([[(x-c)**k for k in range(d+1)] for x in nodes])
//       co = mp.lu_solve(A, mp.matrix([f(x) for x in nodes])); return [co[k] for k in range(d+1)]
//   def s(x): return '"' + mp.nstr(x, 36, min_fixed=1, max_fixed=0, strip_zeros=False) + '"'
//   def table(name, f, m, width, d):   # 2^m segments [j w, (j+1) w), centre j w + w/2
//       for j in range(2**m): print('{' + ', '.join(s(x) for x in cheb_fit(f, j*width + width/2, width/2, d)) + '},')
//   print(s(mp.e), s(mp.exp(mp.mpf(1)/32)), s(mp.log(2)))
//   print([s(x) for x in cheb_fit(mp.exp, 0, mp.mpf(1)/32, 6)])                 # kExpPoly
//   table('kLnTable', lambda x: mp.log(1+x), 5, mp.mpf(1)/32, 6)
//   table('kCdfTable', lambda a: mp.erfc(a/mp.sqrt(2))/2, 6, mp.mpf(1)/8, 7)
#include "circuit/fixed_point.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <tuple>

namespace provernet::circuit {

using math::Fr;
using math::U256;

namespace {

using u128 = unsigned __int128;

// Largest bit width any decomposition or product in these gadgets may reach (p > 2^253): keeps
// every field equation an integer equation.
constexpr int kMaxFieldBits = 250;

// Internal precision cap of the polynomial evaluations (see make_plan).
constexpr int kPolyAccuracyBits = 52;

}  // namespace

// ---------------------------------------------------------------------------------------------
// WideInt

WideInt::WideInt(int64_t v)
{
    w_[0] = uint64_t(v);
    const uint64_t fill = v < 0 ? ~uint64_t(0) : 0;
    for (int i = 1; i < kLimbs; ++i)
        w_[i] = fill;
}

WideInt WideInt::pow2(int k)
{
    if (k < 0 || k >= 64 * kLimbs - 1)
        throw std::overflow_error("WideInt::pow2 out of range");
    WideInt r;
    r.w_[k / 64] = uint64_t(1) << (k % 64);
    return r;
}

bool WideInt::is_zero() const
{
    uint64_t acc = 0;
    for (uint64_t x : w_)
        acc |= x;
    return acc == 0;
}

int WideInt::bit_length() const
{
    const WideInt m = abs();
    for (int i = kLimbs - 1; i >= 0; --i)
        if (m.w_[i] != 0)
            return i * 64 + 64 - __builtin_clzll(m.w_[i]);
    return 0;
}

int64_t WideInt::to_int64() const
{
    const WideInt lo{int64_t(w_[0])};
    if (!(lo == *this))
        throw std::overflow_error("WideInt does not fit in int64");
    return int64_t(w_[0]);
}

long double WideInt::to_long_double() const
{
    const WideInt m = abs();
    long double r = 0;
    for (int i = kLimbs - 1; i >= 0; --i)
        r += std::ldexp((long double)m.w_[i], 64 * i);
    return is_negative() ? -r : r;
}

WideInt operator+(const WideInt& a, const WideInt& b)
{
    WideInt r;
    u128 carry = 0;
    for (int i = 0; i < WideInt::kLimbs; ++i) {
        const u128 s = u128(a.w_[i]) + b.w_[i] + carry;
        r.w_[i] = uint64_t(s);
        carry = s >> 64;
    }
    if (a.is_negative() == b.is_negative() && r.is_negative() != a.is_negative())
        throw std::overflow_error("WideInt overflow");
    return r;
}

WideInt operator-(const WideInt& a)
{
    WideInt r;
    u128 carry = 1;
    for (int i = 0; i < WideInt::kLimbs; ++i) {
        const u128 s = u128(~a.w_[i]) + carry;
        r.w_[i] = uint64_t(s);
        carry = s >> 64;
    }
    return r;
}

WideInt operator-(const WideInt& a, const WideInt& b)
{
    WideInt r;
    uint64_t borrow = 0;
    for (int i = 0; i < WideInt::kLimbs; ++i) {
        const u128 d = u128(a.w_[i]) - b.w_[i] - borrow;
        r.w_[i] = uint64_t(d);
        borrow = uint64_t(d >> 64) & 1;
    }
    if (a.is_negative() != b.is_negative() && r.is_negative() != a.is_negative())
        throw std::overflow_error("WideInt overflow");
    return r;
}

WideInt operator*(const WideInt& a, const WideInt& b)
{
    const WideInt x = a.abs(), y = b.abs();
    int nx = WideInt::kLimbs, ny = WideInt::kLimbs;
    while (nx > 0 && x.w_[nx - 1] == 0)
        --nx;
    while (ny > 0 && y.w_[ny - 1] == 0)
        --ny;
    if (nx + ny > WideInt::kLimbs + 1)
        throw std::overflow_error("WideInt overflow");
    uint64_t t[2 * WideInt::kLimbs + 1] = {};
    for (int i = 0; i < nx; ++i) {
        u128 carry = 0;
        for (int j = 0; j < ny; ++j) {
            const u128 s = u128(x.w_[i]) * y.w_[j] + t[i + j] + carry;
            t[i + j] = uint64_t(s);
            carry = s >> 64;
        }
        t[i + ny] = uint64_t(carry);
    }
    for (int i = WideInt::kLimbs; i < 2 * WideInt::kLimbs; ++i)
        if (t[i] != 0)
            throw std::overflow_error("WideInt overflow");
    WideInt r;
    for (int i = 0; i < WideInt::kLimbs; ++i)
        r.w_[i] = t[i];
    if (r.is_negative())
        throw std::overflow_error("WideInt overflow");
    return a.is_negative() != b.is_negative() ? -r : r;
}

WideInt operator<<(const WideInt& a, int k)
{
    if (k < 0)
        return a >> -k;
    if (k == 0 || a.is_zero())
        return a;
    if (k >= 64 * WideInt::kLimbs - 1)
        throw std::overflow_error("WideInt overflow");
    WideInt r;
    const int limbs = k / 64, bits = k % 64;
    for (int i = WideInt::kLimbs - 1; i >= limbs; --i) {
        uint64_t v = a.w_[i - limbs] << bits;
        if (bits != 0 && i - limbs - 1 >= 0)
            v |= a.w_[i - limbs - 1] >> (64 - bits);
        r.w_[i] = v;
    }
    if (!((r >> k) == a))
        throw std::overflow_error("WideInt overflow");
    return r;
}

WideInt operator>>(const WideInt& a, int k)
{
    if (k < 0)
        return a << -k;
    const uint64_t fill = a.is_negative() ? ~uint64_t(0) : 0;
    if (k >= 64 * WideInt::kLimbs)
        return WideInt(a.is_negative() ? -1 : 0);
    WideInt r;
    const int limbs = k / 64, bits = k % 64;
    for (int i = 0; i < WideInt::kLimbs; ++i) {
        const int src = i + limbs;
        const uint64_t lo = src < WideInt::kLimbs ? a.w_[src] : fill;
        const uint64_t hi = src + 1 < WideInt::kLimbs ? a.w_[src + 1] : fill;
        r.w_[i] = bits == 0 ? lo : (lo >> bits) | (hi << (64 - bits));
    }
    return r;
}

std::strong_ordering operator<=>(const WideInt& a, const WideInt& b)
{
    if (a.is_negative() != b.is_negative())
        return a.is_negative() ? std::strong_ordering::less : std::strong_ordering::greater;
    for (int i = WideInt::kLimbs - 1; i >= 0; --i)
        if (a.w_[i] != b.w_[i])
            return a.w_[i] <=> b.w_[i];
    return std::strong_ordering::equal;
}

WideInt WideInt::floor_div(const WideInt& a, const WideInt& b)
{
    if (b.is_zero())
        throw std::domain_error("WideInt division by zero");
    const WideInt x = a.abs(), y = b.abs();
    WideInt q, r;
    for (int i = x.bit_length() - 1; i >= 0; --i) {
        r = r << 1;
        if (x.bit(i))
            r.w_[0] |= 1;
        if (r >= y) {
            r -= y;
            q.w_[i / 64] |= uint64_t(1) << (i % 64);
        }
    }
    if (a.is_negative() == b.is_negative())
        return q;
    return r.is_zero() ? -q : -q - WideInt(1);
}

WideInt WideInt::isqrt(const WideInt& a)
{
    if (a.is_negative())
        throw std::domain_error("WideInt::isqrt of a negative number");
    WideInt n = a, res;
    int top = a.bit_length();
    if (top == 0)
        return res;
    WideInt bit = pow2((top - 1) & ~1);
    while (!bit.is_zero()) {
        if (n >= res + bit) {
            n -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res = res >> 1;
        }
        bit = bit >> 2;
    }
    return res;
}

WideInt WideInt::round_shift(const WideInt& a, int k)
{
    if (k <= 0)
        return a << -k;
    return (a + pow2(k - 1)) >> k;
}

std::optional<WideInt> WideInt::from_decimal(std::string_view s)
{
    bool neg = false;
    if (!s.empty() && s[0] == '-') {
        neg = true;
        s.remove_prefix(1);
    }
    if (s.empty() || s.size() > 300)
        return std::nullopt;
    WideInt r;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        r = r * WideInt(10) + WideInt(c - '0');
    }
    return neg ? -r : r;
}

std::string WideInt::to_decimal() const
{
    WideInt m = abs();
    if (m.is_zero())
        return "0";
    std::string digits;
    const WideInt chunk(int64_t(1000000000000000000));
    while (!m.is_zero()) {
        const WideInt q = floor_div(m, chunk);
        int64_t rem = (m - q * chunk).to_int64();
        m = q;
        for (int i = 0; i < 18; ++i) {
            digits.push_back(char('0' + rem % 10));
            rem /= 10;
            if (m.is_zero() && rem == 0)
                break;
        }
    }
    if (is_negative())
        digits.push_back('-');
    return std::string(digits.rbegin(), digits.rend());
}

WideInt WideInt::from_fr(const Fr& f)
{
    const U256 u = f.to_u256();
    WideInt r;
    for (int i = 0; i < 4; ++i)
        r.w_[i] = u.limb[i];
    U256 half = Fr::modulus.shr1();  // (p - 1) / 2
    if (u > half) {
        WideInt p;
        for (int i = 0; i < 4; ++i)
            p.w_[i] = Fr::modulus.limb[i];
        return r - p;
    }
    return r;
}

Fr WideInt::to_fr() const
{
    const WideInt m = abs();
    for (int i = 4; i < kLimbs; ++i)
        if (m.w_[i] != 0)
            throw std::overflow_error("WideInt does not fit in the field");
    const U256 u(m.w_[0], m.w_[1], m.w_[2], m.w_[3]);
    if (u >= Fr::modulus)
        throw std::overflow_error("WideInt does not fit in the field");
    const Fr f = Fr::from_u256_unchecked(u);
    return is_negative() ? -f : f;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Exact decimal constants

WideInt pow10(int k)
{
    WideInt r(1);
    for (int i = 0; i < k; ++i)
        r = r * WideInt(10);
    return r;
}

// round(value * 2^scale) for a decimal string, ties away from zero; nullopt if malformed.
std::optional<WideInt> parse_scaled(std::string_view s, int scale)
{
    bool neg = false;
    size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    WideInt mant;
    int digits = 0, frac_digits = 0;
    bool dot = false;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c >= '0' && c <= '9') {
            if (++digits > 120)
                return std::nullopt;
            mant = mant * WideInt(10) + WideInt(c - '0');
            if (dot)
                ++frac_digits;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    if (digits == 0)
        return std::nullopt;
    int exp10 = 0;
    if (i < s.size()) {
        if (s[i] != 'e' && s[i] != 'E')
            return std::nullopt;
        ++i;
        bool eneg = false;
        if (i < s.size() && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        if (i == s.size())
            return std::nullopt;
        for (; i < s.size(); ++i) {
            if (s[i] < '0' || s[i] > '9' || exp10 > 1000)
                return std::nullopt;
            exp10 = exp10 * 10 + (s[i] - '0');
        }
        if (eneg)
            exp10 = -exp10;
    }
    exp10 -= frac_digits;
    if (exp10 > 150 || exp10 < -200)
        return std::nullopt;
    WideInt r;
    try {
        if (exp10 >= 0) {
            r = (mant * pow10(exp10)) << scale;
        } else {
            const WideInt den = pow10(-exp10);
            r = WideInt::floor_div((mant << (scale + 1)) + den, den << 1);
        }
    } catch (const std::overflow_error&) {
        return std::nullopt;
    }
    return neg ? -r : r;
}

constexpr int kCoefScale = 200;  // table constants are kept as round(c * 2^200)

WideInt coef_const(const char* s)
{
    auto v = parse_scaled(s, kCoefScale);
    if (!v)
        throw std::logic_error(std::string("bad table constant ") + s);
    return *v;
}

// a * b for two values at scale 2^kCoefScale.
WideInt coef_mul(const WideInt& a, const WideInt& b) { return WideInt::round_shift(a * b, kCoefScale); }

int ceil_log2(int64_t x)
{
    int r = 0;
    while ((int64_t(1) << r) < x)
        ++r;
    return r;
}

// ---------------------------------------------------------------------------------------------
// Piecewise polynomials

// A table: 2^m segments, local variable u = t - h with t in [0, 2h), h = 2^-e, and
// P_seg(u) = sum_k c[seg][k] u^k, constants at scale 2^kCoefScale.
struct Table {
    int m = 0, d = 0, e = 0;
    std::vector<std::vector<WideInt>> c;
};

// The evaluation plan of a table for an argument t with fu fractional bits and a result with
// f_out fractional bits. Term k is coef[seg][k] * ut_k^k where ut_k = round(t 2^g_k) - 2^(g_k - e)
// is u at g_k fractional bits; every term is at scale 2^z.
struct PolyPlan {
    int m = 0, d = 0, e = 0, fu = 0, f_out = 0, z = 0;
    std::vector<int> g;                          // g[k], k >= 1 (g[0] unused)
    std::vector<std::vector<WideInt>> coef;      // [seg][k] at scale 2^(z - k g_k)
    std::vector<std::vector<WideInt>> mobius;    // [subset of index bits][k]
    std::vector<std::vector<Fr>> mobius_fr;      // the same in the field
    WideInt bound;                               // |sum| <= bound, at scale 2^z
};

void finish_plan(PolyPlan& p)
{
    const size_t n = p.coef.size();
    p.mobius = p.coef;
    for (int i = 0; i < p.m; ++i)
        for (size_t s = 0; s < n; ++s)
            if (s & (size_t(1) << i))
                for (int k = 0; k <= p.d; ++k)
                    p.mobius[s][k] -= p.mobius[s ^ (size_t(1) << i)][k];
    p.mobius_fr.assign(n, std::vector<Fr>(p.d + 1));
    for (size_t s = 0; s < n; ++s)
        for (int k = 0; k <= p.d; ++k)
            p.mobius_fr[s][k] = p.mobius[s][k].to_fr();
    p.bound = WideInt(0);
    for (size_t s = 0; s < n; ++s) {
        WideInt acc = p.coef[s][0].abs();
        for (int k = 1; k <= p.d; ++k)
            acc += p.coef[s][k].abs() << (k * (p.g[k] - p.e));
        p.bound = std::max(p.bound, acc);
    }
    if (p.bound.bit_length() + 2 > kMaxFieldBits)
        throw std::invalid_argument("fixed point: polynomial plan exceeds the field");
}

PolyPlan make_plan(const Table& t, int fu, int f_out)
{
    PolyPlan p;
    p.m = t.m;
    p.d = t.d;
    p.e = t.e;
    p.fu = fu;
    p.f_out = f_out;
    // Each of the 2d + 1 error sources (d roundings of u, d + 1 of coefficients) gets
    // 2^(-f_acc - 1) / (2d + 1): at most half an ulp together. Past kPolyAccuracyBits the
    // tables' own error (~2^-50) dominates, so wider formats (F = 64) do not pay for more.
    const int budget = ceil_log2(2 * p.d + 1);
    const int f_acc = std::min(f_out, kPolyAccuracyBits);
    p.g.assign(p.d + 1, 0);
    p.z = f_acc + budget;
    for (int k = 1; k <= p.d; ++k) {
        WideInt cmax(0);
        for (const auto& row : t.c)
            cmax = std::max(cmax, row[k].abs());
        // |c_k| k h^(k-1) 2^(-g-1) <= 2^(-f_out-1-budget)
        int g = (cmax * WideInt(k)).bit_length() - kCoefScale - p.e * (k - 1) + f_acc + budget;
        g = std::clamp(g, p.e, fu);
        p.g[k] = g;
        const int fk = f_acc + budget - k * p.e;  // coefficient precision: 2^(-fk-1) h^k
        p.z = std::max(p.z, fk + k * g);
    }
    if (p.z <= f_out)
        p.z = f_out + 1;
    p.coef.assign(t.c.size(), std::vector<WideInt>(p.d + 1));
    for (size_t s = 0; s < t.c.size(); ++s)
        for (int k = 0; k <= p.d; ++k)
            p.coef[s][k] = WideInt::round_shift(t.c[s][k], kCoefScale - (p.z - k * p.g[k]));
    finish_plan(p);
    return p;
}

// u at g fractional bits from t (fu fractional bits): round(t 2^g) - 2^(g - e).
WideInt local_u(const PolyPlan& p, const WideInt& t, int k)
{
    const int g = p.g[k];
    return WideInt::round_shift(t, p.fu - g) - WideInt::pow2(g - p.e);
}

WideInt poly_sum(const PolyPlan& p, size_t seg, const WideInt& t)
{
    WideInt acc = p.coef[seg][0];
    for (int k = 1; k <= p.d; ++k) {
        const WideInt u = local_u(p, t, k);
        WideInt pw = u;
        for (int j = 1; j < k; ++j)
            pw *= u;
        acc += p.coef[seg][k] * pw;
    }
    return acc;
}

// Number of t bits a plan consumes: t in [0, 2^(1-e)) at fu fractional bits.
int t_bits(const PolyPlan& p) { return p.fu - p.e + 1; }

// ---------------------------------------------------------------------------------------------
// Circuit helpers

// 2^k in the field, k < 256.
const Fr& pow2_fr(int k)
{
    static const std::array<Fr, 256> table = [] {
        std::array<Fr, 256> t;
        t[0] = Fr::one();
        for (int i = 1; i < 256; ++i)
            t[i] = t[i - 1] + t[i - 1];
        return t;
    }();
    return table.at(size_t(k));
}

Signal lc_sum(const std::vector<Signal>& bits, int from, int to, int shift)
{
    // sum_{i in [from, to)} bits[i] 2^(i - from + shift)
    Signal acc;
    for (int i = from; i < to; ++i)
        acc += bits[i] * pow2_fr(i - from + shift);
    return acc;
}

// n fresh boolean wires holding the bits of value (0 <= value < 2^n): n constraints.
std::vector<Signal> hint_bits(Builder& b, const WideInt& value, int n, const std::string& what)
{
    if (value.is_negative() || value.bit_length() > n)
        throw ConstraintViolation(what);
    std::vector<Signal> bits;
    bits.reserve(n);
    for (int i = 0; i < n; ++i) {
        const Signal bit = b.witness(value.bit(i) ? Fr::one() : Fr::zero());
        b.assert_product(bit, bit, bit, "bit");
        bits.push_back(bit);
    }
    return bits;
}

// Range check of a linear signal into [0, 2^n), n >= 1: n - 1 bit wires and a top bit derived
// from them (its booleanity ties the recomposition): n constraints. Returns all n bits.
std::vector<Signal> decompose(Builder& b, const Signal& lc, const WideInt& value, int n, const std::string& what)
{
    if (n < 1 || n > kMaxFieldBits)
        throw std::invalid_argument("fixed point: decomposition width out of range");
    if (value.is_negative() || value.bit_length() > n)
        throw ConstraintViolation(what);
    std::vector<Signal> bits = hint_bits(b, value - ((value >> (n - 1)) << (n - 1)), n - 1, what);
    const Signal low = lc_sum(bits, 0, n - 1, 0);
    static const std::array<Fr, 256> inverses = [] {
        std::array<Fr, 256> t;
        for (int i = 0; i < 256; ++i)
            t[i] = pow2_fr(i).inverse();
        return t;
    }();
    const Signal top = (lc - low) * inverses[n - 1];
    b.assert_product(top, top, top, "bit");
    bits.push_back(top);
    return bits;
}

struct Trunc {
    Signal q;
    WideInt value;
};

WideInt round_const(Rounding r, int shift)
{
    if (shift == 0 || r == Rounding::floor)
        return WideInt(0);
    return r == Rounding::nearest ? WideInt::pow2(shift - 1) : WideInt::pow2(shift) - WideInt(1);
}

// q = round(T / 2^shift) for a linear signal t holding T, with q range-checked to
// [-2^(w-1), 2^(w-1)) (is_signed) or [0, 2^w): one decomposition of T + c + offset 2^shift into
// shift + w bits, so the remainder and the offset quotient share it. shift + w constraints.
Trunc truncate(Builder& b, const Signal& t, const WideInt& t_value, int shift, Rounding r, int w, bool is_signed,
               const std::string& what)
{
    if (shift + w > kMaxFieldBits)
        throw std::invalid_argument("fixed point: truncation wider than the field allows (" + what + ")");
    const WideInt off = is_signed ? WideInt::pow2(w - 1) : WideInt(0);
    const WideInt add = round_const(r, shift) + (off << shift);
    const WideInt total = t_value + add;
    const std::vector<Signal> bits = decompose(b, t + Builder::constant(add.to_fr()), total, shift + w, what);
    Trunc out;
    out.q = lc_sum(bits, shift, shift + w, 0) - Builder::constant(off.to_fr());
    out.value = (total >> shift) - off;
    return out;
}

// All multilinear monomials of the bits: mono[S] = prod_{i in S} bits[i]; 2^m - m - 1 products.
std::vector<Signal> monomials(Builder& b, const std::vector<Signal>& bits)
{
    const size_t n = size_t(1) << bits.size();
    std::vector<Signal> mono(n);
    mono[0] = Builder::constant(1);
    for (size_t s = 1; s < n; ++s) {
        const int top = 63 - __builtin_clzll(uint64_t(s));
        const size_t rest = s ^ (size_t(1) << top);
        mono[s] = rest == 0 ? bits[top] : b.mul(mono[rest], bits[top]);
    }
    return mono;
}

Signal select(const std::vector<Signal>& mono, const std::vector<std::vector<Fr>>& mobius, int k)
{
    Signal acc;
    for (size_t s = 0; s < mono.size(); ++s)
        if (!mobius[s][k].is_zero())
            acc += mono[s] * mobius[s][k];
    return acc;
}

// The exact polynomial sum at scale 2^z (a linear signal) for index bits and t bits.
Signal poly_circuit(Builder& b, const PolyPlan& p, const std::vector<Signal>& index, const std::vector<Signal>& t,
                    size_t seg, const WideInt& t_value, WideInt* value)
{
    if (int(index.size()) != p.m || int(t.size()) != t_bits(p))
        throw std::logic_error("fixed point: polynomial operand shape");
    const std::vector<Signal> mono = monomials(b, index);
    Signal sum = select(mono, p.mobius_fr, 0);
    std::map<int, std::vector<Signal>> powers;  // g -> [u, u^2, ...]
    for (int k = 1; k <= p.d; ++k) {
        const int g = p.g[k];
        auto& pw = powers[g];
        if (pw.empty()) {
            Signal u;
            if (g >= p.fu) {
                u = lc_sum(t, 0, int(t.size()), g - p.fu);
            } else {
                const int drop = p.fu - g;
                u = lc_sum(t, drop, int(t.size()), 0) + t[drop - 1];
            }
            pw.push_back(u - Builder::constant(pow2_fr(g - p.e)));
        }
        while (int(pw.size()) < k)
            pw.push_back(b.mul(pw.back(), pw.front()));
        sum += b.mul(select(mono, p.mobius_fr, k), pw[k - 1]);
    }
    *value = poly_sum(p, seg, t_value);
    if (sum.value() != value->to_fr())
        throw std::logic_error("fixed point: polynomial witness mismatch");
    return sum;
}

// Signed check width for a raw bound B (|v| <= B): v in [-2^n, 2^n) with 2^n > B.
int signed_width(const WideInt& bound) { return bound.bit_length() + 1; }

// The least k with |v| <= 2^k for all |v| <= bound.
int closed_bits(const WideInt& bound) { return bound.is_zero() ? 0 : (bound - WideInt(1)).bit_length(); }

// Width of the result of a rounding by 2^shift of a value bounded by `bound`.
WideInt shifted_bound(const WideInt& bound, int shift) { return (bound >> shift) + WideInt(1); }

// ---------------------------------------------------------------------------------------------
// Tables

const char* const kE = "2.71828182845904523536028747135266250";
const char* const kExp1_32 = "1.03174340749910267093874781528150714";
const char* const kLn2 = "6.93147180559945309417232121458176568e-1";
// exp(u) on [-1/32, 1/32], degree 6; max |relative error| 9.06e-17
const char* const kExpPoly[7] = {"1.00000000000000000000000000000000000", "1.00000000000002021147310405373396610", "5.00000000000002526422144634938083616e-1", "1.66666666501094559710860945522447363e-1", "4.16666666459702445290048139039385690e-2", "8.33367242328368314581093816125840903e-3", "1.38893127498895765665435022444025182e-3"};
// kLnTable: 32 segments of width 0.03125, degree 6; max |error| 4.62e-16
const char* const kLnTable[32][7] = {
    {"1.55041865359652541508540460424468359e-2", "9.84615384615588670001576217311596296e-1", "-4.84733727810826690093016550603547233e-1", "3.18184183876580965095948743646260760e-1", "-2.34966781116649587157991772916618249e-1", "1.85136301038752444753387644669256151e-1", "-1.51908955847810673506954937544421559e-1"},
    {"4.58095360312942031666792676146633421e-2", "9.55223880597179972539960853327234505e-1", "-4.56226331031548064677001737239032698e-1", "2.90532185497426170551291435210837456e-1", "-2.08142460606101974009960822040919293e-1", "1.59102423277389462460543296979066513e-1", "-1.26650458586211603807022640792496111e-1"},
    {"7.52234212375875256986053399836624146e-2", "9.27536231884192303340014477729470335e-1", "-4.30161730728947503538315109962899762e-1", "2.65993722812256001157415976748476693e-1", "-1.85039111011198902235995587974931108e-1", "1.37340443087302766932147827597106361e-1", "-1.06158257885139035639402079905431419e-1"},
    {"1.03796793681643564826061803763974688e-1", "9.01408450704335330875520918791924438e-1", "-4.06268597500582677828738647552799637e-1", "2.44142627758085776815205166396353258e-1", "-1.65054170472633165599282041132683122e-1", "1.19054501242000316782609199177749270e-1", "-8.94317201193696566667884997378688135e-2"},
    {"1.31576357788719272588716128689483162e-1", "8.76712328767213829843958602035684775e-1", "-3.84312253706205693207615457393871467e-1", "2.24620857646800350434140850090868519e-1", "-1.47695906072748446599713680458169337e-1", "1.03613761961976642767825347869575299e-1", "-7.57004399947348328022625803783756066e-2"},
    {"1.58605030176638584093371174625841575e-1", "8.53333333333408266873545489393557488e-1", "-3.64088888888944839652421670524218511e-1", "2.07126121001410317715203587810682953e-1", "-1.32560717178983653590312204560969656e-1", "9.05148976074848423259720537476295248e-2", "-6.43668646280575923479041723085205859e-2"},
    {"1.84922338494011992663903592659249621e-1", "8.31168831168893494167362415796033549e-1", "-3.45420812953325813562574739893864118e-1", "1.91402006866933938432349429709235740e-1", "-1.19315536536028408141597996708692985e-1", "7.93538142546474374368632620861103640e-2", "-5.49642602933926912503097624556651459e-2"},
    {"2.10564769107349637669552812732351514e-1", "8.10126582278533096748414666743277431e-1", "-3.28152539657143153573282740014535372e-1", "1.77230061905611903932782884348679501e-1", "-1.07684088073613915394699540393227084e-1", "6.98041749188581075898626447602834591e-2", "-4.71256533343221511794938098174245535e-2"},
    {"2.35566071312766909077588218941043410e-1", "7.90123456790167178281636632314069029e-1", "-3.12147538485017272041010162885290694e-1", "1.64423393324879435840919986608019343e-1", "-9.74360847917606727577257921941349698e-2", "6.16009652343531411372153990816063941e-2", "-4.05606927220880409662013422299277052e-2"},
    {"2.59957524436926066972079494542311045e-1", "7.71084337349434448989371293873852926e-1", "-2.97285527652804662486536976211685967e-1", "1.52821474854706672420678201798615539e-1", "-8.83786841369088424937438441887571652e-2", "5.45278293815556329576783602948137012e-2", "-3.50382805485298969905179808488092727e-2"},
    {"2.83768173130644598346901222350254767e-1", "7.52941176470619434916683133937125112e-1", "-2.83460207612477302560942919882581504e-1", "1.42285907112544774688809291935490332e-1", "-8.03496886261550497164451933373189726e-2", "4.84072463064077597795194773422357861e-2", "-3.03734369078737858417812784842025570e-2"},
    {"3.07025035294911862075124540535377902e-1", "7.35632183908072489062897009205068310e-1", "-2.70577355000677654561779907218851801e-1", "1.32696939514729988202712184308243376e-1", "-7.32121044799646136684042609663185163e-2", "4.30928609837215938838629339310208574e-2", "-2.64172976745403287531923236432852086e-2"},
    {"3.29753286372467981814422811920789811e-1", "7.19101123595528230269477197001615720e-1", "-2.58553212978173551346598643781497922e-1", "1.23950603233597801848672571851179319e-1", "-6.68497634751112518179975515030376858e-2", "3.84634619327357752845103649753310237e-2", "-2.30494474530226158198976403247501984e-2"},
    {"3.51976423157178184655447456259438926e-1", "7.03296703296722651189188359239068599e-1", "-2.47313126434017465393467862225743954e-1", "1.15956337034490901393364824948459816e-1", "-6.11637821162835780821348730583980009e-2", "3.44182244646787967045694601341964418e-2", "-2.01720054167273786288614312859756542e-2"},
    {"3.73716409793584080821016832715823507e-1", "6.88172043010769310341621725349053814e-1", "-2.36790380390806632980508980417317107e-1", "1.08635012681216059368118969378785118e-1", "-5.60696839176439833785977003257513981e-2", "3.08729331056651903615738269084690222e-2", "-1.77050358191625217620812389865652720e-2"},
    {"3.94993808240868978106394036364981768e-1", "6.73684210526330111361378344817408739e-1", "-2.26925207756241129392893064511480608e-1", "1.01917285821223979747242805395346977e-1", "-5.14950496385714672215218578599863286e-2", "2.77569659753070643657183681380415557e-2", "-1.55829660095839944223188894120925894e-2"},
    {"4.15827895143710965613328892954902305e-1", "6.59793814433002069012633449622481490e-1", "-2.17663938782024363817041553962793827e-1", "9.57422132167229496277169799226289987e-2", "-4.73775900119356002198787729815367873e-2", "2.50108754245447375808938214184163235e-2", "-1.37517754318007080769088999380182196e-2"},
    {"4.36236766774918070349041323061121301e-1", "6.46464646464657194998059164225583169e-1", "-2.08958269564336240108692166824600618e-1", "9.00560888882373261963193029458169078e-2", "-4.36635582204287850754506545582958900e-2", "2.25844377780804238180721939727934769e-2", "-1.21667780747630892018525304943776125e-2"},
    {"4.56237433481587594380805538163929748e-1", "6.33663366336642991791526582842703349e-1", "-2.00764630918542570510148229179236508e-1", "8.48114609404438851884930444269481165e-2", "-4.03064368583750346990342026682597594e-2", "2.04350740422935108713284981347552282e-2", "-1.07908642897339442935030288934646797e-2"},
    {"4.75845904869963914265209586304381412e-1", "6.21359223300979005744800103811183296e-1", "-1.93043642190597314101984203258851595e-1", "7.99662981166926503396796144675292939e-2", "-3.72658476453346782264402586788681112e-2", "1.85265654168032482910768135040580597e-2", "-9.59310009791675986348051445451403211e-3"},
    {"4.95077266797851514597964584842833665e-1", "6.09523809523816631500290865811315741e-1", "-1.85759637188212407561826181843415814e-1", "7.54832809102423315159046191711777552e-2", "-3.45066426840796869925983013515395783e-2", "1.68280041916237284504713961719403456e-2", "-8.54760614151970073984226392356534394e-3"},
    {"5.13945751102234316801006088274217593e-1", "5.98130841121501555340642985422829926e-1", "-1.78880251550357002334518323924074433e-1", "7.13291966758066706416381268848531917e-2", "-3.19981442879065684737691469767776501e-2", "1.53129334399874754151855410522788159e-2", "-7.63265646624322931521333788310777867e-3"},
    {"5.32464798869471843873923723460142243e-1", "5.87155963302757764547177401675495141e-1", "-1.72376062620994309814433285492522285e-1", "6.74744218864379590213191495700291313e-2", "-2.97135068726130413398200596035900825e-2", "1.39586387980173487518171646349423745e-2", "-6.82995093789587549481865852961291354e-3"},
    {"5.50647117952662279259948179204913460e-1", "5.76576576576581393692821705241637493e-1", "-1.66220274328384866755059844383519344e-1", "6.38924776620727548105691869838987227e-2", "-2.76291795181684519505899686595163689e-2", "1.27455632728785995595375902697391347e-2", "-6.12402543093755029215069528924942746e-3"},
    {"5.68504735352668712078738764866962264e-1", "5.66371681415933454599390008647170327e-1", "-1.60388440754955509498541011042044885e-1", "6.05596471074104102079424177237113704e-2", "-2.57244518587725341113615830663396042e-2", "1.16568219738427800160134312668134109e-2", "-5.50177181426186763115732282303360635e-3"},
    {"5.86049045003578208904119436287324350e-1", "5.56521739130438542366037533776806204e-1", "-1.54858223062383683395726490435443307e-1", "5.74546449550182122658741127701090075e-2", "-2.39810691900457805819379934820676991e-2", "1.06777983146899513482835310944181669e-2", "-4.95204581010585296336630083676807605e-3"},
    {"6.03290851438084262340585186661310606e-1", "5.47008547008550340832108390756957340e-1", "-1.49609175250202486170940256561477665e-1", "5.45583316059814319379909292450188254e-2", "-2.23829052667825663333800481968929012e-2", "9.79580689117922132984211242734590746e-3", "-4.46534546643330102769896599597351730e-3"},
    {"6.20240409751857528851494632567246857e-1", "5.37815126050423127530905708809658740e-1", "-1.44622554904316059735902625285405399e-1", "5.18534649667568293777593987332484489e-2", "-2.09156833414160810184481716135725983e-2", "8.99981112095594605845145153680427629e-3", "-4.03354659619069278058607605798674413e-3"},
    {"6.36907462237069231620494427181199191e-1", "5.28925619834713377359020852543664867e-1", "-1.39881155658767696539316003325635987e-1", "4.93244845537099755311830520890708358e-2", "-1.95667376684933903112388253750001894e-2", "8.28018601785603133803977246342183657e-3", "-3.64968434835664238342557433650112715e-3"},
    {"6.53301272012745638758615881210873885e-1", "5.20325203252034868353319304742912619e-1", "-1.35369158569635545856252055722624160e-1", "4.69573232209280951312903277659913383e-2", "-1.83248090568213069504851072329061823e-2", "7.62851829001403248560943449742865645e-3", "-3.30777227322232522145816422636796760e-3"},
    {"6.69430653942629267298885270929503510e-1", "5.12000000000002097334697199180637191e-1", "-1.31072000000000939608282971430869300e-1", "4.47392425979416309358844104814619600e-2", "-1.71798691532111128344668102979845681e-2", "7.03743740274983613939616119908996067e-3", "-3.00265196930131146552090181225666344e-3"},
    {"6.85304003098919416544048078967232986e-1", "5.03937007874017624799556260744761221e-1", "-1.26976253952508732569076034541192055e-1", "4.26586889304211011537279900336829306e-2", "-1.61229690406946820784524543169854725e-2", "6.50047241100578355286747946288391169e-3", "-2.72986775889300558060295772681403149e-3"},
};
// kCdfTable: 64 segments of width 0.125, degree 7; max |error| 6.38e-16
const char* const kCdfTable[64][8] = {
    {"4.75082330970752896133211822845133101e-1", "-3.98163856686886378876280839610091164e-1", "1.24426205205040390076405414996617585e-2", "6.61014215185949818430529918465939347e-2", "-3.10660356779082856502332421530686625e-3", "-9.87637850612681399431285784269034149e-3", "5.16588893427768095090243062074799289e-4", "1.17025705219209633501783012070264019e-3"},
    {"4.25634311844103142625541221421143305e-1", "-3.91990898252571721681928985255539443e-1", "3.67491467084281627714551049233798029e-2", "6.30349947045242456503508130370413946e-2", "-9.07961964123032916092183422410517759e-3", "-9.11476147387574092351512702786846588e-3", "1.49401041596109436588526040496261551e-3", "1.04427073607150539890673595480912269e-3"},
    {"3.77330281529843421338236614302875753e-1", "-3.79930606198627629826611568941715237e-1", "5.93641572143725971202768937788953925e-2", "5.71380013218119813340293504586041067e-2", "-1.43579272274700364055790866221849704e-2", "-7.67332809708064555381305724651968268e-3", "2.31186048649363076757721740617614061e-3", "8.09646750217488620950173588353177566e-4"},
    {"3.30874388040879817877025816205995565e-1", "-3.62532317040445164198590616520181879e-1", "7.93039443475795678809039311413933988e-2", "4.88568942881759203971999598413783238e-2", "-1.85610404483782990570454978310517103e-2", "-5.70444193039404262231839110823504562e-3", "2.88812383182447958219565256102988919e-3", "4.98177557921971644643974325491869292e-4"},
    {"2.86887701816365840289771830018008452e-1", "-3.40567594319830699124844822654572710e-1", "9.57846358972275592842522294778360651e-2", "3.88016464883700082216891520465664662e-2", "-2.14205808329960772112673564930528112e-2", "-3.41043101543887936644846338646979615e-3", "3.17306636242321102881118089607031005e-3", "1.50861648691364160138916371982649193e-4"},
    {"2.45883850380262039192103497756336216e-1", "-3.14973535426593390623091461826485102e-1", "1.08272152798096105720306214643506288e-1", "2.76832208877426688854138736515479191e-2", "-2.28034062520879643739242314864313946e-2", "-1.01701474831103488786623103523085413e-3", "3.15447322448568041005732789244718309e-3", "-1.88652716783064709661790466621653599e-4"},
    {"2.08252393288109427556516648865313163e-1", "-2.86786667566414586107921687237690816e-1", "1.16507083695021580333361763997115033e-1", "1.62437760936716807224183723205051640e-2", "-2.27173593938460385900171091679561897e-2", "1.25500395038280201642253384783130536e-3", "2.85702268900587618430966094218741084e-3", "-4.80710646463994327385067488696275646e-4"},
    {"1.74250711880542677600574721724518276e-1", "-2.57073907346734865954964912622657808e-1", "1.20503394066265783493201081929966524e-1", "5.18834057923086744367925808802088294e-3", "-2.12999131137113427815256123518137344e-2", "3.21548160105137005630228813924529966e-3", "2.33625029580203085917214094428150594e-3", "-6.95197296716809260476422979055751294e-4"},
    {"1.44004379001971071685772046709794606e-1", "-2.26866926968812806007069409222120951e-1", "1.20523054951131145500831360087697640e-1", "-4.87409413279054983096365994813929939e-3", "-1.87924932262991806487378412977544520e-2", "4.72451754592025710760805723469930337e-3", "1.66848158379266700005754827107710688e-3", "-8.15093690077762484891622175729056406e-4"},
    {"1.17515228293214105900404766716284766e-1", "-1.97105401918587433843764990159246816e-1", "1.17031332389515527969026070792820837e-1", "-1.34740020831116109673486861222487541e-2", "-1.55051281497678788900282600396508998e-2", "5.70356664687212770403243562785125880e-3", "9.38705139512174209476158643638955371e-4", "-8.37597437832308483932969370515149426e-4"},
    {"9.46757430216424013878876854563716897e-2", "-1.68593184518115226537928125249957121e-1", "1.10639277341538107272140537399655488e-1", "-2.03058197490058601349181993136634468e-2", "-1.17770344035246643190394580046861014e-2", "6.13734283231783694635402693662398856e-3", "2.28526877353854760311721511114236502e-4", "-7.72864489563841971045364423169756832e-4"},
    {"7.52879864124231180436947125373342027e-2", "-1.41969695205215593478801544710187640e-1", "1.02040718431094021717030454423750208e-1", "-2.52328950456856392660085238248394388e-2", "-7.93871774985622959026735094050491845e-3", "6.06731403793595926668590522551317590e-3", "-3.93902195973239314329935780995701792e-4", "-6.40865776239819998916104789016680368e-4"},
    {"5.90851229326672062586400056341947542e-2", "-1.17697011224320062112587594429712074e-1", "9.19507900217661026101598954406000207e-2", "-2.82748679306460135480465845927794445e-2", "-4.28026492515457883113048836844379603e-3", "5.57881162074032890809455033795572415e-3", "-8.80663518666465794076377486699176459e-4", "-4.67140815544109822996458657549268718e-4"},
    {"4.57536249617407709049996349012977070e-2", "-9.60615009051133334508823949711513378e-2", "8.10518913914916095568876308804302895e-2", "-2.95814387554078305327150891125340850e-2", "-1.02898267693222541162746656777555163e-3", "4.78449641268217019738826095706314885e-3", "-1.20697291093056349675411399155559599e-3", "-2.78326123496722933859038434415449677e-4"},
    {"3.49544869682344318350311871945815920e-2", "-7.71875844397106702851419214709536167e-2", "6.99512484010076291364833454943034242e-2", "-2.93976151678331676820319594451169422e-2", "1.66224974754175800416153351646359396e-3", "3.80707603993201562863544958049506271e-3", "-1.37036651937877045127184603772253164e-3", "-9.82456658596753121421322863307765049e-5"},
    {"2.63421266891412132367808752872265981e-2", "-6.10604050410662777619817901417928382e-2", "5.91522673855493678619189418925090428e-2", "-2.80257718455343553159331210485956387e-2", "3.71626942584712301767044904275480028e-3", "2.76381103164850821597690304341079679e-3", "-1.38692612224505216802029800772112744e-3", "5.48795431732148771718926262153204830e-5"},
    {"1.95800787783772843932016197873341174e-2", "-4.75538912606395540741962446368634197e-2", "4.90399503639347114400559098481122532e-2", "-2.57893173313695988163424159196650246e-2", "5.12428989613842644940517099706741310e-3", "1.75462800399623648531338056544175530e-3", "-1.28565795395053119584361399499791984e-3", "1.69844695494562369264558648550892162e-4"},
    {"1.43530216088015605770036708776932349e-2", "-3.64608331761920717518024810806973210e-2", "3.98790362872315865309855016109991799e-2", "-2.30016584300507562680736713954923060e-2", "5.93252491849934331016100619500279961e-3", "8.54769370443196057054018183483286224e-4", "-1.10223347422599301158045061489099455e-3", "2.42533567058752381955952245638673717e-4"},
    {"1.03750726580579782718625559272198392e-2", "-2.75220808029044121360412309352879869e-2", "3.18224059285679892390770388311530266e-2", "-1.99427577697442912225448763619032408e-2", "6.22567224563689250269843930924238663e-3", "1.12040706493834910015252253846337802e-4", "-8.73161962979833951941360755110099077e-4", "2.74916367487113621446478290663929764e-4"},
    {"7.39460711088072584466759289929535628e-3", "-2.04526737727813550301476647336187844e-2", "2.49266961603436523497811643014892063e-2", "-1.68441616686716026241387839830925294e-2", "6.10996195573594063029605684528938814e-3", "-4.51981631382176785827764672934725073e-4", "-6.31166479593926694901754103859849106e-4", "2.73371402346016692096738923464607791e-4"},
    {"5.19607938209123000628980083203433871e-3", "-1.49634957859139208083018868463157716e-2", "1.91719789751663542764468154458927619e-2", "-1.38821494109648985627364794325746613e-2", "5.69792282300659114408513245973333314e-3", "-8.37862421336557576672106966069336009e-4", "-4.02166845666463931678454058764081322e-4", "2.46757039749298757079096590307456321e-4"},
    {"3.59945511441005248547915839139593355e-3", "-1.07778017002708924194357590127669963e-2", "1.44826710340402284133129770822405211e-2", "-1.11777591853296131305368128910213130e-2", "5.09627934132787429746738358330508908e-3", "-1.06258567509649800021598074387143656e-3", "-2.03920384418185011161353339318834715e-4", "2.04602495980656209593018096016711404e-4"},
    {"2.45790117519677818780807754637441118e-3", "-7.64260581874640260770021456676858843e-3", "1.07474144318700843342318319753689278e-2", "-8.80193339410974690827666592964434311e-3", "4.39762462883870024767947445513228612e-3", "-1.15337331849503603366095993176785995e-3", "-4.60952070452840986212612324811198153e-5", "1.55673768626847062477567787035243325e-4"},
    {"1.65435085954759217108764052836403829e-3", "-5.33539873158632339611241405693836535e-3", "7.83636688632211413552778158021061216e-3", "-6.78387612153492841342476567300507613e-3", "3.67584876896849388049869111063903830e-3", "-1.14197930268593855516608504350746294e-3", "6.86163587244128938122004299739019971e-5", "1.07040259326427741376142861663842447e-4"},
    {"1.09748237743793677243112671911665271e-3", "-3.66696234629423933368084558417544350e-3", "5.61503609217196150395997418614099648e-3", "-5.12085562020428318555828340231726765e-3", "2.98481649209695523967427143588490465e-3", "-1.06007143441054221811247549288150455e-3", "1.42792710069765327835569231424876990e-4", "6.36486997152006169598395654698782083e-5"},
    {"7.17542289844506757034401168798911036e-4", "-2.48119083610331478369884162078303298e-3", "3.95439789458026962536269928523858054e-3", "-3.78801595734071965881873001706678069e-3", "2.35950948825137031588032464112179990e-3", "-9.35984686051261858269559224900606385e-4", "1.82399753167364166312463028508782479e-4", "2.83238358966559600072569968593819268e-5"},
    {"4.62330630188643862866385673772409029e-4", "-1.65282942240627216659843062156696310e-3", "2.73749873053623078752992607481783572e-3", "-2.74718327814096262115693262784827855e-3", "1.81876177871336220980608547756175131e-3", "-7.92852060686068022448559380558571180e-4", "1.95048883398855731838334359472335556e-4", "2.06779203595019974824695870491555472e-6"},
    {"2.93555359751995714622029876967526759e-4", "-1.08395199911466403007739741764925043e-3", "1.86304249827636214920890511420348730e-3", "-1.95407752955438933751184192124053322e-3", "1.36877855244349073628189733717573116e-3", "-6.47923575097411060046461503451241820e-4", "1.88596511410557280682681171530041161e-4", "-1.54803948335036631597566780649368912e-5"},
    {"1.83669954237376197713238325104047880e-4", "-6.99852010946952170804457773153752282e-4", "1.24661139439711361656725453270894305e-3", "-1.36370902906592412959670878337705909e-3", "1.00678491903928109640454822274089110e-3", "-5.12777906431315269835686169317948584e-4", "1.70170329287545933733250603910054165e-4", "-2.55462057800085141782551639958383813e-5"},
    {"1.13234046822510586421984010844368744e-4", "-4.44853004112816943764376981129085976e-4", "8.20197726305024496089847578664032156e-4", "-9.34017537877584734316908743295334855e-4", "7.24347832511740723681225366115145163e-4", "-3.94103939263339572707364990482850425e-4", "1.45615320905937188301806034028038977e-4", "-2.97700403866723792664847839887957124e-5"},
    {"6.87841146467465630912297671975869050e-5", "-2.78381896598366245030160381749602991e-4", "5.30665490412226868230369447084933142e-4", "-6.27990411237595136880163478737477838e-4", "5.10109084685396870081703490218696024e-4", "-2.94759680118957456454280807857941568e-4", "1.19291979681323520920785327049066683e-4", "-2.98570385951859507084311357480657504e-5"},
    {"4.11674659715932145781782483754149026e-5", "-1.71506111194725632120559017412371432e-4", "3.37652656464890237588102930805285352e-4", "-4.14584759660779416919024305320850828e-4", "3.51831365706696778618655105187069757e-4", "-2.14879559770810277484182697329065793e-4", "9.41302131834036438920457738522379230e-5", "-2.73432818961502742053556331902233561e-5"},
    {"2.42749738566811671960514342311106631e-5", "-1.04023714767684581344307611046979183e-4", "2.11298170684779966608066310127758548e-4", "-2.68795653583555953543799838659029057e-4", "2.37779143359313961150486384971120121e-4", "-1.52876278546200461837347413402312854e-4", "7.18390777360864134771743336136949703e-5", "-2.34706837340787691490220732083630000e-5"},
    {"1.41022010501589343172664954282131877e-5", "-6.21153971704158899811080012873653042e-5", "1.30054112890006737647499399275305908e-4", "-1.71181299626188616616878641902094442e-4", "1.57529655075543570783684590457418978e-4", "-1.06253957393598871063864120506957295e-4", "5.31862398417506349395674207244850227e-5", "-1.91484522297391479773671336630235585e-5"},
    {"8.07094412286085401521979999568154886e-6", "-3.65157582304364642967556530041062554e-5", "7.87371037435407068112682420644782483e-5", "-1.07098626847881290910304875495427044e-4", "1.02342780721896649822397995129023732e-4", "-7.22059111385009852130082043523723223e-5", "3.82833105159672353074929542177869431e-5", "-1.49736926595139518274832377576403089e-5"},
    {"4.55048609852276606858187760043539372e-6", "-2.11336995134444342510386808566965318e-5", "4.68903958458868301177673822110171150e-5", "-6.58364272037234192686211720798074614e-5", "6.52221559031829053310074362156546683e-5", "-4.80092456704655817873669519322865248e-5", "2.68369904796187345166881517491297253e-5", "-1.12850526520607529505933735586889237e-5"},
    {"2.52740468177946069825833457544888692e-6", "-1.20416190057844358446128873621500136e-5", "2.74699433975830840881474502830592118e-5", "-3.97702690297407892542134164595400705e-5", "4.07845871969159942600799926859958800e-5", "-3.12504318148424255360539010072454860e-5", "1.83467097249946071399719222853388093e-5", "-8.22849820502366120555147721001017013e-6"},
    {"1.38281350640627466603707591400771164e-6", "-6.75473607614199710396056197418303672e-6", "1.58314127097307412930578360827522578e-5", "-2.36107929719243134088173833624325145e-5", "2.50302891993063241304777095846004370e-5", "-1.99243046501210945561980668080730606e-5", "1.22448873817046391012364028340214399e-5", "-5.82089942045513819773185548067486007e-6"},
    {"7.45269363901759573124309675449354796e-7", "-3.73031954825369143949265350342972079e-6", "8.97608143612092351074136003855707619e-6", "-1.37774106818617779857405204428893125e-5", "1.50799040398696642870744712238253360e-5", "-1.24478161267114097317884138647880308e-5", "7.98566207438045202924377743150099170e-6", "-4.00336606997117978077870631619181521e-6"},
    {"3.95652032786476682394434882847020177e-7", "-2.02813955965533152515452335046905529e-6", "5.00696955442595460115525063709527353e-6", "-7.90261410970026750171789877650295525e-6", "8.92027321082568257756695123380017164e-6", "-7.62339193490877435926637971995345829e-6", "5.09271184402949750288924152813986514e-6", "-2.68123941709871168013141944158468372e-6"},
    {"2.06897032700253824765508168523059480e-7", "-1.08558487793685162278026469573869961e-6", "2.74788673371409577014097287697263561e-6", "-4.45612803475138579861185219909879487e-6", "5.18179128237593837364310785259059851e-6", "-4.57815430206200575014726134980477758e-6", "3.17790863870087705761861858656205780e-6", "-1.75099702169281961131316751351498683e-6"},
    {"1.06567962685541544844526709877626261e-7", "-5.72063030643213173348791612502890143e-7", "1.48378849341531818206337892600179188e-6", "-2.47037375428196171583625008600534663e-6", "2.95645804363718760798029870069211249e-6", "-2.69677576214813520686158109649264121e-6", "1.94142224497847725706453816426583141e-6", "-1.11617659265114184879309874416311828e-6"},
    {"5.40657133479091964020033429256343120e-8", "-2.96782390620889593792386702556448322e-7", "7.88328230109676764881135667936502443e-7", "-1.34653416877932510384847585397653215e-6", "1.65697122474731580581956629969508793e-6", "-1.55855612584683040094119288136755235e-6", "1.16167584649490786466614063647315407e-6", "-6.95114513927609046958111049803408251e-7"},
    {"2.70166751794326698318218984949160535e-8", "-1.51581612873863485219145175448467642e-7", "4.12112513199337485628106789922971282e-7", "-7.21690323550445895234842063978075918e-7", "9.12358270268434386762950510435149450e-7", "-8.83938833886751650810328539618062963e-7", "6.81098973336209184437884430881653106e-7", "-4.23226222134308656913318522343202499e-7"},
    {"1.32968515803214240537808839405894227e-8", "-7.62200215927207706416019218380804755e-8", "2.11986937041289628346618960812647015e-7", "-3.80355772678016909075387458130520890e-7", "4.93598547204415275899571768047826250e-7", "-4.92076742501416947414698617617644130e-7", "3.91424685739870584502508950477542536e-7", "-2.52086884818747352066109699953168400e-7"},
    {"6.44563015892249343719063867002970883e-9", "-3.77316467528719542068632180795195622e-8", "1.07299371658004762837299466760191350e-7", "-1.97133115907641400609920977078747510e-7", "2.62413878616967510795932536508494615e-7", "-2.68926871487108577885009775216126503e-7", "2.20563375365479512875361278432295484e-7", "-1.46966991254912048000697576565412075e-7"},
    {"3.07733419071058058798906406741413496e-9", "-1.83889359876488089458097573121639134e-8", "5.34428459277064837436398940045464159e-8", "-1.00480690277105892059277557378581464e-7", "1.37102948553132636599866738811406007e-7", "-1.44310701642717979892860488352687853e-7", "1.21894805229913888832732133899885054e-7", "-8.39036141065449195016448369803738027e-8"},
    {"1.44700522761590768320362858848058965e-9", "-8.82310791035204378382845115405254504e-9", "2.61936020222012428644880226155610313e-8", "-5.03709854038910614245866299457883196e-8", "7.04033019736147331230865889318178690e-8", "-7.60486395224412023967991642907993758e-8", "6.60861170749789543737850371804456422e-8", "-4.69252900493606630840298342610792481e-8"},
    {"6.70109041647942161091462302128795348e-10", "-4.16774106807206709003176025684137746e-9", "1.26334653468181949894386644516873005e-8", "-2.48355040242282326694346894362561859e-8", "3.55354333788114165109754822938725502e-8", "-3.93615966161299104668242972005503492e-8", "3.51563856562719000754759869846497061e-8", "-2.57188682671755681243448623227528428e-8"},
    {"3.05629235072571321590576975637223015e-10", "-1.93817959361185503009227666602214263e-9", "5.99624324764534343401108439069629402e-9", "-1.20442215673702154578892148602605181e-8", "1.76313650537309957470458622025693461e-8", "-2.00122980948986100354809435581567210e-8", "1.83549607641181888858105418930144755e-8", "-1.38181837832408222534166152325621279e-8"},
    {"1.37281731101902348043262185712704935e-10", "-8.87363279059576785060910437176508249e-10", "2.80074042008499632437059159645364975e-9", "-5.74533064457592606417240951630184853e-9", "8.59996953032047863514294364368584795e-9", "-9.99572610604515930731597939478912061e-9", "9.40667469849911409637464351807210941e-9", "-7.27989538003907584922104988402300706e-9"},
    {"6.07286617213213647034650713040160048e-11", "-3.99965965691746493318912378820928203e-10", "1.28739048960519430783089898398497391e-9", "-2.69586437218774519166798639689252476e-9", "4.12404358912812156035674290232312089e-9", "-4.90536093212068971353838686044476833e-9", "4.73285598775411029740765822892668878e-9", "-3.76168676351961424393544558549501592e-9"},
    {"2.64565202668263297627497119574306278e-11", "-1.77483821399448800069210254685043214e-10", "5.82368808534666657495647323278197088e-10", "-1.24435110047294359084698836405350993e-9", "1.94442700462581334014305945547213210e-9", "-2.36542592474737901478764005840565613e-9", "2.33819007865457237917556695481651848e-9", "-1.90686918097859493924177875381519161e-9"},
    {"1.13507605900534891712551674047275450e-11", "-7.75369392054772510229904170156712765e-11", "2.59264150467475493485778743956998546e-10", "-5.65020162649940350334099079580711470e-10", "9.01419591134390922683208416827375661e-10", "-1.12090504568150056387927656379646153e-9", "1.13439703579342233670422608952809942e-9", "-9.48479821425951302824651005742773675e-10"},
    {"4.79585281344756127795857793906250357e-12", "-3.33482220038470632397905573761664899e-11", "1.13592386210423340043899150428778221e-10", "-2.52391331764316780557668118870743631e-10", "4.10915508573504031635435840000791669e-10", "-5.22018422360697348285595230902299658e-10", "5.40547226842616638838884031050109192e-10", "-4.63003493526184494070755969833879313e-10"},
    {"1.99549662157742617175309988825371285e-12", "-1.41205256358932313595937621639805182e-11", "4.89805757611269345202813847062714998e-11", "-1.10914156392147478435490973214810543e-10", "1.84200159091968364892064238852394033e-10", "-2.38942951701747575235673984543675736e-10", "2.53008864510806957081504173914186091e-10", "-2.21851511704149686174106698906653882e-10"},
    {"8.17666578872861958086230093909166091e-13", "-5.88631083548562564676070315607213252e-12", "2.07860363242794424892471977023944519e-11", "-4.79527400276645174835344881051953836e-11", "8.12006981683882937473984595250174144e-11", "-1.07504222072251749218457832243479553e-10", "1.16336975319157426655407799672570318e-10", "-1.04358836993622277990892681985131071e-10"},
    {"3.29942011398042651950566809420937026e-13", "-2.41573709946440736290845537209776087e-12", "8.68155576226841575082709891012477784e-12", "-2.03969368646038424535560226679772419e-11", "3.52031016145880231025671486737051922e-11", "-4.75454662528789543872573008590205693e-11", "5.25560480949941600991409121744544224e-11", "-4.81998910498078838744602466051854536e-11"},
    {"1.31108639481578896534130952768038480e-13", "-9.76046019748866374985762596400159920e-13", "3.56866852006793563339767042269812188e-12", "-8.53595472631053940230311617153863337e-12", "1.50096807939368514786959945584370561e-11", "-2.06715221133004133779193476705911117e-11", "2.33286932610589409756859587063575041e-11", "-2.18609624082497968366262756026854841e-11"},
    {"5.13042918283154835288798718538798452e-14", "-3.88244282925291451493241096245867933e-13", "1.44378354570826470868772486068628215e-12", "-3.51467244983326700625952266403492587e-12", "6.29431166957653757028573425794441806e-12", "-8.83570614470849443193795691053881256e-12", "1.01755523322386355589440447032355491e-11", "-9.73757834556622761866693130332323265e-12"},
    {"1.97697559543052850316264448590491912e-14", "-1.52038645717969725749942342085366975e-13", "5.74896182134514938882356067933755127e-13", "-1.42387758958583882908811709498682728e-12", "2.59613465973169715007636780423685420e-12", "-3.71312555076536361370739942351837150e-12", "4.36174236082410051735756860271064563e-12", "-4.26029148150394051805063641370499103e-12"},
    {"7.50189231029407563976105979273998394e-15", "-5.86161195657725812380737135073418413e-14", "2.25305732849131897497899131388400740e-13", "-5.67576544764909506391750440352463880e-13", "1.05323042376306672840189965860051482e-12", "-1.53422904263077137994718125038901096e-12", "1.83750592024697530399113876343662816e-12", "-1.83096076934636428842413903779482988e-12"},
    {"2.80323220297312679151464034005978729e-15", "-2.22481695244606960518388344930934168e-14", "8.69069222325291993166653817486003404e-14", "-2.22612063198489284669983716251735583e-13", "4.20291859299766949998075783196522968e-13", "-6.23324567967912332835336462344742962e-13", "7.60841879255594044131573410098180443e-13", "-7.73057364329462478718736590067278080e-13"},
    {"1.03148522481835123499983392219095287e-15", "-8.31353356299436797784601861655114136e-15", "3.29943405718055034608335439426021103e-14", "-8.59119292195418792620388684610091520e-14", "1.64976993997228919824155923911336001e-13", "-2.49018615928695950110502315687179616e-13", "3.09660138630537620330840387245600146e-13", "-3.20683127512111274718541892947127354e-13"},
};

const std::vector<WideInt>& parsed_row(const char* const* row, int n, std::vector<WideInt>& out)
{
    out.clear();
    for (int i = 0; i < n; ++i)
        out.push_back(coef_const(row[i]));
    return out;
}

struct Constants {
    WideInt e, exp1_32, ln2;
    std::vector<WideInt> exp_poly;
    Table ln, cdf;
};

const Constants& constants()
{
    static const Constants c = [] {
        Constants k;
        k.e = coef_const(kE);
        k.exp1_32 = coef_const(kExp1_32);
        k.ln2 = coef_const(kLn2);
        parsed_row(kExpPoly, 7, k.exp_poly);
        k.ln.m = 5;
        k.ln.d = 6;
        k.ln.e = 6;
        for (const auto& row : kLnTable) {
            std::vector<WideInt> r;
            k.ln.c.push_back(parsed_row(row, 7, r));
        }
        k.cdf.m = 6;
        k.cdf.d = 7;
        k.cdf.e = 4;
        for (const auto& row : kCdfTable) {
            std::vector<WideInt> r;
            k.cdf.c.push_back(parsed_row(row, 8, r));
        }
        return k;
    }();
    return c;
}

// e^n at scale 2^kCoefScale, |n| <= 64.
WideInt exp_int(int n)
{
    const Constants& k = constants();
    WideInt v = WideInt::pow2(kCoefScale);
    for (int i = 0; i < std::abs(n); ++i)
        v = coef_mul(v, k.e);
    if (n >= 0)
        return v;
    return WideInt::floor_div((WideInt::pow2(2 * kCoefScale) << 1) + v, v << 1);
}

template <class Plan, class Key, class Make>
const Plan& cached(const Key& key, Make make)
{
    static std::mutex mu;
    static std::map<Key, std::unique_ptr<const Plan>> cache;
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it == cache.end())
        it = cache.emplace(key, std::make_unique<const Plan>(make())).first;
    return *it->second;
}

// exp: w = x + 2^I in bits [t: F-4 | j: 4 | K: I+1]; the inner table covers j and the low
// L = min(I+1, 2) bits of K, the outer table the other O bits of K.
constexpr int kExpFracIndex = 4;
constexpr int kExpMaxIntBits = 6;

struct ExpPlan {
    int I = 0, L = 0, O = 0;
    PolyPlan inner;
    int f_in = 0, w_in = 0;               // inner rounding: F (O == 0) or F + 2 bits, signed width
    int f_e = 0, w_out = 0;               // outer factor precision; unsigned width of the result
    std::vector<WideInt> outer;           // e^(n 2^L - 2^I) at scale 2^f_e
    std::vector<std::vector<Fr>> outer_mobius;
};

const ExpPlan& exp_plan(int F, int int_bits)
{
    return cached<ExpPlan>(std::make_pair(F, int_bits), [&] {
        const Constants& c = constants();
        ExpPlan p;
        p.I = int_bits;
        // One table up to 7 index bits (120 monomials) when that covers all of K; otherwise a
        // 6-bit inner table and the outer factor (its extra truncation costs less than doubling
        // the inner table again).
        p.L = int_bits + 1 <= 3 ? int_bits + 1 : 2;
        p.O = int_bits + 1 - p.L;
        const int off_in = p.O == 0 ? (1 << int_bits) : 0;
        Table t;
        t.m = kExpFracIndex + p.L;
        t.d = 6;
        t.e = kExpFracIndex + 1;
        std::vector<WideInt> frac(1 << kExpFracIndex);  // e^((2j+1)/32)
        WideInt acc = c.exp1_32;
        const WideInt step = coef_mul(c.exp1_32, c.exp1_32);
        for (auto& f : frac) {
            f = acc;
            acc = coef_mul(acc, step);
        }
        for (int kl = 0; kl < (1 << p.L); ++kl) {
            const WideInt ei = exp_int(kl - off_in);
            for (int j = 0; j < (1 << kExpFracIndex); ++j) {
                const WideInt center = coef_mul(ei, frac[j]);
                std::vector<WideInt> row;
                for (const WideInt& a : c.exp_poly)
                    row.push_back(coef_mul(a, center));
                t.c.push_back(row);
            }
        }
        p.f_in = p.O == 0 ? F : F + 2;
        p.inner = make_plan(t, F, p.f_in);
        p.w_in = signed_width(shifted_bound(p.inner.bound, p.inner.z - p.f_in));
        if (p.O > 0) {
            p.f_e = F + 8;
            WideInt emax(0);
            for (int n = 0; n < (1 << p.O); ++n) {
                p.outer.push_back(WideInt::round_shift(exp_int(n * (1 << p.L) - (1 << int_bits)), kCoefScale - p.f_e));
                emax = std::max(emax, p.outer.back());
            }
            PolyPlan tmp;  // reuse the Möbius transform
            tmp.m = p.O;
            for (const WideInt& v : p.outer)
                tmp.coef.push_back({v});
            tmp.g = {0};
            finish_plan(tmp);
            p.outer_mobius = tmp.mobius_fr;
            const WideInt rmax = shifted_bound(WideInt::pow2(p.w_in - 1) * emax, p.f_in + p.f_e - F);
            p.w_out = rmax.bit_length();
        }
        return p;
    });
}

// ln: N = F + I + 1 mantissa bits; s in sb bits; 32 segments of f = x 2^s / 2^(N-1) - 1.
struct LnPlan {
    int N = 0, sb = 0, w = 0;
    PolyPlan poly;
    WideInt ln2;  // ln 2 at scale 2^z
};

const LnPlan& ln_plan(int F, int int_bits)
{
    return cached<LnPlan>(std::make_pair(F, int_bits), [&] {
        LnPlan p;
        p.N = F + int_bits + 1;
        p.sb = ceil_log2(p.N);  // s in [0, N - 1]
        if (p.N < 8 || p.N + (1 << p.sb) - 1 > kMaxFieldBits)
            throw std::invalid_argument("fixed ln: F + int_bits must be in [7, 122]");
        p.poly = make_plan(constants().ln, p.N - 1, F);
        p.ln2 = WideInt::round_shift(constants().ln2, kCoefScale - p.poly.z);
        const WideInt addend = p.ln2 * WideInt(std::max(F, p.N - 1 - F));
        p.w = signed_width(shifted_bound(p.poly.bound + addend, p.poly.z - F));
        return p;
    });
}

// normal_cdf: a = |x| in n_a bits [t: F-3 | index: 6 | clamp bits].
struct CdfPlan {
    int n_a = 0, w = 0;
    PolyPlan poly;
};

const CdfPlan& cdf_plan(int F, int int_bits)
{
    return cached<CdfPlan>(std::make_pair(F, int_bits), [&] {
        CdfPlan p;
        p.n_a = std::max(F + int_bits + 1, F + 3);
        p.poly = make_plan(constants().cdf, F, F);
        // Q(0) = 1/2 exactly, so that the sign of x = 0 (free) cannot matter.
        const WideInt at0 = poly_sum(p.poly, 0, WideInt(0));
        p.poly.coef[0][0] += WideInt::pow2(p.poly.z - 1) - at0;
        finish_plan(p.poly);
        p.w = signed_width(shifted_bound(p.poly.bound, p.poly.z - F));
        return p;
    });
}

WideInt low_bits(const WideInt& v, int n) { return v - ((v >> n) << n); }

size_t index_of(const WideInt& v, int from, int count) { return size_t(low_bits(v >> from, count).to_int64()); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// FixedFormat: the native model

FixedFormat::FixedFormat(int frac_bits) : f_(frac_bits)
{
    if (frac_bits < 16 || frac_bits > 64)
        throw std::invalid_argument("fixed point: frac_bits must be in [16, 64]");
}

double FixedFormat::ulp() const { return std::ldexp(1.0, -f_); }

WideInt FixedFormat::from_long_double(long double x) const
{
    if (!std::isfinite(x))
        throw std::invalid_argument("fixed point: not a finite number");
    if (x == 0)
        return WideInt(0);
    int ex = 0;
    const long double m = std::frexp(std::fabs(x), &ex);  // x = m 2^ex, m in [0.5, 1)
    const uint64_t mant = uint64_t(std::ldexp(m, 64));
    WideInt v(0);
    v = (WideInt(int64_t(mant >> 1)) << 1) + WideInt(int64_t(mant & 1));
    const int shift = ex - 64 + f_;
    if (shift + 64 > 900)
        throw std::invalid_argument("fixed point: number too large");
    v = shift >= 0 ? (v << shift) : WideInt::round_shift(v, -shift);
    return x < 0 ? -v : v;
}

WideInt FixedFormat::parse(std::string_view decimal) const
{
    const auto v = parse_scaled(decimal, f_);
    if (!v)
        throw std::invalid_argument("fixed point: not a decimal number: '" + std::string(decimal) + "'");
    return *v;
}

long double FixedFormat::to_long_double(const WideInt& raw) const { return std::ldexp(raw.to_long_double(), -f_); }

WideInt FixedFormat::mul(const WideInt& a, const WideInt& b, Rounding r) const
{
    return (a * b + round_const(r, f_)) >> f_;
}

WideInt FixedFormat::div(const WideInt& a, const WideInt& b, Rounding r) const
{
    if (b.sign() <= 0)
        throw ConstraintViolation("fixed div: the divisor must be positive");
    const WideInt num = a << f_;
    switch (r) {
    case Rounding::floor:
        return WideInt::floor_div(num, b);
    case Rounding::ceil:
        return WideInt::floor_div(num + b - WideInt(1), b);
    case Rounding::nearest:
        break;
    }
    return WideInt::floor_div((num << 1) + b, b << 1);
}

WideInt FixedFormat::sqrt(const WideInt& a) const
{
    if (a.is_negative())
        throw ConstraintViolation("fixed sqrt: the argument must be non-negative");
    const WideInt x = a << f_;
    const WideInt y = WideInt::isqrt(x);
    return x - y * y > y ? y + WideInt(1) : y;
}

WideInt FixedFormat::exp(const WideInt& x, int int_bits) const
{
    const int I = std::max(int_bits, 0);
    if (I > kExpMaxIntBits)
        throw std::invalid_argument("fixed exp: the argument's bound must be at most 2^6");
    const ExpPlan& p = exp_plan(f_, I);
    const WideInt w = x + WideInt::pow2(f_ + I);
    if (w.is_negative() || w.bit_length() > f_ + I + 1)
        throw ConstraintViolation("fixed exp: the argument must be in [-2^" + std::to_string(I) + ", 2^" +
                                  std::to_string(I) + ")");
    const int tb = f_ - kExpFracIndex;
    const WideInt sum = poly_sum(p.inner, index_of(w, tb, kExpFracIndex + p.L), low_bits(w, tb));
    if (p.O == 0)
        return WideInt::round_shift(sum, p.inner.z - f_);
    const WideInt pv = WideInt::round_shift(sum, p.inner.z - p.f_in);
    const size_t kh = size_t((w >> (f_ + p.L)).to_int64());
    return WideInt::round_shift(pv * p.outer[kh], p.f_in + p.f_e - f_);
}

WideInt FixedFormat::ln(const WideInt& x, int int_bits) const
{
    const LnPlan& p = ln_plan(f_, int_bits);
    if (x.sign() <= 0)
        throw ConstraintViolation("fixed ln: the argument must be positive");
    if (x.bit_length() > p.N)
        throw ConstraintViolation("fixed ln: the argument exceeds its declared bound");
    const int s = p.N - x.bit_length();
    const WideInt f = (x << s) - WideInt::pow2(p.N - 1);
    const WideInt sum = poly_sum(p.poly, index_of(f, p.N - 6, 5), low_bits(f, p.N - 6)) +
                        p.ln2 * WideInt(p.N - 1 - f_ - s);
    return WideInt::round_shift(sum, p.poly.z - f_);
}

WideInt FixedFormat::normal_cdf(const WideInt& x, int int_bits) const
{
    const CdfPlan& p = cdf_plan(f_, int_bits);
    const WideInt a = x.abs();
    if (a.bit_length() > p.n_a)
        throw ConstraintViolation("fixed normal_cdf: the argument exceeds its declared bound");
    WideInt q(0);
    if ((a >> (f_ + 3)).is_zero())
        q = WideInt::round_shift(poly_sum(p.poly, index_of(a, f_ - 3, 6), low_bits(a, f_ - 3)), p.poly.z - f_);
    return x.is_negative() ? q : WideInt::pow2(f_) - q;
}

// ---------------------------------------------------------------------------------------------
// FixedPoint: the gadgets

FixedPoint::FixedPoint(Builder& b, int frac_bits) : b_(&b), fmt_(frac_bits) {}

Fixed FixedPoint::constant(const WideInt& raw) const
{
    return Fixed{Builder::constant(raw.to_fr()), closed_bits(raw.abs()) - frac_bits()};
}

Fixed FixedPoint::input(const std::string& name, const WideInt& raw, int int_bits, bool is_public)
{
    const int n = frac_bits() + int_bits;
    if (n < 0 || n + 1 > kMaxFieldBits)
        throw std::invalid_argument("fixed input " + name + ": int_bits out of range");
    const std::string what = "fixed input " + name + ": |x| must be below 2^" + std::to_string(int_bits);
    if (!(raw >= -WideInt::pow2(n) && raw < WideInt::pow2(n)))
        throw ConstraintViolation(what);
    const Signal s = is_public ? b_->public_input(name, raw.to_fr()) : b_->private_input(name, raw.to_fr());
    decompose(*b_, s + Builder::constant(WideInt::pow2(n).to_fr()), raw + WideInt::pow2(n), n + 1, what);
    return Fixed{s, int_bits};
}

Fixed FixedPoint::private_input(const std::string& name, const WideInt& raw, int int_bits)
{
    return input(name, raw, int_bits, false);
}

Fixed FixedPoint::public_input(const std::string& name, const WideInt& raw, int int_bits)
{
    return input(name, raw, int_bits, true);
}

Fixed FixedPoint::range_checked(const Signal& s, int int_bits, const char* what)
{
    const int n = frac_bits() + int_bits;
    if (n < 0 || n + 1 > kMaxFieldBits)
        throw std::invalid_argument(std::string(what) + ": int_bits out of range");
    const WideInt v = WideInt::from_fr(s.value());
    decompose(*b_, s + Builder::constant(WideInt::pow2(n).to_fr()), v + WideInt::pow2(n), n + 1,
              std::string(what) + ": |x| must be below 2^" + std::to_string(int_bits));
    return Fixed{s, int_bits};
}

Fixed FixedPoint::add(const Fixed& a, const Fixed& b) const { return Fixed{a.s + b.s, std::max(a.int_bits, b.int_bits) + 1}; }

Fixed FixedPoint::sub(const Fixed& a, const Fixed& b) const { return Fixed{a.s - b.s, std::max(a.int_bits, b.int_bits) + 1}; }

Fixed FixedPoint::neg(const Fixed& a) const { return Fixed{-a.s, a.int_bits}; }

Fixed FixedPoint::mul_int(const Fixed& a, int64_t k) const
{
    if (k == 0)
        return constant(WideInt(0));
    const int grow = WideInt(k).bit_length();  // |k| < 2^grow
    return Fixed{a.s * WideInt(k).to_fr(), a.int_bits + grow};
}

Fixed FixedPoint::mul(const Fixed& a, const Fixed& b, Rounding r, std::optional<int> out_int_bits)
{
    const int F = frac_bits();
    if (a.s.is_constant() && b.s.is_constant())
        return constant(fmt_.mul(raw(a), raw(b), r));
    const int na = F + a.int_bits, nb = F + b.int_bits;
    if (na + nb + 2 > kMaxFieldBits)
        throw std::invalid_argument("fixed mul: operands too wide for the field");
    // The product's bound 2^(na + nb) gives |q| <= 2^nq; the check needs one more bit so that
    // q = +2^nq (operands at their bounds) still passes.
    const int nq = std::max(na + nb - F, 0);
    const int n = out_int_bits ? F + *out_int_bits : nq + 1;
    const int declared = out_int_bits ? *out_int_bits : nq - F;
    if (n < 0)
        throw std::invalid_argument("fixed mul: out_int_bits out of range");
    const Signal t = b_->mul(a.s, b.s);
    const Trunc q = truncate(*b_, t, raw(a) * raw(b), F, r, n + 1, true,
                             "fixed mul: the result exceeds its bound 2^" + std::to_string(n - F));
    return Fixed{q.q, declared};
}

Fixed FixedPoint::div(const Fixed& a, const Fixed& b, Rounding r, std::optional<int> out_int_bits)
{
    const int F = frac_bits();
    const WideInt av = raw(a), bv = raw(b);
    const WideInt qv = fmt_.div(av, bv, r);  // throws for b <= 0
    if (a.s.is_constant() && b.s.is_constant())
        return constant(qv);
    const int na = F + a.int_bits, nb = F + b.int_bits;
    const int sigma = r == Rounding::nearest ? 1 : 0;
    // |a 2^F / b| <= 2^(na + F) for b >= 1 (raw).
    const int declared = out_int_bits ? *out_int_bits : na;
    const int n = F + declared;
    if (n < 0 || n + 1 + nb + sigma + 2 > kMaxFieldBits || na + F + sigma + 2 > kMaxFieldBits)
        throw std::invalid_argument("fixed div: operands too wide for the field");
    if (!(qv >= -WideInt::pow2(n) && qv < WideInt::pow2(n)))
        throw ConstraintViolation("fixed div: the quotient exceeds its bound 2^" + std::to_string(declared));
    // q * den = num - rem, 0 <= rem < den, den = 2^sigma b, num = 2^sigma 2^F a + tau b + kappa.
    const WideInt tau(r == Rounding::floor ? 0 : 1), kappa(r == Rounding::ceil ? -1 : 0);
    const Signal den = b.s * WideInt::pow2(sigma).to_fr();
    const Signal num = a.s * WideInt::pow2(sigma + F).to_fr() + b.s * tau.to_fr() + Builder::constant(kappa.to_fr());
    const WideInt den_v = bv << sigma;
    const WideInt num_v = (av << (sigma + F)) + bv * tau + kappa;
    const WideInt rem_v = num_v - qv * den_v;
    const int nr = nb + sigma;
    const std::vector<Signal> qbits = hint_bits(*b_, qv + WideInt::pow2(n), n + 1, "fixed div: quotient");
    const Signal q = lc_sum(qbits, 0, n + 1, 0) - Builder::constant(WideInt::pow2(n).to_fr());
    const std::vector<Signal> rbits = hint_bits(*b_, rem_v, nr, "fixed div: remainder");
    const Signal rem = lc_sum(rbits, 0, nr, 0);
    decompose(*b_, den - Builder::constant(1) - rem, den_v - WideInt(1) - rem_v, nr, "fixed div: remainder bound");
    if (b.s.is_constant())
        b_->assert_equal(q * den.value(), num - rem, "fixed div");
    else
        b_->assert_product(q, den, num - rem, "fixed div");
    return Fixed{q, declared};
}

Fixed FixedPoint::sqrt(const Fixed& a)
{
    const int F = frac_bits();
    const WideInt av = raw(a);
    const WideInt yv = fmt_.sqrt(av);  // throws for a < 0
    if (a.s.is_constant())
        return constant(yv);
    const int ny = (F + a.int_bits + F + 1) / 2;  // ceil((n_a + F) / 2): y <= 2^ny
    const int n = ny + 1;
    if (2 * n + 4 > kMaxFieldBits || F + a.int_bits < 0)
        throw std::invalid_argument("fixed sqrt: argument too wide for the field");
    // y = round(sqrt(X)), X = a 2^F: X in [y^2 - y + 1 - z, y^2 + y] with z = [y == 0].
    const WideInt xv = av << F;
    const WideInt zv(yv.is_zero() ? 1 : 0);
    const WideInt rv = xv - yv * yv + yv - WideInt(1) + zv;
    const Signal y = b_->witness(yv.to_fr());
    const Signal z = b_->witness(zv.to_fr());
    b_->assert_product(z, z, z, "fixed sqrt: zero flag");
    b_->assert_product(z, y, Signal(), "fixed sqrt: zero flag");
    const std::vector<Signal> rbits = hint_bits(*b_, rv, n, "fixed sqrt: remainder");
    const Signal rem = lc_sum(rbits, 0, n, 0);
    const Signal one = Builder::constant(1);
    b_->assert_product(y, y - one, a.s * WideInt::pow2(F).to_fr() - one + z - rem, "fixed sqrt");
    decompose(*b_, y * Fr::from_uint(2) - one + z - rem, yv * WideInt(2) - WideInt(1) + zv - rv, n,
              "fixed sqrt: remainder bound");
    return Fixed{y, ny - F};
}

Fixed FixedPoint::exp(const Fixed& x)
{
    const int F = frac_bits();
    const int I = std::max(x.int_bits, 0);
    const WideInt xv = raw(x);
    const WideInt result = fmt_.exp(xv, I);  // validates the domain
    if (x.s.is_constant())
        return constant(result);
    const ExpPlan& p = exp_plan(F, I);
    const WideInt wv = xv + WideInt::pow2(F + I);
    const std::vector<Signal> bits =
        decompose(*b_, x.s + Builder::constant(WideInt::pow2(F + I).to_fr()), wv, F + I + 1, "fixed exp: argument");
    const int tb = F - kExpFracIndex;
    const std::vector<Signal> t(bits.begin(), bits.begin() + tb);
    const std::vector<Signal> index(bits.begin() + tb, bits.begin() + F + p.L);
    WideInt sv;
    const Signal sum = poly_circuit(*b_, p.inner, index, t, index_of(wv, tb, kExpFracIndex + p.L), low_bits(wv, tb), &sv);
    const Trunc in = truncate(*b_, sum, sv, p.inner.z - p.f_in, Rounding::nearest, p.w_in, true, "fixed exp: polynomial");
    Fixed out;
    if (p.O == 0) {
        out = Fixed{in.q, p.w_in - 1 - F};
    } else {
        const std::vector<Signal> outer_bits(bits.begin() + F + p.L, bits.end());
        const std::vector<Signal> mono = monomials(*b_, outer_bits);
        const Signal factor = select(mono, p.outer_mobius, 0);
        const Signal prod = b_->mul(in.q, factor);
        const size_t kh = size_t((wv >> (F + p.L)).to_int64());
        const Trunc r = truncate(*b_, prod, in.value * p.outer[kh], p.f_in + p.f_e - F, Rounding::nearest, p.w_out,
                                 false, "fixed exp: result");
        out = Fixed{r.q, p.w_out - F};
    }
    if (!(raw(out) == result))
        throw std::logic_error("fixed exp: circuit and native model disagree");
    return out;
}

Fixed FixedPoint::ln(const Fixed& x)
{
    const int F = frac_bits();
    const WideInt xv = raw(x);
    const WideInt result = fmt_.ln(xv, x.int_bits);  // validates the domain
    if (x.s.is_constant())
        return constant(result);
    const LnPlan& p = ln_plan(F, x.int_bits);
    const int sv = p.N - xv.bit_length();
    const std::vector<Signal> sbits = hint_bits(*b_, WideInt(sv), p.sb, "fixed ln: shift");
    // 2^s = prod_i (1 + s_i (2^(2^i) - 1)).
    Signal pow = Builder::constant(1) + sbits[0];
    for (int i = 1; i < p.sb; ++i)
        pow = b_->mul(pow, Builder::constant(1) + sbits[i] * (WideInt::pow2(1 << i) - WideInt(1)).to_fr());
    const Signal m = b_->mul(x.s, pow);
    const WideInt fv = (xv << sv) - WideInt::pow2(p.N - 1);
    const std::vector<Signal> mbits = decompose(*b_, m - Builder::constant(WideInt::pow2(p.N - 1).to_fr()), fv,
                                                p.N - 1, "fixed ln: normalisation");
    const std::vector<Signal> t(mbits.begin(), mbits.begin() + (p.N - 6));
    const std::vector<Signal> index(mbits.begin() + (p.N - 6), mbits.end());
    WideInt sumv;
    Signal sum = poly_circuit(*b_, p.poly, index, t, index_of(fv, p.N - 6, 5), low_bits(fv, p.N - 6), &sumv);
    sum += Builder::constant((p.ln2 * WideInt(p.N - 1 - F)).to_fr()) - lc_sum(sbits, 0, p.sb, 0) * p.ln2.to_fr();
    sumv += p.ln2 * WideInt(p.N - 1 - F - sv);
    const Trunc r = truncate(*b_, sum, sumv, p.poly.z - F, Rounding::nearest, p.w, true, "fixed ln: result");
    if (!(r.value == result))
        throw std::logic_error("fixed ln: circuit and native model disagree");
    return Fixed{r.q, p.w - 1 - F};
}

Fixed FixedPoint::normal_cdf(const Fixed& x)
{
    const int F = frac_bits();
    const WideInt xv = raw(x);
    const WideInt result = fmt_.normal_cdf(xv, x.int_bits);
    if (x.s.is_constant())
        return constant(result);
    const CdfPlan& p = cdf_plan(F, x.int_bits);
    const WideInt av = xv.abs();
    // x = (1 - 2 sign) a.
    const Signal sign = b_->witness(xv.is_negative() ? Fr::one() : Fr::zero());
    b_->assert_product(sign, sign, sign, "fixed normal_cdf: sign");
    const std::vector<Signal> abits = hint_bits(*b_, av, p.n_a, "fixed normal_cdf: argument");
    const Signal one = Builder::constant(1);
    b_->assert_product(one - sign * Fr::from_uint(2), lc_sum(abits, 0, p.n_a, 0), x.s, "fixed normal_cdf: sign");
    const std::vector<Signal> t(abits.begin(), abits.begin() + (F - 3));
    const std::vector<Signal> index(abits.begin() + (F - 3), abits.begin() + (F + 3));
    WideInt sumv;
    const Signal sum = poly_circuit(*b_, p.poly, index, t, index_of(av, F - 3, 6), low_bits(av, F - 3), &sumv);
    const Trunc q = truncate(*b_, sum, sumv, p.poly.z - F, Rounding::nearest, p.w, true, "fixed normal_cdf: tail");
    Signal qc = q.q;
    if (p.n_a > F + 3) {  // clamp: Q = 0 once a >= 8
        Signal none = one - abits[F + 3];
        for (int i = F + 4; i < p.n_a; ++i)
            none = b_->mul(none, one - abits[i]);
        qc = b_->mul(none, q.q);
    }
    const Signal half_turn = b_->mul(sign, qc * Fr::from_uint(2) - Builder::constant(WideInt::pow2(F).to_fr()));
    const Signal phi = Builder::constant(WideInt::pow2(F).to_fr()) - qc + half_turn;
    // |Phi| <= max(|Q|, |1 - Q|) with |Q| <= 2^(w-1).
    const Fixed out{phi, closed_bits(WideInt::pow2(p.w - 1) + WideInt::pow2(F)) - F};
    if (!(raw(out) == result))
        throw std::logic_error("fixed normal_cdf: circuit and native model disagree");
    return out;
}

}  // namespace provernet::circuit
