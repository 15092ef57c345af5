// Groth16 verification with the snarkjs equation e(-A, B) e(alpha, beta) e(vk_x, gamma) e(C, delta) = 1.
#pragma once

#include "math/bn254.hpp"
#include "math/pairing.hpp"
#include "snark/json_io.hpp"
#include "snark/wtns.hpp"
#include "snark/zkey.hpp"

#include <array>
#include <span>
#include <stdexcept>
#include <string>

namespace provernet::snark {

// The inputs cannot belong together (wrong number of public signals, malformed key): not a
// verdict on the proof but a usage error.
struct VerifyError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// True when the proof is valid for the key and public signals. Checks every point (on the curve,
// in the subgroup) and every public signal (< r) itself, so it is safe on unchecked input:
// anything invalid gives false. VerifyError when the signal count does not match the key.
bool groth16_verify(const VerificationKey& vk, std::span<const math::U256> public_signals, const Proof& proof);

// Every point of the key on its curve and in its subgroup, and n_public + 1 IC points.
bool verification_key_is_valid(const VerificationKey& vk);

// VerifyError unless the key has n_public + 1 IC points (a malformed key, not a verdict).
void require_ic_count(const VerificationKey& vk);

// The pairing equation alone, for a caller that has checked the key (verification_key_is_valid,
// e.g. once when it was registered) and the proof and signals (points in their subgroups,
// signals < r, as parse_proof_json and parse_public_json check): the subgroup checks are then
// not repeated for every verification. VerifyError when the signal count does not match.
bool groth16_pairing_check(const VerificationKey& vk, std::span<const math::U256> public_signals, const Proof& proof);

// A verification key with the pairing work that does not depend on the proof done once: the
// Miller-loop lines of beta2, gamma2 and delta2, and e(alpha1, beta2). A verification with it
// runs the Miller loop's G2 arithmetic for B alone and has one pair fewer.
struct PreparedVerificationKey {
    // Checks the key (verification_key_is_valid): VerifyError naming what is wrong.
    explicit PreparedVerificationKey(VerificationKey vk);

    const VerificationKey key;
    const math::G2Prepared beta2, gamma2, delta2;
    const math::Fq12 alphabeta;  // e(alpha1, beta2), computed here, not read from the key's alphabeta12
};

// groth16_pairing_check with a prepared key (same preconditions on the proof and signals).
bool groth16_pairing_check(const PreparedVerificationKey& vk, std::span<const math::U256> public_signals,
                           const Proof& proof);

// e(alpha1, beta2) flattened in snarkjs's vk_alphabeta_12 order.
std::array<math::Fq, 12> alphabeta12(const math::G1Affine& alpha1, const math::G2Affine& beta2);

// Why a proof made from this zkey and witness fails: a B2 point outside G2, or a witness that
// does not satisfy the circuit. Slow (checks every B2 point); used only after a failure.
std::string diagnose_invalid_proof(const ZKey& zkey, const Witness& witness);

}  // namespace provernet::snark
