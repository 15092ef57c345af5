// The Baby Jubjub gadgets (declared in babyjubjub.hpp): point arithmetic, and the fixed- and
// variable-base scalar multiplications with their Montgomery-form machinery.
#include "circuit/babyjubjub.hpp"

#include "circuit/gadgets.hpp"

#include <array>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace provernet::circuit {

using math::U256;

namespace {

constexpr U256 multiple(const U256& x, unsigned k)
{
    U256 r;
    for (unsigned i = 0; i < k; ++i)
        U256::add(r, r, x);
    return r;
}

// babyjub_mul's scalar N = k + 11 l: 2^254 <= 11 l and 11 l + p - 1 < 2^255 (checked below), so
// N's bit 254 is always set.
constexpr unsigned mul_offset = 11;
constexpr U256 offset_low = multiple(babyjub_order, mul_offset);
constexpr U256 offset_high = [] {
    U256 r;
    U256::add(r, offset_low, math::FrParams::modulus);
    U256::sub(r, r, U256(1));
    return r;
}();
static_assert(offset_low.bit_length() == 255 && offset_high.bit_length() == 255);
constexpr unsigned mul_bits = 255;
// The double-and-add in Montgomery form is exception free for bits i >= 6: the odd multiple m it
// holds before bit i is below 2^(255 - i), so 3 <= m and 2 m + 1 < 2^250 < l. Bits 5..1 use the
// complete Edwards law, bit 0 a final correction.
constexpr unsigned mul_edwards_bits = 5;
static_assert(babyjub_order.bit_length() == 251);  // 2^250 < l

// ---- Gadget helpers ----

const Signal& one()
{
    static const Signal s = Builder::constant(1);
    return s;
}

const Signal& zero()
{
    static const Signal s = Builder::constant(0);
    return s;
}

std::string message(const char* what, const char* detail) { return std::string(what) + ": " + detail; }

const Fr& pow2(unsigned k)
{
    static const auto table = [] {
        std::array<Fr, 256> t;
        t[0] = Fr::one();
        for (size_t i = 1; i < t.size(); ++i)
            t[i] = t[i - 1].dbl();
        return t;
    }();
    return table.at(k);
}

// num / den as a new wire q with q * den = num: 1 constraint (free when den is a constant). The
// callers' arguments make den != 0, so q is unique; den = 0 fails. `known` is q's value when
// the caller has it (from a batch inversion); the constraint checks it.
Signal quotient(Builder& b, const Signal& num, const Signal& den, const std::string& what, const Fr* known = nullptr)
{
    if (den.value().is_zero())
        throw ConstraintViolation(what + ": division by zero (a point outside the gadget's domain)");
    if (den.is_constant())
        return num * den.value().inverse();
    const Signal q = b.witness(known ? *known : num.value() * den.value().inverse());
    b.assert_product(q, den, num, what.c_str());
    return q;
}

// x * y - rest as a new wire (1 constraint), or a linear combination when x or y is constant. A
// new wire keeps the coordinates of long chains of point operations short combinations.
Signal product_minus(Builder& b, const Signal& x, const Signal& y, const Signal& rest, const std::string& what)
{
    if (x.is_constant() || y.is_constant())
        return b.mul(x, y) - rest;
    const Signal w = b.witness(x.value() * y.value() - rest.value());
    b.assert_product(x, y, w + rest, what.c_str());
    return w;
}

void boolean(Builder& b, const Signal& s, const std::string& what)
{
    if (!s.value().is_zero() && !s.value().is_one())
        throw ConstraintViolation(what + ": bit is not 0 or 1");
    if (!s.is_constant())
        b.assert_product(s, s - one(), zero(), what.c_str());
}

// 1 when x = y, else 0: 3 constraints. Unlike is_equal, the inverse wire is pinned to 0 when
// x = y (inv * out = 0), so the witness is unique.
Signal equals(Builder& b, const Signal& x, const Signal& y, const std::string& what)
{
    const Signal diff = x - y;
    if (diff.is_constant())
        return Builder::constant(diff.value().is_zero() ? 1 : 0);
    const Signal inv = b.witness(diff.value().inverse());
    const Signal out = one() - b.mul(diff, inv);
    b.assert_product(diff, out, zero(), what.c_str());
    b.assert_product(inv, out, zero(), what.c_str());
    return out;
}

// Constrains the integer sum_i bits[i] 2^i (boolean bits, constants allowed) to be <= bound
// (at_most) or >= bound. Limbs of 32 bits are compared with the bound's from the top: v is the
// difference (minus one: strict) at the most significant limb that differs from the bound's, or
// the difference at the lowest limb, and v is range checked to 32 bits, which fails exactly when
// that difference is negative (it is then p - |v|). Limbs above the lowest cost 4 constraints
// (equality flag, selection), the range check 32: 60 for 8 limbs.
void assert_bits_compare(Builder& b, std::span<const Signal> bits, const U256& bound, bool at_most,
                         const std::string& what)
{
    constexpr unsigned w = 32;
    if (bits.empty() || bits.size() > 256 || bound.bit_length() > bits.size())
        throw std::invalid_argument(what + ": comparison of " + std::to_string(bits.size()) +
                                    " bits with a wider bound");
    U256 value;
    for (size_t i = 0; i < bits.size(); ++i)
        if (bits[i].value().is_one())
            value.limb[i / 64] |= uint64_t(1) << (i % 64);
    if (at_most ? value > bound : value < bound)
        throw ConstraintViolation(what + (at_most ? ": value above its bound" : ": value below its bound"));
    const size_t limbs = (bits.size() + w - 1) / w;
    Signal v;
    for (size_t i = 0; i < limbs; ++i) {
        Signal x;
        for (size_t j = i * w; j < std::min(bits.size(), (i + 1) * w); ++j)
            x += bits[j] * pow2(unsigned(j - i * w));
        const Signal c = Builder::constant(Fr::from_uint(bound.bits(unsigned(i * w), w)));
        const Signal diff = at_most ? c - x : x - c;
        if (i == 0) {
            v = diff;
            continue;
        }
        const Signal strict = diff - one();
        v = strict + b.mul(equals(b, x, c, what), v - strict);  // equal limbs: the lower limbs decide
    }
    assert_range(b, v, w);
}

// c0 + c1' b0 + c2' b1 + c3' b0 b1: the multilinear polynomial through 4 entries (index b0 + 2 b1).
Signal bilinear(const Signal& b0, const Signal& b1, const Signal& b01, const Fr* c)
{
    return Builder::constant(c[0]) + b0 * (c[1] - c[0]) + b1 * (c[2] - c[0]) + b01 * (c[3] - c[2] - c[1] + c[0]);
}

// The entry at index sum_i bits[i] 2^i of 2^n constants, n = bits.size() in 1..3, as the
// multilinear polynomial through them; b01 = bits[0] * bits[1] for n >= 2. Free but for 3 bits,
// where it is L0 + bits[2] * L1 (1 constraint).
Signal lookup(Builder& b, std::span<const Signal> bits, const Signal& b01, std::span<const Fr> c)
{
    switch (bits.size()) {
    case 1:
        return Builder::constant(c[0]) + bits[0] * (c[1] - c[0]);
    case 2:
        return bilinear(bits[0], bits[1], b01, c.data());
    default: {
        std::array<Fr, 4> d;
        for (size_t i = 0; i < 4; ++i)
            d[i] = c[4 + i] - c[i];
        return bilinear(bits[0], bits[1], b01, c.data()) + b.mul(bits[2], bilinear(bits[0], bits[1], b01, d.data()));
    }
    }
}

// ---- Montgomery-form gadgets (incomplete: the callers rule out the exceptional cases) ----

struct MontgomerySignals {
    Signal u, v;
};

const Signal& montgomery_a_signal()
{
    static const Signal s = Builder::constant(babyjub_montgomery_a());
    return s;
}

// (1 + y) / (1 - y), u / x: 2 constraints, for x != 0.
MontgomerySignals to_montgomery(Builder& b, const BabyJubPointSignals& p, const std::string& what)
{
    const Signal u = quotient(b, one() + p.y, one() - p.y, what);
    return {u, quotient(b, u, p.x, what)};
}

// u / v, (u - 1) / (u + 1): 2 constraints, for v != 0 (u = -1 is on no curve point).
BabyJubPointSignals from_montgomery(Builder& b, const MontgomerySignals& m, const std::string& what)
{
    return {quotient(b, m.u, m.v, what), quotient(b, m.u - one(), m.u + one(), what)};
}

// The third point on the line of slope lambda through p and a point with u-coordinate u2,
// negated: u3 = lambda^2 - A - u1 - u2, v3 = lambda (u1 - u3) - v1. 2 constraints.
MontgomerySignals chord_result(Builder& b, const Signal& lambda, const MontgomerySignals& p, const Signal& u2,
                               const std::string& what)
{
    const Signal u3 = product_minus(b, lambda, lambda, montgomery_a_signal() + p.u + u2, what);
    return {u3, product_minus(b, lambda, p.u - u3, p.v, what)};
}

// p + q for p != +-q: 3 constraints. lambda: the slope's value, or null.
MontgomerySignals montgomery_add(Builder& b, const MontgomerySignals& p, const MontgomerySignals& q,
                                 const std::string& what, const Fr* lambda = nullptr)
{
    return chord_result(b, quotient(b, q.v - p.v, q.u - p.u, what, lambda), p, q.u, what);
}

// 2 p for v != 0: 4 constraints.
MontgomerySignals montgomery_double(Builder& b, const MontgomerySignals& p, const std::string& what)
{
    const Signal uu = b.mul(p.u, p.u);
    const Fr two_a = babyjub_montgomery_a().dbl();
    const Signal lambda = quotient(b, uu * Fr::from_uint(3) + p.u * two_a + one(), p.v * Fr::from_uint(2), what);
    return chord_result(b, lambda, p, p.u, what);
}

// 2 acc + q computed as (acc + q) + acc, without the middle point's v: 5 constraints, for
// acc != +-q and acc + q != +-acc. With r = acc + q, the second slope is
// lambda2 = (v_r - v_acc) / (u_r - u_acc) = t - lambda1, t = 2 v_acc / (u_acc - u_r).
// hint: the values of lambda1 and t, or null.
MontgomerySignals montgomery_double_add(Builder& b, const MontgomerySignals& acc, const MontgomerySignals& q,
                                        const std::string& what, const std::array<Fr, 2>* hint = nullptr)
{
    const Signal lambda1 = quotient(b, q.v - acc.v, q.u - acc.u, what, hint ? &(*hint)[0] : nullptr);
    const Signal ur = product_minus(b, lambda1, lambda1, montgomery_a_signal() + acc.u + q.u, what);
    const Signal t = quotient(b, acc.v * Fr::from_uint(2), acc.u - ur, what, hint ? &(*hint)[1] : nullptr);
    const Signal lambda2 = t - lambda1;
    const Signal us = product_minus(b, lambda2, lambda2, montgomery_a_signal() + ur + acc.u, what);
    return {us, product_minus(b, lambda2, acc.u - us, acc.v, what)};
}

// Montgomery coordinates of projective Edwards points (none with X = 0) with one inversion:
// u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y), v = u / x = (Z + Y) Z / ((Z - Y) X).
void to_montgomery_batch(const std::vector<BabyJubProjective>& points, std::vector<Fr>& u, std::vector<Fr>& v)
{
    const size_t n = points.size();
    std::vector<Fr> inv(n), scratch(n);
    for (size_t j = 0; j < n; ++j)
        inv[j] = (points[j].z - points[j].y) * points[j].x;
    math::batch_inverse(inv.data(), n, scratch.data());
    u.resize(n);
    v.resize(n);
    for (size_t j = 0; j < n; ++j) {
        const Fr num = (points[j].z + points[j].y) * inv[j];
        u[j] = num * points[j].x;
        v[j] = num * points[j].z;
    }
}

// The values of lambda1 and t of montgomery_double_add for the steps acc = 2 acc +- p from
// acc = 3 p, signs[j] the sign of step j: the accumulators in projective Edwards coordinates,
// then three batch inversions for all steps (the u and v of the accumulators, 1 / (u_p - u),
// 1 / (u - u_r)) instead of two inversions a step, which would dominate witness generation.
// The gadget's constraints check every value.
std::vector<std::array<Fr, 2>> double_add_hints(const BabyJubPoint& p, const std::vector<bool>& signs)
{
    const size_t n = signs.size();
    const Fr a = babyjub_montgomery_a(), two = Fr::from_uint(2);
    const BabyJubProjective base{p.x, p.y, Fr::one()}, negated{-p.x, p.y, Fr::one()};
    std::vector<BabyJubProjective> acc(n);
    acc[0] = babyjub_projective_add(babyjub_projective_double(base), base);
    for (size_t j = 1; j < n; ++j)
        acc[j] = babyjub_projective_add(babyjub_projective_double(acc[j - 1]), signs[j - 1] ? base : negated);
    std::vector<Fr> u, v, den(n), scratch(n), ur(n);
    to_montgomery_batch(acc, u, v);
    const BabyJubMontgomeryPoint pm = babyjub_to_montgomery(p).value();
    for (size_t j = 0; j < n; ++j)
        den[j] = pm.u - u[j];
    math::batch_inverse(den.data(), n, scratch.data());
    std::vector<std::array<Fr, 2>> hints(n);
    for (size_t j = 0; j < n; ++j) {
        hints[j][0] = ((signs[j] ? pm.v : -pm.v) - v[j]) * den[j];
        ur[j] = hints[j][0].square() - a - u[j] - pm.u;
        den[j] = u[j] - ur[j];
    }
    math::batch_inverse(den.data(), n, scratch.data());
    for (size_t j = 0; j < n; ++j)
        hints[j][1] = v[j] * two * den[j];
    return hints;
}

// ---- Fixed-base tables ----

// Window j of 3 bits holds, when it is not the last window, (d + 2) 8^j base for d = 0..7 in
// Montgomery form. The partial sum before window j is then a multiple a < 9 * 8^j / 7 < 2 * 8^j
// <= t of the base, t the multiple window j adds, and a + t < 9 * 8^83 / 7 < l up to window 82:
// no addition is exceptional. The last window j holds d 8^j base - sum_{i<j} 2 * 8^i base in
// Edwards form (the offsets taken back), added by the complete law.
constexpr unsigned window_bits = 3;
constexpr size_t max_fixed_bits = 252;
constexpr size_t max_windows = max_fixed_bits / window_bits;

struct FixedBaseTables {
    std::vector<std::array<Fr, 8>> mid_u, mid_v, mid_x, mid_y;  // j < max_windows - 1 (x, y: Edwards)
    std::vector<std::array<Fr, 8>> last_x, last_y;              // j < max_windows
};

FixedBaseTables make_tables(const BabyJubPoint& base)
{
    FixedBaseTables t;
    BabyJubPoint power = base, offsets = babyjub_identity();  // 8^j base, sum_{i<j} 2 * 8^i base
    for (size_t j = 0; j < max_windows; ++j) {
        auto& x = t.last_x.emplace_back();
        auto& y = t.last_y.emplace_back();
        BabyJubPoint entry = babyjub_negate(offsets);
        for (size_t d = 0; d < 8; ++d, entry = babyjub_add(entry, power))
            std::tie(x[d], y[d]) = std::tie(entry.x, entry.y);
        if (j + 1 < max_windows) {
            auto& u = t.mid_u.emplace_back();
            auto& v = t.mid_v.emplace_back();
            auto& ex = t.mid_x.emplace_back();
            auto& ey = t.mid_y.emplace_back();
            entry = babyjub_double(power);
            for (size_t d = 0; d < 8; ++d, entry = babyjub_add(entry, power)) {
                const BabyJubMontgomeryPoint m = babyjub_to_montgomery(entry).value();
                std::tie(u[d], v[d], ex[d], ey[d]) = std::tie(m.u, m.v, entry.x, entry.y);
            }
        }
        offsets = babyjub_add(offsets, babyjub_double(power));
        power = babyjub_double(babyjub_double(babyjub_double(power)));
    }
    return t;
}

const FixedBaseTables& base8_tables()
{
    static const FixedBaseTables t = make_tables(babyjub_base8());
    return t;
}

// The slopes of the Montgomery additions of windows 1..n-1 (index[j]: the entry window j
// selects), from the partial sums in projective Edwards coordinates and two batch inversions.
std::vector<Fr> window_add_hints(const FixedBaseTables& t, const std::vector<size_t>& index)
{
    const size_t n = index.size();
    std::vector<BabyJubProjective> sums(n);
    for (size_t j = 0; j < n; ++j) {
        const BabyJubProjective entry{t.mid_x[j][index[j]], t.mid_y[j][index[j]], Fr::one()};
        sums[j] = j == 0 ? entry : babyjub_projective_add(sums[j - 1], entry);
    }
    std::vector<Fr> u, v, lambda(n), scratch(n);
    to_montgomery_batch(sums, u, v);
    for (size_t j = 1; j < n; ++j)
        lambda[j] = t.mid_u[j][index[j]] - u[j - 1];
    math::batch_inverse(lambda.data(), n, scratch.data());
    for (size_t j = 1; j < n; ++j)
        lambda[j] *= t.mid_v[j][index[j]] - v[j - 1];
    return lambda;
}

}  // namespace

