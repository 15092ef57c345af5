// Gadget tests: completeness (honest witnesses satisfy the constraints, values are right),
// soundness (tampered witnesses violate them; small widths are searched exhaustively over the
// gadgets' bit wires), exact constraint counts, and errors for unsatisfiable inputs.
#include "circuit/gadgets.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>

using namespace provernet::circuit;
using provernet::math::Fr;
using provernet::math::U256;

namespace {

Fr F(uint64_t v) { return Fr::from_uint(v); }
Fr minus(uint64_t v) { return -Fr::from_uint(v); }  // p - v

// A linear combination evaluated on (possibly tampered) builder-order values.
Fr eval(const Signal& s, const std::vector<Fr>& values)
{
    Fr acc = Fr::zero();
    for (const Term& t : s.terms())
        acc += t.coef * values[t.wire];
    return acc;
}

uint32_t wire(const Signal& s)
{
    const auto w = Builder::single_wire(s);
    EXPECT_TRUE(w.has_value());
    return w.value_or(0);
}

// Every wire in [from, to) is pinned down: adding 1 to it alone violates a constraint.
void expect_wires_bound(const Builder& b, uint32_t from, uint32_t to)
{
    ASSERT_FALSE(b.first_violation(b.values()));
    for (uint32_t w = from; w < to; ++w) {
        auto values = b.values();
        values[w] += Fr::one();
        EXPECT_TRUE(b.first_violation(values)) << "wire " << w << " can change freely";
    }
}

// Calls f on every assignment of `wires` (in a copy of base) to values from `domain`.
void for_each_assignment(std::vector<Fr> base, const std::vector<uint32_t>& wires, const std::vector<Fr>& domain,
                         const std::function<void(const std::vector<Fr>&)>& f)
{
    std::vector<size_t> digit(wires.size(), 0);
    for (;;) {
        for (size_t i = 0; i < wires.size(); ++i)
            base[wires[i]] = domain[digit[i]];
        f(base);
        size_t i = 0;
        while (i < digit.size() && ++digit[i] == domain.size())
            digit[i++] = 0;
        if (i == digit.size())
            return;
    }
}

std::vector<uint32_t> wire_span(uint32_t from, uint32_t to)
{
    std::vector<uint32_t> w;
    for (uint32_t i = from; i < to; ++i)
        w.push_back(i);
    return w;
}

// Writes the low n-1 bits of v into the n-1 bit wires of a range check starting at `first`
// (the only assignment of boolean wires that can satisfy it, see RangeCheckExhaustive).
void set_low_bits(std::vector<Fr>& values, uint32_t first, const Fr& v, unsigned n)
{
    const U256 u = v.to_u256();
    for (unsigned i = 0; i + 1 < n; ++i)
        values[first + i] = F(u.bit(i));
}

const std::vector<Fr> kBits = {Fr::zero(), Fr::one()};

// Both modes must throw the same ConstraintViolation for unsatisfiable inputs.
void expect_violation_in_both_modes(const std::function<void(Builder&)>& circuit)
{
    for (Mode mode : {Mode::full, Mode::witness_only}) {
        Builder b(mode);
        EXPECT_THROW(circuit(b), ConstraintViolation) << (mode == Mode::full ? "full" : "witness_only");
    }
}

}  // namespace

// ---- Booleans ----

TEST(Gadgets, AssertBoolean)
{
    for (uint64_t v : {0, 1}) {
        Builder b;
        const Signal s = b.private_input("s", F(v));
        assert_boolean(b, s);
        EXPECT_EQ(b.constraint_count(), 1u);
        EXPECT_FALSE(b.first_violation(b.values()));
        for (const Fr& bad : {F(2), minus(1), F(3)}) {
            auto values = b.values();
            values[wire(s)] = bad;
            EXPECT_TRUE(b.first_violation(values));
        }
    }
    for (const Fr& bad : {F(2), minus(1)})
        expect_violation_in_both_modes([&](Builder& b) { assert_boolean(b, b.private_input("s", bad)); });
    Builder b;
    assert_boolean(b, Builder::constant(1));
    EXPECT_EQ(b.constraint_count(), 0u);
    EXPECT_THROW(assert_boolean(b, Builder::constant(2)), ConstraintViolation);
}

