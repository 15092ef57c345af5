// Gadget costs: constraints per call (counter "constraints") and the time of one call, building
// in Mode::full (constraints recorded) and Mode::witness_only (witness generation only); and the
// native Poseidon hash and Merkle tree.
//
// Each timed call appends to a builder that is replaced (untimed) every kCallsPerBuilder calls,
// so the builder's growth stays bounded; the inputs are private inputs of that builder.
#include "circuit/gadgets.hpp"
#include "circuit/merkle.hpp"
#include "circuit/poseidon.hpp"

#include <benchmark/benchmark.h>

#include <functional>
#include <memory>

using namespace provernet::circuit;
using provernet::math::Fr;

namespace {

constexpr size_t kCallsPerBuilder = 256;

Fr F(uint64_t v) { return Fr::from_uint(v); }

// Runs `call` once per iteration on builders of the given mode; `setup` declares its inputs.
template <class Inputs>
void run(benchmark::State& state, Mode mode, const std::function<Inputs(Builder&)>& setup,
         const std::function<void(Builder&, const Inputs&)>& call)
{
    auto b = std::make_unique<Builder>(mode);
    Inputs in = setup(*b);
    size_t calls = 0, constraints = 0;
    {
        // Constraints of one call, measured on a scratch builder.
        Builder probe(mode);
        const Inputs pin = setup(probe);
        const size_t before = probe.constraint_count();
        call(probe, pin);
        constraints = probe.constraint_count() - before;
    }
    for (auto _ : state) {
        if (calls == kCallsPerBuilder) {
            state.PauseTiming();
            b = std::make_unique<Builder>(mode);
            in = setup(*b);
            calls = 0;
            state.ResumeTiming();
        }
        call(*b, in);
        ++calls;
    }
    state.counters["constraints"] = double(constraints);
    state.SetLabel(mode == Mode::full ? "full" : "witness_only");
}

Mode mode_of(const benchmark::State& state) { return state.range(0) == 0 ? Mode::full : Mode::witness_only; }

struct Two {
    Signal x, y;
};

Two two_inputs(Builder& b, uint64_t x, uint64_t y) { return {b.private_input("x", F(x)), b.private_input("y", F(y))}; }

void BM_AssertBoolean(benchmark::State& state)
{
    run<Signal>(
        state, mode_of(state), [](Builder& b) { return b.private_input("s", F(1)); },
        [](Builder& b, const Signal& s) { assert_boolean(b, s); });
}

void BM_ToBits(benchmark::State& state)
{
    const unsigned n = unsigned(state.range(1));
    run<Signal>(
        state, mode_of(state),
        [n](Builder& b) {
            const uint64_t pattern = 0x8123456789abcdefull;
            return b.private_input("s", F(n >= 64 ? pattern : pattern & ((uint64_t(1) << n) - 1)));
        },
        [n](Builder& b, const Signal& s) { benchmark::DoNotOptimize(to_bits(b, s, n)); });
}

void BM_AssertRange(benchmark::State& state)
{
    const unsigned n = unsigned(state.range(1));
    run<Signal>(
        state, mode_of(state), [](Builder& b) { return b.private_input("s", F(12345)); },
        [n](Builder& b, const Signal& s) { assert_range(b, s, n); });
}

void BM_IsZero(benchmark::State& state)
{
    run<Signal>(
        state, mode_of(state), [](Builder& b) { return b.private_input("s", F(12345)); },
        [](Builder& b, const Signal& s) { benchmark::DoNotOptimize(is_zero(b, s)); });
}

void BM_LessThan(benchmark::State& state)
{
    const unsigned n = unsigned(state.range(1));
    run<Two>(
        state, mode_of(state), [](Builder& b) { return two_inputs(b, 1000, 2000); },
        [n](Builder& b, const Two& in) { benchmark::DoNotOptimize(less_than(b, in.x, in.y, n)); });
}

void BM_LessThanUnchecked(benchmark::State& state)
{
    const unsigned n = unsigned(state.range(1));
    run<Two>(
        state, mode_of(state), [](Builder& b) { return two_inputs(b, 1000, 2000); },
        [n](Builder& b, const Two& in) { benchmark::DoNotOptimize(less_than_unchecked(b, in.x, in.y, n)); });
}

void BM_AssertLessThan(benchmark::State& state)
{
    const unsigned n = unsigned(state.range(1));
    run<Two>(
        state, mode_of(state), [](Builder& b) { return two_inputs(b, 1000, 2000); },
        [n](Builder& b, const Two& in) { assert_less_than(b, in.x, in.y, n); });
}

void BM_Select(benchmark::State& state)
{
    run<Two>(
        state, mode_of(state), [](Builder& b) { return two_inputs(b, 1, 2000); },
        [](Builder& b, const Two& in) { benchmark::DoNotOptimize(select(b, in.x, in.y, in.x)); });
}

void BM_DivMod(benchmark::State& state)
{
    const unsigned n = unsigned(state.range(1));
    run<Two>(
        state, mode_of(state), [](Builder& b) { return two_inputs(b, 1000000007, 12345); },
        [n](Builder& b, const Two& in) { benchmark::DoNotOptimize(divmod(b, in.x, in.y, n)); });
}

void BM_PoseidonGadget(benchmark::State& state)
{
    const size_t n = size_t(state.range(1));
    run<std::vector<Signal>>(
        state, mode_of(state),
        [n](Builder& b) {
            std::vector<Signal> in;
            for (size_t i = 0; i < n; ++i)
                in.push_back(b.private_input("in", F(i + 1)));
            return in;
        },
        [](Builder& b, const std::vector<Signal>& in) { benchmark::DoNotOptimize(poseidon(b, in)); });
}

struct Path {
    Signal leaf, new_leaf;
    MerklePathSignals path;
    unsigned depth;
};

Path merkle_inputs(Builder& b, unsigned depth)
{
    static MerkleTree tree = [] {
        MerkleTree t(32);
        t.set_leaf(5, F(77));
        t.set_leaf(1000, F(78));
        return t;
    }();
    // A depth-d path: the tree's lowest d levels (its root is irrelevant to the cost).
    MerkleProof p = tree.proof(5);
    p.siblings.resize(depth);
    return {b.private_input("leaf", F(77)), b.private_input("new", F(79)), merkle_path_private_inputs(b, p, depth),
            depth};
}

void BM_MerkleVerify(benchmark::State& state)
{
    const unsigned depth = unsigned(state.range(1));
    run<Path>(
        state, mode_of(state), [depth](Builder& b) { return merkle_inputs(b, depth); },
        [](Builder& b, const Path& in) {
            benchmark::DoNotOptimize(merkle_verify(b, in.leaf, in.path.elements, in.path.index_bits, in.depth));
        });
}

void BM_MerkleUpdate(benchmark::State& state)
{
    const unsigned depth = unsigned(state.range(1));
    run<Path>(
        state, mode_of(state), [depth](Builder& b) { return merkle_inputs(b, depth); },
        [](Builder& b, const Path& in) {
            benchmark::DoNotOptimize(
                merkle_update(b, in.leaf, in.new_leaf, in.path.elements, in.path.index_bits, in.depth));
        });
}

// Native Poseidon over n inputs.
void BM_PoseidonNative(benchmark::State& state)
{
    const size_t n = size_t(state.range(0));
    std::vector<Fr> in;
    for (size_t i = 0; i < n; ++i)
        in.push_back(F(i + 1));
    poseidon_params(n + 1);  // parameter generation outside the timing
    for (auto _ : state) {
        in[0] = poseidon_hash(in);
        benchmark::DoNotOptimize(in[0]);
    }
    state.counters["hashes/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}

// Native depth-32 tree over n leaves (n hashes for the filled part plus the path to the root).
void BM_MerkleTreeBuild(benchmark::State& state)
{
    const size_t n = size_t(state.range(0));
    std::vector<Fr> leaves;
    for (size_t i = 0; i < n; ++i)
        leaves.push_back(F(i + 1));
    for (auto _ : state)
        benchmark::DoNotOptimize(MerkleTree(32, leaves).root());
    state.counters["leaves/s"] =
        benchmark::Counter(double(state.iterations()) * double(n), benchmark::Counter::kIsRate);
}

void modes(benchmark::internal::Benchmark* b)
{
    b->ArgNames({"witness_only"});
    b->Arg(0)->Arg(1);
}

void modes_and(benchmark::internal::Benchmark* b, std::initializer_list<int64_t> sizes, const char* name)
{
    b->ArgNames({"witness_only", name});
    for (int64_t m : {0, 1})
        for (int64_t s : sizes)
            b->Args({m, s});
}

}  // namespace

BENCHMARK(BM_AssertBoolean)->Apply(modes);
BENCHMARK(BM_ToBits)->Apply([](auto* b) { modes_and(b, {8, 64, 253}, "n"); });
BENCHMARK(BM_AssertRange)->Apply([](auto* b) { modes_and(b, {32, 64}, "n"); });
BENCHMARK(BM_IsZero)->Apply(modes);
BENCHMARK(BM_LessThan)->Apply([](auto* b) { modes_and(b, {32, 64, 252}, "n"); });
BENCHMARK(BM_LessThanUnchecked)->Apply([](auto* b) { modes_and(b, {64}, "n"); });
BENCHMARK(BM_AssertLessThan)->Apply([](auto* b) { modes_and(b, {64}, "n"); });
BENCHMARK(BM_Select)->Apply(modes);
BENCHMARK(BM_DivMod)->Apply([](auto* b) { modes_and(b, {32, 64, 126}, "n"); });
BENCHMARK(BM_PoseidonGadget)->Apply([](auto* b) { modes_and(b, {1, 2, 4, 16}, "inputs"); });
BENCHMARK(BM_MerkleVerify)->Apply([](auto* b) { modes_and(b, {20, 32}, "depth"); });
BENCHMARK(BM_MerkleUpdate)->Apply([](auto* b) { modes_and(b, {32}, "depth"); });
BENCHMARK(BM_PoseidonNative)->ArgName("inputs")->Arg(1)->Arg(2)->Arg(4)->Arg(16);
BENCHMARK(BM_MerkleTreeBuild)->ArgName("leaves")->Arg(1 << 10);
