#include "circuit/builder.hpp"

#include <gtest/gtest.h>

using namespace provernet::circuit;
using provernet::math::Fr;

namespace {

// y = x^3 + x + 5, with x private and y public.
Signal cubic(Builder& b, const Fr& x_value)
{
    const Signal x = b.private_input("x", x_value);
    const Signal x2 = b.mul(x, x);
    const Signal x3 = b.mul(x2, x);
    const Signal y = x3 + x + Builder::constant(5);
    b.public_output("y", y);
    return y;
}

}  // namespace

TEST(Builder, CubicConstraintsAndWitness)
{
    Builder b;
    const Signal y = cubic(b, Fr::from_uint(3));
    EXPECT_EQ(y.value(), Fr::from_uint(35));
    EXPECT_EQ(b.constraint_count(), 3u);  // two products and the output
    EXPECT_FALSE(b.first_violation(b.values()));
    const auto r1cs = b.r1cs();
    EXPECT_EQ(r1cs.header.n_wires, 5u);
    EXPECT_EQ(r1cs.header.n_pub_out, 1u);
    EXPECT_EQ(r1cs.header.n_prv_in, 1u);
    const auto w = b.witness_file();
    // Export order: one, output y, private x, internals.
    EXPECT_EQ(w.values[0], provernet::math::U256(1));
    EXPECT_EQ(w.values[1], provernet::math::U256(35));
    EXPECT_EQ(w.values[2], provernet::math::U256(3));
    EXPECT_EQ(b.public_names(), std::vector<std::string>{"y"});
}

TEST(Builder, TamperedWitnessViolates)
{
    Builder b;
    cubic(b, Fr::from_uint(3));
    for (size_t wire = 1; wire < b.wire_count(); ++wire) {
        auto values = b.values();
        values[wire] += Fr::one();
        EXPECT_TRUE(b.first_violation(values)) << "wire " << wire;
    }
}

TEST(Builder, WitnessOnlyModeMatchesFullMode)
{
    Builder full(Mode::full), fast(Mode::witness_only);
    cubic(full, Fr::from_uint(11));
    cubic(fast, Fr::from_uint(11));
    EXPECT_EQ(full.witness_file().values, fast.witness_file().values);
    EXPECT_EQ(full.constraint_count(), fast.constraint_count());
    EXPECT_THROW(fast.r1cs(), std::logic_error);
}

TEST(Builder, ConstantsCostNothing)
{
    Builder b;
    const Signal x = b.private_input("x", Fr::from_uint(2));
    const Signal y = b.mul(x, Builder::constant(7)) + b.mul(Builder::constant(3), Builder::constant(4));
    EXPECT_EQ(y.value(), Fr::from_uint(26));
    EXPECT_EQ(b.constraint_count(), 0u);
}

TEST(Builder, UnsatisfiableAssertionThrows)
{
    Builder b;
    const Signal x = b.private_input("x", Fr::from_uint(2));
    EXPECT_THROW(b.assert_equal(x, Builder::constant(3), "x == 3"), ConstraintViolation);
}
