// Poseidon over the BN254 scalar field with circomlib's parameters (x^5 S-box, 8 full rounds,
// partial rounds per width as in the Poseidon paper's table for 128-bit security), so hashes
// agree with circomlib's Poseidon(n) and circomlibjs for 1 to 16 inputs.
//
// The state has t = n + 1 elements: a capacity element set to 0, then the n inputs; the hash is
// the first state element after the permutation. Round constants and MDS matrices are generated
// at first use (poseidon_constants.cpp) with the Grain LFSR procedure of the Poseidon reference
// (generate_parameters_grain.sage: field = 1, S-box = 0, field size 254), not copied from any
// other implementation.
//
// Hashing uses the equivalent sparse form of the permutation (the Poseidon paper's appendix B, as
// circomlib's circuit does): in each partial round the dense MDS product is split as
// N = B * diag(1, N^), the diag factor is moved into the previous round, and what remains, B, has
// a dense first row and first column and the identity elsewhere: 2t - 1 multiplications instead
// of t^2. The S-box inputs are the same values as in the textbook form, so the gadget's wires
// are too; poseidon_hash_reference keeps the textbook form and the tests hold the two equal.
#pragma once

#include "circuit/builder.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace provernet::circuit {

inline constexpr size_t poseidon_max_inputs = 16;
inline constexpr unsigned poseidon_full_rounds = 8;

struct PoseidonParams {
    size_t t = 0;  // state width: inputs + 1
    unsigned full_rounds = 0;
    unsigned partial_rounds = 0;
    std::vector<Fr> round_constants;  // (full + partial) * t, round by round
    std::vector<Fr> mds;              // t * t, row-major: new_state[i] = sum_j mds[i*t + j] * state[j]

    // The sparse form, derived from the above. The last full round before the partial rounds
    // multiplies by pre_partial_mds (t * t) instead of mds. Partial round k adds
    // partial_constants[k*t ..] (element 0's constant is the original one), applies the S-box to
    // element 0, then new[0] = sum_j sparse_row[k*t + j] * state[j] and, for i >= 1,
    // new[i] = state[i] + sparse_col[k*(t-1) + i-1] * state[0].
    std::vector<Fr> pre_partial_mds;
    std::vector<Fr> partial_constants;  // partial_rounds * t
    std::vector<Fr> sparse_row;         // partial_rounds * t
    std::vector<Fr> sparse_col;         // partial_rounds * (t - 1)
};

// Partial rounds for width t (2..17): circomlib's table.
unsigned poseidon_partial_rounds(size_t t);

// The parameters for width t (2..17), generated once per width on first use (thread-safe).
// Throws std::invalid_argument for any other width.
const PoseidonParams& poseidon_params(size_t t);

// Native hash of 1 to 16 field elements (std::invalid_argument otherwise).
Fr poseidon_hash(std::span<const Fr> inputs);
Fr poseidon_hash(const Fr& left, const Fr& right);  // the 2-to-1 hash of Merkle trees
// The same hash by the textbook permutation (dense MDS in every round), for tests.
Fr poseidon_hash_reference(std::span<const Fr> inputs);

// The hash as a circuit gadget: 3 constraints per S-box (x^2, x^4, x^5) on non-constant values,
// linear layers free. With all inputs non-constant that is poseidon_constraint_count(n) =
// 3 * (8 t + R_P) - 3 (the capacity element's first S-box acts on a constant): 240 for 2 inputs.
// Constant inputs make their first-round S-boxes free.
Signal poseidon(Builder& b, std::span<const Signal> inputs);
Signal poseidon(Builder& b, const Signal& left, const Signal& right);

size_t poseidon_constraint_count(size_t n_inputs);  // for non-constant inputs

}  // namespace provernet::circuit
