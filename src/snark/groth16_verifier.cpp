#include "snark/groth16_verifier.hpp"

#include "math/msm.hpp"
#include "math/pairing.hpp"
#include "snark/errors.hpp"

#include <utility>

namespace provernet::snark {

using namespace provernet::math;

void require_ic_count(const VerificationKey& vk)
{
    if (vk.ic.size() != size_t(vk.n_public) + 1)
        throw VerifyError("verification key has " + std::to_string(vk.ic.size()) + " IC points for " +
                          std::to_string(vk.n_public) + " public signals (expected n_public + 1)");
}

bool groth16_verify(const VerificationKey& vk, std::span<const U256> public_signals, const Proof& proof)
{
    require_ic_count(vk);
    if (public_signals.size() != vk.n_public)
        throw VerifyError("the verification key expects " + std::to_string(vk.n_public) + " public signals, got " +
                          std::to_string(public_signals.size()));
    for (const U256& s : public_signals)
        if (s >= Fr::modulus)
            return false;
    if (!proof.a.is_valid() || !proof.b.is_valid() || !proof.c.is_valid())
        return false;
    if (!verification_key_is_valid(vk))
        return false;
    return groth16_pairing_check(vk, public_signals, proof);
}

bool verification_key_is_valid(const VerificationKey& vk)
{
    if (vk.ic.size() != size_t(vk.n_public) + 1)
        return false;
    if (!vk.alpha1.is_valid() || !vk.beta2.is_valid() || !vk.gamma2.is_valid() || !vk.delta2.is_valid())
        return false;
    for (const G1Affine& p : vk.ic)
        if (!p.is_valid())
            return false;
    return true;
}

namespace {

// vk_x = IC_0 + sum_i s_i IC_i, after the count checks.
G1 public_input_point(const VerificationKey& vk, std::span<const U256> public_signals)
{
    if (vk.ic.size() != size_t(vk.n_public) + 1 || public_signals.size() != vk.n_public)
        throw VerifyError("the verification key expects " + std::to_string(vk.n_public) + " public signals and has " +
                          std::to_string(vk.ic.size()) + " IC points, got " + std::to_string(public_signals.size()) +
                          " signals");
    return msm(std::span<const G1Affine>(vk.ic).subspan(1), public_signals).add_mixed(vk.ic[0]);
}

}  // namespace

bool groth16_pairing_check(const VerificationKey& vk, std::span<const U256> public_signals, const Proof& proof)
{
    const G1 vk_x = public_input_point(vk, public_signals);
    const std::pair<G1Affine, G2Affine> pairs[4] = {
        {-proof.a, proof.b},
        {vk.alpha1, vk.beta2},
        {vk_x.to_affine(), vk.gamma2},
        {proof.c, vk.delta2},
    };
    return pairing_check(pairs);
}

namespace {

VerificationKey checked_key(VerificationKey vk)
{
    require_ic_count(vk);
    if (!verification_key_is_valid(vk))
        throw VerifyError("verification key has a point off its curve or outside its subgroup");
    return vk;
}

Fq12 prepared_pairing(const G1Affine& p, const G2Prepared& q)
{
    const PreparedPair pq{p, &q};
    return final_exponentiation(multi_miller_loop({}, std::span(&pq, 1)));
}

}  // namespace

PreparedVerificationKey::PreparedVerificationKey(VerificationKey vk)
    : key(checked_key(std::move(vk))), beta2(key.beta2), gamma2(key.gamma2), delta2(key.delta2),
      alphabeta(prepared_pairing(key.alpha1, beta2))
{
}

bool groth16_pairing_check(const PreparedVerificationKey& vk, std::span<const U256> public_signals, const Proof& proof)
{
    const G1 vk_x = public_input_point(vk.key, public_signals);
    // e(-A, B) e(vk_x, gamma) e(C, delta) e(alpha, beta) = 1, the last factor known.
    const std::pair<G1Affine, G2Affine> ab{-proof.a, proof.b};
    const PreparedPair fixed[2] = {{vk_x.to_affine(), &vk.gamma2}, {proof.c, &vk.delta2}};
    return (final_exponentiation(multi_miller_loop(std::span(&ab, 1), fixed)) * vk.alphabeta).is_one();
}

std::array<Fq, 12> alphabeta12(const G1Affine& alpha1, const G2Affine& beta2)
{
    const Fq12 e = pairing(alpha1, beta2);
    std::array<Fq, 12> out;
    size_t k = 0;
    for (const Fq6* half : {&e.c0, &e.c1})
        for (const Fq2* c : {&half->c0, &half->c1, &half->c2}) {
            out[k++] = c->c0;
            out[k++] = c->c1;
        }
    return out;
}

std::string diagnose_invalid_proof(const ZKey& zkey, const Witness& witness)
{
    try {
        check_g2_subgroup(zkey);
    } catch (const FormatError& e) {
        return std::string("the proving key is corrupt: ") + e.what();
    }
    return "the proof does not verify: the witness does not satisfy the circuit's constraints, or belongs to "
           "another circuit";
}

}  // namespace provernet::snark
