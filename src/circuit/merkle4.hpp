// 4-ary Poseidon Merkle trees (parent = poseidon([c0, c1, c2, c3]), circomlib's Poseidon(4)),
// natively and as circuit gadgets.
//
// Why 4-ary: a Poseidon(4) hash costs 297 constraints and consumes two index bits, against
// 2 x 240 for two binary levels, so a tree of 2^32 leaves costs 16 x 306 = 4,896 constraints to
// open and 16 x 606 = 9,696 to update (old and new root on one path), against 7,744 and 15,456
// for the binary tree of merkle.hpp.
//
// Levels count from the leaves (level 0) to the root (level `levels`); a tree of L levels holds
// 4^L leaves. The digit of level i is bits 2i and 2i+1 of the leaf index: the position (0..3) of
// the path's node among its parent's children. A path element at level i is the node's three
// siblings in child order (the other children of the parent, left to right). Empty leaves are 0,
// so an empty subtree of height h has the root merkle4_zero_hash(h), and trees are stored
// sparsely.
#pragma once

#include "circuit/builder.hpp"
#include "circuit/merkle.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace provernet::circuit {

inline constexpr unsigned merkle4_max_levels = 16;  // 4^16 = 2^32 leaves

// Root of an empty subtree of height `level` (0..16): 0, then Poseidon(z, z, z, z) upwards.
const Fr& merkle4_zero_hash(unsigned level);

using Merkle4Siblings = std::array<Fr, 3>;

struct Merkle4Proof {
    uint64_t index = 0;
    std::vector<Merkle4Siblings> siblings;  // one triple per level, leaf level first
};

// The root that a leaf and its proof lead to (no check against any tree).
Fr merkle4_root_from_proof(const Fr& leaf, const Merkle4Proof& proof);

class Merkle4Tree {
public:
    // An empty tree (all leaves 0) of 1..16 levels.
    explicit Merkle4Tree(unsigned levels);

    unsigned levels() const { return levels_; }
    uint64_t capacity() const { return uint64_t(1) << (2 * levels_); }
    Fr root() const { return node(levels_, 0); }
    Fr leaf(uint64_t index) const;
    // Sets one leaf and rehashes its path: `levels` hashes.
    void set_leaf(uint64_t index, const Fr& value);
    Merkle4Proof proof(uint64_t index) const;

private:
    Fr node(unsigned level, uint64_t index) const;
    void check_index(uint64_t index) const;

    unsigned levels_;
    std::vector<std::unordered_map<uint64_t, Fr>> nodes_;  // [0] leaves .. [levels] root; set nodes only
};

// ---- Gadgets ----

using Merkle4SiblingSignals = std::array<Signal, 3>;

// The root that `leaf` at position `index` and the siblings lead to. The index is decomposed into
// 2 * levels bits (which proves index < 4^levels). Per level: the one-hot position of the node
// among four children from its two bits (1 constraint), three products on the siblings alone and
// three on the node, and a Poseidon(4) (297): 306 * levels constraints (4,896 at 16 levels).
// The caller constrains the root.
Signal merkle4_verify(Builder& b, const Signal& leaf, const Signal& index,
                      std::span<const Merkle4SiblingSignals> siblings, unsigned levels);

// merkle4_verify plus root == computed root: 306 * levels + 1 constraints.
void assert_merkle4_membership(Builder& b, const Signal& leaf, const Signal& index,
                               std::span<const Merkle4SiblingSignals> siblings, unsigned levels,
                               const Signal& root);

// The roots before and after replacing old_leaf by new_leaf at `index`, sharing the index bits,
// the position selectors and the sibling products: per level 2 bits + 1 + 3 + 2 x 3 + 2 x 297 =
// 606 * levels constraints (9,696 at 16 levels).
MerkleUpdate merkle4_update(Builder& b, const Signal& old_leaf, const Signal& new_leaf, const Signal& index,
                            std::span<const Merkle4SiblingSignals> siblings, unsigned levels);

// A proof's siblings as private inputs named name[level][j], for callers and tests.
std::vector<Merkle4SiblingSignals> merkle4_sibling_private_inputs(Builder& b, const Merkle4Proof& proof,
                                                                  unsigned levels,
                                                                  const std::string& name = "siblings");

}  // namespace provernet::circuit
