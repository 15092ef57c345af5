// Groth16 phase-2 setup: a snarkjs-compatible proving key (.zkey) from a circuit (.r1cs) and a
// prepared powers-of-tau file (.ptau), as `snarkjs groth16 setup` followed by one
// `snarkjs zkey contribute`.
//
// The initial key is exactly what `snarkjs groth16 setup` computes (sections 2-9 and the circuit
// hash of section 10 are equal to its output, so `snarkjs zkey verify circuit.r1cs pot.ptau
// circuit.zkey` accepts the result):
//   * domain size 2^(floor(log2(nConstraints + nPublic)) + 1), which must not exceed the ptau's;
//   * the coefficient section lists every A and B term in constraint order, followed by one
//     "input constraint" A entry (nConstraints + s, s, 1) per public signal s = 0..nPublic;
//   * A[s] = sum A[c][s] L_c(tau), B1/B2 likewise for B, and for the public signals IC[s] (else
//     C[s - nPublic - 1]) = sum (beta A[c][s] + alpha B[c][s] + C[c][s]) L_c(tau), with
//     L_c(tau) the ptau's Lagrange points (sections 12-15); gamma = delta = 1;
//   * H = the odd points of the size-2n Lagrange block of section 12;
//   * the circuit hash is BLAKE2b-512 over the header points and the IC, "tau^i Z(tau)", C, A,
//     B1 and B2 points in snarkjs's order and encoding.
// The A/B/C points are sparse combinations computed in parallel (small coefficients such as
// +-1 cost one addition; many-term combinations use Straus or Pippenger).
//
// The contribution then draws delta from the OS's CSPRNG, divides C and H by it and records the
// proof of knowledge (transcript hash, hash-to-G2 point) that `snarkjs zkey verify` checks.
// DEVELOPMENT ONLY: like ptau_new.hpp's single-party ptau, one machine knew delta for a moment;
// production keys need contributions from independent parties (snarkjs zkey contribute/beacon).
#pragma once

#include "snark/groth16_prover.hpp"
#include "snark/json_io.hpp"
#include "snark/ptau.hpp"
#include "snark/ptau_new.hpp"
#include "snark/r1cs.hpp"
#include "snark/zkey.hpp"

#include <stdexcept>
#include <string>

namespace provernet::snark {

// The circuit and the ptau do not fit together (circuit too large, ptau not prepared, ...).
struct SetupError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct SetupOptions {
    // true: one contribution of fresh randomness (the key to use). false: the initial key exactly
    // as `snarkjs groth16 setup` writes it (delta = 1: insecure, for comparisons and tests).
    bool contribute = true;
    // Stored in the contribution (at most 64 bytes are kept, as snarkjs does).
    std::string contribution_name = "provernet single-party dev setup (NOT for production)";
    ProgressFn progress;
};

struct SetupResult {
    ceremony::Hash64 circuit_hash{};       // section 10's csHash ("Circuit Hash" in snarkjs)
    ceremony::Hash64 contribution_hash{};  // snarkjs's "Contribution Hash" (zero without one)
    uint32_t domain_size = 0;
    uint32_t ptau_power = 0;
};

// The proving key in memory (write it with write_zkey).
ZKey groth16_setup_key(const R1cs& r1cs, const PTau& ptau, const SetupOptions& options = {},
                       SetupResult* result = nullptr);

// Reads the ptau, computes the key and writes it to zkey_path. SetupError when they do not fit,
// FormatError for bad files.
SetupResult groth16_setup(const R1cs& r1cs, const std::string& ptau_path, const std::string& zkey_path,
                          const SetupOptions& options = {});

// A short identity for a verification key: the lowercase hex of BLAKE2b-256 over
//   "provernet.groth16.bn254.vk.v1" || u32 nPublic || alpha1 || beta2 || gamma2 || delta2 ||
//   u32 len(IC) || IC[0] || ...
// (u32 big-endian; points in the uncompressed encoding of ptau_new.hpp: big-endian affine
// coordinates, Fq2 as (c1, c0), infinity all zeros). Equal keys give equal identities; any
// change to the key (a new setup or contribution) changes it. 64 hex characters.
std::string circuit_identity(const VerificationKey& vk);

}  // namespace provernet::snark
