// Poseidon Merkle trees: native trees (dense and sparse, proofs, updates) and the membership and
// update gadgets at depths 1, 4, 20 and 32.
#include "circuit/merkle.hpp"

#include "circuit/poseidon.hpp"

#include <gtest/gtest.h>

using namespace provernet::circuit;
using provernet::math::Fr;

namespace {

Fr F(uint64_t v) { return Fr::from_uint(v); }

std::vector<Fr> leaves(size_t n, uint64_t seed = 1000)
{
    std::vector<Fr> v;
    for (size_t i = 0; i < n; ++i)
        v.push_back(F(seed + i * 7919));
    return v;
}

// The root of a full tree of 2^depth leaves, hashing every level.
Fr naive_root(std::vector<Fr> level)
{
    while (level.size() > 1) {
        std::vector<Fr> up;
        for (size_t i = 0; i < level.size(); i += 2)
            up.push_back(poseidon_hash(level[i], level[i + 1]));
        level = up;
    }
    return level[0];
}

}  // namespace

TEST(Merkle, ZeroHashes)
{
    EXPECT_EQ(merkle_zero_hash(0), Fr::zero());
    EXPECT_EQ(merkle_zero_hash(1),
              *Fr::from_decimal("14744269619966411208579211824598458697587494354926760081771325075741142829156"));
    for (unsigned l = 1; l <= merkle_max_depth; ++l)
        EXPECT_EQ(merkle_zero_hash(l), poseidon_hash(merkle_zero_hash(l - 1), merkle_zero_hash(l - 1)));
    EXPECT_EQ(MerkleTree(32).root(), merkle_zero_hash(32));
    EXPECT_THROW(merkle_zero_hash(33), std::invalid_argument);
}

TEST(Merkle, DenseTreeMatchesNaiveHashing)
{
    const auto full = leaves(16);
    const MerkleTree tree(4, full);
    EXPECT_EQ(tree.root(), naive_root(full));
    // A partly filled tree: the rest are zero leaves.
    auto partial = leaves(5);
    const MerkleTree small(4, partial);
    partial.resize(16, Fr::zero());
    EXPECT_EQ(small.root(), naive_root(partial));
    for (uint64_t i = 0; i < 16; ++i) {
        EXPECT_EQ(small.leaf(i), partial[i]);
        const MerkleProof p = small.proof(i);
        EXPECT_EQ(p.siblings.size(), 4u);
        EXPECT_EQ(merkle_root_from_proof(partial[i], p), small.root());
        EXPECT_NE(merkle_root_from_proof(partial[i] + Fr::one(), p), small.root());
    }
    EXPECT_THROW(small.proof(16), std::out_of_range);
    EXPECT_THROW(MerkleTree(2, leaves(5)), std::invalid_argument);
    EXPECT_THROW(MerkleTree(0), std::invalid_argument);
    EXPECT_THROW(MerkleTree(33), std::invalid_argument);
}

TEST(Merkle, SetLeafMatchesRebuild)
{
    auto values = leaves(11);
    MerkleTree tree(5, values);
    values.resize(32, Fr::zero());
    for (uint64_t i : {0u, 3u, 10u, 11u, 31u}) {
        values[i] = F(5000 + i);
        tree.set_leaf(i, values[i]);
        EXPECT_EQ(tree.root(), naive_root(values)) << "after setting leaf " << i;
        EXPECT_EQ(tree.root(), MerkleTree(5, values).root());
    }
}

TEST(Merkle, SparseDepth32)
{
    MerkleTree tree(32);
    const uint64_t last = (uint64_t(1) << 32) - 1;
    const std::vector<uint64_t> positions = {0, 1, 12345678, uint64_t(1) << 31, last};
    for (uint64_t i : positions)
        tree.set_leaf(i, F(i + 1));
    for (uint64_t i : positions) {
        const MerkleProof p = tree.proof(i);
        EXPECT_EQ(merkle_root_from_proof(F(i + 1), p), tree.root());
    }
    EXPECT_EQ(tree.leaf(777), Fr::zero());
    EXPECT_EQ(merkle_root_from_proof(Fr::zero(), tree.proof(777)), tree.root());
    EXPECT_THROW(tree.set_leaf(last + 1, F(1)), std::out_of_range);

    // A single leaf: the siblings are the empty-subtree hashes.
    MerkleTree one(32);
    one.set_leaf(last, F(42));
    Fr cur = F(42);
    for (unsigned l = 0; l < 32; ++l)
        cur = poseidon_hash(merkle_zero_hash(l), cur);
    EXPECT_EQ(one.root(), cur);
}

namespace {

struct Fixture {
    MerkleTree tree;
    uint64_t index;
    Fixture(unsigned depth, uint64_t idx) : tree(depth), index(idx)
    {
        const uint64_t cap = tree.capacity();
        for (uint64_t k = 0; k < 6; ++k)
            tree.set_leaf((idx + k * 0x9e3779b9ull) % cap, F(100 + k));
        tree.set_leaf(idx, F(77));
    }
};

}  // namespace

TEST(Merkle, VerifyGadgetAtDepths)
{
    for (unsigned depth : {1u, 4u, 20u, 32u}) {
        const uint64_t index = depth == 1 ? 1 : (uint64_t(0xdeadbeefcafe) & ((uint64_t(1) << depth) - 1));
        Fixture f(depth, index);
        for (Mode mode : {Mode::full, Mode::witness_only}) {
            Builder b(mode);
            const Signal root = b.public_input("root", f.tree.root());
            const Signal leaf = b.private_input("leaf", F(77));
            const MerklePathSignals path = merkle_path_private_inputs(b, f.tree.proof(index), depth);
            const Signal computed = merkle_verify(b, leaf, path.elements, path.index_bits, depth);
            EXPECT_EQ(computed.value(), f.tree.root()) << "depth " << depth;
            EXPECT_EQ(b.constraint_count(), 242u * depth);
            assert_merkle_membership(b, leaf, path.elements, path.index_bits, depth, root);
            EXPECT_EQ(b.constraint_count(), 2 * 242u * depth + 1);
            if (mode == Mode::full) {
                EXPECT_FALSE(b.first_violation(b.values()));
            }
        }
    }
    EXPECT_EQ(242u * 32, 7744u);
}

