#include "circuit/merkle4.hpp"

#include "circuit/gadgets.hpp"
#include "circuit/poseidon.hpp"

#include <stdexcept>

namespace provernet::circuit {

namespace {

void check_levels(unsigned levels)
{
    if (levels < 1 || levels > merkle4_max_levels)
        throw std::invalid_argument("merkle4: levels must be 1 to 16, got " + std::to_string(levels));
}

void check_siblings(std::span<const Merkle4SiblingSignals> siblings, unsigned levels)
{
    check_levels(levels);
    if (siblings.size() != levels)
        throw std::invalid_argument("merkle4: the path needs " + std::to_string(levels) + " sibling triples");
}

// The four children of a parent whose child at `position` is `node`.
std::array<Fr, 4> children(unsigned position, const Fr& node, const Merkle4Siblings& s)
{
    std::array<Fr, 4> c;
    for (unsigned j = 0, k = 0; j < 4; ++j)
        c[j] = j == position ? node : s[k++];
    return c;
}

// One level of a path in the circuit. From the digit's bits b0 (low) and b1, the one-hot
// position flags are e3 = b0 b1, e1 = b0 - e3, e2 = b1 - e3, e0 = 1 - b0 - b1 + e3, and child j
// is e_j * node + T_j, where T_j is the sibling that child j holds when the node is elsewhere:
//   T0 = (1 - e0) s0,  T1 = e0 s0 + b1 s1,  T2 = (1 - b1) s1 + e3 s2,  T3 = (1 - e3) s2.
// The products e0 s0, b1 s1, e3 s2 depend on the siblings only, so an update computes them once
// for both paths; each path then pays e0, e1, e2 times its node (e3 node is the rest, since the
// flags sum to 1).
class Level {
public:
    Level(Builder& b, const Signal& b0, const Signal& b1, const Merkle4SiblingSignals& s) : b0_(b0), b1_(b1)
    {
        const Signal one = Builder::constant(1);
        e3_ = b.mul(b0, b1);
        e0_ = one - b0 - b1 + e3_;
        const Signal p0 = b.mul(e0_, s[0]), p1 = b.mul(b1, s[1]), p2 = b.mul(e3_, s[2]);
        t_ = {s[0] - p0, p0 + p1, s[1] - p1 + p2, s[2] - p2};
    }