TEST(Gadgets, BooleanLogicTruthTables)
{
    for (uint64_t x = 0; x < 2; ++x)
        for (uint64_t y = 0; y < 2; ++y) {
            Builder b;
            const Signal sx = b.private_input("x", F(x)), sy = b.private_input("y", F(y));
            EXPECT_EQ(boolean_not(sx).value(), F(1 - x));
            EXPECT_EQ(boolean_and(b, sx, sy).value(), F(x & y));
            EXPECT_EQ(boolean_or(b, sx, sy).value(), F(x | y));
            EXPECT_EQ(boolean_xor(b, sx, sy).value(), F(x ^ y));
            EXPECT_EQ(b.constraint_count(), 3u);
            expect_wires_bound(b, 3, uint32_t(b.wire_count()));
        }
    Builder b;
    EXPECT_THROW(boolean_and(b, b.private_input("x", F(2)), Builder::constant(1)), ConstraintViolation);
}

// ---- Bits and ranges ----

TEST(Gadgets, ToBitsAndBack)
{
    std::mt19937_64 rng(7);
    for (unsigned n : {1u, 2u, 8u, 64u, 100u, 253u}) {
        U256 v;
        for (auto& limb : v.limb)
            limb = rng();
        for (unsigned i = n; i < 256; ++i)
            v.limb[i / 64] &= ~(uint64_t(1) << (i % 64));
        const Fr value = Fr::from_u256_unchecked(v);
        Builder b;
        const Signal s = b.private_input("s", value);
        const std::vector<Signal> bits = to_bits(b, s, n);
        ASSERT_EQ(bits.size(), n);
        EXPECT_EQ(b.constraint_count(), n) << "to_bits(" << n << ")";
        EXPECT_EQ(b.wire_count(), 2u + (n - 1));  // one, s, n - 1 bit wires
        for (unsigned i = 0; i < n; ++i)
            EXPECT_EQ(bits[i].value(), F(v.bit(i)));
        EXPECT_EQ(from_bits(bits).value(), value);
        EXPECT_EQ(b.constraint_count(), n);  // from_bits is free
        expect_wires_bound(b, 1, uint32_t(b.wire_count()));
    }
}

TEST(Gadgets, ToBitsLargestWidth)
{
    // 2^253 - 1 is the largest 253-bit value; p - 1 (254 bits) is out of range.
    U256 top;
    for (unsigned i = 0; i < 253; ++i)
        top.limb[i / 64] |= uint64_t(1) << (i % 64);
    Builder b;
    const auto bits = to_bits(b, b.private_input("s", Fr::from_u256_unchecked(top)), 253);
    EXPECT_EQ(bits[252].value(), Fr::one());
    EXPECT_FALSE(b.first_violation(b.values()));
    expect_violation_in_both_modes([](Builder& b) { to_bits(b, b.private_input("s", minus(1)), 253); });
    Builder c;
    EXPECT_THROW(to_bits(c, c.private_input("s", F(1)), 254), std::invalid_argument);
    EXPECT_THROW(assert_range(c, c.private_input("s", F(1)), 254), std::invalid_argument);
}

TEST(Gadgets, ToBitsZeroWidthAndConstants)
{
    Builder b;
    EXPECT_TRUE(to_bits(b, b.private_input("z", F(0)), 0).empty());
    EXPECT_EQ(b.constraint_count(), 1u);  // s == 0
    EXPECT_THROW(to_bits(b, b.private_input("s", F(1)), 0), ConstraintViolation);

    Builder c;
    const auto bits = to_bits(c, Builder::constant(0b1011), 4);
    EXPECT_EQ(c.constraint_count(), 0u);
    EXPECT_EQ(from_bits(bits).value(), F(11));
    EXPECT_TRUE(bits[3].is_constant());
    EXPECT_THROW(to_bits(c, Builder::constant(16), 4), ConstraintViolation);
    const std::vector<Signal> not_bits = {Builder::constant(1), c.private_input("t", F(2))};
    EXPECT_THROW(from_bits(not_bits), ConstraintViolation);
}

