#include "snark/groth16_prover.hpp"

#include "math/msm.hpp"
#include "math/ntt.hpp"
#include "math/parallel.hpp"
#include "snark/groth16_verifier.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <span>
#include <string>

namespace provernet::snark {

using namespace provernet::math;

void random_bytes(uint8_t* out, size_t n)
{
    for (size_t got = 0; got < n;) {
        const ssize_t r = getrandom(out + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
        }
        got += size_t(r);
    }
}

Fr random_fr()
{
    // Rejection sampling of 254-bit integers below r: uniform; about 3 draws in 4 are kept.
    for (;;) {
        uint8_t bytes[32];
        random_bytes(bytes, sizeof bytes);
        bytes[31] &= 0x3f;
        const U256 x = U256::from_le_bytes(bytes);
        if (x < Fr::modulus && !x.is_zero())
            return Fr::from_u256_unchecked(x);
    }
}

namespace {

void report(const ProveOptions& options, std::string_view stage, double done)
{
    if (options.progress)
        options.progress(stage, done);
}

// Evaluations of the A and B polynomials on the domain: a[i] = sum_j A[i][j] * w[j], likewise b.
// Threads own disjoint constraint ranges, so no locking is needed.
void evaluate_ab(const ZKey& zkey, const Witness& witness, std::vector<Fr>& a, std::vector<Fr>& b)
{
    const size_t n = zkey.header.domain_size;
    a.assign(n, Fr::zero());
    b.assign(n, Fr::zero());
    const auto& coefs = zkey.coefs;
    const auto& w = witness.values;
    parallel_for_chunks(n, [&](size_t begin, size_t end) {
        for (const ZKeyCoef& c : coefs) {
            if (c.constraint < begin || c.constraint >= end)
                continue;
            // c.value holds coef * R and w is plain, so the Montgomery product is coef * w.
            const Fr term = c.value * Fr::from_raw(w[c.signal]);
            std::vector<Fr>& target = c.matrix == 0 ? a : b;
            target[c.constraint] += term;
        }
    });
}

// In place: values on <w_n> -> values on the coset w_2n * <w_n>.
void to_odd_coset(const Domain& domain, const std::vector<Fr>& shift_bitrev, std::vector<Fr>& p)
{
    domain.dif(p, true);  // coefficients (times n), bit-reversed order
    parallel_for_chunks(p.size(), [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i)
            p[i] *= shift_bitrev[i];
    });
    domain.dit(p, false);  // natural-order values at w_2n * w_n^j
}

}  // namespace

std::vector<U256> groth16_quotient(const ZKey& zkey, const Witness& witness)
{
    const size_t n = zkey.header.domain_size;
    const unsigned log_n = zkey.header.domain_log2;
    if (log_n >= fr_two_adicity)
        throw ProveError("domain of 2^28 needs the generic-coset H points, which this prover does not support");
    std::vector<Fr> a, b;
    evaluate_ab(zkey, witness, a, b);
    std::vector<Fr> c(n);
    parallel_for_chunks(n, [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i)
            c[i] = a[i] * b[i];
    });

    const Domain domain(log_n);
    // shift_bitrev[i] = w_2n^bitrev(i) / n: the coset shift of coefficient bitrev(i), and the
    // inverse transform's scaling, applied together.
    std::vector<Fr> shift_bitrev(n);
    {
        const Fr w2n = root_of_unity(log_n + 1);
        const Fr n_inv = Fr::from_uint(n).inverse();
        std::vector<Fr> powers(n);
        Fr x = n_inv;
        for (size_t k = 0; k < n; ++k, x *= w2n)
            powers[k] = x;
        for (size_t i = 0; i < n; ++i)
            shift_bitrev[i] = powers[bit_reverse(i, log_n)];
    }
    to_odd_coset(domain, shift_bitrev, a);
    to_odd_coset(domain, shift_bitrev, b);
    to_odd_coset(domain, shift_bitrev, c);

    std::vector<U256> h(n);
    parallel_for_chunks(n, [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i)
            h[i] = (a[i] * b[i] - c[i]).to_u256();
    });
    return h;
}

ProveResult groth16_prove(const ZKey& zkey, const Witness& witness, const ProveOptions& options)
{
    const ZKeyHeader& hdr = zkey.header;
    const auto& w = witness.values;
    if (w.size() != hdr.n_vars)
        throw ProveError("witness has " + std::to_string(w.size()) + " values but the zkey expects " +
                         std::to_string(hdr.n_vars));
    if (w.empty() || w[0] != U256(1))
        throw ProveError("witness value 0 must be the constant 1");

    const std::span<const U256> ws(w);
    report(options, "witness MSMs", 0.0);
    // The G2 MSM is the largest witness MSM; run it beside the quotient computation.
    auto b2_future = std::async(std::launch::async, [&] { return msm(std::span<const G2Affine>(zkey.b2), ws); });
    const G1 pi_a = msm(std::span<const G1Affine>(zkey.a), ws);
    const G1 pi_b1 = msm(std::span<const G1Affine>(zkey.b1), ws);
    const G1 pi_c = msm(std::span<const G1Affine>(zkey.c), ws.subspan(hdr.n_public + 1));
    report(options, "quotient", 0.4);
    const std::vector<U256> h = groth16_quotient(zkey, witness);
    report(options, "H MSM", 0.55);
    const G1 pi_h = msm(std::span<const G1Affine>(zkey.h), std::span<const U256>(h));
    const G2 pi_b2 = b2_future.get();
    report(options, "blinding", 0.95);

    const Fr r = random_fr(), s = random_fr();
    const U256 r_int = r.to_u256(), s_int = s.to_u256(), rs_int = (r * s).to_u256();
    const G1 delta1 = hdr.delta1.to_jacobian();
    const G1 a = pi_a.add_mixed(hdr.alpha1) + delta1.mul(r_int);
    const G2 b2 = pi_b2.add_mixed(hdr.beta2) + hdr.delta2.to_jacobian().mul(s_int);
    const G1 b1 = pi_b1.add_mixed(hdr.beta1) + delta1.mul(s_int);
    const G1 c = pi_c + pi_h + a.mul(s_int) + b1.mul(r_int) - delta1.mul(rs_int);

    ProveResult result;
    result.proof = {a.to_affine(), b2.to_affine(), c.to_affine()};
    result.public_signals.assign(w.begin() + 1, w.begin() + 1 + hdr.n_public);

    if (options.self_check) {
        report(options, "self-check", 0.97);
        if (!groth16_verify(verification_key_from_zkey(zkey), result.public_signals, result.proof))
            throw ProveError(diagnose_invalid_proof(zkey, witness));
    }
    report(options, "done", 1.0);
    return result;
}

VerificationKey verification_key_from_header(const ZKeyHeader& hdr, std::vector<G1Affine> ic)
{
    VerificationKey vk;
    vk.n_public = hdr.n_public;
    vk.alpha1 = hdr.alpha1;
    vk.beta2 = hdr.beta2;
    vk.gamma2 = hdr.gamma2;
    vk.delta2 = hdr.delta2;
    vk.ic = std::move(ic);
    vk.alphabeta12 = alphabeta12(hdr.alpha1, hdr.beta2);
    return vk;
}

VerificationKey verification_key_from_zkey(const ZKey& zkey) { return verification_key_from_header(zkey.header, zkey.ic); }

}  // namespace provernet::snark
