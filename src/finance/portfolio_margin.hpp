// Portfolio margin ("portfolio-margin-<I>x<A>": I instruments on one underlying, A accounts;
// the default grid is 7 spot shocks x 3 volatility multipliers = 21 scenarios, another grid adds
// "-<S>x<V>" to the name). Proves, for every account, the mark-to-market value, the worst
// scenario loss, the initial and maintenance margins and whether the account meets them, with
// the definitions of portfolio_margin_model.hpp.
//
// Fixed point: F = 32 fractional bits (circuit/fixed_point.hpp). Each instrument is repriced once
// per scenario and the values are shared by all accounts:
//   grid (once)        ln S; per shock u_s: L_s = ln(1 + u_s), S_s = S (1 + u_s)
//   per instrument     kind bits (is_put, is_perp, not both); ln K; sqrt T; rT; DF = e^(-rT);
//                      KDF = K DF; x_0 = ln S - ln K + rT
//   per vol entry v    sigma_v = sigma m_v; a_v = sigma_v sqrt T; 1/a_v; h_v = a_v / 2
//   per scenario       d1 = (x_0 + L_s) (1/a_v) + h_v, d2 = d1 - a_v; Phi(d1), Phi(d2);
//                      V = [np S_s Phi(d1) - np KDF Phi(d2)] / 2^F + is_put (KDF - S_s) + is_perp S_s
//                      with np = 1 - is_perp: the two products are exact and the bracket is
//                      rounded once (to nearest); a put by parity, a perpetual is S_s.
// The mark V_i(0) is one more evaluation at S_s = S, sigma_v = sigma. Bounds for the domain of
// portfolio_margin_model.hpp: |x (1/a)| < 2^19 (|x| <= 20.4, a >= 5.2e-5), 1/a < 2^15, a < 2^6,
// |V| < 2^22 (V <= max(S', K e^(|r|T)) <= 3.5e6); each is range-checked where it is made,
// so an input outside the domain fails a check instead of wrapping.
//
// Per account: collateral c (F + 41 bits), positions q_i + 2^31 in 32 bits; MtM = c + sum q_i
// V_i(0) and P&L_k = sum_i q_i (V_i(k) - V_i(0)), one product per (account, instrument,
// scenario + mark), exact (q is an integer). The worst case m = min(0, min_k P&L_k) is a hint:
// P&L_k - m and -m are range-checked to n_d = F + 56 + ceil(log2 I) bits (|P&L| <= I 2^54) and
// the product of all of them is 0, so m is the minimum and equals one of them. W = -m;
// IM = ceil(W imf), MM = ceil(W mmf) (fixed mul, rounding up); meets_initial is the top bit of
// MtM - IM + 2^w in w + 1 bits, w = F + 61 + ceil(log2 I), likewise meets_maintenance.
//
// Public outputs, in order (each a Poseidon commitment, circuit/commitment.hpp, of raw values at
// scale 2^32, negatives as r - |v|):
//   market_commitment    spot, rate, initial factor, maintenance factor, the S shocks, then per
//                        instrument: kind (0 call, 1 put, 2 perpetual), strike, expiry,
//                        volatility, its V multipliers (a perpetual's option fields are 1):
//                        4 + S + I (4 + V) values
//   accounts_commitment  per account: collateral, then its positions as 32-bit words q + 2^31,
//                        7 per element (word j at bits 32 (j mod 7)): A (1 + ceil(I / 7)) values
//   results_commitment   per account: MtM, IM, MM, meets_initial + 2 meets_maintenance: 4 A values
// A contract that holds the market data and the accounts recomputes the first two; it receives
// the 4 A results as calldata, checks them against the third, and then uses any of them directly
// (e.g. liquidate account a iff bit 1 of its flags is 0). Three field elements keep the verifier's
// public-input cost constant whatever the batch size.
//
// Constraints (F = 32, I instruments, A accounts, S shocks, V multipliers, N = S V scenarios,
// k = ceil(log2 I), C(n) = commitment_constraints(n)):
//   grid          53 + 33 + 2 * 37 + 34 S + ln_20 + S (ln_2 + 87)
//   instrument    3 + 53 + 2 * 36 + 36 V + ln_20 + 73 + 67 + exp_1 + 88 + 2 + 2 (S + 1)
//                 + 71 V + (V + 1) (72 + 127 + 70) + (N + 1) (85 + cdf_20 + cdf_21 + 2 + 87)
//   account       513 + I (N + 33) + (N + 1) (88 + k) + N + 4 k
//   total         grid + I instrument + A account + C(4 + S + I (4 + V)) + C(A (1 + ceil(I / 7)))
//                 + C(4 A) + 3
// where ln_b, exp_b, cdf_b are the FixedPoint gadgets' costs at F = 32 for an argument bounded
// by 2^b: ln_20 = 207, ln_2 = 189, exp_1 = 221, cdf_20 = 264, cdf_21 = 266 (pinned by the tests).
// At the default grid (S = 7, V = 3): grid 2,537; one instrument 17,687 (704 per scenario, 22
// scenarios with the mark); one account of 4 instruments 2,738 (its commitments add about 41 per
// committed value). portfolio-margin-4x4 has 87,804 constraints.
//
// Accuracy (F = 32, against the long double model): every instrument value (marks and scenario
// values) is within 2^-30 (S'_max + KDF + 1) (9.3e-10 of the notional); measured at most
// 2.8e-10 (S'_max + KDF + 1) over random inputs of the whole domain and its corners (the
// CDFs' ~1 ulp dominates; errors in d1 cancel to first order since d2 = d1 - a). An account's
// MtM and worst loss are then within 2^-29 sum_i |q_i| (S'_max + KDF_i + 1) (plus 2^-33 for the
// collateral's rounding), IM and MM within that times their factor. The flags are exact for the
// circuit's values; the model can disagree only when MtM is within that error of the margin.
#pragma once

