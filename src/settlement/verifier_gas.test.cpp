// The generated Solidity Groth16 verifier (snark/solidity_verifier.hpp) on a real chain: keys
// and proofs made here, compiled with the pinned solc, deployed on anvil, checked against the
// snarkjs-generated verifier for the same key, and its gas measured (printed as a table).
#include "snark/testing/temp_dir.hpp"
#include "settlement/anvil.hpp"
#include "settlement/abi.hpp"
#include "settlement/eth_client.hpp"
#include "settlement/hex.hpp"
#include "settlement/solc.hpp"
#include "settlement/tx_sender.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/groth16_verifier.hpp"
#include "snark/ptau_new.hpp"
#include "snark/setup.hpp"
#include "snark/solidity_verifier.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

namespace snark = provernet::snark;
namespace math = provernet::math;
using namespace provernet::settlement;
using math::Fq;
using math::Fr;
using math::U256;

namespace {

namespace abi = provernet::settlement::abi;  // not cxxabi.h's global ::abi

const std::filesystem::path kSourceDir = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();

using provernet::testing::TempDir;

std::string read_text(const std::filesystem::path& p)
{
    std::ifstream in(p);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// n public outputs pub_j = x_j^2 (constraint x_j * x_j = pub_j), x_j private.
snark::R1cs squares_r1cs(uint32_t n)
{
    snark::R1cs r;
    r.header.n_pub_out = n;
    r.header.n_prv_in = n;
    r.header.n_wires = 1 + 2 * n;
    r.header.n_labels = r.header.n_wires;
    r.header.n_constraints = n;
    for (uint32_t j = 0; j < n; ++j) {
        snark::R1csConstraint c;
        c.a.push_back({1 + n + j, Fr::one()});
        c.b.push_back({1 + n + j, Fr::one()});
        c.c.push_back({1 + j, Fr::one()});
        r.constraints.push_back(std::move(c));
    }
    return r;
}

snark::Witness squares_witness(uint32_t n, std::mt19937_64& rng)
{
    snark::Witness w;
    w.values.resize(1 + 2 * n);
    w.values[0] = U256(1);
    for (uint32_t j = 0; j < n; ++j) {
        const Fr x = Fr::from_u256_unchecked(U256(rng(), rng(), rng(), rng() >> 8));
        w.values[1 + n + j] = x.to_u256();
        w.values[1 + j] = (x * x).to_u256();
    }
    return w;
}

using Words = std::vector<U256>;

Words proof_words(const snark::Proof& p)
{
    return {p.a.x.to_u256(),    p.a.y.to_u256(),    p.b.x.c1.to_u256(), p.b.x.c0.to_u256(),
            p.b.y.c1.to_u256(), p.b.y.c0.to_u256(), p.c.x.to_u256(),    p.c.y.to_u256()};
}

abi::Value uint_list(const Words& w)
{
    abi::Value::List items;
    for (const auto& x : w)
        items.push_back(abi::Value::uint(x));
    return abi::Value::list(std::move(items));
}

Bytes verify_proof_call(const Words& proof, const Words& pub)
{
    const std::string sig = "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[" + std::to_string(pub.size()) + "])";
    return abi::encode_call(sig, {uint_list({proof[0], proof[1]}),
                                  abi::Value::list({uint_list({proof[2], proof[3]}), uint_list({proof[4], proof[5]})}),
                                  uint_list({proof[6], proof[7]}), uint_list(pub)});
}

Bytes proof_call(std::string_view name, const Words& proof, const Words& pub)
{
    return abi::encode_call(std::string(name) + "(uint256[8],uint256[])", {uint_list(proof), uint_list(pub)});
}

Bytes batch_call(const std::vector<Words>& proofs, const std::vector<Words>& pubs, uint64_t seed)
{
    Words all_proofs, all_pubs;
    for (const auto& p : proofs)
        all_proofs.insert(all_proofs.end(), p.begin(), p.end());
    for (const auto& p : pubs)
        all_pubs.insert(all_pubs.end(), p.begin(), p.end());
    return abi::encode_call("isValidBatch(uint256[],uint256[],uint256)",
                            {uint_list(all_proofs), uint_list(all_pubs), abi::Value::uint(seed)});
}

bool decode_bool(const Bytes& ret) { return abi::decode("bool", ret).at(0).as_bool(); }

uint32_t selector_of(const Bytes& data)
{
    return data.size() < 4 ? 0 : (uint32_t(data[0]) << 24) | (uint32_t(data[1]) << 16) | (uint32_t(data[2]) << 8) | data[3];
}

struct KeyAndProofs {
    uint32_t n = 0;
    snark::ZKey zkey;
    snark::VerificationKey vk;
    std::string zkey_path;
    std::vector<Words> proofs, pubs;
};

// One anvil, two keys (1 and 3 public signals) with proofs, our verifier deployed for each and
// the snarkjs verifier for the 1-signal key.
class SolidityVerifier : public ::testing::Test {
protected:
    static constexpr size_t kProofsN1 = 64;
    static constexpr size_t kProofsN3 = 4;

    static void SetUpTestSuite()
    {
        dir_ = new TempDir;
        const std::string ptau = dir_->file("pot4.ptau");
        snark::write_new_ptau(ptau, 4);
        const snark::PTau p = snark::PTau::open(ptau);
        std::mt19937_64 rng(20260601);
        for (uint32_t n : {1u, 3u}) {
            KeyAndProofs k;
            k.n = n;
            k.zkey = snark::groth16_setup_key(squares_r1cs(n), p);
            k.vk = snark::verification_key_from_zkey(k.zkey);
            k.zkey_path = dir_->file("n" + std::to_string(n) + ".zkey");
            snark::write_zkey(k.zkey_path, k.zkey);
            const size_t count = n == 1 ? kProofsN1 : kProofsN3;
            for (size_t i = 0; i < count; ++i) {
                const auto pr = snark::groth16_prove(k.zkey, squares_witness(n, rng));
                k.proofs.push_back(proof_words(pr.proof));
                k.pubs.push_back(pr.public_signals);
            }
            (n == 1 ? key1_ : key3_) = new KeyAndProofs(std::move(k));
        }

        anvil_ = new AnvilProcess;
        eth_ = new EthClient(anvil_->url());
        sender_ = new TxSender(*eth_, AnvilProcess::dev_key(0));

        ours1_ = compile_solidity_contract({{"V1.sol", snark::solidity_verifier(key1_->vk, "Verifier1")}}, "Verifier1");
        ours3_ = compile_solidity_contract({{"V3.sol", snark::solidity_verifier(key3_->vk, "Verifier3")}}, "Verifier3");
        addr1_ = sender_->deploy(ours1_.init_code);
        addr3_ = sender_->deploy(ours3_.init_code);

        // snarkjs's own verifier for the same key (read-only comparison; its template is not used here).
        const std::string snarkjs = (kSourceDir / "tools/node_modules/.bin/snarkjs").string();
        const std::string out = dir_->file("snarkjs_verifier.sol");
        const std::string cmd =
            "'" + snarkjs + "' zkey export solidityverifier '" + key1_->zkey_path + "' '" + out + "' >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0)
            throw std::runtime_error("failed: " + cmd);
        const auto snarkjs_contract =
            compile_solidity_contract({{"SnarkjsVerifier.sol", read_text(out)}}, "Groth16Verifier");
        snarkjs1_ = sender_->deploy(snarkjs_contract.init_code);
    }
    static void TearDownTestSuite()
    {
        delete sender_;
        delete eth_;
        delete anvil_;
        delete key1_;
        delete key3_;
        delete dir_;
    }

    // The revert selector of an eth_call (0 if it did not revert).
    static uint32_t revert_selector(const Address& to, const Bytes& data)
    {
        try {
            eth_->call(to, data);
        } catch (const Revert& e) {
            return selector_of(e.data);
        }
        return 0;
    }
    // eth_call with an explicit gas limit: the return data, or the revert data prefixed "revert:".
    static std::pair<bool, Bytes> call_with_gas(const Address& to, const Bytes& data, uint64_t gas)
    {
        try {
            const nlohmann::json r = eth_->rpc().call(
                "eth_call", {{{"to", to.to_checksum_string()}, {"data", to_hex(data)}, {"gas", to_quantity(gas)}},
                             "latest"});
            return {true, from_hex(r.get<std::string>())};
        } catch (const RpcError& e) {
            Bytes revert_data;
            if (e.data.rfind("0x", 0) == 0)
                revert_data = from_hex(e.data);
            return {false, revert_data};
        }
    }
    // Gas used by a whole transaction, sent with a generous explicit limit (estimating the
    // snarkjs verifier's gas settles on a limit at which its pairing fails and it returns false).
    static uint64_t tx_gas(const Address& to, const Bytes& data, uint64_t limit = 1'000'000)
    {
        return sender_->transact(to, data, {}, limit).gas_used;
    }

    static TempDir* dir_;
    static KeyAndProofs *key1_, *key3_;
    static AnvilProcess* anvil_;
    static EthClient* eth_;
    static TxSender* sender_;
    static CompiledContract ours1_, ours3_;
    static Address addr1_, addr3_, snarkjs1_;
};
TempDir* SolidityVerifier::dir_ = nullptr;
KeyAndProofs* SolidityVerifier::key1_ = nullptr;
KeyAndProofs* SolidityVerifier::key3_ = nullptr;
AnvilProcess* SolidityVerifier::anvil_ = nullptr;
EthClient* SolidityVerifier::eth_ = nullptr;
TxSender* SolidityVerifier::sender_ = nullptr;
CompiledContract SolidityVerifier::ours1_, SolidityVerifier::ours3_;
Address SolidityVerifier::addr1_, SolidityVerifier::addr3_, SolidityVerifier::snarkjs1_;

TEST_F(SolidityVerifier, ImplementsTheInterface)
{
    const auto iface = compile_solidity_contract(
        {{"IGroth16Verifier.sol", read_text(kSourceDir / "contracts/IGroth16Verifier.sol")}}, "IGroth16Verifier");
    EXPECT_TRUE(iface.init_code.empty());
    const auto selector_word = [](std::string_view signature) {
        const auto s = abi::selector(signature);
        return (uint32_t(s[0]) << 24) | (uint32_t(s[1]) << 16) | (uint32_t(s[2]) << 8) | s[3];
    };
    EXPECT_EQ(selector_word("ProofInvalid()"), snark::kSelectorProofInvalid);
    EXPECT_EQ(selector_word("PublicInputNotInField()"), snark::kSelectorPublicInputNotInField);
    EXPECT_EQ(selector_word("PrecompileFailed()"), snark::kSelectorPrecompileFailed);
    EXPECT_EQ(selector_word("PublicInputCount()"), snark::kSelectorPublicInputCount);
    ASSERT_EQ(iface.abi.size(), 8u);  // 4 errors, 4 functions
    // Same entries up to parameter names (the generated contract leaves unused ones unnamed).
    const auto without_names = [](nlohmann::json entry) {
        for (const char* list : {"inputs", "outputs"})
            if (entry.contains(list))
                for (auto& param : entry[list])
                    param.erase("name");
        return entry;
    };
    for (const auto* ours : {&ours1_, &ours3_}) {
        for (const auto& entry : iface.abi) {
            bool found = false;
            for (const auto& mine : ours->abi)
                found = found || without_names(mine) == without_names(entry);
            EXPECT_TRUE(found) << ours->name << " lacks " << entry.dump();
        }
        EXPECT_LE(ours->runtime_code.size(), 24576u) << "EIP-170";
    }
}

TEST_F(SolidityVerifier, AcceptsValidProofs)
{
    for (const auto* key : {key1_, key3_}) {
        const Address at = key == key1_ ? addr1_ : addr3_;
        EXPECT_EQ(abi::decode("uint256", eth_->call(at, abi::encode_call("publicInputCount()", {}))).at(0).as_uint(),
                  U256(key->n));
        for (size_t i = 0; i < 2; ++i) {
            const Words& proof = key->proofs[i];
            const Words& pub = key->pubs[i];
            EXPECT_TRUE(decode_bool(eth_->call(at, verify_proof_call(proof, pub))));
            EXPECT_TRUE(eth_->call(at, proof_call("verify", proof, pub)).empty());
            EXPECT_TRUE(decode_bool(eth_->call(at, proof_call("isValid", proof, pub))));
        }
    }
}

TEST_F(SolidityVerifier, RejectsTamperedProofsAndInputs)
{
    for (const auto* key : {key1_, key3_}) {
        const Address at = key == key1_ ? addr1_ : addr3_;
        const Words& proof = key->proofs[0];
        // Another proof's public inputs: the pairing check fails.
        const Words& other_pub = key->pubs[1];
        EXPECT_EQ(revert_selector(at, verify_proof_call(proof, other_pub)), snark::kSelectorProofInvalid);
        EXPECT_EQ(revert_selector(at, proof_call("verify", proof, other_pub)), snark::kSelectorProofInvalid);
        EXPECT_FALSE(decode_bool(eth_->call(at, proof_call("isValid", proof, other_pub))));
        // -A (a valid curve point): ProofInvalid.
        Words neg_a = proof;
        neg_a[1] = (-Fq::from_u256_unchecked(proof[1])).to_u256();
        EXPECT_EQ(revert_selector(at, proof_call("verify", neg_a, key->pubs[0])), snark::kSelectorProofInvalid);
        // C of another proof.
        Words mixed = proof;
        mixed[6] = key->proofs[1][6];
        mixed[7] = key->proofs[1][7];
        EXPECT_EQ(revert_selector(at, verify_proof_call(mixed, key->pubs[0])), snark::kSelectorProofInvalid);
        // A off the curve, and A.y + q (non-canonical): the precompile refuses; never "valid".
        Words off = proof;
        off[0] = (Fq::from_u256_unchecked(proof[0]) + Fq::one()).to_u256();
        EXPECT_EQ(revert_selector(at, proof_call("isValid", off, key->pubs[0])), snark::kSelectorPrecompileFailed);
        Words non_canonical = proof;
        U256::add(non_canonical[1], proof[1], Fq::modulus);
        EXPECT_EQ(revert_selector(at, proof_call("verify", non_canonical, key->pubs[0])),
                  snark::kSelectorPrecompileFailed);
        // Input >= r (pub + r is the same scalar mod r, so it must be refused explicitly).
        Words big = key->pubs[0];
        U256::add(big.back(), big.back(), Fr::modulus);
        EXPECT_EQ(revert_selector(at, verify_proof_call(proof, big)), snark::kSelectorPublicInputNotInField);
        EXPECT_EQ(revert_selector(at, proof_call("isValid", proof, big)), snark::kSelectorPublicInputNotInField);
        // Wrong input count.
        Words longer = key->pubs[0];
        longer.push_back(U256(1));
        EXPECT_EQ(revert_selector(at, proof_call("verify", proof, longer)), snark::kSelectorPublicInputCount);
        EXPECT_EQ(revert_selector(at, proof_call("isValid", proof, Words{})), snark::kSelectorPublicInputCount);
    }
}

TEST_F(SolidityVerifier, StarvedCallsRevertInsteadOfReturningFalse)
{
    const Words& proof = key1_->proofs[0];
    const Words& pub = key1_->pubs[0];
    Words other_pub = key1_->pubs[1];
    const std::pair<const char*, Bytes> calls[] = {
        {"isValid", proof_call("isValid", proof, pub)},
        {"isValid (invalid proof)", proof_call("isValid", proof, other_pub)},
        {"verify", proof_call("verify", proof, pub)},
        {"verifyProof", verify_proof_call(proof, pub)},
    };
    for (const auto& [name, data] : calls) {
        // Estimation settles on a limit at which the call gives its real answer.
        const uint64_t needed = eth_->estimate_gas(addr1_, data, sender_->address());
        EXPECT_GT(needed, 200'000u) << name;
        const auto [ok, ret] = call_with_gas(addr1_, data, needed);
        EXPECT_TRUE(ok) << name;
        if (std::string_view(name) == "verify") {
            EXPECT_TRUE(ret.empty());
        } else if (ok) {
            EXPECT_EQ(decode_bool(ret), std::string_view(name).find("invalid") == std::string_view::npos) << name;
        }
        // Every limit below that: a revert, never an answer. 32,650 is what anvil estimated for
        // a verifier that returns false when the pairing precompile runs out of gas.
        size_t precompile_failed = 0;
        for (const uint64_t gas : std::vector<uint64_t>{30'000, 32'650, 60'000, 120'000, 190'000, needed - 3000, needed - 1}) {
            const auto [returned, revert_data] = call_with_gas(addr1_, data, gas);
            EXPECT_FALSE(returned) << name << " with gas " << gas << " returned " << to_hex(revert_data);
            precompile_failed += selector_of(revert_data) == snark::kSelectorPrecompileFailed;
        }
        EXPECT_GT(precompile_failed, 0u) << name;  // limits at which the precompile, not the caller, ran out
    }
}

TEST_F(SolidityVerifier, AgreesWithSnarkjsVerifier)
{
    const KeyAndProofs& k = *key1_;
    for (size_t i = 0; i < 4; ++i) {
        const Words& proof = k.proofs[i];
        for (size_t j = 0; j < 4; ++j) {
            const Bytes data = verify_proof_call(proof, k.pubs[j]);
            const bool theirs = decode_bool(eth_->call(snarkjs1_, data));
            EXPECT_EQ(theirs, i == j);
            if (theirs)
                EXPECT_TRUE(decode_bool(eth_->call(addr1_, data)));
            else
                EXPECT_EQ(revert_selector(addr1_, data), snark::kSelectorProofInvalid);
        }
    }
}

TEST_F(SolidityVerifier, BatchAcceptsValidAndRejectsOneBad)
{
    for (const auto* key : {key1_, key3_}) {
        const Address at = key == key1_ ? addr1_ : addr3_;
        const size_t k = 4;
        std::vector<Words> proofs(key->proofs.begin(), key->proofs.begin() + k);
        std::vector<Words> pubs(key->pubs.begin(), key->pubs.begin() + k);
        EXPECT_TRUE(decode_bool(eth_->call(at, batch_call(proofs, pubs, 7))));
        EXPECT_TRUE(decode_bool(eth_->call(at, batch_call({proofs[2]}, {pubs[2]}, 7))));
        for (size_t bad : {size_t(0), size_t(2)}) {
            auto bad_pubs = pubs;
            bad_pubs[bad] = pubs[(bad + 1) % k];
            EXPECT_FALSE(decode_bool(eth_->call(at, batch_call(proofs, bad_pubs, 7)))) << "bad " << bad;
            auto bad_proofs = proofs;
            bad_proofs[bad][6] = proofs[(bad + 1) % k][6];
            bad_proofs[bad][7] = proofs[(bad + 1) % k][7];
            EXPECT_FALSE(decode_bool(eth_->call(at, batch_call(bad_proofs, pubs, 99)))) << "bad " << bad;
            // The fallback finds it.
            for (size_t i = 0; i < k; ++i)
                EXPECT_EQ(decode_bool(eth_->call(at, proof_call("isValid", bad_proofs[i], pubs[i]))), i != bad);
        }
        // Two bad proofs: proofs 0 and 1 swapped against their inputs.
        auto swapped = proofs;
        std::swap(swapped[0], swapped[1]);
        EXPECT_FALSE(decode_bool(eth_->call(at, batch_call(swapped, pubs, 1))));
        // Malformed: input >= r, wrong counts.
        auto big = pubs;
        U256::add(big[3][0], big[3][0], Fr::modulus);
        EXPECT_EQ(revert_selector(at, batch_call(proofs, big, 7)), snark::kSelectorPublicInputNotInField);
        std::vector<Words> fewer_pubs(pubs.begin(), pubs.begin() + 3);
        EXPECT_EQ(revert_selector(at, batch_call(proofs, fewer_pubs, 7)), snark::kSelectorPublicInputCount);
        EXPECT_EQ(revert_selector(at, batch_call({}, {}, 7)), snark::kSelectorPublicInputCount);
        // A truncated proof (7 words) with an 8-word-aligned input count.
        Words seven(proofs[0].begin(), proofs[0].begin() + 7);
        EXPECT_EQ(revert_selector(at, batch_call({seven}, {pubs[0]}, 7)), snark::kSelectorPublicInputCount);
    }
}

TEST_F(SolidityVerifier, GasTable)
{
    const KeyAndProofs& k = *key1_;
    const Bytes vp = verify_proof_call(k.proofs[0], k.pubs[0]);
    const uint64_t ours = tx_gas(addr1_, vp);
    const uint64_t theirs = tx_gas(snarkjs1_, vp);
    const uint64_t verify = tx_gas(addr1_, proof_call("verify", k.proofs[0], k.pubs[0]));
    const uint64_t ours3 = tx_gas(addr3_, verify_proof_call(key3_->proofs[0], key3_->pubs[0]));
    std::printf("\nGroth16 verifier gas (whole transaction, anvil, 1 public input unless noted)\n");
    std::printf("  %-34s %9llu\n", "snarkjs verifyProof", static_cast<unsigned long long>(theirs));
    std::printf("  %-34s %9llu  (%+lld)\n", "provernet verifyProof", static_cast<unsigned long long>(ours),
                static_cast<long long>(ours) - static_cast<long long>(theirs));
    std::printf("  %-34s %9llu\n", "provernet verify(uint256[8],[])", static_cast<unsigned long long>(verify));
    std::printf("  %-34s %9llu\n", "provernet verifyProof, 3 inputs", static_cast<unsigned long long>(ours3));
    EXPECT_LE(ours, theirs);
    EXPECT_GT(theirs, 181'000u + 6'150u + 21'000u);  // their pairing ran too (it was not starved)
    std::printf("  %-34s %9llu\n", "eth_estimateGas, snarkjs verifyProof",
                static_cast<unsigned long long>(eth_->estimate_gas(snarkjs1_, vp, sender_->address())));
    std::printf("  %-34s %9llu\n", "eth_estimateGas, provernet verifyProof",
                static_cast<unsigned long long>(eth_->estimate_gas(addr1_, vp, sender_->address())));
    EXPECT_GT(ours, 181'000u + 6'150u + 21'000u);  // pairings + ecMul/ecAdd + intrinsic: it really ran

    std::printf("  isValidBatch (1 input)       k   total gas   per proof\n");
    uint64_t previous_per_proof = ours;
    for (size_t batch : {1u, 8u, 32u, 64u}) {
        std::vector<Words> proofs(k.proofs.begin(), k.proofs.begin() + batch);
        std::vector<Words> pubs(k.pubs.begin(), k.pubs.begin() + batch);
        const Bytes data = batch_call(proofs, pubs, 12345);
        ASSERT_TRUE(decode_bool(eth_->call(addr1_, data)));
        const uint64_t gas = tx_gas(addr1_, data, 5'000'000);
        const uint64_t per_proof = gas / batch;
        std::printf("  %28s %3zu %11llu %11llu\n", "", batch, static_cast<unsigned long long>(gas),
                    static_cast<unsigned long long>(per_proof));
        if (batch > 1) {
            EXPECT_LT(per_proof, previous_per_proof);
        }
        previous_per_proof = per_proof;
    }
    EXPECT_LT(previous_per_proof, 60'000u);  // k = 64: ~1 pairing + 2 ecMuls a proof
}

}  // namespace
