// Black-Scholes batch pricing: witness-generation time per batch (Mode::witness_only, input
// parsing and both commitments included) for N = 1, 16, 64, with the circuit's size; and the
// accuracy against the long double model over random options of the domain.
//
// Counters: constraints (whole circuit), constraints_per_option (constraints / N);
// max_price_err_over_spot = max(|call error|, |put error|) / spot, max_delta_err.
#include "finance/black_scholes.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

namespace {

using namespace provernet;
using finance::black_scholes_program;

void BM_BlackScholesWitness(benchmark::State& state)
{
    const size_t n = size_t(state.range(0));
    const finance::Program p = black_scholes_program(n);
    const circuit::Inputs in(p.example_input, "example");
    circuit::Builder full(circuit::Mode::full);
    p.build(full, in);
    for (auto _ : state) {
        circuit::Builder b(circuit::Mode::witness_only);
        benchmark::DoNotOptimize(p.build(b, in));
    }
    state.counters["constraints"] = double(full.constraint_count());
    state.counters["constraints_per_option"] = double(full.constraint_count()) / double(n);
    state.SetItemsProcessed(int64_t(state.iterations() * n));
}
BENCHMARK(BM_BlackScholesWitness)->Arg(1)->Arg(16)->Arg(64)->Unit(benchmark::kMillisecond);

std::string decimal(double x)
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.12g", x);
    return buf;
}

// One iteration prices 1,000 random options of the domain (spot, strike/spot, expiry and
// volatility log-uniform; rates uniform), one circuit each.
void BM_BlackScholesAccuracy(benchmark::State& state)
{
    constexpr int kOptions = 1000;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1);
    const auto log_uniform = [&](double lo, double hi) { return lo * std::pow(hi / lo, u(rng)); };
    long double max_price = 0, max_delta = 0;
    for (auto _ : state) {
        for (int i = 0; i < kOptions; ++i) {
            const double spot = log_uniform(std::ldexp(1.0, -8), std::ldexp(1.0, 24));
            const nlohmann::json options = {{"options",
                                             {{{"spot", decimal(spot)},
                                               {"strike", decimal(spot * log_uniform(0.500001, 1.999999))},
                                               {"expiry", decimal(log_uniform(1.0001 / 365, 3))},
                                               {"rate", decimal(0.2 * u(rng))},
                                               {"volatility", decimal(log_uniform(0.05, 3))},
                                               {"dividend_yield", decimal(0.2 * u(rng))}}}}};
            const auto in = finance::parse_black_scholes_inputs(circuit::Inputs(options, "random"), 1)[0];
            circuit::Builder b(circuit::Mode::witness_only);
            const auto r = finance::black_scholes_result(finance::black_scholes_circuit(b, in, "o"));
            const auto ref = finance::black_scholes_price(in.params);
            max_price = std::max({max_price, std::fabs(r.call_value() - ref.call) / in.params.spot,
                                  std::fabs(r.put_value() - ref.put) / in.params.spot});
            max_delta = std::max({max_delta, std::fabs(r.delta_call_value() - ref.delta_call),
                                  std::fabs(r.delta_put_value() - ref.delta_put)});
        }
    }
    state.counters["max_price_err_over_spot"] = double(max_price);
    state.counters["max_delta_err"] = double(max_delta);
    state.SetItemsProcessed(int64_t(state.iterations()) * kOptions);
}
BENCHMARK(BM_BlackScholesAccuracy)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
