// Binary Merkle trees hashed with Poseidon (parent = poseidon([left, right]), circomlib's
// Poseidon(2)), natively and as circuit gadgets.
//
// Levels count from the leaves (level 0) to the root (level depth). Bit i of a leaf's index says
// whether the path's node at level i is a right child (1) or a left child (0); path element i is
// that node's sibling. Empty leaves are 0, so an empty subtree of height h has the root
// merkle_zero_hash(h), and trees are stored sparsely: a depth-32 tree with a few leaves costs a
// few hundred hashes.
#pragma once

#include "circuit/builder.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace provernet::circuit {

inline constexpr unsigned merkle_max_depth = 32;

// Root of an empty subtree of height `level` (0 <= level <= 32): 0, then H(z, z) upwards.
const Fr& merkle_zero_hash(unsigned level);

struct MerkleProof {
    uint64_t index = 0;        // the leaf's position
    std::vector<Fr> siblings;  // one per level, leaf level first
};

// The root a leaf and its proof lead to (no check against any tree).
Fr merkle_root_from_proof(const Fr& leaf, const MerkleProof& proof);

class MerkleTree {
public:
    // An empty tree (all leaves 0) of depth 1..32.
    explicit MerkleTree(unsigned depth);
    // Leaves at positions 0..leaves.size()-1, the rest 0.
    MerkleTree(unsigned depth, std::span<const Fr> leaves);

    unsigned depth() const { return depth_; }
    uint64_t capacity() const { return uint64_t(1) << depth_; }
    Fr root() const { return node(depth_, 0); }
    Fr leaf(uint64_t index) const;
    // Sets one leaf and rehashes its path: depth hashes.
    void set_leaf(uint64_t index, const Fr& value);
    MerkleProof proof(uint64_t index) const;

private:
    Fr node(unsigned level, uint64_t index) const;
    void check_index(uint64_t index) const;

    unsigned depth_;
    std::vector<std::unordered_map<uint64_t, Fr>> levels_;  // [0] leaves .. [depth] root; set nodes only
};

// ---- Gadgets ----

// The root that `leaf` and the path lead to: per level one boolean constraint on the index bit,
// one for the left/right swap (left = cur + bit * (sibling - cur), right = cur + sibling - left)
// and a Poseidon(2) hash (240): 242 * depth constraints (7744 at depth 32). The caller
// constrains the root (assert_merkle_membership below, or against its own signal).
// path_elements and path_index_bits hold depth (1..32) signals each, leaf level first.
Signal merkle_verify(Builder& b, const Signal& leaf, std::span<const Signal> path_elements,
                     std::span<const Signal> path_index_bits, unsigned depth);

// merkle_verify plus root == computed root: 242 * depth + 1 constraints.
void assert_merkle_membership(Builder& b, const Signal& leaf, std::span<const Signal> path_elements,
                              std::span<const Signal> path_index_bits, unsigned depth, const Signal& root);

struct MerkleUpdate {
    Signal old_root, new_root;
};

// The roots before and after replacing old_leaf by new_leaf at the same position, sharing the
// path and its boolean constraints: per level 1 boolean + 2 swaps + 2 hashes = 483 * depth
// constraints (15456 at depth 32).
MerkleUpdate merkle_update(Builder& b, const Signal& old_leaf, const Signal& new_leaf,
                           std::span<const Signal> path_elements, std::span<const Signal> path_index_bits,
                           unsigned depth);

// A proof as private inputs (names name_elements[i], name_index[i]), for callers and tests.
struct MerklePathSignals {
    std::vector<Signal> elements, index_bits;
};
MerklePathSignals merkle_path_private_inputs(Builder& b, const MerkleProof& proof, unsigned depth,
                                             const std::string& name = "path");

}  // namespace provernet::circuit
