// The GLV endomorphism of BN254 G1: phi(x, y) = (beta * x, y) with beta a primitive cube root of
// unity in Fq; on the order-r group it is multiplication by lambda, a cube root of unity in Fr.
// A scalar a + lambda * b with 64-bit a and b then costs one 64-bit double-scalar
// multiplication instead of a 128-bit one (batch verification's random weights use this).
#pragma once

#include "math/bn254.hpp"
#include "math/g1.hpp"

#include <cstdint>

namespace provernet::math {

// beta and lambda, derived once and checked against each other (phi(G) == [lambda]G).
const Fq& g1_endomorphism_beta();
const Fr& g1_endomorphism_lambda();

inline G1Affine g1_endomorphism(const G1Affine& p)
{
    return p.is_infinity() ? p : G1Affine{p.x * g1_endomorphism_beta(), p.y};
}

// [a + lambda * b]P by a joint double-and-add over 64 bits (Shamir's trick).
G1 g1_mul_glv(const G1Affine& p, uint64_t a, uint64_t b);

}  // namespace provernet::math
