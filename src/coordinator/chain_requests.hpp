// Finance requests on the market contract (settlement = evm, docs/contracts.md "The coordinator
// on an EVM"): what a requester puts in RequestTerms, what a prover passes to fulfill, and the
// input-bound signals both sides (and the coordinator's indexer) compute from a program's inputs.
#pragma once

#include "finance/program.hpp"
#include "market/types.hpp"
#include "settlement/market_contract.hpp"
#include "snark/json_io.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace provernet::coordinator {

// A finance request as a requester submits it on chain: times in unix seconds, amounts in wei.
struct ChainRequestSpec {
    settlement::U256 key;          // the requester's idempotency key (< 2^96)
    std::string circuit_identity;  // snark::circuit_identity of the program's key (64 hex digits)
    nlohmann::json inputs;         // the program's inputs (without "prover": the prover sets it)
    market::Priority priority = market::Priority::batch;
    uint64_t min_price = 0, max_price = 0;
    uint64_t ramp_start_s = 0, ramp_period_s = 0, lock_deadline_s = 0, final_deadline_s = 0;
    uint64_t collateral = 0;
};

// The positions (in public.json order, the prover address excluded: it is last) and values of
// the public signals the inputs alone fix, sorted by position. Throws std::invalid_argument
// naming the program and the bad input.
struct BoundSignals {
    std::vector<uint32_t> indices;
    std::vector<settlement::U256> values;
};
BoundSignals bound_signals(const finance::Program& program, const nlohmann::json& inputs);

// The contract's RequestTerms for spec: inputs as compact JSON text (emitted in
// RequestSubmitted), boundSignalsHash over bound_signals. Throws std::invalid_argument naming
// what is wrong (inputs naming "prover", inputs the program refuses, a key of 2^96 or more, a
// circuit identity that is not 64 hex digits).
settlement::MarketRequestTerms chain_request_terms(const finance::Program& program, const ChainRequestSpec& spec);

// What MarketContract::fulfill takes from a proof: its eight words and the public signals
// without the trailing prover address (the contract appends msg.sender). Throws
// std::invalid_argument when the last signal is not `prover`'s address (the proof would not
// verify from that sender).
struct ChainFulfilArgs {
    settlement::ProofWords proof{};
    std::vector<settlement::U256> signals;
};
ChainFulfilArgs chain_fulfil_args(const snark::Proof& proof, const std::vector<math::U256>& public_signals,
                                  const settlement::Address& prover);

}  // namespace provernet::coordinator
