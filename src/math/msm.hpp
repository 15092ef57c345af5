// Multi-scalar multiplication sum_i scalars[i] * bases[i] (Pippenger's bucket method).
#pragma once

#include "math/g1.hpp"
#include "math/g2.hpp"
#include "math/u256.hpp"

#include <cstddef>
#include <span>

namespace provernet::math {

// Scalars are plain integers (normal form), each below 2^254 (every Fr element qualifies).
// Bases are affine; infinity entries are allowed and cost nothing. Uses all hardware threads.
G1 msm(std::span<const G1Affine> bases, std::span<const U256> scalars);
G2 msm(std::span<const G2Affine> bases, std::span<const U256> scalars);

// The same for scalars below 2^64, on the calling thread: few points with short scalars (a batch
// verification's random weights), where starting threads would cost more than the sum.
G1 msm_u64(std::span<const G1Affine> bases, std::span<const uint64_t> scalars);

// The window width Pippenger uses for n points (exposed for benchmarks and tests).
unsigned msm_window_bits(size_t n);

}  // namespace provernet::math
