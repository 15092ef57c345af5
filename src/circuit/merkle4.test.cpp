// 4-ary Poseidon Merkle trees: the native sparse tree against naive hashing, proofs, and the
// membership and update gadgets (constraint counts, agreement with the native tree, soundness).
#include "circuit/merkle4.hpp"

#include "circuit/poseidon.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace provernet::circuit;
using provernet::math::Fr;

namespace {

Fr F(uint64_t v) { return Fr::from_uint(v); }

// The root of the full tree over `level` (4^L values), hashing every node.
Fr naive_root(std::vector<Fr> level)
{
    while (level.size() > 1) {
        std::vector<Fr> up;
        for (size_t i = 0; i < level.size(); i += 4) {
            const std::array<Fr, 4> c = {level[i], level[i + 1], level[i + 2], level[i + 3]};
            up.push_back(poseidon_hash(c));
        }
        level = up;
    }
    return level[0];
}

struct Circuit {
    Builder b;
    Signal root, leaf, index;
    std::vector<Merkle4SiblingSignals> siblings;
};

}  // namespace

TEST(Merkle4, ZeroHashes)
{
    EXPECT_EQ(merkle4_zero_hash(0), Fr::zero());
    const std::array<Fr, 4> zeros{};
    EXPECT_EQ(merkle4_zero_hash(1), poseidon_hash(zeros));
    for (unsigned l = 1; l <= merkle4_max_levels; ++l) {
        const Fr z = merkle4_zero_hash(l - 1);
        const std::array<Fr, 4> c = {z, z, z, z};
        EXPECT_EQ(merkle4_zero_hash(l), poseidon_hash(c));
    }
    EXPECT_EQ(Merkle4Tree(16).root(), merkle4_zero_hash(16));
    EXPECT_EQ(Merkle4Tree(16).capacity(), uint64_t(1) << 32);
    EXPECT_THROW(merkle4_zero_hash(17), std::invalid_argument);
    EXPECT_THROW(Merkle4Tree(0), std::invalid_argument);
    EXPECT_THROW(Merkle4Tree(17), std::invalid_argument);
}

TEST(Merkle4, SparseTreeMatchesNaiveHashing)
{
    constexpr unsigned levels = 3;  // 64 leaves
    std::vector<Fr> values(64, Fr::zero());
    Merkle4Tree tree(levels);
    EXPECT_EQ(tree.root(), naive_root(values));
    std::mt19937_64 rng(7);
    for (int step = 0; step < 20; ++step) {
        const uint64_t i = rng() % 64;
        values[i] = F(rng());
        tree.set_leaf(i, values[i]);
        ASSERT_EQ(tree.root(), naive_root(values)) << "after setting leaf " << i;
    }
    for (uint64_t i = 0; i < 64; ++i) {
        EXPECT_EQ(tree.leaf(i), values[i]);
        const Merkle4Proof p = tree.proof(i);
        ASSERT_EQ(p.siblings.size(), levels);
        EXPECT_EQ(merkle4_root_from_proof(values[i], p), tree.root()) << "leaf " << i;
        EXPECT_NE(merkle4_root_from_proof(values[i] + Fr::one(), p), tree.root());
        // The siblings are the other children in order: swapping the leaf with its neighbour
        // (position 0 <-> 1 or 2 <-> 3) gives another root unless the two are equal.
        Merkle4Proof moved = p;
        moved.index ^= 1;
        const Fr& neighbour = (i & 3) < 2 ? p.siblings[0][0] : p.siblings[0][2];
        if (neighbour != values[i]) {
            EXPECT_NE(merkle4_root_from_proof(values[i], moved), tree.root());
        }
    }
    EXPECT_THROW(tree.proof(64), std::out_of_range);
    EXPECT_THROW(tree.set_leaf(64, F(1)), std::out_of_range);
}

TEST(Merkle4, DeepSparseTree)
{
    Merkle4Tree tree(16);
    const uint64_t far = (uint64_t(1) << 32) - 1;
    tree.set_leaf(far, F(9));
    tree.set_leaf(5, F(10));
    EXPECT_EQ(merkle4_root_from_proof(F(9), tree.proof(far)), tree.root());
    EXPECT_EQ(merkle4_root_from_proof(F(10), tree.proof(5)), tree.root());
    EXPECT_EQ(merkle4_root_from_proof(Fr::zero(), tree.proof(1234567)), tree.root());
    // Clearing both leaves gives back the empty tree.
    tree.set_leaf(far, Fr::zero());
    tree.set_leaf(5, Fr::zero());
    EXPECT_EQ(tree.root(), merkle4_zero_hash(16));
}

