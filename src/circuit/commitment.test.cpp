#include "circuit/commitment.hpp"

#include "circuit/poseidon.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace provernet::circuit {
namespace {

std::vector<Fr> values(size_t n)
{
    std::vector<Fr> v;
    for (size_t i = 0; i < n; ++i)
        v.push_back(Fr::from_uint(1000 + 7 * i));
    return v;
}

TEST(Commitment, GadgetMatchesNativeAtChunkEdges)
{
    for (size_t n : {0, 1, 14, 15, 16, 30, 31}) {
        const auto v = values(n);
        Builder b;
        std::vector<Signal> s;
        for (size_t i = 0; i < n; ++i)
            s.push_back(b.private_input("v" + std::to_string(i), v[i]));
        const Signal c = poseidon_commitment(b, s);
        EXPECT_EQ(c.value(), poseidon_commitment(v)) << n;
        EXPECT_FALSE(b.first_violation(b.values())) << n;
    }
}

TEST(Commitment, DefinitionAndLengthBinding)
{
    // One chunk: Poseidon(n, v0, ..., v14) with zero padding.
    const auto v = values(3);
    std::vector<Fr> in(16);
    in[0] = Fr::from_uint(3);
    for (size_t i = 0; i < 3; ++i)
        in[i + 1] = v[i];
    EXPECT_EQ(poseidon_commitment(v), poseidon_hash(in));
    // Appending a zero changes the commitment (the length is absorbed).
    auto w = v;
    w.push_back(Fr::zero());
    EXPECT_NE(poseidon_commitment(v), poseidon_commitment(w));
    // Order matters.
    auto u = v;
    std::swap(u[0], u[1]);
    EXPECT_NE(poseidon_commitment(v), poseidon_commitment(u));
}

TEST(Commitment, ConstraintCountPerChunk)
{
    const auto v = values(30);
    Builder b;
    std::vector<Signal> s;
    for (size_t i = 0; i < v.size(); ++i)
        s.push_back(b.private_input("v" + std::to_string(i), v[i]));
    const size_t before = b.constraint_count();
    poseidon_commitment(b, s);
    // First chunk's capacity-side inputs: the length is a constant (its first S-box is free).
    EXPECT_LE(b.constraint_count() - before, 2 * poseidon_constraint_count(16));
    EXPECT_GE(b.constraint_count() - before, 2 * poseidon_constraint_count(16) - 3);
}

}  // namespace
}  // namespace provernet::circuit