// Exhaustive soundness at n = 4: for every claimed value of s (in range or not) and every
// assignment of the three bit wires from {0, 1, 2, -1}, the constraints hold exactly when s is
// in range and the wires are its bits.
TEST(Gadgets, RangeCheckExhaustive)
{
    constexpr unsigned n = 4;
    Builder b;
    const Signal s = b.private_input("s", F(5));
    assert_range(b, s, n);
    ASSERT_EQ(b.constraint_count(), n);
    ASSERT_EQ(b.wire_count(), 2u + n - 1);
    const std::vector<uint32_t> bit_wires = wire_span(2, 2 + n - 1);
    const std::vector<Fr> domain = {F(0), F(1), F(2), minus(1)};
    std::vector<Fr> claims;
    for (uint64_t v = 0; v < 40; ++v)
        claims.push_back(F(v));
    for (uint64_t v = 1; v < 20; ++v)
        claims.push_back(minus(v));
    claims.push_back(Fr::from_uint(2).inverse());
    for (const Fr& claim : claims) {
        auto base = b.values();
        base[wire(s)] = claim;
        int satisfying = 0;
        for_each_assignment(base, bit_wires, domain, [&](const std::vector<Fr>& values) {
            if (!b.first_violation(values)) {
                ++satisfying;
                for (unsigned i = 0; i + 1 < n; ++i)
                    EXPECT_EQ(values[bit_wires[i]], F(claim.to_u256().bit(i)));
            }
        });
        const bool in_range = claim.to_u256() < U256(1u << n);
        EXPECT_EQ(satisfying, in_range ? 1 : 0) << "s = " << claim.to_decimal();
    }
}

TEST(Gadgets, AssertRange)
{
    for (unsigned n : {1u, 8u, 32u, 253u}) {
        Builder b;
        assert_range(b, b.private_input("s", F(1)), n);
        EXPECT_EQ(b.constraint_count(), n);
    }
    Builder z;
    assert_range(z, z.private_input("s", F(0)), 0);
    EXPECT_EQ(z.constraint_count(), 1u);

    expect_violation_in_both_modes([](Builder& b) { assert_range(b, b.private_input("s", F(256)), 8); });
    expect_violation_in_both_modes([](Builder& b) { assert_range(b, b.private_input("s", minus(1)), 8); });
    expect_violation_in_both_modes([](Builder& b) { assert_range(b, b.private_input("s", F(1)), 0); });
    Builder b;
    try {
        assert_range(b, b.private_input("s", F(300)), 8);
        FAIL();
    } catch (const ConstraintViolation& e) {
        EXPECT_STREQ(e.what(), "assert_range: value does not fit in 8 bits");
    }
}

// ---- Zero and equality ----

TEST(Gadgets, IsZeroAndIsEqual)
{
    for (const Fr& x : {F(0), F(1), F(12345), minus(1)}) {
        Builder b;
        const Signal sx = b.private_input("x", x);
        const Signal z = is_zero(b, sx);
        EXPECT_EQ(z.value(), F(x.is_zero() ? 1 : 0));
        EXPECT_EQ(b.constraint_count(), 2u);
        EXPECT_FALSE(b.first_violation(b.values()));
    }
    Builder b;
    const Signal x = b.private_input("x", F(9)), y = b.private_input("y", F(9)), w = b.private_input("w", F(4));
    EXPECT_EQ(is_equal(b, x, y).value(), F(1));
    EXPECT_EQ(is_equal(b, x, w).value(), F(0));
    EXPECT_EQ(b.constraint_count(), 4u);
    EXPECT_EQ(is_zero(b, Builder::constant(0)).value(), F(1));
    EXPECT_EQ(is_equal(b, Builder::constant(3), Builder::constant(4)).value(), F(0));
    EXPECT_EQ(b.constraint_count(), 4u);
}

// A prover choosing (x, inv, m) freely can only make out = 1 - m equal [x == 0].
TEST(Gadgets, IsZeroSoundness)
{
    Builder b;
    const Signal x = b.private_input("x", F(3));
    const Signal out = is_zero(b, x);
    ASSERT_EQ(b.wire_count(), 4u);  // one, x, inv, m = x * inv
    const uint32_t wx = 1, winv = 2, wm = 3;
    for (const Fr& xv : {F(0), F(1), F(3), minus(1)})
        for (uint64_t claim : {0, 1}) {
            // The prover sets m = 1 - claim and inv = m / x (anything for x = 0).
            for (const Fr& inv_guess : {F(0), F(1), F(7)}) {
                auto values = b.values();
                values[wx] = xv;
                values[wm] = Fr::one() - F(claim);
                values[winv] = xv.is_zero() ? inv_guess : values[wm] * xv.inverse();
                ASSERT_EQ(eval(out, values), F(claim));
                const bool truthful = F(claim) == F(xv.is_zero() ? 1 : 0);
                EXPECT_EQ(!b.first_violation(values), truthful) << "x = " << xv.to_decimal() << " claim " << claim;
            }
        }
    // For x != 0 every wire is fixed; for x = 0 inv is free but the output is not.
    expect_wires_bound(b, 2, 4);
}