// ---- Gadgets ----

void babyjub_assert_on_curve(Builder& b, const BabyJubPointSignals& p, const char* what)
{
    if (!babyjub_on_curve({p.x.value(), p.y.value()}))
        throw ConstraintViolation(message(what, "point is not on the curve"));
    if (p.x.is_constant() && p.y.is_constant())
        return;
    // d x^2 y^2 = a x^2 + y^2 - 1
    const Signal xx = b.mul(p.x, p.x), yy = b.mul(p.y, p.y);
    b.assert_product(xx, yy, (xx * babyjub_a() + yy - one()) * babyjub_d().inverse(), what);
}

namespace {

// The complete addition law's numerators and denominators: beta = x1 y2, gamma = y1 x2,
// delta = (y1 - a x1)(x2 + y2), tau = beta gamma; x3 = (beta + gamma) / (1 + d tau) and
// y3 = (delta + a beta - gamma) / (1 - d tau) = (y1 y2 - a x1 x2) / (1 - d tau). 4 constraints.
struct AdditionTerms {
    Signal x_num, x_den, y_num, y_den;
};

AdditionTerms addition_terms(Builder& b, const BabyJubPointSignals& p, const BabyJubPointSignals& q)
{
    const Signal beta = b.mul(p.x, q.y), gamma = b.mul(p.y, q.x);
    const Signal delta = b.mul(p.y - p.x * babyjub_a(), q.x + q.y);
    const Signal dtau = b.mul(beta, gamma) * babyjub_d();
    return {beta + gamma, one() + dtau, delta + beta * babyjub_a() - gamma, one() - dtau};
}

}  // namespace

