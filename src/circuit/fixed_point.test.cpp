#include "circuit/fixed_point.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>

using namespace provernet::circuit;
using provernet::math::Fr;

namespace {

constexpr int F = kDefaultFracBits;
const long double kUlp = std::ldexp(1.0L, -F);

long double ref_cdf(long double x) { return erfcl(-x / sqrtl(2.0L)) / 2; }

WideInt wi(int64_t v) { return WideInt(v); }

// Maximum of |got - want| / scale(want) over the points added.
struct MaxErr {
    long double max = 0, at = 0;
    void add(long double got, long double want, long double x, long double scale = 1)
    {
        const long double e = std::fabs(got - want) / scale;
        if (e > max) {
            max = e;
            at = x;
        }
    }
};

// Every wire created since `first` must be pinned by the constraints: adding 1 to any single
// one of them must violate some constraint.
void expect_wires_pinned(const Builder& b, size_t first, const std::string& what)
{
    ASSERT_FALSE(b.first_violation(b.values())) << what;
    ASSERT_LT(first, b.wire_count()) << what;
    for (size_t w = first; w < b.wire_count(); ++w) {
        auto values = b.values();
        values[w] += Fr::one();
        EXPECT_TRUE(b.first_violation(values)) << what << ": wire " << w << " is free";
    }
}

template <class Fn>
void expect_violation(Fn fn, const std::string& needle)
{
    try {
        fn();
        ADD_FAILURE() << "expected ConstraintViolation containing '" << needle << "'";
    } catch (const ConstraintViolation& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// WideInt

TEST(WideInt, ArithmeticMatchesInt128)
{
    auto s128 = [](__int128 v) {
        if (v == 0)
            return std::string("0");
        const bool neg = v < 0;
        unsigned __int128 m = neg ? -(unsigned __int128)v : (unsigned __int128)v;
        std::string out;
        while (m != 0) {
            out.insert(out.begin(), char('0' + int(m % 10)));
            m /= 10;
        }
        return neg ? "-" + out : out;
    };
    std::mt19937_64 rng(7);
    for (int i = 0; i < 20000; ++i) {
        const int64_t a = int64_t(rng()) >> (rng() % 40), b = int64_t(rng()) >> (rng() % 40 + 1);
        const __int128 A = a, B = b;
        EXPECT_EQ((wi(a) + wi(b)).to_decimal(), s128(A + B));
        EXPECT_EQ((wi(a) - wi(b)).to_decimal(), s128(A - B));
        EXPECT_EQ((wi(a) * wi(b)).to_decimal(), s128(A * B));
        EXPECT_EQ(WideInt::from_decimal(s128(A * B)), wi(a) * wi(b));
        if (b != 0) {
            __int128 q = A / B;
            if ((A % B != 0) && ((A < 0) != (B < 0)))
                --q;
            EXPECT_EQ(WideInt::floor_div(wi(a), wi(b)), WideInt(int64_t(q)));
            EXPECT_EQ(WideInt::floor_mod(wi(a), wi(b)), WideInt(int64_t(A - q * B)));
        }
        const int k = int(rng() % 70);
        EXPECT_EQ(wi(a) >> k, WideInt(k >= 64 ? (a < 0 ? -1 : 0) : (a >> k)));
        EXPECT_EQ((wi(a) << k) >> k, wi(a));
        EXPECT_EQ(wi(a) < wi(b), a < b);
        EXPECT_EQ(wi(a).to_long_double(), (long double)a);
    }
    EXPECT_THROW(WideInt::pow2(1000) * WideInt::pow2(100), std::overflow_error);
    EXPECT_THROW(WideInt::pow2(1022) + WideInt::pow2(1022), std::overflow_error);
    EXPECT_THROW(WideInt::floor_div(wi(1), wi(0)), std::domain_error);
}

TEST(WideInt, DecimalFieldAndRoots)
{
    const auto big = WideInt::from_decimal("-123456789012345678901234567890123456789");
    ASSERT_TRUE(big);
    EXPECT_EQ(big->to_decimal(), "-123456789012345678901234567890123456789");
    EXPECT_FALSE(WideInt::from_decimal("12a"));
    EXPECT_FALSE(WideInt::from_decimal(""));
    // Centered lift: p - 5 is -5.
    EXPECT_EQ(WideInt::from_fr(-Fr::from_uint(5)), wi(-5));
    EXPECT_EQ(WideInt::from_fr(big->to_fr()), *big);
    EXPECT_EQ(wi(-5).to_fr(), -Fr::from_uint(5));
    EXPECT_THROW(WideInt::pow2(254).to_fr(), std::overflow_error);
    std::mt19937_64 rng(3);
    for (int i = 0; i < 2000; ++i) {
        const WideInt x = (WideInt(int64_t(rng() >> 1)) << int(rng() % 150)) + WideInt(int64_t(rng() >> 1));
        const WideInt r = WideInt::isqrt(x);
        EXPECT_LE(r * r, x);
        EXPECT_GT((r + wi(1)) * (r + wi(1)), x);
        const int k = int(rng() % 100 + 1);
        const WideInt s = WideInt::round_shift(x, k);
        // |s 2^k - x| <= 2^(k-1), ties up.
        const WideInt d = (s << k) - x;
        EXPECT_LE(d, WideInt::pow2(k - 1));
        EXPECT_GT(d, -WideInt::pow2(k - 1));
    }
}

// ---------------------------------------------------------------------------------------------
// FixedFormat: conversions and the exact arithmetic

TEST(FixedFormat, ParsesExactDecimals)
{
    const FixedFormat f;
    EXPECT_EQ(f.parse("42.5"), wi(85) << (F - 1));
    EXPECT_EQ(f.parse("-42.5"), -(wi(85) << (F - 1)));
    EXPECT_EQ(f.parse("+3"), wi(3) << F);
    EXPECT_EQ(f.parse("1.5E2"), wi(150) << F);
    EXPECT_EQ(f.parse("0.000"), wi(0));
    // 0.1 * 2^48 = 28147497671065.6 -> ...066; -0.1 rounds away from zero too.
    EXPECT_EQ(f.parse("0.1"), wi(28147497671066));
    EXPECT_EQ(f.parse("-0.1"), wi(-28147497671066));
    EXPECT_EQ(f.parse("1e-4"), f.parse("0.0001"));
    // Ties: 2^-49 is half an ulp and rounds away from zero.
    EXPECT_EQ(f.parse("0.00000000000000177635683940025046467781066894531250"), wi(1));
    EXPECT_EQ(f.parse("-0.00000000000000177635683940025046467781066894531250"), wi(-1));
    for (const char* bad : {"", "-", "1.2.3", "abc", "1e", "--1", "1e5x", "0x10", ". "})
        EXPECT_THROW(f.parse(bad), std::invalid_argument) << bad;
    EXPECT_EQ(f.from_double(-2.75), -(wi(11) << (F - 2)));
    EXPECT_EQ(f.from_double(1e-20), wi(0));
    EXPECT_EQ(f.to_long_double(f.parse("-1234.0625")), -1234.0625L);
    EXPECT_THROW(f.from_double(NAN), std::invalid_argument);
    EXPECT_THROW(FixedFormat(15), std::invalid_argument);
    EXPECT_THROW(FixedFormat(65), std::invalid_argument);
}

// mul, div and sqrt against exact integer arithmetic: the rounding is exactly as documented.
TEST(FixedFormat, MulDivSqrtRoundExactly)
{
    const FixedFormat f;
    std::mt19937_64 rng(11);
    const WideInt one = f.one(), half = WideInt::pow2(F - 1);
    for (int i = 0; i < 5000; ++i) {
        const WideInt a = WideInt(int64_t(rng())) >> int(rng() % 40);
        const WideInt b = WideInt(int64_t(rng())) >> int(rng() % 40);
        const WideInt ab = a * b;
        // err = q 2^F - a b
        const WideInt en = (f.mul(a, b) << F) - ab, ef = (f.mul(a, b, Rounding::floor) << F) - ab,
                      ec = (f.mul(a, b, Rounding::ceil) << F) - ab;
        EXPECT_TRUE(en > -half && en <= half);
        EXPECT_TRUE(ef > -one && ef <= wi(0));
        EXPECT_TRUE(ec >= wi(0) && ec < one);
        const WideInt d = b.abs() + wi(1);
        const WideInt num = a << F;
        const WideInt rn = num - f.div(a, d) * d, rf = num - f.div(a, d, Rounding::floor) * d,
                      rc = num - f.div(a, d, Rounding::ceil) * d;
        EXPECT_TRUE(rn * wi(2) >= -d && rn * wi(2) < d);  // |err| <= d/2, ties up
        EXPECT_TRUE(rf >= wi(0) && rf < d);
        EXPECT_TRUE(rc <= wi(0) && rc > -d);
        const WideInt x = a.abs() << F;
        const WideInt y = f.sqrt(a.abs());
        // (y - 1/2)^2 <= x < (y + 1/2)^2  <=>  4x in [(2y - 1)^2, (2y + 1)^2)
        const WideInt lo = y * wi(2) - wi(1), hi = y * wi(2) + wi(1);
        EXPECT_TRUE((y.is_zero() || lo * lo <= x * wi(4)) && x * wi(4) < hi * hi);
    }
    EXPECT_EQ(f.sqrt(wi(0)), wi(0));
    EXPECT_EQ(f.sqrt(f.parse("2.25")), f.parse("1.5"));
    expect_violation([&] { f.div(one, wi(0)); }, "divisor must be positive");
    expect_violation([&] { f.div(one, wi(-1)); }, "divisor must be positive");
    expect_violation([&] { f.sqrt(wi(-1)); }, "must be non-negative");
}

// ---------------------------------------------------------------------------------------------
// Accuracy of the transcendental functions (native model; the circuit is bit-exact with it,
// see CircuitMatchesNative). Thousands of random points plus edge cases against long double.

TEST(FixedAccuracy, ExpWithinOneUlp)
{
    const FixedFormat f;
    std::mt19937_64 rng(21);
    for (int I : {0, 1, 2, 3, 6}) {
        const long double lim = std::ldexp(1.0L, I);
        MaxErr err;  // |error| / max(1, e^x): absolute below 1, relative above
        auto check = [&](const WideInt& x) {
            const long double xv = f.to_long_double(x), want = expl(xv);
            err.add(f.to_long_double(f.exp(x, I)), want, xv, std::max(1.0L, want));
        };
        std::uniform_real_distribution<double> d(-double(lim), double(lim));
        for (int i = 0; i < 4000; ++i)
            check(f.from_double(d(rng)));
        for (const WideInt& x : {-WideInt::pow2(F + I), WideInt::pow2(F + I) - wi(1), wi(0), wi(1), wi(-1),
                                 f.parse("0.5"), f.parse("-0.03125"), f.parse("0.96875")})
            check(x);
        EXPECT_LT(err.max, 0.7L * kUlp) << "I=" << I << " worst at " << err.at;
    }
    EXPECT_EQ(f.exp(wi(0), 0), f.one());
    EXPECT_EQ(f.exp(wi(0), 6), f.one());
    EXPECT_EQ(f.exp(-WideInt::pow2(F + 6), 6), wi(0));  // e^-64 underflows
    expect_violation([&] { f.exp(f.one(), 0); }, "must be in [-2^0, 2^0)");
    EXPECT_THROW(f.exp(wi(0), 7), std::invalid_argument);
}

TEST(FixedAccuracy, LnWithinOneUlp)
{
    const FixedFormat f;
    std::mt19937_64 rng(22);
    for (int I : {2, 8, 40}) {
        MaxErr err;
        auto check = [&](const WideInt& x) {
            const long double xv = f.to_long_double(x);
            err.add(f.to_long_double(f.ln(x, I)), logl(xv), xv);
        };
        // log-uniform over [2^-F, 2^I]
        std::uniform_real_distribution<double> d(-double(F), double(I));
        for (int i = 0; i < 4000; ++i) {
            const WideInt x = f.from_double(std::exp2(d(rng)));
            if (x.sign() > 0)
                check(x);
        }
        for (const WideInt& x : {wi(1), wi(2), wi(3), f.one(), f.one() - wi(1), f.one() + wi(1), WideInt::pow2(F + I),
                                 WideInt::pow2(F + I) - wi(1), f.parse("2.718281828459045235"), f.parse("0.5")})
            check(x);
        EXPECT_LT(err.max, 0.7L * kUlp) << "I=" << I << " worst at " << err.at;
    }
    EXPECT_EQ(f.ln(f.one(), 8), wi(0));
    expect_violation([&] { f.ln(wi(0), 8); }, "must be positive");
    expect_violation([&] { f.ln(wi(-5), 8); }, "must be positive");
    expect_violation([&] { f.ln(WideInt::pow2(F + 9), 8); }, "exceeds its declared bound");
    EXPECT_THROW(f.ln(f.one(), 100), std::invalid_argument);
}

TEST(FixedAccuracy, NormalCdfWithinOneUlp)
{
    const FixedFormat f;
    std::mt19937_64 rng(23);
    for (int I : {2, 4, 6}) {
        const long double lim = std::min(std::ldexp(1.0L, I), 12.0L);
        MaxErr err;
        auto check = [&](const WideInt& x) {
            const long double xv = f.to_long_double(x);
            err.add(f.to_long_double(f.normal_cdf(x, I)), ref_cdf(xv), xv);
            // Symmetry holds exactly: Phi(x) + Phi(-x) = 1.
            EXPECT_EQ(f.normal_cdf(x, I) + f.normal_cdf(-x, I), f.one());
        };
        std::uniform_real_distribution<double> d(-double(lim), double(lim));
        for (int i = 0; i < 4000; ++i)
            check(f.from_double(d(rng)));
        for (const WideInt& x : {wi(0), wi(1), wi(-1), f.parse("8"), f.parse("-8"), f.parse("8") - wi(1),
                                 f.parse("-0.125"), f.parse("0.124999"), WideInt::pow2(F + I), -WideInt::pow2(F + I)})
            if (x.abs() <= WideInt::pow2(F + I))
                check(x);
        EXPECT_LT(err.max, 0.75L * kUlp) << "I=" << I << " worst at " << err.at;
    }
    EXPECT_EQ(f.normal_cdf(wi(0), 4), WideInt::pow2(F - 1));
    EXPECT_EQ(f.normal_cdf(f.parse("9"), 4), f.one());
    EXPECT_EQ(f.normal_cdf(f.parse("-9"), 4), wi(0));
}

// The approximation tables bound the error at other F: 1 ulp at F = 32, and the table error
// (< 1e-15) at F = 64.
TEST(FixedAccuracy, OtherFractionalBits)
{
    std::mt19937_64 rng(24);
    for (int bits : {32, 64}) {
        const FixedFormat f(bits);
        const long double ulp = std::ldexp(1.0L, -bits);
        const long double bound = bits == 32 ? 0.7L * ulp : 1e-15L;
        MaxErr e_exp, e_ln, e_cdf, e_sqrt;
        std::uniform_real_distribution<double> d(-2, 2);
        for (int i = 0; i < 2000; ++i) {
            const WideInt x = f.from_double(d(rng));
            const long double xv = f.to_long_double(x);
            e_exp.add(f.to_long_double(f.exp(x, 1)), expl(xv), xv, std::max(1.0L, expl(xv)));
            e_cdf.add(f.to_long_double(f.normal_cdf(x, 1)), ref_cdf(xv), xv);
            const WideInt y = f.from_double(std::exp2(d(rng) * 8));
            const long double yv = f.to_long_double(y);
            e_ln.add(f.to_long_double(f.ln(y, 16)), logl(yv), yv);
            e_sqrt.add(f.to_long_double(f.sqrt(y)), sqrtl(yv), yv);
        }
        EXPECT_LT(e_exp.max, bound) << bits;
        EXPECT_LT(e_ln.max, bound) << bits;
        EXPECT_LT(e_cdf.max, bound) << bits;
        // (at F = 64 the long double reference itself is only good to ~1e-18 here)
        EXPECT_LE(e_sqrt.max, bits == 32 ? 0.5000001L * ulp : 2e-17L) << bits;
    }
}

// Every gadget builds, satisfied, at every supported F with its widest bounds.
TEST(FixedGadget, AllFormatsBuild)
{
    for (int bits = 16; bits <= 64; bits += 8) {
        Builder b;
        FixedPoint fp(b, bits);
        const auto& f = fp.format();
        const Fixed x = fp.private_input("x", f.parse("-3.3"), 6);
        const Fixed y = fp.private_input("y", f.parse("1e-4"), 40);
        const Fixed z = fp.private_input("z", f.parse("-0.7"), 0);
        EXPECT_NO_THROW(fp.mul(x, y)) << bits;
        EXPECT_NO_THROW(fp.div(x, y)) << bits;
        EXPECT_NO_THROW(fp.sqrt(y)) << bits;
        EXPECT_NO_THROW(fp.ln(y)) << bits;
        EXPECT_NO_THROW(fp.normal_cdf(fp.mul_int(y, 1000))) << bits;
        for (int I = 0; I <= 6; ++I)
            EXPECT_NO_THROW(fp.exp(fp.range_checked(z.s, I))) << bits << " I=" << I;
        EXPECT_FALSE(b.first_violation(b.values())) << bits;
    }
}

// ---------------------------------------------------------------------------------------------
// Gadgets

TEST(FixedGadget, InputsAreRangeChecked)
{
    Builder b;
    FixedPoint fp(b);
    const Fixed x = fp.private_input("x", fp.format().parse("-3.5"), 2);
    EXPECT_EQ(b.constraint_count(), size_t(F + 2 + 1));
    EXPECT_EQ(fp.to_long_double(x), -3.5L);
    // The check admits [-2^I, 2^I).
    fp.private_input("lo", -WideInt::pow2(F + 2), 2);
    expect_violation([&] { fp.private_input("hi", WideInt::pow2(F + 2), 2); }, "fixed input hi: |x| must be below 2^2");
    const Fixed p = fp.public_input("p", fp.format().parse("0.25"), -1);
    EXPECT_EQ(p.int_bits, -1);
    EXPECT_FALSE(b.first_violation(b.values()));
    // A tampered input outside the bound violates the check.
    auto values = b.values();
    values[*Builder::single_wire(x.s)] += WideInt::pow2(F + 3).to_fr();
    EXPECT_TRUE(b.first_violation(values));
    const Signal raw = b.private_input("raw", (WideInt(5) << F).to_fr());
    expect_violation([&] { fp.range_checked(raw, 2, "price"); }, "price: |x| must be below 2^2");
    EXPECT_EQ(fp.range_checked(raw, 3, "price").int_bits, 3);
}

TEST(FixedGadget, AddSubNegAreFree)
{
    Builder b;
    FixedPoint fp(b);
    const Fixed x = fp.private_input("x", fp.format().parse("1.25"), 4);
    const Fixed y = fp.private_input("y", fp.format().parse("-7.5"), 4);
    const size_t c = b.constraint_count();
    const Fixed s = fp.sub(fp.add(x, fp.neg(y)), fp.mul_int(x, -3));
    EXPECT_EQ(b.constraint_count(), c);
    EXPECT_EQ(fp.to_long_double(s), 1.25L + 7.5L + 3.75L);
    EXPECT_EQ(s.int_bits, 7);  // add: 5; mul_int by 3: 4 + 2; sub: 7
    EXPECT_EQ(fp.constant("2.5").int_bits, 2);
    EXPECT_EQ(fp.constant("2").int_bits, 1);
    EXPECT_EQ(fp.constant("-2").int_bits, 1);
}

TEST(FixedGadget, MulCostAndSoundness)
{
    const FixedFormat f;
    for (Rounding r : {Rounding::nearest, Rounding::floor, Rounding::ceil}) {
        Builder b;
        FixedPoint fp(b);
        const Fixed x = fp.private_input("x", f.parse("-3.75"), 10);
        const Fixed y = fp.private_input("y", f.parse("2.1"), 10);
        const size_t c = b.constraint_count(), w = b.wire_count();
        const Fixed z = fp.mul(x, y, r);
        // 1 product + F remainder bits + (F + 20 + 1) + 1 quotient bits with its sign
        EXPECT_EQ(b.constraint_count() - c, size_t(1 + F + (F + 20 + 1) + 1));
        EXPECT_EQ(b.constraint_count() - c, 119u);
        EXPECT_EQ(z.int_bits, 20);
        EXPECT_EQ(fp.raw(z), f.mul(f.parse("-3.75"), f.parse("2.1"), r));
        expect_wires_pinned(b, w, "mul");
        // A declared bound costs what it says.
        const size_t c2 = b.constraint_count();
        const Fixed z2 = fp.mul(x, y, r, 4);
        EXPECT_EQ(b.constraint_count() - c2, size_t(1 + F + F + 4 + 1));
        EXPECT_EQ(z2.int_bits, 4);
        EXPECT_EQ(fp.raw(z2), fp.raw(z));
        expect_violation([&] { fp.mul(x, y, r, 2); }, "fixed mul: the result exceeds its bound 2^2");
    }
    // Multiplying by a constant needs no product constraint.
    Builder b;
    FixedPoint fp(b);
    const Fixed x = fp.private_input("x", f.parse("-3.75"), 10);
    const size_t c = b.constraint_count(), w = b.wire_count();
    const Fixed z = fp.mul(x, fp.constant("0.3"));
    EXPECT_EQ(b.constraint_count() - c, size_t(F + (F + 10 - 1 + 1) + 1));
    EXPECT_EQ(fp.raw(z), f.mul(f.parse("-3.75"), f.parse("0.3")));
    expect_wires_pinned(b, w, "mul by constant");
    // Operands at their bounds: (-2^I)(-2^I) = 2^2I is still accepted by the default bound.
    Builder e;
    FixedPoint fe(e);
    const Fixed m = fe.private_input("m", -WideInt::pow2(F + 3), 3);
    const Fixed sq = fe.mul(m, m);
    EXPECT_EQ(fe.raw(sq), WideInt::pow2(F + 6));
    EXPECT_EQ(sq.int_bits, 6);
    EXPECT_FALSE(e.first_violation(e.values()));
}

TEST(FixedGadget, DivCostAndSoundness)
{
    const FixedFormat f;
    for (Rounding r : {Rounding::nearest, Rounding::floor, Rounding::ceil}) {
        Builder b;
        FixedPoint fp(b);
        const Fixed x = fp.private_input("x", f.parse("-42.5"), 8);
        const Fixed y = fp.private_input("y", f.parse("3.3"), 8);
        const size_t c = b.constraint_count(), w = b.wire_count();
        const Fixed q = fp.div(x, y, r, 6);
        const int sigma = r == Rounding::nearest ? 1 : 0;
        EXPECT_EQ(b.constraint_count() - c, size_t(1 + 2 * (F + 8 + sigma) + (F + 6) + 1));
        EXPECT_EQ(fp.raw(q), f.div(f.parse("-42.5"), f.parse("3.3"), r));
        expect_wires_pinned(b, w, "div");
        expect_violation([&] { fp.div(x, y, r, 3); }, "fixed div: the quotient exceeds its bound 2^3");
        const Fixed z = fp.private_input("z", wi(0), 8);
        expect_violation([&] { fp.div(x, z, r, 6); }, "divisor must be positive");
        expect_violation([&] { fp.div(x, fp.neg(y), r, 6); }, "divisor must be positive");
    }
    Builder b;
    FixedPoint fp(b);
    const Fixed x = fp.private_input("x", f.parse("-42.5"), 8);
    const Fixed y = fp.private_input("y", f.parse("3.3"), 8);
    const size_t c = b.constraint_count();
    const Fixed q = fp.div(x, y);  // default bound: |x| 2^F
    EXPECT_EQ(q.int_bits, F + 8);
    EXPECT_EQ(b.constraint_count() - c, size_t(1 + 2 * (F + 8 + 1) + (F + F + 8) + 1));
    // Dividing by a constant needs no product either.
    const size_t c2 = b.constraint_count(), w2 = b.wire_count();
    const Fixed h = fp.div(x, fp.constant("4"), Rounding::nearest, 4);
    EXPECT_EQ(b.constraint_count() - c2, size_t(1 + 2 * (F + 2 + 1) + (F + 4) + 1));
    EXPECT_EQ(fp.to_long_double(h), -10.625L);
    expect_wires_pinned(b, w2, "div by constant");
}

TEST(FixedGadget, SqrtCostAndSoundness)
{
    const FixedFormat f;
    for (const char* v : {"0", "2", "1e-12", "12345.678", "4096"}) {
        Builder b;
        FixedPoint fp(b);
        const Fixed x = fp.private_input("x", f.parse(v), 14);
        const size_t c = b.constraint_count(), w = b.wire_count();
        const Fixed y = fp.sqrt(x);
        // ny = ceil((F + 14 + F) / 2) = 55; 1 product + 2 flags + 2 (ny + 1) bits
        EXPECT_EQ(b.constraint_count() - c, size_t(2 * 55 + 5)) << v;
        EXPECT_EQ(y.int_bits, 7);
        EXPECT_EQ(fp.raw(y), f.sqrt(f.parse(v)));
        expect_wires_pinned(b, w, std::string("sqrt ") + v);
    }
    Builder b;
    FixedPoint fp(b);
    const Fixed x = fp.private_input("x", f.parse("-1"), 14);
    expect_violation([&] { fp.sqrt(x); }, "fixed sqrt: the argument must be non-negative");
}

TEST(FixedGadget, ExpCostAndSoundness)
{
    const FixedFormat f;
    // (declared bound, constraints)
    for (auto [I, cost] : std::vector<std::pair<int, size_t>>{{0, 275}, {1, 316}, {2, 396}, {3, 465}, {6, 574}}) {
        Builder b;
        FixedPoint fp(b);
        const Fixed x = fp.private_input("x", f.parse("-0.7"), I);
        const size_t c = b.constraint_count(), w = b.wire_count();
        const Fixed y = fp.exp(x);
        EXPECT_EQ(b.constraint_count() - c, cost) << "I=" << I;
        EXPECT_EQ(fp.raw(y), f.exp(f.parse("-0.7"), I));
        expect_wires_pinned(b, w, "exp I=" + std::to_string(I));
    }
    Builder b;
    FixedPoint fp(b);
    // x = +1 with bound 2^0 is outside [-1, 1).
    const Fixed x = fp.neg(fp.private_input("x", f.parse("-1"), 0));
    expect_violation([&] { fp.exp(x); }, "fixed exp: the argument must be in [-2^0, 2^0)");
}

TEST(FixedGadget, LnCostAndSoundness)
{
    const FixedFormat f;
    for (auto [I, cost] : std::vector<std::pair<int, size_t>>{{2, 280}, {8, 286}, {40, 320}}) {
        for (const char* v : {"1.7", "1", "3.5e-15", "0.03"}) {
            Builder b;
            FixedPoint fp(b);
            const Fixed x = fp.private_input("x", f.parse(v), I);
            const size_t c = b.constraint_count(), w = b.wire_count();
            const Fixed y = fp.ln(x);
            EXPECT_EQ(b.constraint_count() - c, cost) << "I=" << I;
            EXPECT_EQ(fp.raw(y), f.ln(f.parse(v), I));
            expect_wires_pinned(b, w, "ln I=" + std::to_string(I) + " x=" + v);
        }
    }
    Builder b;
    FixedPoint fp(b);
    const Fixed z = fp.private_input("z", wi(0), 4);
    expect_violation([&] { fp.ln(z); }, "fixed ln: the argument must be positive");
    const Fixed n = fp.private_input("n", f.parse("-2"), 4);
    expect_violation([&] { fp.ln(n); }, "fixed ln: the argument must be positive");
}

TEST(FixedGadget, NormalCdfCostAndSoundness)
{
    const FixedFormat f;
    for (auto [I, cost] : std::vector<std::pair<int, size_t>>{{2, 332}, {4, 336}, {6, 340}}) {
        for (const char* v : {"-1.7", "0.3", I >= 3 ? "7.99" : "-3.99", "-3.1e-10"}) {
            Builder b;
            FixedPoint fp(b);
            const Fixed x = fp.private_input("x", f.parse(v), I);
            const size_t c = b.constraint_count(), w = b.wire_count();
            const Fixed y = fp.normal_cdf(x);
            EXPECT_EQ(b.constraint_count() - c, cost) << "I=" << I;
            EXPECT_EQ(fp.raw(y), f.normal_cdf(f.parse(v), I));
            expect_wires_pinned(b, w, "normal_cdf I=" + std::to_string(I) + " x=" + v);
        }
    }
    // Clamped tails.
    Builder b;
    FixedPoint fp(b);
    const Fixed big = fp.private_input("big", f.parse("-40"), 6);
    EXPECT_EQ(fp.raw(fp.normal_cdf(big)), wi(0));
    const Fixed eight = fp.private_input("eight", f.parse("8"), 6);
    EXPECT_EQ(fp.raw(fp.normal_cdf(eight)), f.one());
    EXPECT_FALSE(b.first_violation(b.values()));
}

// At x = 0 the sign wire is free (x = (1 - 2 sign) a with a = 0), but nothing else depends on
// it: Q(0) is exactly 1/2, so sign * (2Q - 1) = 0 either way and the output cannot change.
TEST(FixedGadget, NormalCdfSignAtZeroCannotChangeTheOutput)
{
    Builder b;
    FixedPoint fp(b);
    const Fixed x = fp.private_input("x", wi(0), 4);
    const size_t sign_wire = b.wire_count();  // the gadget's first wire
    const Fixed y = fp.normal_cdf(x);
    EXPECT_EQ(fp.raw(y), WideInt::pow2(F - 1));
    auto values = b.values();
    ASSERT_EQ(values[sign_wire], Fr::zero());
    values[sign_wire] = Fr::one();
    EXPECT_FALSE(b.first_violation(values));  // the other valid witness ...
    b.public_output("phi", y.s);              // ... has the same output wire
    auto with_output = b.values();
    EXPECT_EQ(with_output.back(), (WideInt::pow2(F - 1)).to_fr());
    // Away from zero the sign is pinned.
    Builder c;
    FixedPoint fc(c);
    const Fixed z = fc.private_input("z", wi(1), 4);
    const size_t w = c.wire_count();
    fc.normal_cdf(z);
    values = c.values();
    values[w] = Fr::one();
    EXPECT_TRUE(c.first_violation(values));
}

// Completeness: random inputs over each domain build satisfied circuits, bit-exact with the
// native model, in both modes.
TEST(FixedGadget, CircuitMatchesNative)
{
    const FixedFormat f;
    std::mt19937_64 rng(31);
    std::uniform_real_distribution<double> u(-1, 1);
    for (int i = 0; i < 40; ++i) {
        for (Mode mode : {Mode::full, Mode::witness_only}) {
            Builder b(mode);
            FixedPoint fp(b);
            const double xs = u(rng) * 6, ys = std::exp2(u(rng) * 20), zs = u(rng) * 12;
            const Fixed x = fp.private_input("x", f.from_double(xs), 3);
            const Fixed y = fp.private_input("y", f.from_double(ys), 20);
            const Fixed z = fp.private_input("z", f.from_double(zs), 4);
            const WideInt xv = fp.raw(x), yv = fp.raw(y), zv = fp.raw(z);
            EXPECT_EQ(fp.raw(fp.mul(x, y)), f.mul(xv, yv));
            EXPECT_EQ(fp.raw(fp.div(x, y, Rounding::nearest, 24)), f.div(xv, yv));
            EXPECT_EQ(fp.raw(fp.sqrt(y)), f.sqrt(yv));
            EXPECT_EQ(fp.raw(fp.exp(x)), f.exp(xv, 3));
            EXPECT_EQ(fp.raw(fp.ln(y)), f.ln(yv, 20));
            EXPECT_EQ(fp.raw(fp.normal_cdf(z)), f.normal_cdf(zv, 4));
            if (mode == Mode::full) {
                EXPECT_FALSE(b.first_violation(b.values()));
            }
        }
    }
}

TEST(FixedGadget, WitnessOnlyModeMatchesFullMode)
{
    auto circuit = [](Builder& b) {
        FixedPoint fp(b);
        const Fixed x = fp.private_input("x", fp.format().parse("0.37"), 2);
        const Fixed y = fp.public_input("y", fp.format().parse("5.5"), 4);
        const Fixed r = fp.add(fp.normal_cdf(fp.mul(x, y)), fp.ln(y));
        fp.public_output("r", fp.add(r, fp.exp(fp.neg(x))));
    };
    Builder full(Mode::full), fast(Mode::witness_only);
    circuit(full);
    circuit(fast);
    EXPECT_EQ(full.constraint_count(), fast.constraint_count());
    EXPECT_EQ(full.witness_file().values, fast.witness_file().values);
    EXPECT_FALSE(full.first_violation(full.values()));
}

// Black-Scholes with these gadgets at F = 48: Hull's example (S=42, K=40, T=0.5, r=0.1, s=0.2),
// call = 4.759422392871533220, put = 0.808599372900093583 (mpmath, 40 digits).
TEST(FixedGadget, BlackScholesHullExample)
{
    Builder b;
    FixedPoint fp(b);
    const auto& f = fp.format();
    const Fixed S = fp.private_input("S", f.parse("42"), 20);
    const Fixed K = fp.private_input("K", f.parse("40"), 20);
    const Fixed T = fp.private_input("T", f.parse("0.5"), 4);
    const Fixed r = fp.private_input("r", f.parse("0.1"), 0);
    const Fixed sigma = fp.private_input("sigma", f.parse("0.2"), 2);
    const size_t inputs = b.constraint_count();
    const Fixed sqrt_t = fp.sqrt(T);
    const Fixed vol = fp.mul(sigma, sqrt_t);
    const Fixed ln_sk = fp.ln(fp.div(S, K, Rounding::nearest, 8));
    const Fixed drift = fp.mul(fp.add(r, fp.div(fp.mul(sigma, sigma), fp.constant("2"), Rounding::nearest, 4)), T);
    const Fixed d1 = fp.div(fp.add(ln_sk, drift), vol, Rounding::nearest, 6);
    const Fixed d2 = fp.sub(d1, vol);
    const Fixed disc = fp.exp(fp.neg(fp.mul(r, T, Rounding::nearest, 3)));
    const Fixed kd = fp.mul(K, disc);
    const Fixed call = fp.sub(fp.mul(S, fp.normal_cdf(d1)), fp.mul(kd, fp.normal_cdf(d2)));
    EXPECT_FALSE(b.first_violation(b.values()));
    EXPECT_LT(std::fabs(fp.to_long_double(call) - 4.759422392871533220L), 5e-13L);
    // Put via parity: P = C - S + K e^(-rT) (free).
    const Fixed put = fp.add(fp.sub(call, S), kd);
    EXPECT_LT(std::fabs(fp.to_long_double(put) - 0.808599372900093583L), 5e-13L);
    // The whole call + put costs under 3k constraints (the reference prototype: 5,343 at F = 48).
    EXPECT_EQ(b.constraint_count() - inputs, 2848u);
}