TEST(Gadgets, AssertNonzeroAndNotEqual)
{
    Builder b;
    const Signal x = b.private_input("x", F(5)), y = b.private_input("y", F(6));
    assert_nonzero(b, x);
    assert_not_equal(b, x, y);
    EXPECT_EQ(b.constraint_count(), 2u);
    expect_wires_bound(b, 3, uint32_t(b.wire_count()));
    auto values = b.values();
    values[wire(x)] = Fr::zero();
    EXPECT_TRUE(b.first_violation(values));
    values = b.values();
    values[wire(y)] = F(5);
    EXPECT_TRUE(b.first_violation(values));
    expect_violation_in_both_modes([](Builder& b) { assert_nonzero(b, b.private_input("x", F(0))); });
    expect_violation_in_both_modes(
        [](Builder& b) { assert_not_equal(b, b.private_input("x", F(4)), b.private_input("y", F(4))); });
}

// ---- Comparisons ----

TEST(Gadgets, ComparisonValuesAndCounts)
{
    constexpr unsigned n = 8;
    const uint64_t samples[] = {0, 1, 2, 100, 127, 128, 254, 255};
    for (uint64_t x : samples)
        for (uint64_t y : samples) {
            Builder b;
            const Signal sx = b.private_input("x", F(x)), sy = b.private_input("y", F(y));
            size_t before = b.constraint_count();
            EXPECT_EQ(less_than(b, sx, sy, n).value(), F(x < y));
            EXPECT_EQ(b.constraint_count() - before, 3 * n + 1);
            before = b.constraint_count();
            EXPECT_EQ(less_or_equal(b, sx, sy, n).value(), F(x <= y));
            EXPECT_EQ(b.constraint_count() - before, 3 * n + 1);
            EXPECT_EQ(greater_than(b, sx, sy, n).value(), F(x > y));
            EXPECT_EQ(greater_or_equal(b, sx, sy, n).value(), F(x >= y));
            before = b.constraint_count();
            EXPECT_EQ(less_than_unchecked(b, sx, sy, n).value(), F(x < y));
            EXPECT_EQ(b.constraint_count() - before, n + 1);
            before = b.constraint_count();
            EXPECT_EQ(less_or_equal_unchecked(b, sx, sy, n).value(), F(x <= y));
            EXPECT_EQ(b.constraint_count() - before, n + 1);
            if (x < y) {
                before = b.constraint_count();
                assert_less_than(b, sx, sy, n);
                EXPECT_EQ(b.constraint_count() - before, 3 * n);
                before = b.constraint_count();
                assert_less_than_unchecked(b, sx, sy, n);
                EXPECT_EQ(b.constraint_count() - before, n);
            } else {
                EXPECT_THROW(assert_less_than(b, sx, sy, n), ConstraintViolation);
            }
            if (x <= y) {
                before = b.constraint_count();
                assert_less_or_equal(b, sx, sy, n);
                EXPECT_EQ(b.constraint_count() - before, 3 * n);
                before = b.constraint_count();
                assert_less_or_equal_unchecked(b, sx, sy, n);
                EXPECT_EQ(b.constraint_count() - before, n);
            } else {
                EXPECT_THROW(assert_less_or_equal(b, sx, sy, n), ConstraintViolation);
            }
            EXPECT_FALSE(b.first_violation(b.values()));
        }
}

