#include "snark/groth16_batch_verifier.hpp"

#include "snark/groth16_prover.hpp"
#include "snark/ptau.hpp"
#include "snark/ptau_new.hpp"
#include "snark/setup.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace provernet::snark {
namespace {

using namespace provernet::math;

// y = x^3 with y public output and x public input: wires 0 one, 1 y, 2 x, 3 t = x^2.
R1cs cube_circuit()
{
    R1cs r;
    r.header.n_wires = 4;
    r.header.n_pub_out = 1;
    r.header.n_pub_in = 1;
    r.header.n_labels = 4;
    r.header.n_constraints = 2;
    r.constraints.push_back({{{2, Fr::one()}}, {{2, Fr::one()}}, {{3, Fr::one()}}});
    r.constraints.push_back({{{3, Fr::one()}}, {{2, Fr::one()}}, {{1, Fr::one()}}});
    return r;
}

Witness cube_witness(uint64_t x)
{
    const Fr xf = Fr::from_uint(x);
    return Witness{{U256(1), (xf * xf * xf).to_u256(), xf.to_u256(), (xf * xf).to_u256()}};
}

class BatchVerify : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        const auto dir = std::filesystem::temp_directory_path() / ("provernet-batch-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
        const std::string ptau = (dir / "pot4.ptau").string();
        write_new_ptau(ptau, 4);
        zkey_ = new ZKey(groth16_setup_key(cube_circuit(), PTau::open(ptau)));
        std::filesystem::remove_all(dir);
        vk_ = new VerificationKey(verification_key_from_zkey(*zkey_));
        for (uint64_t x = 2; x < 2 + kProofs; ++x)
            proved_.push_back(groth16_prove(*zkey_, cube_witness(x)));
    }
    static void TearDownTestSuite()
    {
        delete zkey_;
        delete vk_;
        proved_.clear();
    }
    static std::vector<BatchItem> items(const std::vector<ProveResult>& p)
    {
        std::vector<BatchItem> out;
        for (const auto& r : p)
            out.push_back({r.public_signals, &r.proof});
        return out;
    }
    static constexpr uint64_t kProofs = 9;
    static ZKey* zkey_;
    static VerificationKey* vk_;
    static std::vector<ProveResult> proved_;
};
ZKey* BatchVerify::zkey_ = nullptr;
VerificationKey* BatchVerify::vk_ = nullptr;
std::vector<ProveResult> BatchVerify::proved_;

TEST_F(BatchVerify, AllValid)
{
    const auto v = groth16_verify_batch(*vk_, items(proved_));
    EXPECT_EQ(v, std::vector<bool>(kProofs, true));
    EXPECT_TRUE(groth16_verify_batch(*vk_, {}).empty());
}

TEST_F(BatchVerify, FindsEachInvalidProofAndKeepsTheOthers)
{
    for (size_t bad = 0; bad < kProofs; bad += 4) {
        auto p = proved_;
        // Swapping two proofs' public signals: each proof is valid, just not for these signals.
        std::swap(p[bad].public_signals, p[(bad + 1) % kProofs].public_signals);
        auto v = groth16_verify_batch(*vk_, items(p));
        for (size_t i = 0; i < kProofs; ++i) {
            const bool expected = i != bad && i != (bad + 1) % kProofs;
            EXPECT_EQ(v[i], expected) << "bad " << bad << " item " << i;
            EXPECT_EQ(v[i], groth16_verify(*vk_, p[i].public_signals, p[i].proof)) << i;
        }
    }
}

TEST_F(BatchVerify, MalformedItemsAreInvalidAlone)
{
    auto p = proved_;
    p[3].proof.a = G1Affine{p[3].proof.a.x, p[3].proof.a.y + Fq::one()};  // off the curve
    p[5].public_signals[0] = Fr::modulus;                                   // not canonical
    p[6].proof.c = -p[6].proof.c;                                           // on the curve, wrong
    const auto v = groth16_verify_batch(*vk_, items(p));
    for (size_t i = 0; i < kProofs; ++i)
        EXPECT_EQ(v[i], i != 3 && i != 5 && i != 6) << i;
}

