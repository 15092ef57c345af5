#include "snark/groth16_batch_verifier.hpp"

#include "math/g1_endomorphism.hpp"
#include "math/msm.hpp"
#include "math/pairing.hpp"
#include "snark/groth16_prover.hpp"

#include <optional>
#include <utility>

namespace provernet::snark {

using namespace provernet::math;

namespace {

// n uniform 64-bit words from the OS in one call (a weight needs two).
std::vector<uint64_t> random_words(size_t n)
{
    std::vector<uint64_t> words(n);
    random_bytes(reinterpret_cast<uint8_t*>(words.data()), n * sizeof(uint64_t));
    return words;
}

// The combined check over items[idx] with weights (the first item's weight is 1).
bool combined_check(const PreparedVerificationKey& prepared, std::span<const BatchItem> items,
                    std::span<const size_t> idx)
{
    const VerificationKey& vk = prepared.key;
    std::vector<std::pair<G1Affine, G2Affine>> pairs;
    pairs.reserve(idx.size() + 3);
    Fr weight_sum;
    std::vector<Fr> coef(vk.n_public);  // sum_i r_i s_ij
    std::vector<G1> neg_a(idx.size());
    // sum_i r_i C_i = sum_i a_i C_i + b_i phi(C_i): one MSM with 64-bit scalars.
    std::vector<G1Affine> c_bases;
    std::vector<uint64_t> c_scalars;
    c_bases.reserve(2 * idx.size());
    c_scalars.reserve(2 * idx.size());
    const std::vector<uint64_t> words = random_words(2 * idx.size());
    const Fr& lambda = g1_endomorphism_lambda();
    for (size_t n = 0; n < idx.size(); ++n) {
        const BatchItem& item = items[idx[n]];
        uint64_t a = words[2 * n], b = words[2 * n + 1];
        if (n == 0 || (a | b) == 0) {
            a = 1;  // the first weight is 1; no weight is 0
            b = 0;
        }
        const Fr wf = Fr::from_uint(a) + lambda * Fr::from_uint(b);
        weight_sum += wf;
        for (size_t j = 0; j < vk.n_public; ++j)
            coef[j] += wf * Fr::from_u256_unchecked(item.public_signals[j]);
        neg_a[n] = g1_mul_glv(-item.proof->a, a, b);
        c_bases.push_back(item.proof->c);
        c_bases.push_back(g1_endomorphism(item.proof->c));
        c_scalars.push_back(a);
        c_scalars.push_back(b);
    }
    const G1 c_sum = msm_u64(c_bases, c_scalars);
    std::vector<G1Affine> neg_a_affine(idx.size());
    batch_to_affine(neg_a.data(), neg_a_affine.data(), neg_a.size());
    for (size_t n = 0; n < idx.size(); ++n)
        pairs.emplace_back(neg_a_affine[n], items[idx[n]].proof->b);

    std::vector<U256> scalars(vk.n_public);
    for (size_t j = 0; j < vk.n_public; ++j)
        scalars[j] = coef[j].to_u256();
    const U256 sum = weight_sum.to_u256();
    const G1 vk_x = msm(std::span<const G1Affine>(vk.ic).subspan(1), scalars) + vk.ic[0].mul(sum);
    const PreparedPair fixed[3] = {{vk.alpha1.mul(sum).to_affine(), &prepared.beta2},
                                   {vk_x.to_affine(), &prepared.gamma2},
                                   {c_sum.to_affine(), &prepared.delta2}};
    return final_exponentiation(multi_miller_loop(pairs, fixed)).is_one();
}

void check_signal_count(const VerificationKey& vk, const BatchItem& item, size_t i)
{
    if (item.public_signals.size() != vk.n_public)
        throw VerifyError("item " + std::to_string(i) + ": the verification key expects " +
                          std::to_string(vk.n_public) + " public signals, got " +
                          std::to_string(item.public_signals.size()));
}

void verify_range(const PreparedVerificationKey& vk, std::span<const BatchItem> items, std::span<const size_t> idx,
                  std::vector<bool>& verdict)
{
    if (idx.empty())
        return;
    if (idx.size() == 1) {
        // Key and points are checked by now (by the caller or below).
        verdict[idx[0]] = groth16_pairing_check(vk, items[idx[0]].public_signals, *items[idx[0]].proof);
        return;
    }
    if (combined_check(vk, items, idx)) {
        for (size_t i : idx)
            verdict[i] = true;
        return;
    }
    const size_t half = idx.size() / 2;
    verify_range(vk, items, idx.first(half), verdict);
    verify_range(vk, items, idx.subspan(half), verdict);
}

}  // namespace

std::vector<bool> groth16_verify_batch(const VerificationKey& vk, std::span<const BatchItem> items,
                                       BatchOptions options)
{
    require_ic_count(vk);
    if (options.key_checked) return groth16_verify_batch(PreparedVerificationKey(vk), items, options);
    // The prepared key's constructor checks the key (once): an invalid key fails every item.
    std::optional<PreparedVerificationKey> prepared;
    try {
        prepared.emplace(vk);
    } catch (const VerifyError&) {
        for (size_t i = 0; i < items.size(); ++i)
            check_signal_count(vk, items[i], i);
        return std::vector<bool>(items.size(), false);
    }
    return groth16_verify_batch(*prepared, items, options);
}

std::vector<bool> groth16_verify_batch(const PreparedVerificationKey& prepared, std::span<const BatchItem> items,
                                       BatchOptions options)
{
    const VerificationKey& vk = prepared.key;
    std::vector<bool> verdict(items.size(), false);
    // Items that are malformed on their own (points off the curve or outside the subgroup, a
    // signal >= r) are invalid without taking part in a combination.
    std::vector<size_t> candidates;
    for (size_t i = 0; i < items.size(); ++i) {
        const BatchItem& item = items[i];
        check_signal_count(vk, item, i);
        bool ok = options.items_checked ||
                  (item.proof->a.is_valid() && item.proof->b.is_valid() && item.proof->c.is_valid());
        for (const U256& s : item.public_signals)
            ok = ok && s < Fr::modulus;  // cheap: kept even for checked items
        if (ok)
            candidates.push_back(i);
    }
    verify_range(prepared, items, candidates, verdict);
    return verdict;
}

}  // namespace provernet::snark
