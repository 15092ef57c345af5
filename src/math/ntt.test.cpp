#include "math/ntt.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace provernet::math;

namespace {
std::vector<Fr> random_vector(size_t n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<Fr> v(n);
    for (auto& x : v)
        x = Fr::from_u256_reduce(U256(rng(), rng(), rng(), rng() >> 3));
    return v;
}
Fr eval(const std::vector<Fr>& coeffs, const Fr& x)
{
    Fr acc = Fr::zero();
    for (size_t i = coeffs.size(); i-- > 0;)
        acc = acc * x + coeffs[i];
    return acc;
}
}  // namespace

TEST(Ntt, RootsOfUnity)
{
    // The 2^28-th root has exact order 2^28.
    Fr w = root_of_unity(28);
    for (int i = 0; i < 27; ++i)
        w = w.square();
    EXPECT_EQ(w, -Fr::one());
    EXPECT_EQ(root_of_unity(1), -Fr::one());
    EXPECT_EQ(root_of_unity(0), Fr::one());
    // ffjavascript's table: Fr.w[28] for bn128 (the value every snarkjs zkey's H points rely on).
    EXPECT_EQ(root_of_unity(28).to_decimal(),
              "19103219067921713944291392827692070036145651957329286315305642004821462161904");
}

TEST(Ntt, FftMatchesEvaluation)
{
    for (unsigned k : {0u, 1u, 2u, 5u, 8u}) {
        const Domain d(k);
        auto coeffs = random_vector(d.size(), k);
        auto vals = coeffs;
        d.fft(vals);
        Fr x = Fr::one();
        for (size_t i = 0; i < d.size(); ++i, x *= d.omega())
            EXPECT_EQ(vals[i], eval(coeffs, x)) << "k=" << k << " i=" << i;
        d.ifft(vals);
        EXPECT_EQ(vals, coeffs);
    }
}

TEST(Ntt, LargeRoundTripParallelPath)
{
    const Domain d(14);
    auto coeffs = random_vector(d.size(), 99);
    auto vals = coeffs;
    d.fft(vals);
    EXPECT_EQ(vals[77], eval(coeffs, d.omega().pow(U256(77))));
    d.ifft(vals);
    EXPECT_EQ(vals, coeffs);
}

TEST(Ntt, DifThenDitIsIdentityUpToScaling)
{
    const Domain d(10);
    auto a = random_vector(d.size(), 3);
    auto b = a;
    d.dif(b, false);
    d.dit(b, true);
    const Fr n = Fr::from_uint(d.size());
    for (size_t i = 0; i < a.size(); ++i)
        EXPECT_EQ(b[i], a[i] * n);
}