TEST_F(BatchVerify, PrecheckedKeyAndItemsGiveTheSameVerdicts)
{
    // What the coordinator does: key checked at registration, items when parsed; the batch then
    // skips the subgroup checks. Well-formed but wrong proofs are still found, alone or batched.
    ASSERT_TRUE(verification_key_is_valid(*vk_));
    const BatchOptions checked{.key_checked = true, .items_checked = true};
    auto p = proved_;
    std::swap(p[2].public_signals, p[7].public_signals);
    p[4].proof.c = -p[4].proof.c;
    const auto v = groth16_verify_batch(*vk_, items(p), checked);
    EXPECT_EQ(v, groth16_verify_batch(*vk_, items(p)));
    for (size_t i = 0; i < kProofs; ++i) EXPECT_EQ(v[i], i != 2 && i != 7 && i != 4) << i;
    for (size_t i : {size_t{0}, size_t{4}}) {  // a lone proof: the pairing check alone
        const BatchItem one{p[i].public_signals, &p[i].proof};
        EXPECT_EQ(groth16_verify_batch(*vk_, std::span(&one, 1), checked)[0], i == 0);
        EXPECT_EQ(groth16_pairing_check(*vk_, p[i].public_signals, p[i].proof), i == 0);
    }
    // A key with a point off its curve is not valid.
    VerificationKey bad = *vk_;
    bad.ic[0] = G1Affine{bad.ic[0].x, bad.ic[0].y + Fq::one()};
    EXPECT_FALSE(verification_key_is_valid(bad));
}

TEST_F(BatchVerify, PreparedKeyGivesTheSameVerdicts)
{
    const PreparedVerificationKey prepared(*vk_);
    // e(alpha, beta) from the prepared lines is snarkjs's vk_alphabeta_12 (the unprepared pairing).
    EXPECT_EQ(alphabeta12(vk_->alpha1, vk_->beta2), vk_->alphabeta12);
    const Fq12& e = prepared.alphabeta;
    const std::array<Fq, 12> flat{e.c0.c0.c0, e.c0.c0.c1, e.c0.c1.c0, e.c0.c1.c1, e.c0.c2.c0, e.c0.c2.c1,
                                  e.c1.c0.c0, e.c1.c0.c1, e.c1.c1.c0, e.c1.c1.c1, e.c1.c2.c0, e.c1.c2.c1};
    EXPECT_EQ(flat, vk_->alphabeta12);

    auto p = proved_;
    std::swap(p[1].public_signals, p[5].public_signals);
    p[3].proof.a = -p[3].proof.a;
    p[8].proof.c = (p[8].proof.c.to_jacobian() + G1::generator()).to_affine();
    const auto v = groth16_verify_batch(prepared, items(p), {.items_checked = true});
    EXPECT_EQ(v, groth16_verify_batch(*vk_, items(p)));
    for (size_t i = 0; i < kProofs; ++i) {
        const bool valid = i != 1 && i != 5 && i != 3 && i != 8;
        EXPECT_EQ(v[i], valid) << i;
        EXPECT_EQ(groth16_pairing_check(prepared, p[i].public_signals, p[i].proof), valid) << i;
        EXPECT_EQ(groth16_pairing_check(*vk_, p[i].public_signals, p[i].proof), valid) << i;
    }

    // The constructor checks the key.
    VerificationKey off_curve = *vk_;
    off_curve.delta2.y = off_curve.delta2.y + Fq2::one();
    EXPECT_THROW(PreparedVerificationKey{off_curve}, VerifyError);
    VerificationKey short_ic = *vk_;
    short_ic.ic.pop_back();
    EXPECT_THROW(PreparedVerificationKey{short_ic}, VerifyError);
    // As does verification: a signal count that does not match.
    std::vector<U256> one{U256(8)};
    EXPECT_THROW(groth16_pairing_check(prepared, one, p[0].proof), VerifyError);
}

TEST_F(BatchVerify, WrongSignalCountIsAUsageError)
{
    std::vector<U256> one{U256(8)};
    const BatchItem item{one, &proved_[0].proof};
    EXPECT_THROW(groth16_verify_batch(*vk_, std::span(&item, 1)), VerifyError);
}

}  // namespace
}  // namespace provernet::snark
