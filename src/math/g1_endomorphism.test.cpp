#include "math/g1_endomorphism.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace provernet::math;

TEST(G1Endomorphism, BetaAndLambdaArePrimitiveCubeRootsThatAgree)
{
    const Fq& beta = g1_endomorphism_beta();
    const Fr& lambda = g1_endomorphism_lambda();
    EXPECT_NE(beta, Fq::one());
    EXPECT_EQ(beta * beta * beta, Fq::one());
    EXPECT_NE(lambda, Fr::one());
    EXPECT_EQ(lambda * lambda * lambda, Fr::one());
    // phi = [lambda] on random points of the group, and phi maps the curve to itself.
    std::mt19937_64 rng(5);
    for (int i = 0; i < 8; ++i) {
        const G1Affine p = G1Affine::generator().mul(U256(rng(), rng(), 0, 0)).to_affine();
        const G1Affine q = g1_endomorphism(p);
        EXPECT_TRUE(q.is_on_curve());
        EXPECT_EQ(q.to_jacobian(), p.mul(lambda.to_u256()));
    }
    EXPECT_TRUE(g1_endomorphism(G1Affine::infinity()).is_infinity());
}

TEST(G1Endomorphism, DoubleScalarMultiplicationEqualsTheCombinedScalar)
{
    std::mt19937_64 rng(9);
    const Fr& lambda = g1_endomorphism_lambda();
    const G1Affine p = G1Affine::generator().mul(U256(rng(), rng(), rng(), 0)).to_affine();
    auto combined = [&](uint64_t a, uint64_t b) { return (Fr::from_uint(a) + lambda * Fr::from_uint(b)).to_u256(); };
    const std::pair<uint64_t, uint64_t> edges[] = {{0, 0}, {1, 0}, {0, 1}, {~0ull, ~0ull}, {~0ull, 0}, {1ull << 63, 1}};
    for (const auto& [a, b] : edges)
        EXPECT_EQ(g1_mul_glv(p, a, b), p.mul(combined(a, b))) << a << " " << b;
    for (int i = 0; i < 16; ++i) {
        const uint64_t a = rng(), b = rng();
        EXPECT_EQ(g1_mul_glv(p, a, b), p.mul(combined(a, b)));
    }
    EXPECT_TRUE(g1_mul_glv(G1Affine::infinity(), 3, 4).is_infinity());
}