BabyJubPointSignals babyjub_add(Builder& b, const BabyJubPointSignals& p, const BabyJubPointSignals& q,
                                const char* what)
{
    const AdditionTerms t = addition_terms(b, p, q);
    return {quotient(b, t.x_num, t.x_den, what), quotient(b, t.y_num, t.y_den, what)};
}

void babyjub_assert_sum(Builder& b, const BabyJubPointSignals& p, const BabyJubPointSignals& q,
                        const BabyJubPointSignals& r, const char* what)
{
    const AdditionTerms t = addition_terms(b, p, q);
    b.assert_product(r.x, t.x_den, t.x_num, what);
    b.assert_product(r.y, t.y_den, t.y_num, what);
}

BabyJubPointSignals babyjub_double(Builder& b, const BabyJubPointSignals& p, const char* what)
{
    // x3 = 2 x y / (a x^2 + y^2), y3 = (y^2 - a x^2) / (2 - a x^2 - y^2): the addition law with
    // 1 +- d x^2 y^2 rewritten by the curve equation.
    const Signal xy = b.mul(p.x, p.y), axx = b.mul(p.x, p.x) * babyjub_a(), yy = b.mul(p.y, p.y);
    return {quotient(b, xy * Fr::from_uint(2), axx + yy, what),
            quotient(b, yy - axx, Builder::constant(2) - axx - yy, what)};
}

