#include "math/msm.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

using namespace provernet::math;

namespace {
template <class Jac>
std::vector<typename Jac::Affine> random_bases(size_t n)
{
    std::mt19937_64 rng(1);
    std::vector<Jac> jac(n);
    Jac p = Jac::generator().mul(U256(rng()));
    const Jac step = Jac::generator().mul(U256(rng(), rng(), 0, 0));
    for (size_t i = 0; i < n; ++i) {
        jac[i] = p;
        p = p + step;
    }
    std::vector<typename Jac::Affine> out(n);
    batch_to_affine(jac.data(), out.data(), n);
    return out;
}
std::vector<U256> random_scalars(size_t n)
{
    std::mt19937_64 rng(2);
    std::vector<U256> s(n);
    for (auto& x : s)
        x = Fr::from_u256_reduce(U256(rng(), rng(), rng(), rng())).to_u256();
    return s;
}
}  // namespace

static void BM_MsmG1(benchmark::State& state)
{
    const size_t n = size_t(state.range(0));
    const auto bases = random_bases<G1>(n);
    const auto scalars = random_scalars(n);
    for (auto _ : state)
        benchmark::DoNotOptimize(msm(std::span<const G1Affine>(bases), std::span<const U256>(scalars)));
}
BENCHMARK(BM_MsmG1)->RangeMultiplier(4)->Range(1 << 12, 1 << 16)->Unit(benchmark::kMillisecond);

static void BM_MsmG2(benchmark::State& state)
{
    const size_t n = size_t(state.range(0));
    const auto bases = random_bases<G2>(n);
    const auto scalars = random_scalars(n);
    for (auto _ : state)
        benchmark::DoNotOptimize(msm(std::span<const G2Affine>(bases), std::span<const U256>(scalars)));
}
BENCHMARK(BM_MsmG2)->RangeMultiplier(4)->Range(1 << 12, 1 << 16)->Unit(benchmark::kMillisecond);
