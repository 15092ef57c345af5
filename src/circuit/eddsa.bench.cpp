// EdDSA-Poseidon over Baby Jubjub: native key derivation, signing and verification, and the
// verification gadget (constraints in the counter "constraints"; a fresh builder per iteration,
// its setup untimed) in Mode::witness_only (witness generation) and Mode::full.
#include "circuit/eddsa.hpp"

#include <benchmark/benchmark.h>

#include <memory>

using namespace provernet::circuit;
using provernet::math::Fr;
using provernet::math::U256;

namespace {

EddsaSecretKey test_key()
{
    EddsaSecretKey sk;
    for (size_t i = 0; i < sk.size(); ++i)
        sk[i] = uint8_t(17 * i + 3);
    return sk;
}

void BM_EddsaPublicKey(benchmark::State& state)
{
    const EddsaSecretKey sk = test_key();
    for (auto _ : state)
        benchmark::DoNotOptimize(eddsa_public_key(sk));
}
BENCHMARK(BM_EddsaPublicKey)->Unit(benchmark::kMicrosecond);

void BM_EddsaSign(benchmark::State& state)
{
    const EddsaSecretKey sk = test_key();
    uint64_t msg = 1;
    for (auto _ : state)
        benchmark::DoNotOptimize(eddsa_sign(sk, Fr::from_uint(msg++)));
}
BENCHMARK(BM_EddsaSign)->Unit(benchmark::kMicrosecond);

void BM_EddsaVerify(benchmark::State& state)
{
    const EddsaSecretKey sk = test_key();
    const BabyJubPoint a = eddsa_public_key(sk);
    const Fr msg = Fr::from_uint(12345);
    const EddsaSignature sig = eddsa_sign(sk, msg);
    for (auto _ : state) {
        const bool ok = eddsa_verify(a, msg, sig);
        if (!ok)
            state.SkipWithError("signature did not verify");
        benchmark::DoNotOptimize(ok);
    }
}
BENCHMARK(BM_EddsaVerify)->Unit(benchmark::kMicrosecond);

void BM_BabyJubMul(benchmark::State& state)
{
    const U256 k(0x0123456789abcdefull, 0xfedcba9876543210ull, 0x0f1e2d3c4b5a6978ull, 0x0123456789abcdefull >> 6);
    for (auto _ : state)
        benchmark::DoNotOptimize(babyjub_mul(babyjub_base8(), k));
}
BENCHMARK(BM_BabyJubMul)->Unit(benchmark::kMicrosecond);

void gadget(benchmark::State& state, Mode mode)
{
    const EddsaSecretKey sk = test_key();
    const BabyJubPoint a = eddsa_public_key(sk);
    const Fr msg = Fr::from_uint(777);
    const EddsaSignature sig = eddsa_sign(sk, msg);
    size_t constraints = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto b = std::make_unique<Builder>(mode);
        const EddsaSignals s{b->public_input("ax", a.x), b->public_input("ay", a.y), b->private_input("r8x", sig.r8.x),
                             b->private_input("r8y", sig.r8.y),
                             b->private_input("s", Fr::from_canonical(sig.s).value())};
        const Signal m = b->public_input("msg", msg);
        state.ResumeTiming();
        assert_eddsa_signature(*b, s, m);
        constraints = b->constraint_count();
        state.PauseTiming();
        b.reset();
        state.ResumeTiming();
    }
    state.counters["constraints"] = double(constraints);
}

void BM_EddsaGadgetWitness(benchmark::State& state) { gadget(state, Mode::witness_only); }
BENCHMARK(BM_EddsaGadgetWitness)->Unit(benchmark::kMicrosecond);

void BM_EddsaGadgetFull(benchmark::State& state) { gadget(state, Mode::full); }
BENCHMARK(BM_EddsaGadgetFull)->Unit(benchmark::kMicrosecond);

}  // namespace