TEST(Gadgets, ComparisonWidths)
{
    // n = 252, the widest: 2^252 - 1 against 0 and itself.
    U256 big;
    for (unsigned i = 0; i < 252; ++i)
        big.limb[i / 64] |= uint64_t(1) << (i % 64);
    Builder b;
    const Signal x = b.private_input("x", Fr::from_u256_unchecked(big)), z = b.private_input("z", F(0));
    EXPECT_EQ(less_than(b, z, x, 252).value(), F(1));
    EXPECT_EQ(less_than(b, x, z, 252).value(), F(0));
    EXPECT_EQ(less_than(b, x, x, 252).value(), F(0));
    EXPECT_EQ(b.constraint_count(), 3 * (3 * 252 + 1));
    EXPECT_FALSE(b.first_violation(b.values()));
    EXPECT_THROW(less_than(b, z, z, 253), std::invalid_argument);
    EXPECT_THROW(less_than(b, z, z, 0), std::invalid_argument);
    // n = 1.
    Builder c;
    const Signal o = c.private_input("o", F(1)), zz = c.private_input("z", F(0));
    EXPECT_EQ(less_than(c, zz, o, 1).value(), F(1));
    EXPECT_EQ(c.constraint_count(), 4u);
}

TEST(Gadgets, ComparisonRejectsOutOfRangeOperands)
{
    expect_violation_in_both_modes(
        [](Builder& b) { less_than(b, b.private_input("x", F(256)), b.private_input("y", F(3)), 8); });
    expect_violation_in_both_modes(
        [](Builder& b) { less_than(b, b.private_input("x", F(3)), b.private_input("y", minus(1)), 8); });
    expect_violation_in_both_modes(
        [](Builder& b) { less_than_unchecked(b, b.private_input("x", F(3)), b.private_input("y", F(256)), 8); });
    expect_violation_in_both_modes(
        [](Builder& b) { assert_less_than(b, b.private_input("x", F(3)), b.private_input("y", F(3)), 8); });
    expect_violation_in_both_modes(
        [](Builder& b) { assert_less_or_equal(b, b.private_input("x", F(4)), b.private_input("y", F(3)), 8); });
}

TEST(Gadgets, ComparisonWithConstants)
{
    Builder b;
    const Signal x = b.private_input("x", F(10));
    EXPECT_EQ(less_than(b, x, Builder::constant(11), 8).value(), F(1));
    EXPECT_EQ(b.constraint_count(), 2u * 8 + 1);  // the constant needs no range check
    EXPECT_EQ(less_than(b, Builder::constant(3), Builder::constant(4), 8).value(), F(1));
    EXPECT_EQ(b.constraint_count(), 2u * 8 + 1);
    EXPECT_THROW(less_than(b, x, Builder::constant(256), 8), ConstraintViolation);
}

// Exhaustive soundness of less_than at n = 3: inputs x, y take in- and out-of-range values and
// all seven internal wires (bits of x, y and x - y + 8) every boolean value. The constraints hold
// exactly when x, y < 8, once, with the output equal to [x < y].
TEST(Gadgets, LessThanExhaustive)
{
    constexpr unsigned n = 3;
    Builder b;
    const Signal x = b.private_input("x", F(2)), y = b.private_input("y", F(5));
    const Signal lt = less_than(b, x, y, n);
    ASSERT_EQ(b.constraint_count(), 3 * n + 1);
    ASSERT_EQ(b.wire_count(), 3u + 3 * n - 2);  // one, x, y, 2 + 2 + 3 bit wires
    const std::vector<uint32_t> internal = wire_span(3, uint32_t(b.wire_count()));
    expect_wires_bound(b, 1, uint32_t(b.wire_count()));
    std::vector<Fr> domain;
    for (uint64_t v = 0; v < 10; ++v)
        domain.push_back(F(v));
    for (uint64_t v : {1, 2, 7, 8})
        domain.push_back(minus(v));
    for (const Fr& xv : domain)
        for (const Fr& yv : domain) {
            auto base = b.values();
            base[wire(x)] = xv;
            base[wire(y)] = yv;
            int satisfying = 0;
            for_each_assignment(base, internal, kBits, [&](const std::vector<Fr>& values) {
                if (b.first_violation(values))
                    return;
                ++satisfying;
                EXPECT_EQ(eval(lt, values), F(xv.to_u256() < yv.to_u256()));
            });
            const bool in_range = xv.to_u256() < U256(8) && yv.to_u256() < U256(8);
            EXPECT_EQ(satisfying, in_range ? 1 : 0) << xv.to_decimal() << " < " << yv.to_decimal();
        }
}

