// Groth16 verification: one proof at a time against batches of k proofs of one circuit
// (y = x^3, two public signals), per proof; and the pairing work alone, as the coordinator runs
// it (key and proof checked beforehand), with the key unprepared and prepared
// (PreparedVerificationKey: beta, gamma and delta's lines and e(alpha, beta) computed once).
#include "snark/groth16_batch_verifier.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/ptau.hpp"
#include "snark/ptau_new.hpp"
#include "snark/setup.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <unistd.h>

namespace provernet::snark {
namespace {

using namespace provernet::math;

struct Fixture {
    VerificationKey vk;
    std::vector<ProveResult> proofs;
};

const Fixture& fixture()
{
    static const Fixture f = [] {
        R1cs r;
        r.header.n_wires = 4;
        r.header.n_pub_out = 1;
        r.header.n_pub_in = 1;
        r.header.n_labels = 4;
        r.header.n_constraints = 2;
        r.constraints.push_back({{{2, Fr::one()}}, {{2, Fr::one()}}, {{3, Fr::one()}}});
        r.constraints.push_back({{{3, Fr::one()}}, {{2, Fr::one()}}, {{1, Fr::one()}}});
        const auto dir = std::filesystem::temp_directory_path() / ("provernet-vbench-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
        write_new_ptau((dir / "p.ptau").string(), 4);
        const ZKey z = groth16_setup_key(r, PTau::open((dir / "p.ptau").string()));
        std::filesystem::remove_all(dir);
        Fixture f{verification_key_from_zkey(z), {}};
        for (uint64_t x = 2; x < 2 + 64; ++x) {
            const Fr xf = Fr::from_uint(x);
            f.proofs.push_back(
                groth16_prove(z, Witness{{U256(1), (xf * xf * xf).to_u256(), xf.to_u256(), (xf * xf).to_u256()}}));
        }
        return f;
    }();
    return f;
}

void BM_VerifyOne(benchmark::State& state)
{
    const Fixture& f = fixture();
    size_t i = 0;
    for (auto _ : state) {
        const auto& p = f.proofs[i++ % f.proofs.size()];
        benchmark::DoNotOptimize(groth16_verify(f.vk, p.public_signals, p.proof));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyOne)->Unit(benchmark::kMillisecond);

void BM_VerifyBatch(benchmark::State& state)
{
    const Fixture& f = fixture();
    std::vector<BatchItem> items;
    for (int64_t i = 0; i < state.range(0); ++i)
        items.push_back({f.proofs[size_t(i)].public_signals, &f.proofs[size_t(i)].proof});
    for (auto _ : state)
        benchmark::DoNotOptimize(groth16_verify_batch(f.vk, items));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_VerifyBatch)->Arg(1)->Arg(8)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);

void BM_PairingCheckOne(benchmark::State& state)
{
    const Fixture& f = fixture();
    const PreparedVerificationKey prepared(f.vk);
    const bool use_prepared = state.range(0) != 0;
    size_t i = 0;
    for (auto _ : state) {
        const auto& p = f.proofs[i++ % f.proofs.size()];
        benchmark::DoNotOptimize(use_prepared ? groth16_pairing_check(prepared, p.public_signals, p.proof)
                                              : groth16_pairing_check(f.vk, p.public_signals, p.proof));
    }
    state.SetLabel(use_prepared ? "prepared key" : "unprepared key");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PairingCheckOne)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// What the coordinator's verifier thread runs: a prepared key, checked items.
void BM_VerifyBatchPrepared(benchmark::State& state)
{
    const Fixture& f = fixture();
    const PreparedVerificationKey prepared(f.vk);
    std::vector<BatchItem> items;
    for (int64_t i = 0; i < state.range(0); ++i)
        items.push_back({f.proofs[size_t(i)].public_signals, &f.proofs[size_t(i)].proof});
    for (auto _ : state)
        benchmark::DoNotOptimize(groth16_verify_batch(prepared, items, {.items_checked = true}));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_VerifyBatchPrepared)->Arg(1)->Arg(8)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace provernet::snark