TEST(Merkle, MembershipSoundness)
{
    constexpr unsigned depth = 4;
    Fixture f(depth, 6);
    Builder b;
    const Signal root = b.public_input("root", f.tree.root());
    const Signal leaf = b.private_input("leaf", F(77));
    const MerklePathSignals path = merkle_path_private_inputs(b, f.tree.proof(6), depth);
    assert_merkle_membership(b, leaf, path.elements, path.index_bits, depth, root);
    ASSERT_FALSE(b.first_violation(b.values()));
    // Every wire (root, leaf, path, index bits, hash internals) is bound by the public root.
    for (uint32_t w = 1; w < b.wire_count(); ++w) {
        auto values = b.values();
        values[w] += Fr::one();
        EXPECT_TRUE(b.first_violation(values)) << "wire " << w;
    }
    // A non-boolean index bit, or a wrong leaf or root, cannot even be built.
    for (Mode mode : {Mode::full, Mode::witness_only}) {
        {
            Builder c(mode);
            auto p = merkle_path_private_inputs(c, f.tree.proof(6), depth);
            p.index_bits[1] = c.private_input("bad", F(2));
            EXPECT_THROW(merkle_verify(c, c.private_input("leaf", F(77)), p.elements, p.index_bits, depth),
                         ConstraintViolation);
        }
        {
            Builder c(mode);
            auto p = merkle_path_private_inputs(c, f.tree.proof(6), depth);
            EXPECT_THROW(assert_merkle_membership(c, c.private_input("leaf", F(78)), p.elements, p.index_bits,
                                                  depth, c.public_input("root", f.tree.root())),
                         ConstraintViolation);
        }
    }
    Builder c;
    const MerklePathSignals p = merkle_path_private_inputs(c, f.tree.proof(6), depth);
    EXPECT_THROW(merkle_verify(c, Builder::constant(0), p.elements, p.index_bits, 3), std::invalid_argument);
    EXPECT_THROW(merkle_verify(c, Builder::constant(0), std::span(p.elements).first(3), p.index_bits, 4),
                 std::invalid_argument);
}

TEST(Merkle, UpdateGadgetAtDepths)
{
    for (unsigned depth : {1u, 4u, 20u, 32u}) {
        const uint64_t index = depth == 1 ? 0 : ((uint64_t(1) << depth) - 3);
        Fixture f(depth, index);
        const Fr old_root = f.tree.root();
        const MerkleProof proof = f.tree.proof(index);
        MerkleTree after = f.tree;
        after.set_leaf(index, F(88));
        for (Mode mode : {Mode::full, Mode::witness_only}) {
            Builder b(mode);
            const Signal old_leaf = b.private_input("old", F(77)), new_leaf = b.private_input("new", F(88));
            const MerklePathSignals path = merkle_path_private_inputs(b, proof, depth);
            const MerkleUpdate u = merkle_update(b, old_leaf, new_leaf, path.elements, path.index_bits, depth);
            EXPECT_EQ(u.old_root.value(), old_root) << "depth " << depth;
            EXPECT_EQ(u.new_root.value(), after.root()) << "depth " << depth;
            EXPECT_EQ(b.constraint_count(), 483u * depth);
            if (mode == Mode::full) {
                EXPECT_FALSE(b.first_violation(b.values()));
            }
        }
    }
    EXPECT_EQ(483u * 32, 15456u);
}

TEST(Merkle, UpdateSoundness)
{
    constexpr unsigned depth = 2;
    Fixture f(depth, 2);
    MerkleTree after = f.tree;
    after.set_leaf(2, F(88));
    Builder b;
    const Signal old_root = b.public_input("old_root", f.tree.root());
    const Signal new_root = b.public_input("new_root", after.root());
    const Signal old_leaf = b.private_input("old", F(77)), new_leaf = b.private_input("new", F(88));
    const MerklePathSignals path = merkle_path_private_inputs(b, f.tree.proof(2), depth);
    const MerkleUpdate u = merkle_update(b, old_leaf, new_leaf, path.elements, path.index_bits, depth);
    b.assert_equal(u.old_root, old_root);
    b.assert_equal(u.new_root, new_root);
    ASSERT_FALSE(b.first_violation(b.values()));
    for (uint32_t w = 1; w < b.wire_count(); ++w) {
        auto values = b.values();
        values[w] += Fr::one();
        EXPECT_TRUE(b.first_violation(values)) << "wire " << w;
    }
}

TEST(Merkle, WitnessOnlyModeMatchesFullMode)
{
    Fixture f(20, 123456);
    auto circuit = [&](Builder& b) {
        const Signal root = b.public_input("root", f.tree.root());
        const MerklePathSignals path = merkle_path_private_inputs(b, f.tree.proof(123456), 20);
        assert_merkle_membership(b, b.private_input("leaf", F(77)), path.elements, path.index_bits, 20, root);
    };
    Builder full(Mode::full), fast(Mode::witness_only);
    circuit(full);
    circuit(fast);
    EXPECT_EQ(full.witness_file().values, fast.witness_file().values);
    EXPECT_EQ(full.constraint_count(), fast.constraint_count());
}
