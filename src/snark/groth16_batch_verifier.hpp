// Batch verification of Groth16 proofs of one circuit: k proofs checked with one multi-Miller
// loop of k + 3 pairs and one final exponentiation, instead of k checks of 4 pairs each.
//
// With random weights r_i (r_0 = 1), the k equations e(-A_i, B_i) e(alpha, beta)
// e(vk_x_i, gamma) e(C_i, delta) = 1 combine into
//   prod_i e(-r_i A_i, B_i) * e((sum r_i) alpha, beta) * e(sum r_i vk_x_i, gamma) * e(sum r_i C_i, delta) = 1,
// where sum r_i vk_x_i = (sum r_i) IC_0 + sum_j (sum_i r_i s_ij) IC_j is one MSM over the key's
// IC points. Each weight is r = a + lambda * b with a, b uniform 64-bit integers and lambda the
// G1 endomorphism's eigenvalue (math/g1_endomorphism.hpp): the 2^128 pairs give 2^128 distinct
// weights (a collision would be a lattice vector of length 2^64, far below the lattice's
// shortest, about sqrt(r)), so a batch containing an invalid proof still passes with probability
// at most 2^-128 (the weights are secret, drawn after the proofs are fixed), while r * A costs a
// 64-bit double-scalar multiplication and sum r_i C_i a 64-bit MSM over C_i and phi(C_i). When
// the combined check fails,
// the batch is split in halves until each invalid proof is found, so one bad proof costs the
// others only a few extra checks.
#pragma once

#include "snark/groth16_verifier.hpp"

#include <span>
#include <vector>

namespace provernet::snark {

struct BatchItem {
    std::span<const math::U256> public_signals;
    const Proof* proof;
};

struct BatchOptions {
    // The caller checked the key (verification_key_is_valid), e.g. once at registration.
    bool key_checked = false;
    // The caller checked every item's points (on the curve, in their subgroups) and signals
    // (< r), e.g. by parsing them with parse_proof_json / parse_public_json.
    bool items_checked = false;
};

// Per-item verdicts, equal to groth16_verify on each item (up to the 2^-128 soundness error).
// Throws VerifyError when an item's public signal count does not match the key. The options
// skip checks the caller has made: a lone proof then costs one pairing check and nothing else.
std::vector<bool> groth16_verify_batch(const VerificationKey& vk, std::span<const BatchItem> items,
                                       BatchOptions options = {});
// The same with a key prepared once (checked by its constructor, so options.key_checked does
// not matter): what a verifier that sees many proofs of one circuit should use.
std::vector<bool> groth16_verify_batch(const PreparedVerificationKey& vk, std::span<const BatchItem> items,
                                       BatchOptions options = {});

}  // namespace provernet::snark
