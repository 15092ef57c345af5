// Liquidation check ("liquidation-<A>x<M>": A accounts over M assets): for a committed price
// vector, proves which accounts StarkEx Perpetual would let a liquidator close, TV < TR, with
// the semantics and units of liquidation_model.hpp (exact integers).
//
// Circuit, per asset j (shared by every account):
//   price_j in [1, 2^64): 64-bit decomposition + nonzero                              65
//   risk_j  in [1, 2^32): 32-bit decomposition + nonzero                              33
// per account:
//   collateral + 2^63 in 64 bits                                                      64
//   per asset: balance + 2^63 in 64 bits, its top bit s = [balance >= 0];              67
//              v = price * balance, |v| = v (2 s - 1) (price > 0), risk = risk_j * |v|
//   TV = 2^32 collateral + sum v,  TR = sum risk   (linear: free)
//   D = TR - 2^32 TV - 1, |D| < 2^n with n = 161 + ceil(log2 M) (each asset adds at most
//   price |b| (risk + 2^32) < 2^160, the collateral 2^127); D + 2^n in n + 1 bits, whose top bit
//   is the flag [D >= 0] = [TV 2^32 < TR]                                           162 + L
// Public outputs, in order (each 1 constraint):
//   prices_commitment        Poseidon commitment (circuit/commitment.hpp) of the M raw prices
//   risk_factors_commitment  the same of the M raw risk factors
//   accounts_commitment      of the accounts, each as its collateral then its balances, every
//                            value v as the 64-bit word v + 2^63, packed 3 words per field element
//                            (word j at bits 64 (j mod 3)), a new element for each account:
//                            A * ceil((M + 1) / 3) elements
//   liquidatable_count       how many accounts are liquidatable
//   liquidatable_flags_0..   ceil(A / 250) words, bit i of word k = account 250 k + i
// A contract that holds (or is given) the prices, risk factors and accounts recomputes the three
// commitments and then reads an account's flag as one bit of one public signal; the count lets it
// size a liquidation batch without scanning. The flags are not hashed since they are public.
//
// Constraints (L = ceil(log2 M), C(n) = commitment_constraints(n), W = ceil(A / 250)):
//   98 M + A (226 + L + 67 M) + 2 C(M) + C(A ceil((M + 1) / 3)) + 4 + W
#pragma once

#include "circuit/builder.hpp"
#include "finance/liquidation_model.hpp"
#include "finance/program.hpp"

#include <vector>

namespace provernet::finance {

// The circuit's signals, for the Program's result and for tests that tamper with the witness.
struct LiquidationCircuit {
    std::vector<circuit::Signal> total_value, total_risk, liquidatable;  // per account
    circuit::Signal count;
    std::vector<circuit::Signal> flag_words;
    circuit::Signal prices_commitment, risk_factors_commitment, accounts_commitment;
    size_t commitments_first_wire = 0;   // wires below are the check itself, above the hashing
    std::vector<uint32_t> output_wires;  // builder-order wires of the public outputs, in order
};

LiquidationCircuit liquidation_circuit(circuit::Builder& b, const LiquidationInputs& in);

// The documented constraint count (the tests hold the circuit to it).
size_t liquidation_constraint_count(size_t accounts, size_t assets);

// The accounts' commitment layout, natively (for a verifier and the tests).
std::vector<math::Fr> liquidation_account_words(const LiquidationInputs& in);

Program liquidation_program(size_t accounts, size_t assets);

// Valid example inputs of the given shape (deterministic, a mix of healthy and liquidatable
// accounts).
nlohmann::json liquidation_example_input(size_t accounts, size_t assets);

}  // namespace provernet::finance
