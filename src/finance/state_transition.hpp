// The account state transition program: a batch of operations (deposit, withdrawal, funding,
// trade, liquidation) on perpetual-futures accounts in a 4-ary Poseidon Merkle tree, proving the
// old root to the new root under the rules of finance/state_model.hpp (which states them, with
// the units and bounds), with every owner's EdDSA-Poseidon signature checked in the circuit.
//
// Shape: "state-transition-d<depth>-s<singles>-t<doubles>": capacity 2^depth accounts (depth
// even, 2..32: depth / 2 levels of the 4-ary tree), `singles` single-account slots (deposit,
// withdrawal, funding) and `doubles` two-account slots (trade, liquidation). A slot may be a no-op
// (padding): it rewrites account 0's leaf unchanged. The single-account slots come first.
//
// Cost (L = depth / 2 levels): a single-account slot 4,777 + 606 L constraints, a two-account slot
// 9,286 + 1,212 L, whatever the operation in it; plus ~230 of setup and the commitment (~41 per
// committed value). At depth 32: deposit, withdrawal, funding 14,473 each (tree update 9,696, two
// leaf hashes 708, EdDSA 3,108, message 318, range checks ~610); trade, liquidation 28,678 each
// (two accounts: 20,808 of tree and leaves, two EdDSA checks 6,216), i.e. 14,339 per account
// touched, against Hermez's 46,040 per two-account transfer at 32 levels.
//
// Public signals (export order) and why:
//   new_root            (output) the root after the batch: the contract stores it.
//   funding_pool_after  (output, signed as r - |x|) the pool after the batch's funding payments:
//                       the contract stores it (a result, so not inside the commitment).
//   batch_commitment    (output) Poseidon commitment (circuit/commitment.hpp) to the batch's inputs:
//                       the header [oracle_price, risk_factor, funding_index, funding_pool] and 5
//                       values per slot (state_model.hpp, commitment_values). The contract
//                       recomputes it from the batch's calldata, in which it checks the market
//                       values against its oracle and funding schedule and the pool against its
//                       stored value, pops each deposit record from its queue of on-chain deposits
//                       (which authorise them: no signature) and pays each withdrawal record; one
//                       public signal instead of dozens (each costs the verifier an elliptic-curve
//                       multiplication).
//   old_root            (input) the contract's current root.
// bound_public_signals: batch_commitment and old_root, fixed by the inputs alone.
//
// Inputs (JSON; integers as decimal strings, field elements as decimal or 0x-hex strings):
//   {"old_root": "...", "oracle_price": "2000", "risk_factor": "429496730",
//    "funding_index": "21474836480", "funding_pool": "0",
//    "accounts": [{"index": 1, "public_key": ["x", "y"], "nonce": "0", "collateral": "1000000",
//                  "position": "0", "funding_index": "21474836480"}, ...],      every non-empty leaf
//    "operations": [
//      {"type": "deposit", "account": 5, "public_key": ["x", "y"], "amount": "50000"},
//      {"type": "withdrawal", "account": 1, "amount": "1000", "recipient": "0x...", "nonce": "0",
//       "signature": {"r8": ["x", "y"], "s": "..."}},
//      {"type": "funding", "account": 3},
//      {"type": "trade", "buyer": 1, "seller": 2, "amount": "10", "price": "2000",
//       "buyer_nonce": "1", "seller_nonce": "0", "buyer_signature": {...}, "seller_signature": {...}},
//      {"type": "liquidation", "liquidator": 4, "account": 3, "position": "100", "nonce": "0",
//       "signature": {...}}]}
// The result (build: read from the witness; reference: the model) is BatchResult::to_json().
#pragma once

#include "circuit/builder.hpp"
#include "finance/program.hpp"
#include "finance/state_model.hpp"

namespace provernet::finance {

Program state_transition_program(unsigned depth, size_t single_slots, size_t double_slots);

namespace state {

// Declares the circuit for a model trace (run_batch with the same layout) and returns the result
// read from the witness. Throws circuit::ConstraintViolation naming the operation
// ("operations[3] (trade): the seller, account 2, ends below its margin requirement") when the
// trace breaks a rule the circuit enforces (the model's checks can be skipped to see this).
// `costs`, when given, receives the constraints each part took.
struct CircuitCosts {
    size_t setup = 0;                                  // market inputs, range checks
    std::vector<size_t> single_slots, double_slots;  // per slot (all slots of a kind cost the same)
    size_t finish = 0;                                 // pool, commitment, public outputs
};
BatchResult build_state_transition(circuit::Builder& b, const BatchTrace& trace, CircuitCosts* costs = nullptr);

// A valid batch that fills the layout's slots (deposits, withdrawals and funding; trades and a
// liquidation), with keys example_key(account): the program's example input, and a start for tests.
Batch example_batch(const Layout& layout);

}  // namespace state

}  // namespace provernet::finance
