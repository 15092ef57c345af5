// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// The Groth16 (BN254) verifier that `provernet zkey export-solidity` generates for one key.
/// Proofs are uint256[8] in EIP-197 order: A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y
/// (what `snarkjs generatecall` prints). Each generated contract also has the snarkjs-compatible
///   function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c,
///                        uint256[N] calldata pubSignals) external view returns (bool valid);
/// (N fixed per circuit), which returns true or reverts ProofInvalid.
///
/// Nothing here returns false for a failed precompile call: a call starved of gas reverts
/// PrecompileFailed, so gas estimation cannot settle on a limit at which verification fails.
interface IGroth16Verifier {
    /// The pairing check failed.
    error ProofInvalid();
    /// A public input is not below the scalar field order r.
    error PublicInputNotInField();
    /// A precompile call failed: out of gas, or a proof coordinate >= q / a point off the curve.
    error PrecompileFailed();
    /// pubSignals (or proofs) does not have the length this key needs.
    error PublicInputCount();

    /// N, the number of public inputs of the circuit.
    function publicInputCount() external pure returns (uint256);

    /// Returns, or reverts ProofInvalid / PublicInputNotInField / PublicInputCount / PrecompileFailed.
    function verify(uint256[8] calldata proof, uint256[] calldata pubSignals) external view;

    /// false only when the pairing check says no; reverts on malformed input or a failed precompile.
    function isValid(uint256[8] calldata proof, uint256[] calldata pubSignals) external view returns (bool valid);

    /// k proofs (8 words each) and their inputs (N words each) in one randomised check with k + 3
    /// pairings; the coefficients r_i come from keccak256(seed, proofs, pubSignals) (r_0 = 1).
    /// false: at least one proof is invalid (find it with isValid). Reverts like isValid.
    function isValidBatch(uint256[] calldata proofs, uint256[] calldata pubSignals, uint256 seed)
        external
        view
        returns (bool valid);
}
