// Pairing benchmarks: the Miller loop, the final exponentiation, a single pairing, and the
// 4-pair pairing_check a Groth16 verification performs. (BENCHMARK_MAIN lives elsewhere.)
#include "math/pairing.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

using namespace provernet::math;

namespace {

using Pair = std::pair<G1Affine, G2Affine>;

U256 bench_scalar(std::mt19937_64& rng) { return Fr::from_u256_reduce(U256(rng(), rng(), rng(), rng() >> 2)).to_u256(); }

// Random pairs whose pairing product is 1 (a Groth16-shaped equation), so pairing_check does the
// full work and returns true.
std::vector<Pair> groth16_like_pairs()
{
    std::mt19937_64 rng(4);
    auto fr = [&] { return Fr::from_u256_reduce(U256(rng(), rng(), rng(), rng() >> 2)); };
    const Fr alpha = fr(), beta = fr(), gamma = fr(), delta = fr(), a = fr(), b = fr(), l = fr();
    const Fr c = (a * b - alpha * beta - l * gamma) * delta.inverse();
    auto g1 = [](const Fr& k) { return G1::generator().mul(k.to_u256()).to_affine(); };
    auto g2 = [](const Fr& k) { return G2::generator().mul(k.to_u256()).to_affine(); };
    return {{-g1(a), g2(b)}, {g1(alpha), g2(beta)}, {g1(l), g2(gamma)}, {g1(c), g2(delta)}};
}

void BM_MillerLoop(benchmark::State& state)
{
    std::mt19937_64 rng(1);
    const G1Affine p = G1::generator().mul(bench_scalar(rng)).to_affine();
    const G2Affine q = G2::generator().mul(bench_scalar(rng)).to_affine();
    for (auto _ : state)
        benchmark::DoNotOptimize(miller_loop(p, q));
}
BENCHMARK(BM_MillerLoop)->Unit(benchmark::kMicrosecond);

void BM_MultiMillerLoop4(benchmark::State& state)
{
    const auto pairs = groth16_like_pairs();
    for (auto _ : state)
        benchmark::DoNotOptimize(multi_miller_loop(pairs));
}
BENCHMARK(BM_MultiMillerLoop4)->Unit(benchmark::kMicrosecond);

void BM_FinalExponentiation(benchmark::State& state)
{
    const Fq12 f = miller_loop(G1Affine::generator(), G2Affine::generator());
    for (auto _ : state)
        benchmark::DoNotOptimize(final_exponentiation(f));
}
BENCHMARK(BM_FinalExponentiation)->Unit(benchmark::kMicrosecond);

void BM_FinalExponentiationExact(benchmark::State& state)
{
    const Fq12 f = miller_loop(G1Affine::generator(), G2Affine::generator());
    for (auto _ : state)
        benchmark::DoNotOptimize(final_exponentiation_exact(f));
}
BENCHMARK(BM_FinalExponentiationExact)->Unit(benchmark::kMicrosecond);

void BM_Pairing(benchmark::State& state)
{
    std::mt19937_64 rng(2);
    const G1Affine p = G1::generator().mul(bench_scalar(rng)).to_affine();
    const G2Affine q = G2::generator().mul(bench_scalar(rng)).to_affine();
    for (auto _ : state)
        benchmark::DoNotOptimize(pairing(p, q));
}
BENCHMARK(BM_Pairing)->Unit(benchmark::kMicrosecond);

void BM_PairingCheck4(benchmark::State& state)
{
    const auto pairs = groth16_like_pairs();
    if (!pairing_check(pairs))
        state.SkipWithError("pairing_check rejected a valid equation");
    for (auto _ : state)
        benchmark::DoNotOptimize(pairing_check(pairs));
}
BENCHMARK(BM_PairingCheck4)->Unit(benchmark::kMicrosecond);

// Tower building blocks, for profiling.
Fq12 bench_fq12(uint64_t seed)
{
    std::mt19937_64 rng(seed);
    auto f = [&] { return Fq::from_u256_reduce(U256(rng(), rng(), rng(), rng() >> 2)); };
    auto f2 = [&] { return Fq2{f(), f()}; };
    auto f6 = [&] { return Fq6{f2(), f2(), f2()}; };
    return {f6(), f6()};
}

void BM_Fq12Mul(benchmark::State& state)
{
    Fq12 a = bench_fq12(5);
    const Fq12 b = bench_fq12(6);
    for (auto _ : state) {
        a = a * b;
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_Fq12Mul)->Unit(benchmark::kNanosecond);

void BM_Fq12Square(benchmark::State& state)
{
    Fq12 a = bench_fq12(7);
    for (auto _ : state) {
        a = a.square();
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_Fq12Square)->Unit(benchmark::kNanosecond);

void BM_Fq12CyclotomicSquare(benchmark::State& state)
{
    Fq12 a = final_exponentiation(bench_fq12(8));
    for (auto _ : state) {
        a = a.cyclotomic_square();
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_Fq12CyclotomicSquare)->Unit(benchmark::kNanosecond);

void BM_Fq12MulBy034(benchmark::State& state)
{
    Fq12 a = bench_fq12(9);
    const Fq12 l = bench_fq12(10);
    for (auto _ : state) {
        a = a.mul_by_034(l.c0.c0, l.c1.c0, l.c1.c1);
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_Fq12MulBy034)->Unit(benchmark::kNanosecond);

}  // namespace
