// Finance requests on the market contract (see chain_requests.hpp).
#include "coordinator/chain_requests.hpp"

#include "circuit/inputs.hpp"
#include "settlement/hex.hpp"

#include <algorithm>
#include <stdexcept>

namespace provernet::coordinator {

BoundSignals bound_signals(const finance::Program& program, const nlohmann::json& inputs)
{
    BoundSignals out;
    if (!program.bound_public_signals) return out;
    std::vector<std::pair<size_t, math::Fr>> bound;
    try {
        bound = program.bound_public_signals(circuit::Inputs(inputs, "inputs"));
    } catch (const std::exception& e) {
        throw std::invalid_argument("inputs for " + program.name + ": " + e.what());
    }
    std::sort(bound.begin(), bound.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [index, value] : bound) {
        out.indices.push_back(static_cast<uint32_t>(index));
        out.values.push_back(value.to_u256());
    }
    return out;
}

settlement::MarketRequestTerms chain_request_terms(const finance::Program& program, const ChainRequestSpec& spec)
{
    if (!spec.inputs.is_object()) throw std::invalid_argument("inputs for " + program.name + ": expected a JSON object");
    if (spec.inputs.contains(finance::prover_input))
        throw std::invalid_argument(std::string("inputs.") + finance::prover_input +
                                    " is set by the prover that fulfils the request, not by the requester");
    if (spec.key.bit_length() > 96)
        throw std::invalid_argument("request key " + spec.key.to_decimal() + " is not below 2^96");
    const BoundSignals bound = bound_signals(program, spec.inputs);
    settlement::MarketRequestTerms t;
    t.key = spec.key;
    try {
        t.circuit_id = settlement::from_hex_array<32>("0x" + spec.circuit_identity, "circuit identity");
    } catch (const std::exception& e) {
        throw std::invalid_argument("circuit identity \"" + spec.circuit_identity + "\": " + e.what());
    }
    t.bound_signals_hash = settlement::bound_signals_hash(bound.indices, bound.values);
    t.priority = static_cast<uint8_t>(spec.priority);
    t.min_price = math::U256(spec.min_price);
    t.max_price = math::U256(spec.max_price);
    t.ramp_start = spec.ramp_start_s;
    t.ramp_period = spec.ramp_period_s;
    t.lock_deadline = spec.lock_deadline_s;
    t.final_deadline = spec.final_deadline_s;
    t.collateral = math::U256(spec.collateral);
    t.inputs = spec.inputs.dump();
    return t;
}

ChainFulfilArgs chain_fulfil_args(const snark::Proof& proof, const std::vector<math::U256>& public_signals,
                                  const settlement::Address& prover)
{
    if (public_signals.empty() || public_signals.back() != settlement::address_signal(prover))
        throw std::invalid_argument("the proof's last public signal is not the address " +
                                    prover.to_checksum_string() + " (the proof pays another prover)");
    ChainFulfilArgs out;
    out.proof = settlement::proof_words(proof.a, proof.b, proof.c);
    out.signals.assign(public_signals.begin(), public_signals.end() - 1);
    return out;
}

}  // namespace provernet::coordinator