BabyJubPointSignals babyjub_assert_not_small_order(Builder& b, const BabyJubPointSignals& p, const char* what)
{
    const BabyJubPointSignals p8 = babyjub_double(b, babyjub_double(b, babyjub_double(b, p, what), what), what);
    if (p8.x.value().is_zero())
        throw ConstraintViolation(message(what, "point of small order"));
    if (!p8.x.is_constant()) {
        const Signal inv = b.witness(p8.x.value().inverse());
        b.assert_product(p8.x, inv, one(), what);
    }
    return p8;
}

BabyJubPointSignals babyjub_mul_fixed(Builder& b, std::span<const Signal> bits, const BabyJubPoint& base,
                                      const char* what)
{
    if (bits.size() > max_fixed_bits)
        throw std::invalid_argument(message(what, "at most 252 scalar bits"));
    const bool is_base8 = base == babyjub_base8();
    if (!is_base8 && (base == babyjub_identity() || !babyjub_in_subgroup(base)))
        throw std::invalid_argument(message(what, "the base must be a point of order l"));
    if (bits.empty())
        return {zero(), one()};
    const FixedBaseTables computed = is_base8 ? FixedBaseTables{} : make_tables(base);
    const FixedBaseTables& t = is_base8 ? base8_tables() : computed;

    const size_t windows = (bits.size() + window_bits - 1) / window_bits;
    auto window = [&](size_t j) {
        return bits.subspan(j * window_bits, std::min<size_t>(window_bits, bits.size() - j * window_bits));
    };
    std::vector<size_t> index(windows - 1);
    for (size_t j = 0; j + 1 < windows; ++j)
        for (size_t i = 0; i < window_bits; ++i)
            index[j] |= size_t(window(j)[i].value().is_one()) << i;
    const std::vector<Fr> lambda = window_add_hints(t, index);
    MontgomerySignals acc;
    for (size_t j = 0;; ++j) {
        const auto w = window(j);
        const Signal b01 = w.size() >= 2 ? b.mul(w[0], w[1]) : Signal();
        if (j + 1 == windows) {
            const BabyJubPointSignals last{lookup(b, w, b01, t.last_x[j]), lookup(b, w, b01, t.last_y[j])};
            return j == 0 ? last : babyjub_add(b, from_montgomery(b, acc, what), last, what);
        }
        const MontgomerySignals entry{lookup(b, w, b01, t.mid_u[j]), lookup(b, w, b01, t.mid_v[j])};
        acc = j == 0 ? entry : montgomery_add(b, acc, entry, what, &lambda[j]);
    }
}

