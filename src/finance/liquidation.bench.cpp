// Liquidation check: witness-generation time per batch (Mode::witness_only, input parsing and the
// commitments included) and constraint-system build time (Mode::full) for A accounts x M assets,
// with the circuit's size.
//
// Counters: constraints (whole circuit, equal to liquidation_constraint_count),
// per_account_asset = constraints / (A M).
#include "finance/liquidation.hpp"

#include <benchmark/benchmark.h>

namespace {

using namespace provernet;

void run(benchmark::State& state, circuit::Mode mode)
{
    const size_t accounts = size_t(state.range(0)), assets = size_t(state.range(1));
    const finance::Program p = finance::liquidation_program(accounts, assets);
    const circuit::Inputs in(p.example_input, "example");
    size_t constraints = 0;
    for (auto _ : state) {
        circuit::Builder b(mode);
        benchmark::DoNotOptimize(p.build(b, in));
        constraints = b.constraint_count();
    }
    state.counters["constraints"] = double(constraints);
    state.counters["per_account_asset"] = double(constraints) / double(accounts * assets);
    state.SetItemsProcessed(int64_t(state.iterations() * accounts));
}

void BM_LiquidationWitness(benchmark::State& state) { run(state, circuit::Mode::witness_only); }
void BM_LiquidationConstraintSystem(benchmark::State& state) { run(state, circuit::Mode::full); }

BENCHMARK(BM_LiquidationWitness)->Args({16, 8})->Args({64, 16})->Args({256, 64})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LiquidationConstraintSystem)->Args({16, 8})->Args({64, 16})->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