TEST(Merkle4, MembershipGadget)
{
    for (unsigned levels : {1u, 2u, 5u, 16u}) {
        Merkle4Tree tree(levels);
        const uint64_t index = (tree.capacity() - 1) / 3;  // digits 1 (01) at every level
        for (uint64_t i : {uint64_t(0), index, tree.capacity() - 1})
            tree.set_leaf(i, F(100 + i));
        for (uint64_t i : {uint64_t(0), index, tree.capacity() - 1}) {
            for (Mode mode : {Mode::full, Mode::witness_only}) {
                Builder b(mode);
                const Signal root = b.public_input("root", tree.root());
                const Signal leaf = b.private_input("leaf", F(100 + i));
                const Signal idx = b.private_input("index", F(i));
                const auto siblings = merkle4_sibling_private_inputs(b, tree.proof(i), levels);
                const Signal computed = merkle4_verify(b, leaf, idx, siblings, levels);
                EXPECT_EQ(computed.value(), tree.root()) << levels << " levels, leaf " << i;
                EXPECT_EQ(b.constraint_count(), 306u * levels);
                assert_merkle4_membership(b, leaf, idx, siblings, levels, root);
                EXPECT_EQ(b.constraint_count(), 2 * 306u * levels + 1);
                if (mode == Mode::full) {
                    EXPECT_FALSE(b.first_violation(b.values()));
                }
            }
        }
    }
    EXPECT_EQ(306u * 16, 4896u);
}

TEST(Merkle4, UpdateGadget)
{
    std::mt19937_64 rng(11);
    for (unsigned levels : {1u, 3u, 16u}) {
        Merkle4Tree tree(levels);
        for (int k = 0; k < 6; ++k)
            tree.set_leaf(rng() % tree.capacity(), F(rng()));
        for (int k = 0; k < 4; ++k) {
            const uint64_t i = rng() % tree.capacity();
            const Fr old_leaf = tree.leaf(i), new_leaf = F(rng());
            const Fr old_root = tree.root();
            const Merkle4Proof proof = tree.proof(i);
            Merkle4Tree after = tree;
            after.set_leaf(i, new_leaf);
            for (Mode mode : {Mode::full, Mode::witness_only}) {
                Builder b(mode);
                const Signal o = b.private_input("old", old_leaf), n = b.private_input("new", new_leaf);
                const Signal idx = b.private_input("index", F(i));
                const auto siblings = merkle4_sibling_private_inputs(b, proof, levels);
                const MerkleUpdate u = merkle4_update(b, o, n, idx, siblings, levels);
                EXPECT_EQ(u.old_root.value(), old_root) << levels << " levels, leaf " << i;
                EXPECT_EQ(u.new_root.value(), after.root()) << levels << " levels, leaf " << i;
                EXPECT_EQ(b.constraint_count(), 606u * levels);
                if (mode == Mode::full) {
                    EXPECT_FALSE(b.first_violation(b.values()));
                }
            }
            tree = after;
        }
    }
    EXPECT_EQ(606u * 16, 9696u);
}

TEST(Merkle4, UpdateSoundness)
{
    constexpr unsigned levels = 2;
    Merkle4Tree tree(levels);
    for (uint64_t i : {1u, 6u, 9u, 14u})
        tree.set_leaf(i, F(50 + i));
    Merkle4Tree after = tree;
    after.set_leaf(9, F(77));
    Builder b;
    const Signal old_root = b.public_input("old_root", tree.root());
    const Signal new_root = b.public_input("new_root", after.root());
    const Signal o = b.private_input("old", F(59)), n = b.private_input("new", F(77));
    const Signal idx = b.private_input("index", F(9));
    const auto siblings = merkle4_sibling_private_inputs(b, tree.proof(9), levels);
    const MerkleUpdate u = merkle4_update(b, o, n, idx, siblings, levels);
    b.assert_equal(u.old_root, old_root);
    b.assert_equal(u.new_root, new_root);
    ASSERT_FALSE(b.first_violation(b.values()));
    // Every wire (roots, leaves, index and its bits, siblings, selectors, hash internals) is bound.
    for (uint32_t w = 1; w < b.wire_count(); ++w) {
        auto values = b.values();
        values[w] += Fr::one();
        EXPECT_TRUE(b.first_violation(values)) << "wire " << w;
    }
}

TEST(Merkle4, GadgetRejectsBadInputs)
{
    Merkle4Tree tree(2);
    tree.set_leaf(3, F(5));
    for (Mode mode : {Mode::full, Mode::witness_only}) {
        {  // An index beyond the tree's capacity fails its bit decomposition.
            Builder b(mode);
            Merkle4Proof p = tree.proof(3);
            const auto siblings = merkle4_sibling_private_inputs(b, p, 2);
            EXPECT_THROW(merkle4_verify(b, b.private_input("leaf", F(5)), b.private_input("index", F(16)), siblings, 2),
                         ConstraintViolation);
        }
        {  // A wrong leaf does not lead to the root.
            Builder b(mode);
            const auto siblings = merkle4_sibling_private_inputs(b, tree.proof(3), 2);
            const Signal root = b.public_input("root", tree.root());
            EXPECT_THROW(assert_merkle4_membership(b, b.private_input("leaf", F(6)), b.private_input("index", F(3)),
                                                   siblings, 2, root),
                         ConstraintViolation);
        }
        {  // The path's length must match the levels.
            Builder b(mode);
            const auto siblings = merkle4_sibling_private_inputs(b, tree.proof(3), 2);
            EXPECT_THROW(merkle4_verify(b, Builder::constant(5), Builder::constant(3), siblings, 3),
                         std::invalid_argument);
        }
    }
}