// The pitfall the checked default avoids: without range checks, x = -1 (p - 1) passes for
// "x < 0" since -1 - 0 + 8 = 7 has a 4-bit decomposition.
TEST(Gadgets, UncheckedComparisonIsFooledByOutOfRangeOperands)
{
    constexpr unsigned n = 3;
    Builder b;
    const Signal x = b.private_input("x", F(2)), y = b.private_input("y", F(5));
    const Signal lt = less_than_unchecked(b, x, y, n);
    ASSERT_EQ(b.constraint_count(), n + 1);
    auto base = b.values();
    base[wire(x)] = minus(1);
    base[wire(y)] = F(0);
    bool fooled = false;
    for_each_assignment(base, wire_span(3, uint32_t(b.wire_count())), kBits, [&](const std::vector<Fr>& values) {
        if (!b.first_violation(values) && eval(lt, values) == F(1))
            fooled = true;
    });
    EXPECT_TRUE(fooled);
}

// assert_less_than at n = 3, exhaustively over its boolean wires.
TEST(Gadgets, AssertLessThanExhaustive)
{
    constexpr unsigned n = 3;
    for (bool strict : {true, false}) {
        Builder b;
        const Signal x = b.private_input("x", F(2)), y = b.private_input("y", F(5));
        if (strict)
            assert_less_than(b, x, y, n);
        else
            assert_less_or_equal(b, x, y, n);
        ASSERT_EQ(b.constraint_count(), 3 * n);
        std::vector<Fr> domain;
        for (uint64_t v = 0; v < 10; ++v)
            domain.push_back(F(v));
        domain.push_back(minus(1));
        domain.push_back(minus(8));
        for (const Fr& xv : domain)
            for (const Fr& yv : domain) {
                auto base = b.values();
                base[wire(x)] = xv;
                base[wire(y)] = yv;
                int satisfying = 0;
                for_each_assignment(base, wire_span(3, uint32_t(b.wire_count())), kBits,
                                    [&](const std::vector<Fr>& values) { satisfying += !b.first_violation(values); });
                const U256 xu = xv.to_u256(), yu = yv.to_u256();
                const bool holds = xu < U256(8) && yu < U256(8) && (strict ? xu < yu : xu <= yu);
                EXPECT_EQ(satisfying, holds ? 1 : 0) << xv.to_decimal() << (strict ? " < " : " <= ") << yv.to_decimal();
            }
    }
}

// ---- Selection ----

TEST(Gadgets, Select)
{
    for (uint64_t c : {0, 1}) {
        Builder b;
        const Signal cond = b.private_input("c", F(c));
        assert_boolean(b, cond);
        const Signal a = b.private_input("a", F(111)), other = b.private_input("o", F(222));
        const Signal out = select(b, cond, a, other);
        EXPECT_EQ(out.value(), F(c ? 111 : 222));
        EXPECT_EQ(b.constraint_count(), 2u);  // boolean + select
        ASSERT_EQ(b.wire_count(), 5u);         // one, c, a, o, cond * (a - o)
        expect_wires_bound(b, 4, 5);
        auto bad = b.values();
        bad[wire(cond)] += Fr::one();
        EXPECT_TRUE(b.first_violation(bad));
        // Flipping the condition (product wire recomputed) is the witness of another input:
        // the output follows the condition.
        const uint32_t product = 4;  // one, c, a, o, cond * (a - o)
        auto values = b.values();
        values[wire(cond)] = F(1 - c);
        values[product] = values[wire(cond)] * (values[wire(a)] - values[wire(other)]);
        EXPECT_FALSE(b.first_violation(values));
        EXPECT_EQ(eval(out, values), F(c ? 222 : 111));
        // A non-boolean condition would make the output anything; the boolean constraint stops it.
        values[wire(cond)] = F(2);
        values[product] = values[wire(cond)] * (values[wire(a)] - values[wire(other)]);
        EXPECT_TRUE(b.first_violation(values));
    }
    Builder b;
    EXPECT_THROW(select(b, b.private_input("c", F(2)), Builder::constant(1), Builder::constant(2)),
                 ConstraintViolation);
    const Signal k = select(b, b.private_input("c", F(1)), Builder::constant(5), Builder::constant(9));
    EXPECT_EQ(k.value(), F(5));
    EXPECT_EQ(b.constraint_count(), 0u);  // linear when both choices are constants
}