BabyJubPointSignals babyjub_mul(Builder& b, const Signal& k, const BabyJubPointSignals& p, const char* what)
{
    // N = k + 11 l as 255 bits, the top one the constant 1. Bits 0..252 are new wires, bit 253
    // is what remains of N - 2^254 (mod p), constrained boolean. The comparisons make
    // 11 l <= N < 11 l + p, so N is the integer k + 11 l and not that plus or minus p.
    U256 n;
    U256::add(n, k.value().to_u256(), offset_low);
    std::vector<Signal> bits;
    bits.reserve(mul_bits);
    Signal low;
    for (unsigned i = 0; i + 2 < mul_bits; ++i) {
        const Signal bit = b.witness(n.bit(i) ? Fr::one() : Fr::zero());
        boolean(b, bit, what);
        low += bit * pow2(i);
        bits.push_back(bit);
    }
    static const Fr offset_minus_top = Fr::from_u256_reduce(offset_low) - pow2(254);
    static const Fr inv_pow2_253 = pow2(253).inverse();
    const Signal bit253 = (k + Builder::constant(offset_minus_top) - low) * inv_pow2_253;
    boolean(b, bit253, what);
    bits.push_back(bit253);
    bits.push_back(one());
    assert_bits_compare(b, bits, offset_low, false, what);
    assert_bits_compare(b, bits, offset_high, true, what);

    // m = 3 after the top bit; then m = 2 m + (2 n_i - 1) for bits 253..6 in Montgomery form.
    const Fr two = Fr::from_uint(2);
    const MontgomerySignals pm = to_montgomery(b, p, what);
    MontgomerySignals acc = montgomery_add(b, montgomery_double(b, pm, what), pm, what);
    std::vector<bool> signs;
    for (unsigned i = mul_bits - 2; i > mul_edwards_bits; --i)
        signs.push_back(bits[i].value().is_one());
    const auto hints = double_add_hints({p.x.value(), p.y.value()}, signs);
    for (unsigned i = mul_bits - 2, j = 0; i > mul_edwards_bits; --i, ++j) {
        const MontgomerySignals signed_p{pm.u, b.mul(bits[i], pm.v) * two - pm.v};
        acc = montgomery_double_add(b, acc, signed_p, what, &hints[j]);
    }
    // Bits 5..1 by the complete law, then N p = m p - (1 - n_0) p.
    BabyJubPointSignals e = from_montgomery(b, acc, what);
    for (unsigned i = mul_edwards_bits; i >= 1; --i) {
        const BabyJubPointSignals signed_p{b.mul(bits[i], p.x) * two - p.x, p.y};
        e = babyjub_add(b, babyjub_double(b, e, what), signed_p, what);
    }
    const BabyJubPointSignals correction{b.mul(bits[0], p.x) - p.x, p.y - b.mul(bits[0], p.y - one())};
    return babyjub_add(b, e, correction, what);
}

size_t babyjub_mul_constraint_count()
{
    static const size_t count = [] {
        Builder b(Mode::witness_only);
        const BabyJubPoint& g = babyjub_base8();
        babyjub_mul(b, b.private_input("k", Fr::from_uint(5)),
                    {b.private_input("x", g.x), b.private_input("y", g.y)});
        return b.constraint_count();
    }();
    return count;
}

std::vector<Signal> babyjub_scalar_bits(Builder& b, const Signal& s, const char* what)
{
    if (!(s.value().to_u256() < babyjub_order))
        throw ConstraintViolation(message(what, "scalar is not below the subgroup order l"));
    std::vector<Signal> bits = to_bits(b, s, babyjub_scalar_bits_count);
    U256 l_minus_one;
    U256::sub(l_minus_one, babyjub_order, U256(1));
    assert_bits_compare(b, bits, l_minus_one, true, what);
    return bits;
}

}  // namespace provernet::circuit
