// Per-operation costs of the settlement primitives. The coordinator's budget: verify ~2,000
// signed actions per second on 2 cores, i.e. verify_action well under 1 ms per core.
#include "settlement/abi.hpp"
#include "settlement/eip1559.hpp"
#include "settlement/envelope.hpp"
#include "settlement/keccak.hpp"
#include "settlement/keys.hpp"

#include <benchmark/benchmark.h>

namespace provernet::settlement {
namespace {

const PrivateKey& bench_key()
{
    static const PrivateKey key =
        PrivateKey::from_hex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    return key;
}

void BM_Keccak256(benchmark::State& state)
{
    const Bytes data(size_t(state.range(0)), 0xa5);
    for (auto _ : state)
        benchmark::DoNotOptimize(keccak256(data));
    state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Keccak256)->Arg(32)->Arg(1024);

void BM_Sign(benchmark::State& state)
{
    Hash256 digest = keccak256(std::string_view("bench"));
    for (auto _ : state) {
        benchmark::DoNotOptimize(bench_key().sign(digest));
        digest[0]++;
    }
}
BENCHMARK(BM_Sign);

void BM_RecoverAddress(benchmark::State& state)
{
    const Hash256 digest = keccak256(std::string_view("bench"));
    const Signature sig = bench_key().sign(digest);
    for (auto _ : state)
        benchmark::DoNotOptimize(recover_address(digest, sig));
}
BENCHMARK(BM_RecoverAddress);

nlohmann::json typical_body()
{
    return {{"program", "black_scholes"},
            {"inputs_commitment", "0x1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988"},
            {"max_price", "1250000000000000000"},
            {"deadline_s", 600},
            {"public_inputs", {"100", "105", "20", "5", "1"}}};
}

void BM_VerifyAction(benchmark::State& state)
{
    static const SignedAction action =
        sign_action(bench_key(), "submit_request", typical_body(), 42, 4'000'000'000'000, "provernet-local");
    for (auto _ : state)
        benchmark::DoNotOptimize(verify_action(action, "provernet-local", 1'700'000'000'000));
    state.SetItemsProcessed(int64_t(state.iterations()));
}
// Threads(2): the 2-core figure; items/s is the aggregate rate.
BENCHMARK(BM_VerifyAction)->Threads(1)->Threads(2)->UseRealTime();

void BM_VerifyActionFromJsonText(benchmark::State& state)
{
    const std::string text =
        nlohmann::json(sign_action(bench_key(), "submit_request", typical_body(), 42, 4'000'000'000'000, "provernet-local"))
            .dump();
    for (auto _ : state) {
        const SignedAction a = nlohmann::json::parse(text).get<SignedAction>();
        benchmark::DoNotOptimize(verify_action(a, "provernet-local", 1'700'000'000'000));
    }
    state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_VerifyActionFromJsonText);

void BM_SignEip1559(benchmark::State& state)
{
    Eip1559Transaction tx;
    tx.chain_id = 31337;
    tx.max_priority_fee_per_gas = math::U256(1'000'000'000);
    tx.max_fee_per_gas = math::U256(30'000'000'000);
    tx.gas_limit = 300'000;
    tx.to = Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    tx.data = abi::encode_call("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[1])",
                               {abi::Value::list({abi::Value::uint(1), abi::Value::uint(2)}),
                                abi::Value::list({abi::Value::list({abi::Value::uint(3), abi::Value::uint(4)}),
                                                  abi::Value::list({abi::Value::uint(5), abi::Value::uint(6)})}),
                                abi::Value::list({abi::Value::uint(7), abi::Value::uint(8)}),
                                abi::Value::list({abi::Value::uint(9)})});
    for (auto _ : state) {
        benchmark::DoNotOptimize(sign(tx, bench_key()).raw());
        tx.nonce++;
    }
}
BENCHMARK(BM_SignEip1559);

}  // namespace
}  // namespace provernet::settlement
