#include "math/msm.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace provernet::math;

namespace {

template <class Jac>
void check_msm_against_naive(size_t n, uint64_t seed, bool small_scalars)
{
    std::mt19937_64 rng(seed);
    using Aff = typename Jac::Affine;
    std::vector<Jac> jac(n);
    Jac p = Jac::generator();
    for (size_t i = 0; i < n; ++i) {
        p = p.dbl() + Jac::generator().mul(U256(rng()));
        jac[i] = p;
    }
    std::vector<Aff> bases(n);
    batch_to_affine(jac.data(), bases.data(), n);
    if (n > 3)
        bases[3] = Aff::infinity();
    std::vector<U256> scalars(n);
    for (size_t i = 0; i < n; ++i) {
        if (small_scalars)
            scalars[i] = U256(rng() % 3);
        else
            scalars[i] = Fr::from_u256_reduce(U256(rng(), rng(), rng(), rng())).to_u256();
    }
    if (n > 5) {
        // Extremes: r - 1 and a scalar whose every window overflows into a carry.
        U256 rm1;
        U256::sub(rm1, Fr::modulus, U256(1));
        scalars[4] = rm1;
        scalars[5] = U256(~0ull, ~0ull, ~0ull, 0x1fffffffffffffffull);
    }
    Jac expected = Jac::infinity();
    for (size_t i = 0; i < n; ++i)
        expected += bases[i].to_jacobian().mul(scalars[i]);
    EXPECT_EQ(msm(std::span<const Aff>(bases), std::span<const U256>(scalars)), expected) << "n=" << n;
}

}  // namespace

TEST(Msm, G1MatchesNaive)
{
    for (size_t n : {0, 1, 2, 7, 16, 33, 100, 513, 2000})
        check_msm_against_naive<G1>(n, n + 1, false);
}

TEST(Msm, G1SmallScalars) { check_msm_against_naive<G1>(3000, 9, true); }

TEST(Msm, G2MatchesNaive)
{
    for (size_t n : {1, 5, 40, 300})
        check_msm_against_naive<G2>(n, n + 100, false);
}

TEST(Msm, RepeatedAndOppositeBases)
{
    // The same base many times and a base with its negation: exercises the doubling and
    // cancellation special cases inside buckets.
    for (const size_t n : {size_t(200), size_t(4000)}) {  // Jacobian and batch-affine buckets
    ASSERT_GE(msm_window_bits(4000), 8u);
    std::vector<G1Affine> bases(n, G1Affine::generator());
    for (size_t i = 0; i < n; i += 2)
        bases[i] = -G1Affine::generator();
    std::vector<U256> scalars(n, U256(7));
    // 100 * 7 * G - 100 * 7 * G = O
    EXPECT_TRUE(msm(std::span<const G1Affine>(bases), std::span<const U256>(scalars)).is_infinity());
    scalars[1] = U256(8);
    EXPECT_EQ(msm(std::span<const G1Affine>(bases), std::span<const U256>(scalars)), G1::generator());
    // Equal points landing in one bucket: doublings inside a batch.
    for (size_t i = 0; i < n; i += 2)
        bases[i] = G1Affine::generator();
    scalars.assign(n, U256(5));
    EXPECT_EQ(msm(std::span<const G1Affine>(bases), std::span<const U256>(scalars)),
              G1::generator().mul(U256(5 * n)));
    }
}

TEST(Msm, BatchAffineBucketsMatchNaive)
{
    // Large enough for affine buckets (c >= 10), with full scalars, then with tiny scalars that
    // crowd a few buckets (every point after the first conflicts).
    ASSERT_GE(msm_window_bits(7000), 10u);
    check_msm_against_naive<G1>(7000, 77, false);
    check_msm_against_naive<G1>(7000, 78, true);
    check_msm_against_naive<G2>(7000, 79, true);
}

TEST(MsmU64, EqualsTheNaiveSumForEverySizeAndEdgeScalar)
{
    std::mt19937_64 rng(77);
    for (size_t n : {0, 1, 2, 15, 16, 63, 64, 130, 300}) {
        std::vector<G1> jac(n);
        G1 p = G1::generator();
        for (size_t i = 0; i < n; ++i) {
            p = p.dbl() + G1::generator().mul(U256(rng()));
            jac[i] = p;
        }
        std::vector<G1Affine> bases(n);
        batch_to_affine(jac.data(), bases.data(), n);
        std::vector<uint64_t> scalars(n);
        for (size_t i = 0; i < n; ++i)
            scalars[i] = rng();
        if (n > 2) {
            scalars[0] = 0;
            scalars[1] = ~0ull;  // every window full
            bases[2] = G1Affine::infinity();
        }
        if (n > 4)
            bases[4] = bases[3];  // a repeated point: bucket additions that double
        G1 expected = G1::infinity();
        for (size_t i = 0; i < n; ++i)
            expected += bases[i].mul(U256(scalars[i]));
        EXPECT_EQ(msm_u64(bases, scalars), expected) << "n = " << n;
    }
    EXPECT_THROW(msm_u64(std::vector<G1Affine>(2), std::vector<uint64_t>(3)), std::invalid_argument);
}
