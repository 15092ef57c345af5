// Black-Scholes batch pricing: a circuit that proves the call and put prices and deltas of a
// batch of N European options (Black-Scholes-Merton with a continuous dividend yield), checked
// against the long double model of black_scholes_model.hpp.
//
// Inputs: {"options": [{"spot": "42", "strike": "40", "expiry": "0.5", "rate": "0.1",
//          "volatility": "0.2", "dividend_yield": "0"}, ...]}, exactly N options; values are
// decimal strings or JSON numbers (a number is read as its shortest decimal form). Domain:
//   spot in [2^-8, 2^24], strike / spot in [0.5, 2], expiry in [1/365, 3] years,
//   rate in [0, 0.2], volatility in [0.05, 3], dividend_yield in [0, 0.2].
// Anything else is rejected before building with an InputError naming options[i].field. The
// circuit itself enforces the domain's lower bounds (strike/spot: 0.4) and upper bounds up to the
// next power of two, so a witness exists only for options that it prices accurately.
//
// Accuracy: every price within 1e-9 x spot of the exact Black-Scholes value of the decimal inputs
// over the whole domain, deltas within 1e-8 (see black_scholes.cpp for the error budget; the
// tests measure both).
//
// Public signals (export order): inputs_commitment, results_commitment, each a
// circuit::poseidon_commitment (circuit/commitment.hpp) of a list of field elements:
//   inputs:  per option, in order: spot, strike, expiry, rate, volatility, dividend_yield, each
//            as round(x 2^s) (ties away from zero) of its exact decimal, s = kSpotFrac = 44 for
//            spot and strike, kFrac = 36 for the others;
//   results: per option, in order: call, put, delta_call, delta_put, as the exact integers the
//            circuit computed, prices at 2^-kPriceFrac = 2^-116 and deltas at 2^-kDeltaFrac =
//            2^-72 (negative values, e.g. delta_put, as r - |x|).
// A requester recomputes inputs_commitment from its own decimals, so a proof cannot be about other
// options; a contract given the result integers recomputes results_commitment and reads the
// prices off them. Two commitments instead of 10 N public signals keep the verifier's cost flat
// in N; two instead of one let a contract store the request's commitment when the request is made.
#pragma once

#include "circuit/builder.hpp"
#include "circuit/fixed_point.hpp"
#include "circuit/inputs.hpp"
#include "finance/black_scholes_model.hpp"
#include "finance/program.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace provernet::finance {

namespace black_scholes {

// Fixed-point scales (fractional bits).
inline constexpr int kFrac = 36;            // expiry, rate, volatility, dividend yield; the pricing
inline constexpr int kSpotFrac = 44;        // spot and strike
inline constexpr int kSpotMaxLog2 = 24;     // spot <= 2^24
inline constexpr int kSpotMinLog2 = -8;     // spot >= 2^-8
inline constexpr int kDeltaFrac = 2 * kFrac;              // committed deltas
inline constexpr int kPriceFrac = kSpotFrac + 2 * kFrac;  // committed prices

inline constexpr size_t kInputsPerOption = 6;
inline constexpr size_t kResultsPerOption = 4;

}  // namespace black_scholes

// One option's inputs: the committed fixed-point encoding and the same values as long doubles
// from their exact decimals (what the model prices).
struct BlackScholesInput {
    circuit::WideInt spot, strike;                               // at 2^-kSpotFrac
    circuit::WideInt expiry, rate, volatility, dividend_yield;   // at 2^-kFrac
    BlackScholesParams params;
    std::vector<circuit::WideInt> raws() const;  // the committed order
};

// Reads exactly n_options options and checks each field against the domain. Throws
// circuit::InputError naming the field, e.g. `options[3].volatility: 3.5 is outside [0.05, 3]`.
std::vector<BlackScholesInput> parse_black_scholes_inputs(const circuit::Inputs& in, size_t n_options);

// One option's circuit. Intermediate wires are exposed for tests (tampering); all are single
// wires except the results, which are linear combinations of product wires.
struct BlackScholesWires {
    circuit::Signal spot, strike, expiry, rate, volatility, dividend_yield;  // private inputs
    circuit::Signal spot_over_strike;  // floor(S/K) at 2^-kFrac
    circuit::Signal vol_sqrt_t;      // v = sigma sqrt(T)
    circuit::Signal rate_t, dividend_t;  // rT, qT
    circuit::Signal d1;
    circuit::Fixed ln_spot_over_strike, sqrt_expiry, disc_rate, disc_dividend, cdf_d1, cdf_d2;
    circuit::Signal call, put, delta_call, delta_put;  // at the committed scales
};

// Declares one option's pricing on b (inputs named `<name>.spot` etc.). The input must come from
// parse_black_scholes_inputs; a value outside the circuit's ranges throws ConstraintViolation.
BlackScholesWires black_scholes_circuit(circuit::Builder& b, const BlackScholesInput& in, const std::string& name);

// The committed results of one option as values: the exact integers and what they mean.
struct BlackScholesResult {
    circuit::WideInt call, put, delta_call, delta_put;  // prices at 2^-kPriceFrac, deltas at 2^-kDeltaFrac
    long double call_value() const;
    long double put_value() const;
    long double delta_call_value() const;
    long double delta_put_value() const;
};
BlackScholesResult black_scholes_result(const BlackScholesWires& w);

// The readable result of a batch (same shape from the circuit and the model):
//   {"options": [{"call": "4.759422392872", "put": ..., "delta_call": ..., "delta_put": ...,
//                 "raw": {"call": "<integer>", ...}}, ...],
//    "inputs_commitment": "<decimal>", "results_commitment": "<decimal>"}
// Decimals have 12 digits after the point; "raw" holds the committed integers (for the model:
// its values rounded to the same scales, so its results_commitment is the model's own).
nlohmann::json black_scholes_result_json(const std::vector<BlackScholesResult>& results,
                                         const math::Fr& inputs_commitment, const math::Fr& results_commitment);
// The commitments, computed natively (what a requester or contract recomputes).
math::Fr black_scholes_inputs_commitment(const std::vector<BlackScholesInput>& inputs);
math::Fr black_scholes_results_commitment(const std::vector<BlackScholesResult>& results);
// The model's results rounded to the committed scales.
BlackScholesResult black_scholes_model_result(const BlackScholesParams& p);

// The program "black-scholes-<n_options>".
Program black_scholes_program(size_t n_options);

}  // namespace provernet::finance
