// settlement = evm against a real anvil: the same market scenario driven through an embedded
// coordinator (signed actions) and on chain (the actors' own transactions, a coordinator
// indexing them) ends with the same accounts, ledgers and request outcomes, and the indexed
// mirror equals the contract's own views. Also: EVM mode refuses signed actions; a restarted
// coordinator resumes its keeper's pending transaction instead of sending another, and resumes
// indexing without applying any log twice.
#include "coordinator/chain_requests.hpp"
#include "coordinator/service.hpp"
#include "coordinator/service_test_support.hpp"
#include "settlement/anvil_test_support.hpp"
#include "settlement/market_contract.hpp"
#include "settlement/solc.hpp"
#include "settlement/tx_sender.hpp"
#include "snark/groth16_verifier.hpp"
#include "snark/solidity_verifier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace provernet::coordinator::test {
namespace {

using settlement::Address;
using settlement::AnvilProcess;
using settlement::MarketContract;
using settlement::TxSender;
using settlement::U256;

// The contract's rules, as `provernet contracts deploy` records them in deployment.json.
nlohmann::json contract_config_json(const Address& owner, const Address& fee_account)
{
    return {{"owner", owner.to_checksum_string()},
            {"fee_account", fee_account.to_checksum_string()},
            {"fee_bps", 100},
            {"slash_burn_bps", 5000},
            {"withdrawal_delay_s", 1},
            {"max_pending_unstakes", 16},
            {"min_fulfiller_stake", "10"},
            {"min_collateral", "0"},
            {"max_request_lifetime_s", 7 * 86'400},
            {"max_inputs_bytes", 4096},
            {"max_capacity", 1024},
            {"breaker_failures", 3},
            {"reserve_bps", {0, 1000, 2000, 3000}}};
}

settlement::MarketContractConfig contract_config(const nlohmann::json& j)
{
    settlement::MarketContractConfig c;
    c.owner = Address::parse(j["owner"].get<std::string>(), "owner");
    c.fee_account = Address::parse(j["fee_account"].get<std::string>(), "fee account");
    c.fee_bps = j["fee_bps"];
    c.slash_burn_bps = j["slash_burn_bps"];
    c.withdrawal_delay_s = j["withdrawal_delay_s"];
    c.min_fulfiller_stake = U256(10);
    c.breaker_failures = j["breaker_failures"];
    return c;
}

// One anvil, the compiled market, the bound program's verifier (deployed once).
struct EvmWorld {
    std::unique_ptr<AnvilProcess> anvil;
    std::unique_ptr<settlement::EthClient> client;
    std::vector<std::unique_ptr<TxSender>> keys;
    settlement::CompiledContract market;
    Address verifier;
    snark::ZKey zkey;
    std::string identity;
    finance::Program program = bound_program();

    static EvmWorld& get()
    {
        static EvmWorld w = [] {
            EvmWorld w;
            w.anvil = std::make_unique<AnvilProcess>();
            w.client = std::make_unique<settlement::EthClient>(w.anvil->url());
            for (size_t i = 0; i < 10; ++i) {
                w.keys.push_back(std::make_unique<TxSender>(*w.client, AnvilProcess::dev_key(i)));
                w.keys.back()->set_poll_interval(std::chrono::milliseconds(5));
            }
            w.market = settlement::compile_solidity_contract(settlement::prover_market_sources(), "ProverMarket");
            const fs::path dir = fresh_dir("evm-zkey");
            std::ofstream(dir / "b.zkey", std::ios::binary) << zk().bound_zkey_bytes;
            w.zkey = snark::read_zkey((dir / "b.zkey").string());
            fs::remove_all(dir);
            const snark::VerificationKey vk = snark::verification_key_from_zkey(w.zkey);
            w.identity = snark::circuit_identity(vk);
            const auto compiled = settlement::compile_solidity_contract(
                {{"BoundVerifier.sol", snark::solidity_verifier(vk, "BoundVerifier")}}, "BoundVerifier");
            w.verifier = w.keys[0]->deploy(compiled.init_code);
            return w;
        }();
        return w;
    }
    TxSender& key(size_t i) { return *keys.at(i); }
    Address address(size_t i) { return keys.at(i)->address(); }
    std::string lower(size_t i) { return address(i).to_lower_string(); }

    // A fresh market (each test its own) with the bound program's circuit registered.
    std::pair<MarketContract, uint64_t> deploy(const nlohmann::json& config)
    {
        MarketContract m = MarketContract::deploy(key(0), *client, contract_config(config), market.init_code);
        const uint64_t block = client->block_number();
        m.register_circuit(key(0), settlement::from_hex_array<32>("0x" + identity, "identity"), verifier,
                           static_cast<uint32_t>(zkey.header.n_public));
        return {m, block};
    }

    ProofFiles prove_for(const nlohmann::json& inputs, size_t prover)
    {
        nlohmann::json in = inputs;
        in[finance::prover_input] = lower(prover);
        return test::prove(zkey, finance::circuit_spec(program), in);
    }
};

constexpr size_t kRequester = 1, kP1 = 2, kP2 = 3, kFee = 9;

class EvmServiceTest : public settlement::testing::AnvilSuite<EvmServiceTest> {
protected:
    void SetUp() override
    {
        AnvilSuite::SetUp();
        if (IsSkipped() || HasFailure()) return;
        zk();
        EvmWorld::get();
    }
    // Virtual time, seconds: both coordinators' clocks and the chain's block timestamps; starts
    // after the latest block (anvil refuses a timestamp that goes back).
    uint64_t begin()
    {
        now_s_ = std::max<uint64_t>(EvmWorld::get().client->block_timestamp() + 2, unix_time_ms() / 1000 + 2);
        return now_s_;
    }
    void TearDown() override
    {
        services_.clear();
        for (const auto& d : dirs_) fs::remove_all(d);
    }

    ServiceConfig base_config(const std::string& name)
    {
        dirs_.push_back(fresh_dir(name));
        ServiceConfig c = test_service_config(dirs_.back(), test_key(0x0e));
        c.clock = [this] { return now_s_.load() * 1000; };
        return c;
    }
    Service& start(ServiceConfig c)
    {
        services_.push_back(std::make_unique<Service>(std::move(c)));
        services_.back()->start();
        return *services_.back();
    }
    EvmSettlementConfig evm_config(const MarketContract& m, uint64_t block, bool keeper)
    {
        EvmSettlementConfig e;
        e.rpc_url = EvmWorld::get().anvil->url();
        e.market = m.address().to_checksum_string();
        e.start_block = block;
        e.poll_interval = std::chrono::milliseconds(10);
        if (keeper) {
            dirs_.push_back(fresh_dir("keeper"));
            e.keeper_key_file = (dirs_.back() / "keeper.key").string();
            write_key_file(e.keeper_key_file, AnvilProcess::dev_key(kFee - 1));
        }
        return e;
    }
    static void upload(Service& s, const std::string& bytes)
    {
        HttpClient http("127.0.0.1", s.port());
        HttpResponse r = http.request("PUT", "/v1/circuits/poseidon-preimage-bound", bytes, "application/octet-stream");
        ASSERT_EQ(r.status, 200) << r.body;
    }
    static nlohmann::json get(Service& s, const std::string& path)
    {
        return HttpClient("127.0.0.1", s.port()).get_json(path);
    }
    // Waits until the coordinator has indexed every mined block.
    static void sync(Service& s)
    {
        const uint64_t head = EvmWorld::get().client->block_number();
        for (int i = 0; i < 1000 && s.chain_next_block() <= head; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ASSERT_GT(s.chain_next_block(), head) << "the coordinator did not index block " << head;
    }
    // The next transaction's block is at now_s_ (strictly later than the previous one).
    void step(uint64_t seconds = 1)
    {
        now_s_ += seconds;
        EvmWorld::get().anvil->set_next_block_timestamp(now_s_);
    }

    std::atomic<uint64_t> now_s_{0};
    std::vector<fs::path> dirs_;
    std::vector<std::unique_ptr<Service>> services_;
};

// The scenario's requests: times relative to its start, seconds.
struct Terms {
    std::string key;
    nlohmann::json inputs;
};
const Terms kA{"a", {{"preimage", {"1", "2"}}}}, kB{"b", {{"preimage", {"3", "4"}}}}, kC{"c", {{"preimage", {"5", "6"}}}};
constexpr uint64_t kRampAt = 10, kRamp = 10, kLockBy = 60, kFinalBy = 120, kMin = 500, kMax = 1000, kCollateral = 400;

TEST_F(EvmServiceTest, TheSameScenarioEndsInTheSameBalancesInBothModes)
{
    EvmWorld& w = EvmWorld::get();
    const nlohmann::json config = contract_config_json(w.address(0), w.address(kFee));
    auto [market, block] = w.deploy(config);
    const uint64_t t0 = begin();

    // --- Embedded: signed actions to a coordinator whose market has the contract's rules.
    ServiceConfig ec = base_config("evm-embedded");
    ec.market = market_config_from_contract(config);
    Service& embedded = start(ec);
    upload(embedded, zk().bound_zkey_bytes);
    std::map<size_t, std::unique_ptr<ActionClient>> actors;
    const auto actor = [&](size_t k) -> ActionClient& {
        auto& c = actors[k];
        if (!c) {
            c = std::make_unique<ActionClient>("127.0.0.1", embedded.port(), AnvilProcess::dev_key(k));
            c->ttl_ms = 500'000;  // the virtual clock runs ahead of the wall clock
        }
        return *c;
    };
    ActionClient op("127.0.0.1", embedded.port(), test_key(0x0e));
    op.ttl_ms = 500'000;
    std::map<std::string, uint64_t> embedded_id;
    {
        const auto at = [&](uint64_t s) { now_s_ = t0 + s; };
        at(1);
        op.act("deposit", {{"account", w.lower(kRequester)}, {"amount", "10000"}});
        for (size_t p : {kP1, kP2}) {
            op.act("deposit", {{"account", w.lower(p)}, {"amount", "5000"}});
            actor(p).act("stake", {{"amount", "3000"}});
            actor(p).act("register_prover", {{"capacity", 2}});
        }
        at(10);
        for (const Terms* t : {&kA, &kB, &kC}) {
            const nlohmann::json r = actor(kRequester).act(
                "submit_request", {{"idempotency_key", t->key},
                                   {"circuit", w.identity},
                                   {"inputs", t->inputs},
                                   {"priority", "pricing"},
                                   {"min_price", std::to_string(kMin)},
                                   {"max_price", std::to_string(kMax)},
                                   {"ramp_start_ms", (t0 + kRampAt) * 1000},
                                   {"ramp_period_ms", kRamp * 1000},
                                   {"lock_deadline_ms", (t0 + kLockBy) * 1000},
                                   {"final_deadline_ms", (t0 + kFinalBy) * 1000},
                                   {"collateral", std::to_string(kCollateral)}});
            embedded_id[t->key] = r.at("request_id").get<uint64_t>();
        }
        const auto fulfil = [&](size_t p, const Terms& t) {
            const ProofFiles f = w.prove_for(t.inputs, p);
            const nlohmann::json r = actor(p).act(
                "fulfill", {{"request_id", embedded_id[t.key]}, {"proof", f.proof}, {"public_signals", f.public_signals}});
            ASSERT_TRUE(r.value("valid", false)) << r.dump();
        };
        at(13);
        actor(kP1).act("lock", {{"request_id", embedded_id["a"]}});
        at(14);
        fulfil(kP1, kA);
        at(15);
        actor(kP1).act("lock", {{"request_id", embedded_id["b"]}});
        at(16);
        actor(kP2).act("lock", {{"request_id", embedded_id["c"]}});
        at(kLockBy + 1);
        fulfil(kP2, kB);  // P1's lock lapsed: P2 fulfils in its place
        at(kFinalBy + 2);  // C expires with nobody fulfilling it
        for (int i = 0; i < 500 && get(embedded, "/v1/requests/" + std::to_string(embedded_id["c"]))["state"] != "expired"; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        at(kFinalBy + 3);
        actor(kRequester).act("withdraw", {{"amount", "100"}});
    }

    // --- EVM: the same steps as transactions; a coordinator indexes them, its keeper expires C.
    now_s_ = t0;
    ServiceConfig vc = base_config("evm-chain");
    vc.market = market_config_from_contract(config);
    vc.evm = evm_config(market, block, /*keeper=*/true);
    Service& chain = start(vc);
    upload(chain, zk().bound_zkey_bytes);
    std::map<std::string, U256> chain_id;
    {
        const auto at = [&](uint64_t s) {
            now_s_ = t0 + s - 1;
            step();
        };
        // Funding times do not matter (the embedded run did it all at t0 + 1): one block each.
        step();
        market.deposit(w.key(kRequester), U256(10000));
        for (size_t p : {kP1, kP2}) {
            step();
            market.deposit(w.key(p), U256(5000));
            step();
            market.stake(w.key(p), U256(3000));
            step();
            market.register_prover(w.key(p), 2);
        }
        uint64_t submit_at = 10;  // A, B, C in three blocks from t0 + 10
        for (const Terms* t : {&kA, &kB, &kC}) {
            at(submit_at++);
            ChainRequestSpec spec;
            spec.key = U256(uint64_t(t->key[0]));
            spec.circuit_identity = w.identity;
            spec.inputs = t->inputs;
            spec.priority = market::Priority::pricing;
            spec.min_price = kMin;
            spec.max_price = kMax;
            spec.ramp_start_s = t0 + kRampAt;
            spec.ramp_period_s = kRamp;
            spec.lock_deadline_s = t0 + kLockBy;
            spec.final_deadline_s = t0 + kFinalBy;
            spec.collateral = kCollateral;
            market.submit_request(w.key(kRequester), chain_request_terms(w.program, spec));
            chain_id[t->key] = MarketContract::request_id(w.address(kRequester), spec.key);
        }
        sync(chain);
        const auto fulfil = [&](size_t p, const Terms& t) {
            const ProofFiles f = w.prove_for(t.inputs, p);
            const snark::Proof proof = snark::proof_from_json(f.proof, "proof");
            const ChainFulfilArgs args =
                chain_fulfil_args(proof, snark::public_signals_from_json(f.public_signals, "public"), w.address(p));
            market.fulfill(w.key(p), chain_id[t.key], args.proof, args.signals,
                           bound_signals(w.program, t.inputs).indices);
        };
        at(13);
        market.lock(w.key(kP1), chain_id["a"]);
        at(14);
        fulfil(kP1, kA);
        at(15);
        market.lock(w.key(kP1), chain_id["b"]);
        at(16);
        market.lock(w.key(kP2), chain_id["c"]);
        at(kLockBy + 1);
        fulfil(kP2, kB);
        at(kFinalBy + 2);  // the keeper's expire() is mined at this time
        sync(chain);
        for (int i = 0; i < 1000 && market.request(chain_id["c"]).status != settlement::ContractRequestStatus::closed; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ASSERT_EQ(market.request(chain_id["c"]).status, settlement::ContractRequestStatus::closed)
            << "the keeper did not expire C";
        at(kFinalBy + 3);
        market.withdraw(w.key(kRequester), U256(100));
        sync(chain);
    }

    // --- The same outcome.
    const nlohmann::json info = get(chain, "/v1/info");
    EXPECT_EQ(info["settlement"], "evm");
    EXPECT_EQ(info["evm"]["divergences"], 0) << info.dump();
    for (const Terms* t : {&kA, &kB, &kC}) {
        const nlohmann::json e = get(embedded, "/v1/requests/" + std::to_string(embedded_id[t->key]));
        const nlohmann::json v = get(chain, "/v1/requests/chain/" + chain_id[t->key].to_decimal());
        EXPECT_EQ(v["state"], e["state"]) << t->key;
        EXPECT_EQ(v["holder"], e["holder"]) << t->key;
        EXPECT_EQ(v["fulfilled_by"], e["fulfilled_by"]) << t->key;
        EXPECT_EQ(v["paid_price"], e["paid_price"]) << t->key;
        EXPECT_EQ(v["chain"]["id"], chain_id[t->key].to_decimal());
        EXPECT_TRUE(v["chain"]["binding_ok"].get<bool>());
        EXPECT_EQ(v["inputs"], t->inputs);
    }
    EXPECT_EQ(get(chain, "/v1/requests/chain/" + chain_id["a"].to_decimal())["state"], "fulfilled");
    // The proofs, read back from the fulfilling transactions, verify and pay their provers.
    for (const auto& [key, prover] : {std::pair{"a", kP1}, std::pair{"b", kP2}}) {
        const nlohmann::json v = get(chain, "/v1/requests/chain/" + chain_id[key].to_decimal());
        const nlohmann::json p = get(chain, "/v1/requests/" + std::to_string(v["id"].get<uint64_t>()) + "/proof");
        const auto signals = snark::public_signals_from_json(p["public_signals"], "public");
        EXPECT_TRUE(snark::groth16_verify(snark::verification_key_from_zkey(w.zkey), signals,
                                          snark::proof_from_json(p["proof"], "proof")))
            << key;
        EXPECT_EQ(signals.back(), settlement::address_signal(w.address(prover))) << key;
        EXPECT_EQ(p["prover"], w.lower(prover));
    }
    EXPECT_EQ(get(chain, "/v1/requests/chain/" + chain_id["c"].to_decimal())["state"], "expired");
    for (size_t k : {kRequester, kP1, kP2, kFee}) {
        const nlohmann::json e = get(embedded, "/v1/accounts/" + w.lower(k));
        const nlohmann::json v = get(chain, "/v1/accounts/" + w.lower(k));
        EXPECT_EQ(v["account"], e["account"]) << "account " << k;
        EXPECT_EQ(v["ledger"], e["ledger"]) << "account " << k;
        if (v.contains("prover") || e.contains("prover")) {
            EXPECT_EQ(v["prover"], e["prover"]) << "prover " << k;
        }
        // The mirror is the contract's state.
        const settlement::MarketAccount a = market.account(w.address(k));
        EXPECT_EQ(a.balance.to_decimal(), v["account"]["balance"].get<std::string>()) << k;
        EXPECT_EQ(a.stake.to_decimal(), v["account"]["stake"].get<std::string>()) << k;
        EXPECT_EQ(a.locked.to_decimal(), v["account"]["locked"].get<std::string>()) << k;
    }
    // The slashes happened: P1 on B (lapsed, bounty to P2), P2 on C (expired, bounty to R).
    EXPECT_NE(get(chain, "/v1/accounts/" + w.lower(kP1))["ledger"]["slashed"], "0");
    EXPECT_NE(get(chain, "/v1/accounts/" + w.lower(kP2))["ledger"]["slashed"], "0");
    const nlohmann::json burned = embedded.market_snapshot()["ledger"]["burned"];
    EXPECT_EQ(market.burned().to_decimal(), burned.is_string() ? burned.get<std::string>() : burned.dump());
    EXPECT_NE(market.burned(), U256());
}

TEST_F(EvmServiceTest, ABatchFulfilmentIsIndexedPerRequestWithItsProof)
{
    EvmWorld& w = EvmWorld::get();
    const nlohmann::json config = contract_config_json(w.address(0), w.address(kFee));
    auto [market, block] = w.deploy(config);
    const uint64_t t0 = begin();
    ServiceConfig c = base_config("evm-batch");
    c.market = market_config_from_contract(config);
    c.evm = evm_config(market, block, false);
    Service& s = start(c);
    upload(s, zk().bound_zkey_bytes);
    step();
    market.deposit(w.key(kRequester), U256(10000));
    step();
    market.deposit(w.key(kP1), U256(5000));
    step();
    market.stake(w.key(kP1), U256(1000));
    step();
    market.register_prover(w.key(kP1), 4);
    std::vector<U256> ids;
    const std::vector<Terms> terms = {kA, kB, kC};
    for (size_t i = 0; i < terms.size(); ++i) {
        ChainRequestSpec spec;
        spec.key = U256(1000 + i);
        spec.circuit_identity = w.identity;
        spec.inputs = terms[i].inputs;
        spec.min_price = spec.max_price = 300;
        spec.ramp_start_s = t0;
        spec.lock_deadline_s = t0 + 60;
        spec.final_deadline_s = t0 + 120;
        step();
        market.submit_request(w.key(kRequester), chain_request_terms(w.program, spec));
        ids.push_back(MarketContract::request_id(w.address(kRequester), spec.key));
    }
    // Three proofs in one fulfillBatch, the second one invalid (C's point in A's place).
    std::vector<settlement::FulfilItem> items;
    for (size_t i = 0; i < terms.size(); ++i) {
        const ProofFiles f = w.prove_for(terms[i].inputs, kP1);
        snark::Proof proof = snark::proof_from_json(f.proof, "proof");
        if (i == 1) proof.a = proof.c;
        const ChainFulfilArgs args =
            chain_fulfil_args(proof, snark::public_signals_from_json(f.public_signals, "public"), w.address(kP1));
        items.push_back({ids[i], args.proof, args.signals});
    }
    step();
    market.fulfill_batch(w.key(kP1), settlement::from_hex_array<32>("0x" + w.identity, "identity"),
                         bound_signals(w.program, kA.inputs).indices, items);
    sync(s);
    const snark::VerificationKey vk = snark::verification_key_from_zkey(w.zkey);
    for (size_t i = 0; i < ids.size(); ++i) {
        const nlohmann::json v = get(s, "/v1/requests/chain/" + ids[i].to_decimal());
        EXPECT_EQ(v["state"], i == 1 ? "open" : "fulfilled") << i;
        if (i == 1) continue;
        const nlohmann::json p = get(s, "/v1/requests/" + std::to_string(v["id"].get<uint64_t>()) + "/proof");
        EXPECT_TRUE(snark::groth16_verify(vk, snark::public_signals_from_json(p["public_signals"], "public"),
                                          snark::proof_from_json(p["proof"], "proof")))
            << i;
    }
    EXPECT_EQ(get(s, "/v1/accounts/" + w.lower(kP1))["account"]["balance"].get<std::string>(),
              market.account(w.address(kP1)).balance.to_decimal());
    EXPECT_EQ(get(s, "/v1/info")["evm"]["divergences"], 0);
}

TEST_F(EvmServiceTest, IndexesOnlyBlocksWithTheConfirmationsAsked)
{
    EvmWorld& w = EvmWorld::get();
    const nlohmann::json config = contract_config_json(w.address(0), w.address(kFee));
    auto [market, block] = w.deploy(config);
    begin();
    ServiceConfig c = base_config("evm-confirmations");
    c.market = market_config_from_contract(config);
    c.evm = evm_config(market, block, false);
    c.evm->confirmations = 2;
    Service& s = start(c);
    step();
    market.deposit(w.key(kRequester), U256(700));
    const auto balance = [&] { return get(s, "/v1/accounts/" + w.lower(kRequester))["account"]["balance"]; };
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(balance(), "0") << "indexed a block with no confirmation";
    step();
    w.anvil->mine();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(balance(), "0") << "indexed a block with one confirmation";
    step();
    w.anvil->mine();
    for (int i = 0; i < 400 && balance() != "700"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(balance(), "700");
}

TEST_F(EvmServiceTest, SignedActionsAreRefusedAndPointToTheContract)
{
    EvmWorld& w = EvmWorld::get();
    const nlohmann::json config = contract_config_json(w.address(0), w.address(kFee));
    auto [market, block] = w.deploy(config);
    begin();
    ServiceConfig c = base_config("evm-refuse");
    c.market = market_config_from_contract(config);
    c.evm = evm_config(market, block, false);
    Service& s = start(c);
    ActionClient a("127.0.0.1", s.port(), AnvilProcess::dev_key(kP1));
    const HttpResponse r = a.send("stake", {{"amount", "1"}});
    EXPECT_EQ(r.status, 409);
    EXPECT_NE(r.body.find(market.address().to_checksum_string()), std::string::npos) << r.body;
    EXPECT_EQ(get(s, "/v1/info")["evm"]["market"], market.address().to_checksum_string());
    // The data dir follows that market only; and an embedded coordinator cannot reopen it.
    services_.clear();
    ServiceConfig embedded = c;
    embedded.evm.reset();
    EXPECT_THROW(Service{embedded}, std::runtime_error);
}

TEST_F(EvmServiceTest, ARestartResumesTheKeepersPendingTransactionAndIndexesNothingTwice)
{
    EvmWorld& w = EvmWorld::get();
    const nlohmann::json config = contract_config_json(w.address(0), w.address(kFee));
    auto [market, block] = w.deploy(config);
    const uint64_t t0 = begin();
    step();
    market.deposit(w.key(kRequester), U256(5000));
    step();
    market.deposit(w.key(kP1), U256(5000));
    step();
    market.stake(w.key(kP1), U256(1000));
    step();
    market.register_prover(w.key(kP1), 1);
    ChainRequestSpec spec;
    spec.key = U256(77);
    spec.circuit_identity = w.identity;
    spec.inputs = kA.inputs;
    spec.min_price = spec.max_price = 100;
    spec.ramp_start_s = t0;
    spec.lock_deadline_s = t0 + 20;
    spec.final_deadline_s = t0 + 30;
    spec.collateral = 200;
    step();
    market.submit_request(w.key(kRequester), chain_request_terms(w.program, spec));
    const U256 id = MarketContract::request_id(w.address(kRequester), spec.key);
    step();
    market.lock(w.key(kP1), id);

    ServiceConfig c = base_config("evm-restart");
    c.market = market_config_from_contract(config);
    c.evm = evm_config(market, block, /*keeper=*/true);
    Service* s = &start(c);
    sync(*s);
    const uint64_t commands = s->command_count();
    const Address keeper = AnvilProcess::dev_key(kFee - 1).address();
    const uint64_t keeper_nonce = w.client->nonce(keeper, "latest");

    // Blocks are mined only on demand now: the keeper's expire() stays pending.
    w.anvil->set_automine(false);
    now_s_ = t0 + 32;
    w.anvil->set_next_block_timestamp(now_s_);
    for (int i = 0; i < 1000 && w.client->nonce(keeper, "pending") == keeper_nonce; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_EQ(w.client->nonce(keeper, "pending"), keeper_nonce + 1) << "the keeper sent no expire()";

    // Restart with the transaction in flight: the new process finds it in the journal and waits
    // for it; it signs nothing new even though the request still looks due.
    services_.clear();
    s = &start(c);
    EXPECT_EQ(s->command_count(), commands);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(w.client->nonce(keeper, "pending"), keeper_nonce + 1) << "a second transaction was sent";
    w.anvil->mine();
    w.anvil->set_automine(true);
    sync(*s);
    for (int i = 0; i < 500 && get(*s, "/v1/requests/chain/" + id.to_decimal())["state"] != "expired"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(get(*s, "/v1/requests/chain/" + id.to_decimal())["state"], "expired");
    EXPECT_EQ(w.client->nonce(keeper, "latest"), keeper_nonce + 1);
    EXPECT_EQ(market.request(id).status, settlement::ContractRequestStatus::closed);

    // Indexing resumed after the last applied log: one more restart re-reads nothing twice.
    const uint64_t after = s->command_count();
    const nlohmann::json account = get(*s, "/v1/accounts/" + w.lower(kRequester));
    services_.clear();
    s = &start(c);
    sync(*s);
    EXPECT_EQ(s->command_count(), after);
    EXPECT_EQ(get(*s, "/v1/accounts/" + w.lower(kRequester))["account"], account["account"]);
    EXPECT_EQ(get(*s, "/v1/info")["evm"]["divergences"], 0);
    EXPECT_EQ(market.account(w.address(kRequester)).balance.to_decimal(),
              account["account"]["balance"].get<std::string>());
}

}  // namespace
}  // namespace provernet::coordinator::test
