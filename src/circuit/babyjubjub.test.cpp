#include "circuit/babyjubjub.hpp"

#include "circuit/gadgets.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace provernet::circuit {
namespace {

using math::U256;

U256 random_u256(std::mt19937_64& rng, unsigned bits = 256)
{
    U256 x(rng(), rng(), rng(), rng());
    for (unsigned i = bits; i < 256; ++i)
        x.limb[i / 64] &= ~(uint64_t(1) << (i % 64));
    return x;
}

U256 u256(uint64_t v) { return U256(v); }

U256 minus(const U256& a, const U256& b)
{
    U256 r;
    U256::sub(r, a, b);
    return r;
}

U256 plus(const U256& a, const U256& b)
{
    U256 r;
    U256::add(r, a, b);
    return r;
}

U256 multiple_l(unsigned k)
{
    U256 r;
    for (unsigned i = 0; i < k; ++i)
        U256::add(r, r, babyjub_order);
    return r;
}

// The 8 points of small order: multiples of l G, which has order 8.
std::vector<BabyJubPoint> small_order_points()
{
    const BabyJubPoint t8 = babyjub_mul(babyjub_generator(), babyjub_order);
    std::vector<BabyJubPoint> points;
    BabyJubPoint p = babyjub_identity();
    for (int i = 0; i < 8; ++i) {
        points.push_back(p);
        p = babyjub_add(p, t8);
    }
    return points;
}

BabyJubPointSignals inputs(Builder& b, const BabyJubPoint& p, const std::string& name)
{
    return {b.private_input(name + ".x", p.x), b.private_input(name + ".y", p.y)};
}

BabyJubPoint value(const BabyJubPointSignals& p) { return {p.x.value(), p.y.value()}; }

// Every wire from `first` on is pinned: adding 1 to any single one violates a constraint.
void expect_wires_pinned(const Builder& b, size_t first)
{
    ASSERT_FALSE(b.first_violation(b.values()));
    for (size_t w = first; w < b.wire_count(); ++w) {
        auto values = b.values();
        values[w] += Fr::one();
        EXPECT_TRUE(b.first_violation(values)) << "wire " << w << " is free";
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

// ---- Constants and native arithmetic ----

TEST(BabyJubjub, ConstantsAgreeWithEip2494)
{
    EXPECT_EQ(babyjub_order.to_decimal(),
              "2736030358979909402780800718157159386076813972158567259200215660948447373041");
    EXPECT_EQ(babyjub_a().legendre(), 1);   // a square ...
    EXPECT_EQ(babyjub_d().legendre(), -1);  // ... d not: the addition law is complete
    // Montgomery form: A = 2 (a + d) / (a - d), B = 4 / (a - d) = 1.
    const Fr a_minus_d = babyjub_a() - babyjub_d();
    EXPECT_EQ(babyjub_montgomery_a(), (babyjub_a() + babyjub_d()).dbl() * a_minus_d.inverse());
    EXPECT_EQ(Fr::from_uint(4) * a_minus_d.inverse(), Fr::one());

    const BabyJubPoint& g = babyjub_generator();
    const BabyJubPoint& b8 = babyjub_base8();
    EXPECT_TRUE(babyjub_on_curve(g));
    EXPECT_TRUE(babyjub_on_curve(b8));
    EXPECT_EQ(babyjub_double(babyjub_double(babyjub_double(g))), b8);
    EXPECT_EQ(babyjub_mul(g, u256(8)), b8);
    // B8 has order l (prime), G order 8 l.
    EXPECT_NE(b8, babyjub_identity());
    EXPECT_EQ(babyjub_mul(b8, babyjub_order), babyjub_identity());
    EXPECT_TRUE(babyjub_in_subgroup(b8));
    EXPECT_FALSE(babyjub_in_subgroup(g));
    const BabyJubPoint t8 = babyjub_mul(g, babyjub_order);
    EXPECT_NE(babyjub_mul(t8, u256(4)), babyjub_identity());
    EXPECT_EQ(babyjub_mul(t8, u256(8)), babyjub_identity());
    // The curve order 8 l, and l < p < 8 l.
    EXPECT_LT(babyjub_order, math::FrParams::modulus);
    EXPECT_EQ(BabyJubScalar::modulus, babyjub_order);
}

TEST(BabyJubjub, MontgomeryMapIsABijectionOnAffinePoints)
{
    std::mt19937_64 rng(1);
    for (int i = 0; i < 8; ++i) {
        const BabyJubPoint p = babyjub_mul(babyjub_generator(), random_u256(rng));
        const auto m = babyjub_to_montgomery(p);
        ASSERT_TRUE(m.has_value());
        EXPECT_TRUE(babyjub_montgomery_on_curve(*m));
        EXPECT_EQ(babyjub_from_montgomery(*m), p);
    }
    EXPECT_FALSE(babyjub_to_montgomery(babyjub_identity()).has_value());
    EXPECT_FALSE(babyjub_to_montgomery({Fr::zero(), -Fr::one()}).has_value());
    EXPECT_FALSE(babyjub_montgomery_on_curve({Fr::from_uint(1), Fr::from_uint(1)}));
}

TEST(BabyJubjub, GroupLaw)
{
    std::mt19937_64 rng(2);
    const BabyJubPoint& b8 = babyjub_base8();
    const BabyJubPoint o = babyjub_identity();
    for (int i = 0; i < 6; ++i) {
        const BabyJubPoint p = babyjub_mul(b8, random_u256(rng));
        const BabyJubPoint q = babyjub_mul(babyjub_generator(), random_u256(rng));
        const BabyJubPoint r = babyjub_mul(b8, random_u256(rng));
        EXPECT_TRUE(babyjub_on_curve(p) && babyjub_on_curve(q));
        EXPECT_EQ(babyjub_add(p, q), babyjub_add(q, p));
        EXPECT_EQ(babyjub_add(babyjub_add(p, q), r), babyjub_add(p, babyjub_add(q, r)));
        EXPECT_EQ(babyjub_add(p, o), p);
        EXPECT_EQ(babyjub_add(p, babyjub_negate(p)), o);
        EXPECT_EQ(babyjub_double(q), babyjub_add(q, q));
        EXPECT_TRUE(babyjub_on_curve(babyjub_add(p, q)));
        // (k1 + k2) P = k1 P + k2 P
        const U256 k1 = random_u256(rng, 255), k2 = random_u256(rng, 255);
        EXPECT_EQ(babyjub_mul(q, plus(k1, k2)), babyjub_add(babyjub_mul(q, k1), babyjub_mul(q, k2)));
        EXPECT_EQ(babyjub_mul(p, plus(babyjub_order, u256(5))), babyjub_mul(p, u256(5)));
    }
    // Small multiples against repeated addition.
    BabyJubPoint sum = o;
    for (uint64_t k = 0; k < 20; ++k) {
        EXPECT_EQ(babyjub_mul(babyjub_generator(), u256(k)), sum) << k;
        sum = babyjub_add(sum, babyjub_generator());
    }
}

TEST(BabyJubjub, SmallOrderPoints)
{
    const auto points = small_order_points();
    for (size_t i = 0; i < points.size(); ++i) {
        EXPECT_TRUE(babyjub_on_curve(points[i])) << i;
        EXPECT_TRUE(babyjub_has_small_order(points[i])) << i;
        EXPECT_EQ(babyjub_in_subgroup(points[i]), i == 0) << i;
        for (size_t j = 0; j < i; ++j)
            EXPECT_NE(points[i], points[j]);
    }
    EXPECT_EQ(points[4], (BabyJubPoint{Fr::zero(), -Fr::one()}));  // the point of order 2
    EXPECT_FALSE(babyjub_has_small_order(babyjub_base8()));
    EXPECT_FALSE(babyjub_has_small_order(babyjub_add(babyjub_base8(), points[1])));
}

TEST(BabyJubjub, ScalarField)
{
    const BabyJubScalar minus_one = -BabyJubScalar::one();
    EXPECT_EQ(minus_one * minus_one, BabyJubScalar::one());
    EXPECT_EQ(minus_one.to_u256(), minus(babyjub_order, u256(1)));
    EXPECT_TRUE(BabyJubScalar::from_u256_reduce(babyjub_order).is_zero());
    const BabyJubScalar x = BabyJubScalar::from_u256_reduce(math::FrParams::modulus);
    EXPECT_EQ(x * x.inverse(), BabyJubScalar::one());
    // Scalars act mod l on the subgroup.
    const BabyJubScalar k = BabyJubScalar::from_uint(1234567) * x;
    EXPECT_EQ(babyjub_mul(babyjub_base8(), k.to_u256()),
              babyjub_mul(babyjub_mul(babyjub_base8(), u256(1234567)), math::FrParams::modulus));
}

// ---- Gadgets ----

TEST(BabyJubGadgets, OnCurve)
{
    Builder b;
    babyjub_assert_on_curve(b, inputs(b, babyjub_base8(), "p"));
    EXPECT_EQ(b.constraint_count(), 3u);
    expect_wires_pinned(b, 3);
    for (const Mode mode : {Mode::full, Mode::witness_only}) {
        Builder c(mode);
        const BabyJubPoint off{babyjub_base8().x, babyjub_base8().y + Fr::one()};
        expect_violation([&] { babyjub_assert_on_curve(c, inputs(c, off, "p"), "key A"); }, "key A");
    }
}

TEST(BabyJubGadgets, AddAndDoubleMatchNative)
{
    std::mt19937_64 rng(3);
    std::vector<BabyJubPoint> points = small_order_points();
    for (int i = 0; i < 4; ++i)
        points.push_back(babyjub_mul(babyjub_generator(), random_u256(rng)));
    points.push_back(babyjub_negate(points.back()));
    for (const BabyJubPoint& p : points) {
        Builder d;
        const BabyJubPointSignals dp = babyjub_double(d, inputs(d, p, "p"));
        EXPECT_EQ(value(dp), babyjub_double(p));
        EXPECT_EQ(d.constraint_count(), 5u);
        EXPECT_FALSE(d.first_violation(d.values()));
        for (const BabyJubPoint& q : points) {
            Builder b;
            const BabyJubPointSignals sum = babyjub_add(b, inputs(b, p, "p"), inputs(b, q, "q"));
            EXPECT_EQ(value(sum), babyjub_add(p, q));
            EXPECT_EQ(b.constraint_count(), 6u);
            EXPECT_FALSE(b.first_violation(b.values()));
        }
        // A constant operand: 3 constraints.
        Builder c;
        const BabyJubPointSignals sum =
            babyjub_add(c, inputs(c, p, "p"), {Builder::constant(points[6].x), Builder::constant(points[6].y)});
        EXPECT_EQ(value(sum), babyjub_add(p, points[6]));
        EXPECT_EQ(c.constraint_count(), 3u);
    }
    Builder b;
    const BabyJubPointSignals p = inputs(b, points[9], "p"), q = inputs(b, points[10], "q");
    const size_t first = b.wire_count();
    babyjub_double(b, babyjub_add(b, p, q));
    expect_wires_pinned(b, first);
}

TEST(BabyJubGadgets, AssertSum)
{
    const BabyJubPoint p = babyjub_mul(babyjub_base8(), u256(77)), q = babyjub_mul(babyjub_base8(), u256(99));
    Builder b;
    babyjub_assert_sum(b, inputs(b, p, "p"), inputs(b, q, "q"), inputs(b, babyjub_add(p, q), "r"));
    EXPECT_EQ(b.constraint_count(), 6u);
    expect_wires_pinned(b, 1);
    Builder c;
    expect_violation([&] { babyjub_assert_sum(c, inputs(c, p, "p"), inputs(c, q, "q"), inputs(c, p, "r"), "sum"); },
                     "sum");
}

TEST(BabyJubGadgets, NotSmallOrder)
{
    for (const BabyJubPoint& t : small_order_points()) {
        for (const Mode mode : {Mode::full, Mode::witness_only}) {
            Builder b(mode);
            expect_violation([&] { babyjub_assert_not_small_order(b, inputs(b, t, "t"), "key A"); }, "key A");
        }
    }
    // Points of large order pass, also with a small-order component, and 8 P comes back.
    const BabyJubPoint p = babyjub_add(babyjub_mul(babyjub_base8(), u256(5)), small_order_points()[3]);
    Builder b;
    const BabyJubPointSignals p8 = babyjub_assert_not_small_order(b, inputs(b, p, "p"));
    EXPECT_EQ(value(p8), babyjub_mul(p, u256(8)));
    EXPECT_EQ(b.constraint_count(), 16u);
    expect_wires_pinned(b, 3);
}

// The bits of k as private inputs constrained boolean.
std::vector<Signal> bit_inputs(Builder& b, const U256& k, unsigned n)
{
    std::vector<Signal> bits;
    for (unsigned i = 0; i < n; ++i) {
        bits.push_back(b.private_input("k" + std::to_string(i), k.bit(i) ? Fr::one() : Fr::zero()));
        assert_boolean(b, bits.back());
    }
    return bits;
}

TEST(BabyJubGadgets, FixedBaseMatchesNative)
{
    std::mt19937_64 rng(4);
    std::vector<std::pair<U256, unsigned>> cases = {
        {u256(0), 251},   {u256(1), 251}, {minus(babyjub_order, u256(1)), 251}, {random_u256(rng, 251), 251},
        {random_u256(rng, 252), 252}, {minus(U256(0, 0, 0, uint64_t(1) << 60), u256(1)), 252},
        {u256(5), 3},     {u256(2), 2},   {u256(1), 1}, {u256(13), 4}, {u256(45), 6}, {random_u256(rng, 100), 100}};
    for (const auto& [k, n] : cases) {
        Builder b;
        const auto bits = bit_inputs(b, k, n);
        const size_t before = b.constraint_count();
        const BabyJubPointSignals r = babyjub_mul_fixed(b, bits, babyjub_base8());
        EXPECT_EQ(value(r), babyjub_mul(babyjub_base8(), k)) << k.to_decimal() << " " << n;
        EXPECT_FALSE(b.first_violation(b.values()));
        if (n == 251) {
            EXPECT_EQ(b.constraint_count() - before, 504u);
        }
    }
    // Another base (computed tables) and the argument checks.
    const BabyJubPoint base = babyjub_mul(babyjub_base8(), u256(12345));
    const U256 k = random_u256(rng, 251);
    Builder b;
    EXPECT_EQ(value(babyjub_mul_fixed(b, bit_inputs(b, k, 251), base)), babyjub_mul(base, k));
    EXPECT_THROW(babyjub_mul_fixed(b, bit_inputs(b, k, 253), base), std::invalid_argument);
    EXPECT_THROW(babyjub_mul_fixed(b, bit_inputs(b, k, 8), babyjub_generator()), std::invalid_argument);
    EXPECT_THROW(babyjub_mul_fixed(b, bit_inputs(b, k, 8), babyjub_identity()), std::invalid_argument);
}

TEST(BabyJubGadgets, FixedBaseWiresPinnedAndModesAgree)
{
    std::mt19937_64 rng(5);
    const U256 k = random_u256(rng, 251);
    Builder full(Mode::full), fast(Mode::witness_only);
    const auto r1 = babyjub_mul_fixed(full, bit_inputs(full, k, 251), babyjub_base8());
    const auto r2 = babyjub_mul_fixed(fast, bit_inputs(fast, k, 251), babyjub_base8());
    EXPECT_EQ(value(r1), value(r2));
    EXPECT_EQ(full.values(), fast.values());
    EXPECT_EQ(full.constraint_count(), fast.constraint_count());
    expect_wires_pinned(full, 252);
}

std::vector<U256> edge_scalars()
{
    const U256 p = math::FrParams::modulus, l = babyjub_order;
    std::mt19937_64 rng(6);
    U256 k = random_u256(rng, 254);
    while (!(k < p))
        k = random_u256(rng, 254);
    return {u256(0), u256(1), u256(2), u256(3),  minus(l, u256(1)), l, plus(l, u256(1)), minus(p, u256(1)),
            U256(0, 0, 0, uint64_t(1) << 61),  // 2^253
            minus(U256(0, 0, 0, uint64_t(1) << 61), u256(1)), k};
}

TEST(BabyJubGadgets, VariableBaseMatchesNative)
{
    std::mt19937_64 rng(7);
    const BabyJubPoint p = babyjub_mul(babyjub_base8(), random_u256(rng));
    for (const BabyJubPoint& base : {babyjub_base8(), p}) {
        for (const U256& k : edge_scalars()) {
            Builder b;
            const Signal ks = b.private_input("k", Fr::from_canonical(k).value());
            const BabyJubPointSignals ps = inputs(b, base, "p");
            const BabyJubPointSignals r = babyjub_mul(b, ks, ps);
            EXPECT_EQ(value(r), babyjub_mul(base, k)) << k.to_decimal();
            EXPECT_FALSE(b.first_violation(b.values())) << k.to_decimal();
            EXPECT_EQ(b.constraint_count(), babyjub_mul_constraint_count());
        }
    }
    EXPECT_EQ(babyjub_mul_constraint_count(), 1941u);
}

TEST(BabyJubGadgets, VariableBaseDecompositionNeedsBothBounds)
{
    // N = k + 11 l is pinned by its bits only mod p: N - p and N + p also have 255 bits with the
    // top one set for some k, and would give (k -+ p) P. The two comparisons exclude them.
    const U256 p = math::FrParams::modulus, top = U256(0, 0, 0, uint64_t(1) << 62);  // 2^254
    const U256 low = multiple_l(11), high = minus(plus(low, p), u256(1));
    const U256 n_max = plus(minus(p, u256(1)), low), n_min = low;
    const U256 below = minus(n_max, p), above = plus(n_min, p);
    EXPECT_TRUE(top <= below && below < low);                      // caught by N >= 11 l
    EXPECT_TRUE(high < above && above.bit_length() == 255);          // caught by N <= 11 l + p - 1
    EXPECT_TRUE(top <= low && high.bit_length() == 255);
}

TEST(BabyJubGadgets, VariableBaseOutsideTheSubgroupGivesTheOffsetMultiple)
{
    // For a point of order 2 l the result is (k + 11 l) P: documented, not k P.
    const BabyJubPoint p = babyjub_add(babyjub_mul(babyjub_base8(), u256(3)), small_order_points()[4]);
    const U256 k(987654321);
    Builder b;
    const Signal ks = b.private_input("k", Fr::from_canonical(k).value());
    const BabyJubPointSignals r = babyjub_mul(b, ks, inputs(b, p, "p"));
    EXPECT_EQ(value(r), babyjub_add(babyjub_mul(p, k), babyjub_mul(p, multiple_l(11))));
}

TEST(BabyJubGadgets, VariableBaseWiresPinnedAndModesAgree)
{
    const U256 k = edge_scalars().back();
    const BabyJubPoint p = babyjub_mul(babyjub_base8(), u256(424242));
    Builder full(Mode::full), fast(Mode::witness_only);
    const auto r1 = babyjub_mul(full, full.private_input("k", Fr::from_canonical(k).value()), inputs(full, p, "p"));
    const auto r2 = babyjub_mul(fast, fast.private_input("k", Fr::from_canonical(k).value()), inputs(fast, p, "p"));
    EXPECT_EQ(value(r1), value(r2));
    EXPECT_EQ(full.values(), fast.values());
    EXPECT_EQ(full.constraint_count(), fast.constraint_count());
    expect_wires_pinned(full, 4);
}

TEST(BabyJubGadgets, ScalarBits)
{
    const U256 l = babyjub_order;
    for (const U256& s : {u256(0), u256(1), minus(l, u256(1)), minus(l, u256(16))}) {
        Builder b;
        const auto bits = babyjub_scalar_bits(b, b.private_input("s", Fr::from_canonical(s).value()));
        ASSERT_EQ(bits.size(), 251u);
        for (unsigned i = 0; i < 251; ++i)
            EXPECT_EQ(bits[i].value().is_one(), s.bit(i));
        EXPECT_EQ(b.constraint_count(), 311u);
        expect_wires_pinned(b, 2);
    }
    for (const U256& s : {l, plus(l, u256(1)), minus(math::FrParams::modulus, u256(1))}) {
        for (const Mode mode : {Mode::full, Mode::witness_only}) {
            Builder b(mode);
            expect_violation(
                [&] { babyjub_scalar_bits(b, b.private_input("s", Fr::from_canonical(s).value()), "signature S"); },
                "signature S");
        }
    }
}

}  // namespace
}  // namespace provernet::circuit
