// Portfolio margin: witness-generation time per batch (Mode::witness_only, input parsing and the
// three commitments included) and constraint-system build time (Mode::full) for I instruments x
// A accounts on the default 7 x 3 grid, with the circuit's size.
//
// Counters: constraints (whole circuit), per_instrument and per_account (the documented parts,
// portfolio_margin_cost), scenarios_repriced (I x 22, once per batch).
#include "finance/portfolio_margin.hpp"

#include <benchmark/benchmark.h>

namespace {

using namespace provernet;

void run(benchmark::State& state, circuit::Mode mode)
{
    const size_t instruments = size_t(state.range(0)), accounts = size_t(state.range(1));
    const finance::Program p = finance::portfolio_margin_program(instruments, accounts);
    const circuit::Inputs in(p.example_input, "example");
    size_t constraints = 0;
    for (auto _ : state) {
        circuit::Builder b(mode);
        benchmark::DoNotOptimize(p.build(b, in));
        constraints = b.constraint_count();
    }
    finance::PortfolioMarginShape shape;
    shape.instruments = instruments;
    shape.accounts = accounts;
    const finance::PortfolioMarginCost cost = finance::portfolio_margin_cost(shape);
    state.counters["constraints"] = double(constraints);
    state.counters["per_instrument"] = double(cost.instrument);
    state.counters["per_account"] = double(cost.account);
    state.counters["scenarios_repriced"] = double(instruments * (shape.scenarios() + 1));
}

void BM_PortfolioMarginWitness(benchmark::State& state) { run(state, circuit::Mode::witness_only); }
void BM_PortfolioMarginConstraintSystem(benchmark::State& state) { run(state, circuit::Mode::full); }

BENCHMARK(BM_PortfolioMarginWitness)->Args({4, 4})->Args({8, 16})->Args({16, 64})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PortfolioMarginConstraintSystem)->Args({4, 4})->Args({8, 16})->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
