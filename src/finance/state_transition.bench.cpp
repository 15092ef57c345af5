// Account state transition: witness-generation time per batch (Mode::witness_only: input parsing,
// the model's run for the Merkle paths, and the circuit's witness), the constraint-system build
// (Mode::full) and the plain model alone, for the example batch of "state-transition-d<D>-s2-t2"
// (a deposit, a withdrawal, a trade and a liquidation) at depths 16 and 32.
//
// Counters: constraints (whole circuit), single_slot and double_slot (constraints of one
// deposit/withdrawal/funding slot and one trade/liquidation slot), per_operation (constraints / 4).
#include "finance/state_transition.hpp"

#include <benchmark/benchmark.h>

namespace {

using namespace provernet;
using namespace provernet::finance;

void run(benchmark::State& state, circuit::Mode mode)
{
    const unsigned depth = unsigned(state.range(0));
    const Program p = state_transition_program(depth, 2, 2);
    const circuit::Inputs in(p.example_input, "example");
    size_t constraints = 0;
    for (auto _ : state) {
        circuit::Builder b(mode);
        benchmark::DoNotOptimize(p.build(b, in));
        constraints = b.constraint_count();
    }
    // The slots' own counts, from one more build.
    const state::Layout layout{depth, 2, 2};
    circuit::Builder b(circuit::Mode::witness_only);
    state::CircuitCosts costs;
    state::build_state_transition(b, state::run_batch(state::example_batch(layout), layout).trace, &costs);
    state.counters["constraints"] = double(constraints);
    state.counters["single_slot"] = double(costs.single_slots.at(0));
    state.counters["double_slot"] = double(costs.double_slots.at(0));
    state.counters["per_operation"] = double(constraints) / 4;
    state.SetItemsProcessed(int64_t(state.iterations() * 4));
}

void BM_StateTransitionWitness(benchmark::State& state) { run(state, circuit::Mode::witness_only); }
void BM_StateTransitionConstraintSystem(benchmark::State& state) { run(state, circuit::Mode::full); }

void BM_StateTransitionModel(benchmark::State& state)
{
    const unsigned depth = unsigned(state.range(0));
    const Program p = state_transition_program(depth, 2, 2);
    const circuit::Inputs in(p.example_input, "example");
    for (auto _ : state)
        benchmark::DoNotOptimize(p.reference(in));
    state.SetItemsProcessed(int64_t(state.iterations() * 4));
}

BENCHMARK(BM_StateTransitionWitness)->Arg(16)->Arg(32)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StateTransitionConstraintSystem)->Arg(16)->Arg(32)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StateTransitionModel)->Arg(16)->Arg(32)->Unit(benchmark::kMillisecond);

}  // namespace
