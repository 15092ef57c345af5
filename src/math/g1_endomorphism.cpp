#include "math/g1_endomorphism.hpp"

#include <stdexcept>
#include <utility>

namespace provernet::math {

namespace {

// A primitive cube root of unity in a prime field F with |F*| divisible by 3: g^((q-1)/3) for
// the first small g that gives one other than 1.
template <class F>
F primitive_cube_root()
{
    U256 qm1;
    U256::sub(qm1, F::modulus, U256(1));
    const U256 e = U256::div_small(qm1, 3);
    for (uint64_t g = 2;; ++g) {
        const F root = F::from_uint(g).pow(e);
        if (root != F::one())
            return root;
    }
}

// beta in Fq and the lambda in Fr that matches it (of the two primitive roots, the one with
// phi(G) == [lambda]G on the generator).
const std::pair<Fq, Fr>& constants()
{
    static const std::pair<Fq, Fr> c = [] {
        const Fq beta = primitive_cube_root<Fq>();
        const Fr lambda = primitive_cube_root<Fr>();
        const G1Affine g = G1Affine::generator();
        const G1 phi_g = G1Affine{g.x * beta, g.y}.to_jacobian();
        if (g.mul(lambda.to_u256()) == phi_g)
            return std::pair{beta, lambda};
        const Fr lambda2 = lambda * lambda;
        if (g.mul(lambda2.to_u256()) == phi_g)
            return std::pair{beta, lambda2};
        throw std::logic_error("g1 endomorphism: no cube root of unity in Fr matches beta");
    }();
    return c;
}

}  // namespace

const Fq& g1_endomorphism_beta() { return constants().first; }
const Fr& g1_endomorphism_lambda() { return constants().second; }

G1 g1_mul_glv(const G1Affine& p, uint64_t a, uint64_t b)
{
    G1 r = G1::infinity();
    if (p.is_infinity())
        return r;
    const G1Affine q = g1_endomorphism(p);
    const G1 pq = p.to_jacobian().add_mixed(q);
    const uint64_t both = a | b;
    for (int i = both ? 63 - __builtin_clzll(both) : -1; i >= 0; --i) {
        r = r.dbl();
        const bool bit_a = (a >> i) & 1, bit_b = (b >> i) & 1;
        if (bit_a && bit_b)
            r += pq;
        else if (bit_a)
            r = r.add_mixed(p);
        else if (bit_b)
            r = r.add_mixed(q);
    }
    return r;
}

}  // namespace provernet::math
