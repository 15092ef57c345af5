#include "circuit/merkle.hpp"

#include "circuit/gadgets.hpp"
#include "circuit/poseidon.hpp"

#include <array>
#include <stdexcept>

namespace provernet::circuit {

namespace {

void check_depth(unsigned depth)
{
    if (depth < 1 || depth > merkle_max_depth)
        throw std::invalid_argument("merkle: depth must be 1 to 32, got " + std::to_string(depth));
}

void check_path(std::span<const Signal> elements, std::span<const Signal> bits, unsigned depth)
{
    check_depth(depth);
    if (elements.size() != depth || bits.size() != depth)
        throw std::invalid_argument("merkle: the path needs " + std::to_string(depth) +
                                    " elements and index bits");
}

// (left, right) = bit ? (sibling, cur) : (cur, sibling), with one constraint; bit is boolean.
std::pair<Signal, Signal> order(Builder& b, const Signal& bit, const Signal& cur, const Signal& sibling)
{
    const Signal left = select(b, bit, sibling, cur);
    return {left, cur + sibling - left};
}

}  // namespace

const Fr& merkle_zero_hash(unsigned level)
{
    static const auto zeros = [] {
        std::array<Fr, merkle_max_depth + 1> z;
        z[0] = Fr::zero();
        for (unsigned i = 1; i < z.size(); ++i)
            z[i] = poseidon_hash(z[i - 1], z[i - 1]);
        return z;
    }();
    if (level > merkle_max_depth)
        throw std::invalid_argument("merkle_zero_hash: level above 32");
    return zeros[level];
}

Fr merkle_root_from_proof(const Fr& leaf, const MerkleProof& proof)
{
    Fr cur = leaf;
    for (size_t i = 0; i < proof.siblings.size(); ++i)
        cur = (proof.index >> i) & 1 ? poseidon_hash(proof.siblings[i], cur) : poseidon_hash(cur, proof.siblings[i]);
    return cur;
}

MerkleTree::MerkleTree(unsigned depth) : depth_(depth)
{
    check_depth(depth);
    levels_.resize(depth + 1);
}

MerkleTree::MerkleTree(unsigned depth, std::span<const Fr> leaves) : MerkleTree(depth)
{
    if (leaves.size() > capacity())
        throw std::invalid_argument("MerkleTree: more leaves than the tree holds");
    // Dense bottom-up pass over the filled prefix; everything to its right is an empty subtree.
    std::vector<Fr> cur(leaves.begin(), leaves.end());
    for (unsigned level = 0; level <= depth; ++level) {
        auto& map = levels_[level];
        map.reserve(cur.size());
        for (size_t i = 0; i < cur.size(); ++i)
            map.emplace(i, cur[i]);
        if (level == depth)
            break;
        std::vector<Fr> up((cur.size() + 1) / 2);
        for (size_t i = 0; i < up.size(); ++i) {
            const Fr& right = 2 * i + 1 < cur.size() ? cur[2 * i + 1] : merkle_zero_hash(level);
            up[i] = poseidon_hash(cur[2 * i], right);
        }
        cur = std::move(up);
    }
}

void MerkleTree::check_index(uint64_t index) const
{
    if (index >= capacity())
        throw std::out_of_range("MerkleTree: leaf index beyond the tree's capacity");
}

Fr MerkleTree::node(unsigned level, uint64_t index) const
{
    const auto& map = levels_[level];
    const auto it = map.find(index);
    return it == map.end() ? merkle_zero_hash(level) : it->second;
}

Fr MerkleTree::leaf(uint64_t index) const
{
    check_index(index);
    return node(0, index);
}

void MerkleTree::set_leaf(uint64_t index, const Fr& value)
{
    check_index(index);
    levels_[0][index] = value;
    Fr cur = value;
    for (unsigned level = 0; level < depth_; ++level) {
        const uint64_t i = index >> level;
        const Fr sibling = node(level, i ^ 1);
        cur = (i & 1) ? poseidon_hash(sibling, cur) : poseidon_hash(cur, sibling);
        levels_[level + 1][i >> 1] = cur;
    }
}

MerkleProof MerkleTree::proof(uint64_t index) const
{
    check_index(index);
    MerkleProof p;
    p.index = index;
    p.siblings.reserve(depth_);
    for (unsigned level = 0; level < depth_; ++level)
        p.siblings.push_back(node(level, (index >> level) ^ 1));
    return p;
}

// ---- Gadgets ----

Signal merkle_verify(Builder& b, const Signal& leaf, std::span<const Signal> path_elements,
                     std::span<const Signal> path_index_bits, unsigned depth)
{
    check_path(path_elements, path_index_bits, depth);
    Signal cur = leaf;
    for (unsigned i = 0; i < depth; ++i) {
        assert_boolean(b, path_index_bits[i]);
        const auto [left, right] = order(b, path_index_bits[i], cur, path_elements[i]);
        cur = poseidon(b, left, right);
    }
    return cur;
}

void assert_merkle_membership(Builder& b, const Signal& leaf, std::span<const Signal> path_elements,
                              std::span<const Signal> path_index_bits, unsigned depth, const Signal& root)
{
    const Signal computed = merkle_verify(b, leaf, path_elements, path_index_bits, depth);
    if (computed.value() != root.value())
        throw ConstraintViolation("assert_merkle_membership: the path does not lead to the root");
    b.assert_equal(computed, root, "assert_merkle_membership");
}

MerkleUpdate merkle_update(Builder& b, const Signal& old_leaf, const Signal& new_leaf,
                           std::span<const Signal> path_elements, std::span<const Signal> path_index_bits,
                           unsigned depth)
{
    check_path(path_elements, path_index_bits, depth);
    Signal old_cur = old_leaf, new_cur = new_leaf;
    for (unsigned i = 0; i < depth; ++i) {
        const Signal& bit = path_index_bits[i];
        assert_boolean(b, bit);
        const auto [old_left, old_right] = order(b, bit, old_cur, path_elements[i]);
        const auto [new_left, new_right] = order(b, bit, new_cur, path_elements[i]);
        old_cur = poseidon(b, old_left, old_right);
        new_cur = poseidon(b, new_left, new_right);
    }
    return {old_cur, new_cur};
}

MerklePathSignals merkle_path_private_inputs(Builder& b, const MerkleProof& proof, unsigned depth,
                                             const std::string& name)
{
    check_depth(depth);
    if (proof.siblings.size() != depth)
        throw std::invalid_argument("merkle_path_private_inputs: proof depth differs");
    MerklePathSignals s;
    for (unsigned i = 0; i < depth; ++i) {
        s.elements.push_back(b.private_input(name + "_elements[" + std::to_string(i) + "]", proof.siblings[i]));
        s.index_bits.push_back(
            b.private_input(name + "_index[" + std::to_string(i) + "]", Fr::from_uint((proof.index >> i) & 1)));
    }
    return s;
}

}  // namespace provernet::circuit
