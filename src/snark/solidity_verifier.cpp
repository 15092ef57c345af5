#include "snark/solidity_verifier.hpp"

#include "math/bn254.hpp"

#include <cstdio>
#include <stdexcept>

namespace provernet::snark {

namespace {

using math::Fq;
using math::G1Affine;
using math::G2Affine;

std::string hex_word(const math::U256& v)
{
    char buf[67];
    std::snprintf(buf, sizeof buf, "0x%016llx%016llx%016llx%016llx", static_cast<unsigned long long>(v.limb[3]),
                  static_cast<unsigned long long>(v.limb[2]), static_cast<unsigned long long>(v.limb[1]),
                  static_cast<unsigned long long>(v.limb[0]));
    return buf;
}
std::string hex_word(const Fq& v) { return hex_word(v.to_u256()); }

// v as an expression whose literal differs from v's (callvalue() is 0: these functions are not
// payable). The batch check writes its constants this way so that none of the single-proof
// check's PUSH32 constants occurs twice in the bytecode (see solidity_verifier()).
std::string opaque(const math::U256& v)
{
    math::U256 v1;
    math::U256::add(v1, v, math::U256(1));
    return "sub(" + hex_word(v1) + ", iszero(callvalue()))";
}
std::string opaque(const Fq& v) { return opaque(v.to_u256()); }

std::string hex_selector(uint32_t selector)
{
    char buf[11];
    std::snprintf(buf, sizeof buf, "0x%08x", selector);
    return buf;
}

std::string hex_offset(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

bool is_identifier(std::string_view s)
{
    if (s.empty() || s.size() > 64)
        return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
        if (!letter && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

// Yul statements are emitted line by line at one indentation.
struct Yul {
    std::string out;
    std::string indent;
    Yul& line(const std::string& s)
    {
        out += indent + s + "\n";
        return *this;
    }
    void mstore(uint64_t at, const std::string& value) { line("mstore(" + hex_offset(at) + ", " + value + ")"); }
    void mstore_g1(uint64_t at, const G1Affine& p)
    {
        mstore(at, hex_word(p.x));
        mstore(at + 0x20, hex_word(p.y));
    }
    // EIP-197 G2 encoding: x.c1, x.c0, y.c1, y.c0.
    void mstore_g2(uint64_t at, const G2Affine& p)
    {
        mstore(at, hex_word(p.x.c1));
        mstore(at + 0x20, hex_word(p.x.c0));
        mstore(at + 0x40, hex_word(p.y.c1));
        mstore(at + 0x60, hex_word(p.y.c0));
    }
    void revert_with(const std::string& selector_constant)
    {
        line("mstore(0, " + selector_constant + ")");
        line("revert(0x1c, 4)");
    }
    // head { body }
    template <class Body>
    void block(const std::string& head, const Body& body)
    {
        line(head + "{");
        indent += "    ";
        body();
        indent.resize(indent.size() - 4);
        line("}");
    }
};

// The single-proof check, everything in memory [0, 0x320):
//   0x000 pair 0: A, B            (calldata 0x04..0xc4, copied as is)
//   0x0c0 pair 1: alpha, -beta
//   0x180 pair 2: L, -gamma        L accumulated in place; 0x1c0..0x220 is ecMul scratch first
//   0x240 pair 3: C, -delta        (C from calldata 0xc4..0x104)
//   0x300 pairing result: memory never written before, so it stays 0 if the call returns nothing
// The Yul variables pub (calldata offset of the public inputs), revertIfInvalid and returnSize
// say where the inputs are and how the call ends: return(0x300, returnSize) holds the pairing
// result; revertIfInvalid turns a failed check into ProofInvalid.
void emit_single_check(Yul& y, const VerificationKey& vk, const G2Affine& neg_beta, const G2Affine& neg_gamma,
                       const G2Affine& neg_delta)
{
    const std::string pub = "pub";
    y.line("calldatacopy(0, 0x04, 0xc0)");
    y.mstore_g1(0xc0, vk.alpha1);
    y.mstore_g2(0x100, neg_beta);
    y.mstore_g1(0x180, vk.ic[0]);
    y.line("let ok := 1");
    for (uint32_t j = 1; j <= vk.n_public; ++j) {
        const std::string at = j == 1 ? pub : "add(" + pub + ", " + hex_offset(32 * (j - 1)) + ")";
        y.block("", [&] {
            y.line("let s := calldataload(" + at + ")");
            y.block("if iszero(lt(s, R)) ", [&] { y.revert_with("ERR_NOT_IN_FIELD"); });
            y.mstore_g1(0x1c0, vk.ic[j]);
            y.line("mstore(0x200, s)");
            y.line("ok := and(ok, staticcall(gas(), 0x07, 0x1c0, 0x60, 0x1c0, 0x40))");
            y.line("ok := and(ok, staticcall(gas(), 0x06, 0x180, 0x80, 0x180, 0x40))");
        });
    }
    y.mstore_g2(0x1c0, neg_gamma);
    y.line("calldatacopy(0x240, 0xc4, 0x40)");
    y.mstore_g2(0x280, neg_delta);
    y.line("ok := and(ok, staticcall(gas(), 0x08, 0, 0x300, 0x300, 0x20))");
    y.block("if iszero(ok) ", [&] { y.revert_with("ERR_PRECOMPILE"); });
    y.line("valid := mload(0x300)");
    y.block("if iszero(or(valid, iszero(revertIfInvalid))) ", [&] { y.revert_with("ERR_PROOF_INVALID"); });
    y.line("return(0x300, returnSize)");
}

// The batch check (see the comment above isValidBatch in the output). Memory, with pk = k * 0xc0:
//   [0, transcript)   seed || proofs || inputs, hashed first, then reused for:
//   i * 0xc0          pair i: (r_i A_i, B_i), i < k
//   pk                pair k: (R alpha, -beta), R = sum r_i
//   pk + 0x0c0        pair k+1: (sum r_i L_i, -gamma); the IC terms' ecMul scratch until -gamma
//   pk + 0x180        pair k+2: (sum r_i C_i, -delta); r_i C_i's ecMul scratch until -delta
//   pk + 0x240        h, then the word hashed with it for r_i
//   pk + 0x280        acc_j = sum_i r_i pub_ij mod r, j = 1..N; then the pairing result
// Few Yul variables stay live in the loop (legacy codegen reaches 16 stack slots).
void emit_batch_check(Yul& y, const VerificationKey& vk, const G2Affine& neg_beta, const G2Affine& neg_gamma,
                      const G2Affine& neg_delta)
{
    const uint32_t n = vk.n_public;
    const std::string n_words = std::to_string(n);
    const std::string n_bytes = hex_offset(32ull * n);
    const std::string rb = opaque(math::Fr::modulus);
    const auto block = [&](const std::string& head, const auto& body) { y.block(head, body); };
    block("", [&] {
        y.line("let k := shr(3, proofs.length)");
        block("if or(or(iszero(k), and(proofs.length, 7)), iszero(eq(pubSignals.length, mul(k, " + n_words +
                  ")))) ",
              [&] { y.revert_with("ERR_COUNT"); });
    });
    if (n > 0) {
        block("", [&] {
            y.line("let end := add(pubSignals.offset, shl(5, pubSignals.length))");
            y.line("let bad := 0");
            y.line("for { let p := pubSignals.offset } lt(p, end) { p := add(p, 0x20) } {");
            y.line("    bad := or(bad, iszero(lt(calldataload(p), " + rb + ")))");
            y.line("}");
            block("if bad ", [&] { y.revert_with("ERR_NOT_IN_FIELD"); });
        });
    }
    y.line("let pk := mul(shr(3, proofs.length), 0xc0)");
    block("", [&] {
        y.line("// Fiat-Shamir: the r_i depend on everything the prover chose.");
        y.line("let proofBytes := shl(5, proofs.length)");
        y.line("let inputBytes := shl(5, pubSignals.length)");
        y.line("mstore(0, seed)");
        y.line("calldatacopy(0x20, proofs.offset, proofBytes)");
        y.line("calldatacopy(add(0x20, proofBytes), pubSignals.offset, inputBytes)");
        y.line("mstore(add(pk, 0x240), keccak256(0, add(0x20, add(proofBytes, inputBytes))))");
    });
    y.line("// Proof 0, r_0 = 1.");
    y.line("calldatacopy(0, proofs.offset, 0xc0)");
    y.line("calldatacopy(add(pk, 0x180), add(proofs.offset, 0xc0), 0x40)");
    if (n > 0)
        y.line("calldatacopy(add(pk, 0x280), pubSignals.offset, " + n_bytes + ")");
    y.line("let rSum := 1");
    y.line("let ok := 1");
    block("", [&] {
        y.line("let src := proofs.offset");
        if (n > 0)
            y.line("let q := pubSignals.offset");
        block("for { let dst := 0xc0 } lt(dst, pk) { dst := add(dst, 0xc0) } ", [&] {
            y.line("src := add(src, 0x100)");
            y.line("mstore(add(pk, 0x260), dst)");
            y.line("let r := mod(keccak256(add(pk, 0x240), 0x40), " + rb + ")");
            y.line("rSum := addmod(rSum, r, " + rb + ")");
            y.line("calldatacopy(dst, src, 0x40)");
            y.line("mstore(add(dst, 0x40), r)");
            y.line("ok := and(ok, staticcall(gas(), 0x07, dst, 0x60, dst, 0x40))");
            y.line("calldatacopy(add(dst, 0x40), add(src, 0x40), 0x80)");
            y.line("calldatacopy(add(pk, 0x1c0), add(src, 0xc0), 0x40)");
            y.line("mstore(add(pk, 0x200), r)");
            y.line("ok := and(ok, staticcall(gas(), 0x07, add(pk, 0x1c0), 0x60, add(pk, 0x1c0), 0x40))");
            y.line("ok := and(ok, staticcall(gas(), 0x06, add(pk, 0x180), 0x80, add(pk, 0x180), 0x40))");
            if (n > 0) {
                y.line("q := add(q, " + n_bytes + ")");
                y.line("for { let j := 0 } lt(j, " + n_bytes + ") { j := add(j, 0x20) } {");
                y.line("    mstore(add(add(pk, 0x280), j), addmod(mload(add(add(pk, 0x280), j)), "
                       "mulmod(r, calldataload(add(q, j)), " + rb + "), " + rb + "))");
                y.line("}");
            }
        });
    });
    y.line("// R alpha, -beta");
    y.line("mstore(pk, " + opaque(vk.alpha1.x) + ")");
    y.line("mstore(add(pk, 0x20), " + opaque(vk.alpha1.y) + ")");
    y.line("mstore(add(pk, 0x40), rSum)");
    y.line("ok := and(ok, staticcall(gas(), 0x07, pk, 0x60, pk, 0x40))");
    const auto g2_at = [&](const std::string& base, const G2Affine& p) {
        y.line("mstore(add(" + base + ", 0x40), " + opaque(p.x.c1) + ")");
        y.line("mstore(add(" + base + ", 0x60), " + opaque(p.x.c0) + ")");
        y.line("mstore(add(" + base + ", 0x80), " + opaque(p.y.c1) + ")");
        y.line("mstore(add(" + base + ", 0xa0), " + opaque(p.y.c0) + ")");
    };
    g2_at("pk", neg_beta);
    y.line("// R IC_0 + sum_j acc_j IC_j, -gamma");
    y.line("let pl := add(pk, 0xc0)");
    y.line("mstore(pl, " + opaque(vk.ic[0].x) + ")");
    y.line("mstore(add(pl, 0x20), " + opaque(vk.ic[0].y) + ")");
    y.line("mstore(add(pl, 0x40), rSum)");
    y.line("ok := and(ok, staticcall(gas(), 0x07, pl, 0x60, pl, 0x40))");
    for (uint32_t j = 1; j <= n; ++j) {
        y.line("mstore(add(pl, 0x40), " + opaque(vk.ic[j].x) + ")");
        y.line("mstore(add(pl, 0x60), " + opaque(vk.ic[j].y) + ")");
        y.line("mstore(add(pl, 0x80), mload(add(pk, " + hex_offset(0x280 + 32ull * (j - 1)) + ")))");
        y.line("ok := and(ok, staticcall(gas(), 0x07, add(pl, 0x40), 0x60, add(pl, 0x40), 0x40))");
        y.line("ok := and(ok, staticcall(gas(), 0x06, pl, 0x80, pl, 0x40))");
    }
    g2_at("pl", neg_gamma);
    y.line("// sum r_i C_i, -delta");
    g2_at("add(pk, 0x180)", neg_delta);
    y.line("let out := add(pk, 0x280)");
    y.line("mstore(out, 0)");
    y.line("ok := and(ok, staticcall(gas(), 0x08, 0, add(pk, 0x240), out, 0x20))");
    block("if iszero(ok) ", [&] { y.revert_with("ERR_PRECOMPILE"); });
    y.line("valid := mload(out)");
    y.line("mstore(0, valid)");
    y.line("return(0, 0x20)");
}

}  // namespace

std::string solidity_verifier(const VerificationKey& vk, std::string_view contract_name)
{
    if (vk.ic.size() != size_t(vk.n_public) + 1)
        throw std::invalid_argument("solidity_verifier: verification key has " + std::to_string(vk.ic.size()) +
                                    " IC points for " + std::to_string(vk.n_public) + " public signals (expected " +
                                    std::to_string(size_t(vk.n_public) + 1) + ")");
    if (vk.n_public > kMaxSolidityPublicInputs)
        throw std::invalid_argument("solidity_verifier: " + std::to_string(vk.n_public) +
                                    " public signals; at most " + std::to_string(kMaxSolidityPublicInputs) +
                                    " fit in one contract (expose a commitment to them instead)");
    if (!is_identifier(contract_name))
        throw std::invalid_argument("solidity_verifier: contract name \"" + std::string(contract_name) +
                                    "\" is not a Solidity identifier");

    const G2Affine neg_beta = -vk.beta2, neg_gamma = -vk.gamma2, neg_delta = -vk.delta2;
    const uint32_t n = vk.n_public;
    const std::string n_str = std::to_string(n);

    std::string s;
    s += "// SPDX-License-Identifier: MIT\n";
    s += "// Groth16 (BN254) verifier generated by provernet (`provernet zkey export-solidity`) for one\n";
    s += "// verification key with " + n_str + " public signal" + (n == 1 ? "" : "s") + ".\n";
    s += "//\n";
    s += "// Checks e(A, B) * e(alpha, -beta) * e(L, -gamma) * e(C, -delta) == 1, L = IC_0 + sum_j pub_j IC_j,\n";
    s += "// with the EIP-196/197 precompiles. Every failed precompile call reverts PrecompileFailed (so a\n";
    s += "// call starved of gas can never read as \"invalid proof\"); a public input >= r reverts\n";
    s += "// PublicInputNotInField; coordinates >= q and points off the curve make the precompiles fail.\n";
    s += "pragma solidity ^0.8.24;\n\n";
    s += "contract " + std::string(contract_name) + " {\n";
    s += "    error ProofInvalid();\n";
    s += "    error PublicInputNotInField();\n";
    s += "    error PrecompileFailed();\n";
    s += "    error PublicInputCount();\n\n";
    s += "    // Scalar field order r.\n";
    s += "    uint256 internal constant R = " + hex_word(math::Fr::modulus) + ";\n";
    s += "    uint256 internal constant ERR_PROOF_INVALID = " + hex_selector(kSelectorProofInvalid) + ";\n";
    s += "    uint256 internal constant ERR_NOT_IN_FIELD = " + hex_selector(kSelectorPublicInputNotInField) + ";\n";
    s += "    uint256 internal constant ERR_PRECOMPILE = " + hex_selector(kSelectorPrecompileFailed) + ";\n";
    s += "    uint256 internal constant ERR_COUNT = " + hex_selector(kSelectorPublicInputCount) + ";\n\n";

    s += "    function publicInputCount() external pure returns (uint256) {\n";
    s += "        return " + n_str + ";\n";
    s += "    }\n\n";

    // The assembly blocks own all memory from 0 and end with return or revert: no Solidity code
    // runs after them, so the free memory pointer they overwrite is never read. The single-proof
    // check exists once (in _check), so each of its constants occurs once in the bytecode and stays
    // a PUSH32 (the optimizer moves a constant that occurs twice into a CODECOPY, ~15 gas a use).
    Yul y;
    y.indent = "            ";

    s += "    /// snarkjs-compatible entry point: returns true, or reverts ProofInvalid.\n";
    s += "    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata";
    if (n > 0)
        s += ", uint256[" + n_str + "] calldata";
    s += ") external view returns (bool) {\n";
    s += "        return _check(0x104, true, 0x20);\n";
    s += "    }\n\n";

    // The two entry points taking (uint256[8] proof, uint256[] pubSignals): the signal count is
    // checked, then _check reads both straight from calldata.
    auto array_entry = [&](const std::string& doc, const std::string& head, const std::string& check_call) {
        s += doc;
        s += "    function " + head + " {\n";
        s += "        if (pubSignals.length != " + n_str + ") revert PublicInputCount();\n";
        s += "        uint256 pub;\n";
        s += "        assembly {\n            pub := pubSignals.offset\n        }\n";
        s += "        " + check_call + ";\n";
        s += "    }\n\n";
    };
    array_entry("    /// proof = [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y]. Returns, or reverts ProofInvalid,\n"
                "    /// PublicInputNotInField, PublicInputCount or PrecompileFailed.\n",
                "verify(uint256[8] calldata, uint256[] calldata pubSignals) external view", "_check(pub, true, 0)");
    array_entry("    /// false only when the pairing check fails; reverts on malformed input or a failed precompile.\n",
                "isValid(uint256[8] calldata, uint256[] calldata pubSignals) external view returns (bool)",
                "return _check(pub, false, 0x20)");

    s += "    /// The proof at calldata 0x04 (8 words), its public inputs at calldata offset pub. Never returns to\n";
    s += "    /// its caller: ends the call with return(0x300, returnSize), the pairing result there, or a revert.\n";
    s += "    function _check(uint256" + std::string(n > 0 ? " pub" : " /* pub */") +
         ", bool revertIfInvalid, uint256 returnSize) private view returns (bool valid) {\n";
    s += "        assembly {\n";
    emit_single_check(y, vk, neg_beta, neg_gamma, neg_delta);
    s += y.out + "        }\n    }\n\n";
    y.out.clear();

    s += "    /// k proofs (8 words each) and their inputs (" + n_str + (n == 1 ? " word" : " words") +
         " each) in one check with k + 3 pairings:\n";
    s += "    ///   prod_i e(r_i A_i, B_i) * e(R alpha, -beta) * e(sum_i r_i L_i, -gamma) * e(sum_i r_i C_i, -delta) == 1\n";
    s += "    /// with R = sum_i r_i, r_0 = 1, r_i = keccak256(h, 0xc0 * i) mod r, h = keccak256(seed, proofs, pubSignals).\n";
    s += "    /// false: at least one proof is invalid (check them one by one with isValid).\n";
    s += "    function isValidBatch(uint256[] calldata proofs, uint256[] calldata pubSignals, uint256 seed)\n";
    s += "        external\n        view\n        returns (bool valid)\n    {\n";
    s += "        assembly {\n";
    emit_batch_check(y, vk, neg_beta, neg_gamma, neg_delta);
    s += y.out + "        }\n    }\n";
    s += "}\n";
    return s;
}

}  // namespace provernet::snark
