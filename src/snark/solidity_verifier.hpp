// A Solidity Groth16 verifier for one verification key (`provernet zkey export-solidity`).
//
// The contract implements contracts/IGroth16Verifier.sol: the snarkjs-compatible
// verifyProof(a, b, c, pubSignals) (which REVERTS ProofInvalid instead of returning false),
// verify / isValid over a uint256[8] proof in EIP-197 order, and isValidBatch, one randomised
// check of k proofs with k + 3 pairings. Written from the math (EIP-196/197 precompiles):
//
//   e(A, B) = e(alpha, beta) e(L, gamma) e(C, delta),  L = IC_0 + sum_j pub_j IC_j
//   <=>  e(A, B) e(alpha, -beta) e(L, -gamma) e(C, -delta) = 1
//
// The G2 constants are negated at generation time, so the proof's points go from calldata to
// the precompile unchanged (the precompile rejects coordinates >= q and points off the curve,
// so no non-canonical encoding of A is accepted). Every failed precompile call reverts
// PrecompileFailed: a starved call can never read as "invalid proof", so gas estimation cannot
// settle on a failing path. Public inputs >= r revert PublicInputNotInField.
#pragma once

#include "snark/json_io.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace provernet::snark {

// Most public signals a generated contract may have: it stays under the EIP-170 code size limit
// (24,576 bytes; 64 signals give ~20.2 kB with solc 0.8.28, 200 runs). More: std::invalid_argument
// (expose a commitment to the values instead, circuit/commitment.hpp).
inline constexpr uint32_t kMaxSolidityPublicInputs = 64;

// The custom errors' selectors (first 4 bytes of keccak256 of the signature), as the generated
// contract reverts with them.
inline constexpr uint32_t kSelectorProofInvalid = 0x7fcdd1f4;           // ProofInvalid()
inline constexpr uint32_t kSelectorPublicInputNotInField = 0xa54f8e27;  // PublicInputNotInField()
inline constexpr uint32_t kSelectorPrecompileFailed = 0x84e81692;       // PrecompileFailed()
inline constexpr uint32_t kSelectorPublicInputCount = 0x563e6863;       // PublicInputCount()

// Solidity source (SPDX MIT, pragma ^0.8.24) of a self-contained contract `contract_name`.
// std::invalid_argument for a key whose IC count is not n_public + 1, more than
// kMaxSolidityPublicInputs public signals, or a contract name that is not a Solidity identifier.
std::string solidity_verifier(const VerificationKey& vk, std::string_view contract_name = "Groth16Verifier");

}  // namespace provernet::snark
