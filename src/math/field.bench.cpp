#include "math/bn254.hpp"
#include "math/fq2.hpp"

#include <benchmark/benchmark.h>

using namespace provernet::math;

static void BM_FqMul(benchmark::State& state)
{
    Fq a = Fq::from_uint(123456789), b = Fq::from_uint(987654321);
    for (auto _ : state) {
        a = a * b;
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_FqMul);

static void BM_FqAdd(benchmark::State& state)
{
    Fq a = Fq::from_uint(123456789), b = Fq::from_uint(987654321);
    for (auto _ : state) {
        a = a + b;
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_FqAdd);

static void BM_Fq2Mul(benchmark::State& state)
{
    Fq2 a{Fq::from_uint(12345), Fq::from_uint(6789)}, b{Fq::from_uint(987), Fq::from_uint(654321)};
    for (auto _ : state) {
        a = a * b;
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_Fq2Mul);

static void BM_FqInverse(benchmark::State& state)
{
    Fq a = Fq::from_uint(123456789);
    for (auto _ : state) {
        a = a.inverse() + Fq::one();
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_FqInverse);
