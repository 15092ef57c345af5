// Portfolio margin: inputs, their domain, and the plain C++ reference model (long double
// Black-Scholes, no circuit code).
//
// One underlying with spot S and rate r; I instruments (call, put or perpetual; options with
// strike K, expiry T in years and implied volatility sigma); a scenario grid of spot shocks
// u_0..u_{S-1} (e.g. -15%..+15% in 5% steps) and, per instrument, V volatility multipliers
// (e.g. Derive's vol up / unchanged / down for the instrument's expiry: 1 + 0.45 (30/DTE)^p, 1,
// 1 - 0.3 (30/DTE)^p, computed off-circuit, reference 5.6). Scenario k = s V + v has spot
// S (1 + u_s) and volatility sigma m_{i,v}. An instrument's value is
//   call  S' Phi(d1) - K e^(-rT) Phi(d2),  put  K e^(-rT) Phi(-d2) - S' Phi(-d1),  perpetual  S'
//   d1 = (ln(S'/K) + (r + sigma'^2 / 2) T) / (sigma' sqrt T),  d2 = d1 - sigma' sqrt T,
// and its mark V_i(0) is the same at S' = S, sigma' = sigma. For an account with collateral c
// and integer position sizes q_i (contracts, negative = short):
//   P&L_k = sum_i q_i (V_i(k) - V_i(0)),  worst loss W = max(0, -min_k P&L_k)
//   IM = W * initial_margin_factor,  MM = W * maintenance_margin_factor   (rounded up)
//   MtM = c + sum_i q_i V_i(0),  meets_initial = MtM >= IM,  meets_maintenance = MtM >= MM
// (Derive's PMRM adds contingencies and a static discount; those are left out here.)
//
// Inputs (JSON; decimals as strings, or JSON numbers):
//   {"spot": "3000", "rate": "0.05",
//    "initial_margin_factor": "1.3", "maintenance_margin_factor": "1",
//    "spot_shocks": ["-0.15", "-0.1", "-0.05", "0", "0.05", "0.1", "0.15"],
//    "instruments": [{"kind": "call", "strike": "3100", "expiry": "0.25", "volatility": "0.8",
//                     "vol_multipliers": ["1.45", "1", "0.7"]},
//                    {"kind": "perpetual"}, ...],
//    "accounts": [{"collateral": "1000", "positions": ["2", "-1", "0", "5"]}, ...]}
// A perpetual takes no option fields; the circuit carries the canonical strike 1, expiry 1,
// volatility 1 and multipliers 1 in their place (and commits them). The domain below keeps every
// fixed-point bound of the circuit (see portfolio_margin.hpp); anything outside is an InputError
// naming the field.
#pragma once

#include "circuit/inputs.hpp"
#include "finance/fixed_inputs.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

namespace provernet::finance {

// The circuit's structure: sizes only (values never change it).
struct PortfolioMarginShape {
    size_t instruments = 4;
    size_t accounts = 4;
    size_t spot_moves = 7;  // spot shocks in the grid
    size_t vol_moves = 3;   // volatility multipliers per instrument
    size_t scenarios() const { return spot_moves * vol_moves; }
};

// The input domain, inclusive.
struct PortfolioMarginDomain {
    static constexpr long double spot_min = 0.01L, spot_max = 1e6L;
    static constexpr long double strike_min = 0.01L, strike_max = 1e6L;
    static constexpr long double expiry_min = 0.0027L, expiry_max = 5;  // years (about 1 day .. 5 years)
    static constexpr long double volatility_min = 0.01L, volatility_max = 5;
    static constexpr long double multiplier_min = 0.1L, multiplier_max = 5;
    static constexpr long double rate_min = -0.25L, rate_max = 0.25L;
    static constexpr long double shock_min = -0.5L, shock_max = 1;
    static constexpr long double factor_min = 0, factor_max = 10;
    static constexpr long double collateral_min = -1e12L, collateral_max = 1e12L;
    static constexpr int64_t position_min = -(int64_t(1) << 31), position_max = (int64_t(1) << 31) - 1;
};

enum class InstrumentKind { call = 0, put = 1, perpetual = 2 };

struct PmInstrument {
    InstrumentKind kind = InstrumentKind::call;
    Decimal strike, expiry, volatility;
    std::vector<Decimal> vol_multipliers;
};

struct PmAccount {
    Decimal collateral;
    std::vector<int64_t> positions;  // one per instrument
};

struct PortfolioMarginInputs {
    Decimal spot, rate, initial_factor, maintenance_factor;
    std::vector<Decimal> spot_shocks;
    std::vector<PmInstrument> instruments;
    std::vector<PmAccount> accounts;
};

PortfolioMarginInputs read_portfolio_margin_inputs(const circuit::Inputs& in, const PortfolioMarginShape& shape);

struct PmAccountResult {
    long double mark_to_market = 0, worst_loss = 0, initial_margin = 0, maintenance_margin = 0;
    bool meets_initial = false, meets_maintenance = false;
};

struct PortfolioMarginResult {
    std::vector<long double> marks;                 // V_i(0)
    std::vector<std::vector<long double>> values;   // V_i(k), [instrument][scenario]
    std::vector<PmAccountResult> accounts;

    // {"marks": [...], "accounts": [{"mark_to_market", "worst_loss", "initial_margin",
    //  "maintenance_margin", "meets_initial", "meets_maintenance"}]}; numbers as JSON doubles.
    nlohmann::json to_json() const;
};

// The model's instrument value under spot S' and volatility sigma'.
long double pm_instrument_value(const PmInstrument& inst, long double spot, long double rate, long double sigma);

// The reference model: every value in long double, nothing rounded to a fixed-point grid.
PortfolioMarginResult portfolio_margin_model(const PortfolioMarginInputs& in);

const char* instrument_kind_name(InstrumentKind k);

}  // namespace provernet::finance