#include "circuit/builder.hpp"
#include "finance/portfolio_margin_model.hpp"
#include "finance/program.hpp"

#include <vector>

namespace provernet::finance {

inline constexpr int pm_frac_bits = 32;

struct PmAccountSignals {
    circuit::Signal collateral;
    std::vector<circuit::Signal> positions;
    std::vector<circuit::Signal> pnl;  // per scenario
    circuit::Signal min_pnl;           // the hinted m (a single wire)
    circuit::Signal mark_to_market, worst_loss, initial_margin, maintenance_margin;
    circuit::Signal meets_initial, meets_maintenance;
};

// The circuit's signals, for the Program's result and for tests that tamper with the witness.
struct PortfolioMarginCircuit {
    std::vector<circuit::Signal> marks;                // V_i(0), raw at 2^-F
    std::vector<std::vector<circuit::Signal>> values;  // V_i(k), [instrument][scenario]
    std::vector<PmAccountSignals> accounts;
    circuit::Signal market_commitment, accounts_commitment, results_commitment;
    size_t accounts_first_wire = 0;     // wires [accounts_first_wire, commitments_first_wire)
    size_t commitments_first_wire = 0;  // belong to the accounts' part
    std::vector<uint32_t> output_wires; // builder-order wires of the public outputs
};

PortfolioMarginCircuit portfolio_margin_circuit(circuit::Builder& b, const PortfolioMarginInputs& in);

// The documented constraint count by part (the tests hold the circuit to it).
struct PortfolioMarginCost {
    size_t grid = 0, instrument = 0, account = 0, commitments = 0;  // commitments include the 3 outputs
    size_t instruments = 0, accounts = 0;
    size_t total() const { return grid + instruments * instrument + accounts * account + commitments; }
};
PortfolioMarginCost portfolio_margin_cost(const PortfolioMarginShape& shape);
size_t portfolio_margin_constraint_count(const PortfolioMarginShape& shape);

// The committed values, natively (for a verifier and the tests).
std::vector<math::Fr> pm_market_words(const PortfolioMarginInputs& in);
std::vector<math::Fr> pm_account_words(const PortfolioMarginInputs& in);

Program portfolio_margin_program(size_t instruments, size_t accounts);
Program portfolio_margin_program(const PortfolioMarginShape& shape);

// Valid example inputs: calls and puts around the spot at several expiries, perpetuals, and
// accounts from flat to heavily short (deterministic).
nlohmann::json portfolio_margin_example_input(const PortfolioMarginShape& shape);

}  // namespace provernet::finance
