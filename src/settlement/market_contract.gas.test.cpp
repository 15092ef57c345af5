// Gas of every ProverMarket function on anvil (receipts' gasUsed, cancun), printed as a table,
// and the target: a proof settled in a batch of 32 costs at most a quarter of a single
// fulfilment. PROVERNET_GAS_BATCH_SIZES="1,8,32,64" chooses the batch sizes (default 1,8,32).
#include "settlement/market_contract.test_util.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

namespace provernet::settlement {
namespace {

using testing::Chain;
using testing::events_of;

std::vector<size_t> batch_sizes()
{
    std::vector<size_t> sizes;
    const char* env = std::getenv("PROVERNET_GAS_BATCH_SIZES");
    std::stringstream in(env && *env ? env : "1,8,32");
    for (std::string item; std::getline(in, item, ',');) sizes.push_back(std::stoul(item));
    return sizes;
}

TEST(ProverMarketGas, ReportsTheGasOfEveryFunction)
{
    Chain& c = Chain::get();
    const size_t requester = 1, prover = 2, other = 3;
    MarketContractConfig cfg;
    cfg.owner = c.address(0);
    cfg.fee_account = c.address(9);
    cfg.fee_bps = 100;
    cfg.withdrawal_delay_s = 10;
    cfg.max_request_lifetime_s = 100'000;
    std::vector<std::pair<std::string, uint64_t>> rows;

    Bytes code = c.market.init_code;
    append(code, MarketContract::constructor_args(cfg));
    rows.emplace_back("deploy ProverMarket", c.key(0).transact(std::nullopt, code).gas_used);
    MarketContract m = c.deploy(cfg, false);
    rows.emplace_back("registerCircuit",
                      m.register_circuit(c.key(0), c.circuit.id, c.verifier_address, 3).gas_used);
    rows.emplace_back("deposit (first)", m.deposit(c.key(requester), U256(1'000'000'000)).gas_used);
    rows.emplace_back("deposit (again)", m.deposit(c.key(requester), U256(1'000)).gas_used);
    for (size_t p : {prover, other}) {
        m.deposit(c.key(p), U256(1'000'000'000));
        if (p == prover) rows.emplace_back("stake (first)", m.stake(c.key(p), U256(100'000'000)).gas_used);
        else m.stake(c.key(p), U256(100'000'000));
    }
    rows.emplace_back("stake (again)", m.stake(c.key(prover), U256(1'000)).gas_used);
    rows.emplace_back("registerProver", m.register_prover(c.key(prover), 1'024).gas_used);
    m.register_prover(c.key(other), 16);
    rows.emplace_back("withdraw", m.withdraw(c.key(requester), U256(1'000)).gas_used);

    uint64_t key = 1;
    auto terms = [&](uint64_t t0, uint64_t x) {
        MarketRequestTerms t;
        t.key = U256(key++);
        t.circuit_id = c.circuit.id;
        t.bound_signals_hash = testing::ProductCircuit::binding(x);
        t.min_price = U256(1'000);
        t.max_price = U256(2'000);
        t.ramp_start = t0;
        t.ramp_period = 1'000;
        t.lock_deadline = t0 + 5'000;
        t.final_deadline = t0 + 10'000;
        t.collateral = U256(5'000);
        t.inputs = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
        return t;
    };
    auto submit = [&](uint64_t t0, uint64_t x, uint64_t* gas = nullptr) {
        auto t = terms(t0, x);
        auto r = m.submit_request(c.key(requester), t);
        if (gas) *gas = r.gas_used;
        return MarketContract::request_id(c.address(requester), t.key);
    };
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    uint64_t gas = 0;
    const U256 a = submit(t0, 11, &gas);
    rows.emplace_back("submitRequest", gas);
    const U256 b = submit(t0, 12);
    const U256 d = submit(t0, 13);
    const U256 e = submit(t0, 14);
    const U256 f = submit(t0, 15);
    const U256 g = submit(t0, 16);
    rows.emplace_back("cancel", m.cancel(c.key(requester), f).gas_used);
    rows.emplace_back("lock", m.lock(c.key(prover), a).gas_used);
    m.lock(c.key(prover), b);
    m.lock(c.key(prover), e);
    m.lock(c.key(prover), g);
    auto pa = c.circuit.prove(11, 2, c.address(prover));
    rows.emplace_back("fulfill (on time, first fee to an empty fee account)",
                      m.fulfill(c.key(prover), a, pa.proof, pa.signals, {1}).gas_used);
    auto pg = c.circuit.prove(16, 2, c.address(prover));
    // Steady state: every balance written is already nonzero (as in the batches below).
    const uint64_t single = m.fulfill(c.key(prover), g, pg.proof, pg.signals, {1}).gas_used;
    rows.emplace_back("fulfill (lock holder, on time)", single);
    auto pd = c.circuit.prove(13, 2, c.address(other));
    rows.emplace_back("fulfill (never locked)", m.fulfill(c.key(other), d, pd.proof, pd.signals, {1}).gas_used);
    c.at(t0 + 5'000);
    auto pb = c.circuit.prove(12, 2, c.address(other));
    rows.emplace_back("fulfill (lapsed lock: slash + secondary)",
                      m.fulfill(c.key(other), b, pb.proof, pb.signals, {1}).gas_used);
    c.at(t0 + 10'000);
    rows.emplace_back("expire (1 locked request)", m.expire(c.key(0), {e}).gas_used);
    rows.emplace_back("requestUnstake", m.request_unstake(c.key(prover), U256(1'000)).gas_used);
    c.at(t0 + 10'010);
    rows.emplace_back("completeUnstake", m.complete_unstake(c.key(prover)).gas_used);

    std::printf("\nProverMarket gas (anvil, cancun; solc 0.8.28, optimizer 200 runs)\n");
    std::printf("%-44s %10s\n", "function", "gas");
    for (const auto& [name, g] : rows) std::printf("%-44s %10llu\n", name.c_str(), (unsigned long long)g);

    std::printf("\n%-6s %12s %12s %10s\n", "k", "batch gas", "gas/proof", "vs single");
    std::map<size_t, uint64_t> per_proof;
    for (size_t k : batch_sizes()) {
        const uint64_t tk = c.now() + 5;
        std::vector<FulfilItem> items;
        for (size_t i = 0; i < k; ++i) {
            c.at(tk + 2 * i);
            const U256 id = submit(tk, 1'000 + i);
            c.at(tk + 2 * i + 1);
            m.lock(c.key(prover), id);
            auto p = c.circuit.prove(1'000 + i, 5, c.address(prover));
            items.push_back({id, p.proof, p.signals});
        }
        const TxReceipt r = m.fulfill_batch(c.key(prover), c.circuit.id, {1}, items);
        ASSERT_EQ(events_of<market_event::RequestFulfilled>(m, r).size(), k);
        per_proof[k] = r.gas_used / k;
        std::printf("%-6zu %12llu %12llu %9.2fx\n", k, (unsigned long long)r.gas_used,
                    (unsigned long long)per_proof[k], double(per_proof[k]) / double(single));
    }
    std::printf("single fulfill (lock holder, on time): %llu\n", (unsigned long long)single);
    // The target: a proof settled in a batch of 32 costs at most a quarter of a single
    // fulfilment (the verifier alone needs ~52k of it, see docs/contracts.md).
    if (per_proof.count(32)) {
        EXPECT_LE(per_proof[32] * 4, single) << "batch gas per proof at k = 32 above a quarter of a single fulfil";
    }
    if (per_proof.count(8)) {
        EXPECT_LT(per_proof[8] * 2, single) << "a batch of 8 must at least halve the cost";
    }
}

}  // namespace
}  // namespace provernet::settlement