// ---- Integer division ----

TEST(Gadgets, DivModValuesAndCounts)
{
    std::mt19937_64 rng(11);
    for (unsigned n : {1u, 8u, 64u, 126u}) {
        for (int trial = 0; trial < 8; ++trial) {
            const unsigned __int128 mask = n == 128 ? ~(unsigned __int128)0 : ((unsigned __int128)1 << n) - 1;
            const unsigned __int128 xv = (((unsigned __int128)rng() << 64) | rng()) & mask;
            unsigned __int128 dv = (((unsigned __int128)rng() << 64) | rng()) & (mask >> (trial % 4) * (n / 4));
            if (dv == 0)
                dv = 1;
            auto fr = [](unsigned __int128 v) { return Fr::from_u256_unchecked(U256(uint64_t(v), uint64_t(v >> 64), 0, 0)); };
            Builder b;
            const Signal x = b.private_input("x", fr(xv)), d = b.private_input("d", fr(dv));
            const DivMod qr = divmod(b, x, d, n);
            EXPECT_EQ(qr.quotient.value(), fr(xv / dv));
            EXPECT_EQ(qr.remainder.value(), fr(xv % dv));
            EXPECT_EQ(b.constraint_count(), 5 * n + 1);
            const size_t before = b.constraint_count();
            const DivMod again = divmod_unchecked(b, x, d, n);
            EXPECT_EQ(again.quotient.value(), qr.quotient.value());
            EXPECT_EQ(b.constraint_count() - before, 3 * n + 1);
            EXPECT_FALSE(b.first_violation(b.values()));
        }
    }
    Builder b;
    const DivMod c = divmod(b, Builder::constant(17), Builder::constant(5), 8);
    EXPECT_EQ(c.quotient.value(), F(3));
    EXPECT_EQ(c.remainder.value(), F(2));
    EXPECT_EQ(b.constraint_count(), 0u);
    const DivMod k = divmod(b, b.private_input("x", F(200)), Builder::constant(7), 8);
    EXPECT_EQ(k.quotient.value(), F(28));
    EXPECT_EQ(k.remainder.value(), F(4));
    EXPECT_EQ(b.constraint_count(), 4u * 8 + 1);  // the constant divisor needs no range check
}

TEST(Gadgets, DivModErrors)
{
    expect_violation_in_both_modes(
        [](Builder& b) { divmod(b, b.private_input("x", F(10)), b.private_input("d", F(0)), 8); });
    expect_violation_in_both_modes(
        [](Builder& b) { divmod(b, b.private_input("x", F(256)), b.private_input("d", F(3)), 8); });
    expect_violation_in_both_modes(
        [](Builder& b) { divmod_unchecked(b, b.private_input("x", F(10)), b.private_input("d", F(256)), 8); });
    Builder b;
    EXPECT_THROW(divmod(b, b.private_input("x", F(1)), b.private_input("d", F(1)), 127), std::invalid_argument);
}