    Signal parent(Builder& b, const Signal& node) const
    {
        const Signal q0 = b.mul(e0_, node);
        const Signal q1 = b.mul(b0_ - e3_, node);
        const Signal q2 = b.mul(b1_ - e3_, node);
        const Signal q3 = node - q0 - q1 - q2;
        const std::array<Signal, 4> c = {t_[0] + q0, t_[1] + q1, t_[2] + q2, t_[3] + q3};
        return poseidon(b, c);
    }

private:
    Signal b0_, b1_, e0_, e3_;
    std::array<Signal, 4> t_;
};

}  // namespace

const Fr& merkle4_zero_hash(unsigned level)
{
    static const auto zeros = [] {
        std::array<Fr, merkle4_max_levels + 1> z;
        z[0] = Fr::zero();
        for (unsigned i = 1; i < z.size(); ++i) {
            const std::array<Fr, 4> c = {z[i - 1], z[i - 1], z[i - 1], z[i - 1]};
            z[i] = poseidon_hash(c);
        }
        return z;
    }();
    if (level > merkle4_max_levels)
        throw std::invalid_argument("merkle4_zero_hash: level above 16");
    return zeros[level];
}

Fr merkle4_root_from_proof(const Fr& leaf, const Merkle4Proof& proof)
{
    Fr cur = leaf;
    for (size_t i = 0; i < proof.siblings.size(); ++i) {
        const unsigned position = unsigned(proof.index >> (2 * i)) & 3;
        cur = poseidon_hash(children(position, cur, proof.siblings[i]));
    }
    return cur;
}

Merkle4Tree::Merkle4Tree(unsigned levels) : levels_(levels)
{
    check_levels(levels);
    nodes_.resize(levels + 1);
}

void Merkle4Tree::check_index(uint64_t index) const
{
    if (index >= capacity())
        throw std::out_of_range("Merkle4Tree: leaf index beyond the tree's capacity");
}

Fr Merkle4Tree::node(unsigned level, uint64_t index) const
{
    const auto& map = nodes_[level];
    const auto it = map.find(index);
    return it == map.end() ? merkle4_zero_hash(level) : it->second;
}

Fr Merkle4Tree::leaf(uint64_t index) const
{
    check_index(index);
    return node(0, index);
}

void Merkle4Tree::set_leaf(uint64_t index, const Fr& value)
{
    check_index(index);
    nodes_[0][index] = value;
    uint64_t i = index;
    for (unsigned level = 0; level < levels_; ++level) {
        const uint64_t first = i & ~uint64_t(3);
        std::array<Fr, 4> c;
        for (unsigned j = 0; j < 4; ++j)
            c[j] = node(level, first + j);
        i >>= 2;
        nodes_[level + 1][i] = poseidon_hash(c);
    }
}

Merkle4Proof Merkle4Tree::proof(uint64_t index) const
{
    check_index(index);
    Merkle4Proof p;
    p.index = index;
    p.siblings.reserve(levels_);
    uint64_t i = index;
    for (unsigned level = 0; level < levels_; ++level, i >>= 2) {
        const uint64_t first = i & ~uint64_t(3);
        Merkle4Siblings s;
        for (unsigned j = 0, k = 0; j < 4; ++j)
            if (first + j != i)
                s[k++] = node(level, first + j);
        p.siblings.push_back(s);
    }
    return p;
}

// ---- Gadgets ----

Signal merkle4_verify(Builder& b, const Signal& leaf, const Signal& index,
                      std::span<const Merkle4SiblingSignals> siblings, unsigned levels)
{
    check_siblings(siblings, levels);
    const std::vector<Signal> bits = to_bits(b, index, 2 * levels);
    Signal cur = leaf;
    for (unsigned i = 0; i < levels; ++i)
        cur = Level(b, bits[2 * i], bits[2 * i + 1], siblings[i]).parent(b, cur);
    return cur;
}

void assert_merkle4_membership(Builder& b, const Signal& leaf, const Signal& index,
                               std::span<const Merkle4SiblingSignals> siblings, unsigned levels,
                               const Signal& root)
{
    const Signal computed = merkle4_verify(b, leaf, index, siblings, levels);
    if (computed.value() != root.value())
        throw ConstraintViolation("assert_merkle4_membership: the path does not lead to the root");
    b.assert_equal(computed, root, "assert_merkle4_membership");
}

MerkleUpdate merkle4_update(Builder& b, const Signal& old_leaf, const Signal& new_leaf, const Signal& index,
                            std::span<const Merkle4SiblingSignals> siblings, unsigned levels)
{
    check_siblings(siblings, levels);
    const std::vector<Signal> bits = to_bits(b, index, 2 * levels);
    Signal old_cur = old_leaf, new_cur = new_leaf;
    for (unsigned i = 0; i < levels; ++i) {
        const Level level(b, bits[2 * i], bits[2 * i + 1], siblings[i]);
        old_cur = level.parent(b, old_cur);
        new_cur = level.parent(b, new_cur);
    }
    return {old_cur, new_cur};
}

std::vector<Merkle4SiblingSignals> merkle4_sibling_private_inputs(Builder& b, const Merkle4Proof& proof,
                                                                  unsigned levels, const std::string& name)
{
    check_levels(levels);
    if (proof.siblings.size() != levels)
        throw std::invalid_argument("merkle4_sibling_private_inputs: proof has another number of levels");
    std::vector<Merkle4SiblingSignals> out(levels);
    for (unsigned i = 0; i < levels; ++i)
        for (unsigned j = 0; j < 3; ++j)
            out[i][j] = b.private_input(name + "[" + std::to_string(i) + "][" + std::to_string(j) + "]",
                                        proof.siblings[i][j]);
    return out;
}

}  // namespace provernet::circuit
