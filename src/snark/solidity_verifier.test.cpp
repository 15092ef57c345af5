// The Solidity verifier generator's output as text. Compiling it, deploying it and checking
// proofs on a chain (against the snarkjs verifier too) is in settlement/verifier_gas.test.cpp.
#include "snark/solidity_verifier.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

using namespace provernet::math;
using namespace provernet::snark;

namespace {

std::string hex_word(const Fq& v)
{
    const U256 u = v.to_u256();
    char buf[67];
    std::snprintf(buf, sizeof buf, "0x%016llx%016llx%016llx%016llx", static_cast<unsigned long long>(u.limb[3]),
                  static_cast<unsigned long long>(u.limb[2]), static_cast<unsigned long long>(u.limb[1]),
                  static_cast<unsigned long long>(u.limb[0]));
    return buf;
}

size_t count(const std::string& text, const std::string& what)
{
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

// A key of distinct random-looking points (multiples of the generators).
VerificationKey test_key(uint32_t n_public)
{
    uint64_t k = 0x1234567;
    const auto scalar = [&] {
        k += 0x9e3779b97f4a7c15ull;
        return U256(k, k * 3, 0, 0);
    };
    const auto g1 = [&] { return G1::generator().mul(scalar()).to_affine(); };
    const auto g2 = [&] { return G2::generator().mul(scalar()).to_affine(); };
    VerificationKey vk;
    vk.n_public = n_public;
    vk.alpha1 = g1();
    vk.beta2 = g2();
    vk.gamma2 = g2();
    vk.delta2 = g2();
    for (uint32_t i = 0; i <= n_public; ++i)
        vk.ic.push_back(g1());
    return vk;
}

TEST(SolidityVerifierSource, EmbedsTheKeyWithNegatedG2Points)
{
    const VerificationKey vk = test_key(3);
    const std::string sol = solidity_verifier(vk);
    EXPECT_NE(sol.find("contract Groth16Verifier {"), std::string::npos);
    // alpha and every IC point as they are (IC_0 and alpha in the single and batch checks).
    for (const G1Affine& p : {vk.alpha1, vk.ic[0], vk.ic[1], vk.ic[2], vk.ic[3]}) {
        EXPECT_NE(sol.find(hex_word(p.x)), std::string::npos);
        EXPECT_NE(sol.find(hex_word(p.y)), std::string::npos);
    }
    // beta, gamma, delta negated, in EIP-197 order (x.c1, x.c0, y.c1, y.c0); the positive y absent.
    for (const G2Affine& p : {vk.beta2, vk.gamma2, vk.delta2}) {
        const G2Affine neg = -p;
        const size_t x1 = sol.find(hex_word(neg.x.c1));
        ASSERT_NE(x1, std::string::npos);
        const size_t x0 = sol.find(hex_word(neg.x.c0), x1);
        const size_t y1 = sol.find(hex_word(neg.y.c1), x0);
        const size_t y0 = sol.find(hex_word(neg.y.c0), y1);
        EXPECT_NE(y0, std::string::npos);
        EXPECT_EQ(sol.find(hex_word(p.y.c0)), std::string::npos);
        EXPECT_EQ(sol.find(hex_word(p.y.c1)), std::string::npos);
    }
    // Each constant once as a plain literal (in _check): the batch check writes its own copies
    // as different literals so that the optimizer keeps the single check's PUSH32s.
    EXPECT_EQ(count(sol, hex_word(vk.ic[2].x)), 1u);
    EXPECT_EQ(count(sol, hex_word((-vk.delta2).y.c0)), 1u);
}

TEST(SolidityVerifierSource, OneEcMulPerPublicInput)
{
    for (uint32_t n : {0u, 1u, 5u}) {
        const std::string sol = solidity_verifier(test_key(n), "V" + std::to_string(n));
        EXPECT_NE(sol.find("contract V" + std::to_string(n) + " {"), std::string::npos);
        const std::string single = sol.substr(sol.find("function _check"), sol.find("function isValidBatch") -
                                                                               sol.find("function _check"));
        const std::string batch = sol.substr(sol.find("function isValidBatch"));
        EXPECT_EQ(count(single, "staticcall(gas(), 0x07"), n);
        EXPECT_EQ(count(single, "staticcall(gas(), 0x06"), n);
        EXPECT_EQ(count(single, "staticcall(gas(), 0x08"), 1u);
        // Batch: r_i A_i, r_i C_i (in the loop), R alpha, R IC_0, then one per input.
        EXPECT_EQ(count(batch, "staticcall(gas(), 0x07"), n + 4);
        EXPECT_EQ(count(batch, "staticcall(gas(), 0x08"), 1u);
        EXPECT_EQ(count(sol, "function publicInputCount() external pure returns (uint256) {\n        return " +
                                 std::to_string(n) + ";"),
                  1u);
        if (n == 0)
            EXPECT_NE(sol.find("verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata)"),
                      std::string::npos);
        else
            EXPECT_NE(sol.find(", uint256[" + std::to_string(n) + "] calldata) external view returns (bool)"),
                      std::string::npos);
        // Every failed precompile call is a revert: the results are and-ed into ok, checked once.
        EXPECT_EQ(count(sol, "staticcall("), count(sol, "ok := and(ok, staticcall("));
        EXPECT_EQ(count(sol, "if iszero(ok) {"), 2u);
    }
}

TEST(SolidityVerifierSource, Deterministic)
{
    const VerificationKey vk = test_key(2);
    EXPECT_EQ(solidity_verifier(vk), solidity_verifier(vk));
    VerificationKey other = vk;
    other.ic[1] = vk.ic[0];
    EXPECT_NE(solidity_verifier(vk), solidity_verifier(other));
}

TEST(SolidityVerifierSource, RejectsBadArguments)
{
    VerificationKey vk = test_key(2);
    vk.ic.pop_back();
    EXPECT_THROW(solidity_verifier(vk), std::invalid_argument);
    EXPECT_THROW(solidity_verifier(test_key(kMaxSolidityPublicInputs + 1)), std::invalid_argument);
    EXPECT_NO_THROW(solidity_verifier(test_key(kMaxSolidityPublicInputs)));
    for (const char* name : {"", "1abc", "my-verifier", "a b", "X;contract"})
        EXPECT_THROW(solidity_verifier(test_key(1), name), std::invalid_argument) << name;
    try {
        solidity_verifier(test_key(1), "bad name");
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("bad name"), std::string::npos);
    }
}

}  // namespace