// divmod at n = 3 for every x < 8, 0 < d < 8 (and tampered x, d): a prover choosing q and r
// (including the field quotients (x - r) / d) satisfies the constraints only with the integer
// quotient and remainder. Range-check bit wires get the low bits of the checked quantity, the
// only assignment that can satisfy them (RangeCheckExhaustive).
TEST(Gadgets, DivModSoundness)
{
    constexpr unsigned n = 3;
    for (uint64_t xv = 0; xv < 8; ++xv)
        for (uint64_t dv = 1; dv < 8; ++dv) {
            Builder b;
            const Signal x = b.private_input("x", F(xv)), d = b.private_input("d", F(dv));
            const DivMod qr = divmod(b, x, d, n);
            // Layout: one, x, d, x bits (2), d bits (2), q, r, q bits, r bits, (d - 1 - r) bits.
            ASSERT_EQ(b.wire_count(), 15u);
            ASSERT_EQ(wire(qr.quotient), 7u);
            ASSERT_EQ(wire(qr.remainder), 8u);
            expect_wires_bound(b, 1, 15);
            std::vector<std::pair<Fr, Fr>> inputs = {{F(xv), F(dv)}, {F(xv), F(0)}, {F(xv + 8), F(dv)},
                                                     {minus(xv + 1), F(dv)}};
            for (const auto& [xi, di] : inputs) {
                std::vector<Fr> q_candidates, r_candidates;
                for (uint64_t v = 0; v < 10; ++v) {
                    q_candidates.push_back(F(v));
                    r_candidates.push_back(F(v));
                }
                q_candidates.push_back(minus(1));
                r_candidates.push_back(minus(1));
                for (uint64_t r = 0; r < 8; ++r) {
                    const Fr q = di.is_zero() ? Fr::zero() : (xi - F(r)) * di.inverse();
                    if (std::find(q_candidates.begin(), q_candidates.end(), q) == q_candidates.end())
                        q_candidates.push_back(q);
                }
                int satisfying = 0;
                for (const Fr& q : q_candidates)
                    for (const Fr& r : r_candidates) {
                        auto values = b.values();
                        values[1] = xi;
                        values[2] = di;
                        set_low_bits(values, 3, xi, n);
                        set_low_bits(values, 5, di, n);
                        values[7] = q;
                        values[8] = r;
                        set_low_bits(values, 9, q, n);
                        set_low_bits(values, 11, r, n);
                        set_low_bits(values, 13, di - Fr::one() - r, n);
                        if (!b.first_violation(values)) {
                            ++satisfying;
                            EXPECT_EQ(q, F(xv / dv));
                            EXPECT_EQ(r, F(xv % dv));
                        }
                    }
                const bool honest = xi == F(xv) && di == F(dv);
                EXPECT_EQ(satisfying, honest ? 1 : 0) << "x " << xi.to_decimal() << " d " << di.to_decimal();
            }
        }
}

// ---- Modes ----

namespace {

void everything(Builder& b)
{
    const Signal x = b.private_input("x", F(1000)), y = b.public_input("y", F(37));
    const Signal bit = b.private_input("bit", F(1));
    assert_boolean(b, bit);
    const auto bits = to_bits(b, x, 16);
    assert_range(b, y, 8);
    const Signal lt = less_than(b, y, x, 16);
    const Signal le = less_or_equal_unchecked(b, y, x, 16);
    const Signal z = is_zero(b, x - Builder::constant(1000));
    const Signal eq = is_equal(b, x, y);
    assert_not_equal(b, x, y);
    assert_less_than(b, y, x, 16);
    const Signal s = select(b, bit, from_bits(bits), y);
    const DivMod qr = divmod(b, x, y, 16);
    b.public_output("out", s + lt + le + z + eq + qr.quotient + qr.remainder + boolean_xor(b, lt, bit));
}

}  // namespace

TEST(Gadgets, WitnessOnlyModeMatchesFullMode)
{
    Builder full(Mode::full), fast(Mode::witness_only);
    everything(full);
    everything(fast);
    EXPECT_EQ(full.constraint_count(), fast.constraint_count());
    EXPECT_EQ(full.wire_count(), fast.wire_count());
    EXPECT_EQ(full.witness_file().values, fast.witness_file().values);
    EXPECT_FALSE(full.first_violation(full.values()));
    // 1 + 16 + 8 + (3*16+1) + 17 + 2 + 2 + 1 + 3*16 + 1 + (5*16+1) + 1 (xor) + 1 (output)
    EXPECT_EQ(full.constraint_count(), 1u + 16 + 8 + 49 + 17 + 2 + 2 + 1 + 48 + 1 + 81 + 1 + 1);
    EXPECT_EQ(full.public_values()[0], F(1000 + 1 + 1 + 1 + 0 + 27 + 1 + 0));
}

// Regression (builder.hpp): a default Signal is the constant 0 and must keep terms when combined,
// or -x and sums accumulated from Signal() lose their wires in Mode::full, which left a public
// output of -x unconstrained.
TEST(Gadgets, DefaultZeroSignalKeepsTerms)
{
    Builder b;
    const Signal x = b.private_input("x", F(3));
    Signal acc;
    acc += x;
    b.public_output("neg", -x);
    b.public_output("acc", acc);
    ASSERT_FALSE(b.first_violation(b.values()));
    // Export order puts outputs first, but builder order has them after x: wires 2 and 3.
    for (uint32_t w : {2u, 3u}) {
        auto values = b.values();
        values[w] += Fr::one();
        EXPECT_TRUE(b.first_violation(values)) << "output wire " << w << " is unconstrained";
    }
}
