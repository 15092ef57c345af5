// A prover node's transactions against a real anvil and the real market contract: register,
// stake, lock and fulfil with a real Groth16 proof; lost races; invalid proofs; the chain check
// and the journal resumed at start.
#include "node/chain_actions.hpp"

#include "settlement/abi.hpp"
#include "settlement/anvil_test_support.hpp"
#include "settlement/market_contract.test_util.hpp"
#include "snark/testing/temp_dir.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace provernet::node {
namespace {

using math::U256;
using settlement::MarketContract;
using settlement::testing::Chain;
using settlement::testing::ProductCircuit;
using Outcome = ChainActions::Outcome;

// Dev keys: 0 deploys, 1 requests, 5 is the node under test (only ChainActions sends from it),
// 6 a competing prover.
constexpr size_t kOwner = 0, kRequester = 1, kNode = 5, kOther = 6;

settlement::MarketContractConfig market_config(Chain& c)
{
    settlement::MarketContractConfig cfg;
    cfg.owner = c.address(kOwner);
    cfg.fee_account = c.address(9);
    cfg.fee_bps = 100;
    cfg.withdrawal_delay_s = 100;
    cfg.min_fulfiller_stake = U256(10);
    cfg.min_collateral = U256(1);
    cfg.max_request_lifetime_s = 100'000;
    cfg.breaker_failures = 100;
    return cfg;
}

class NodeChainActions : public ::testing::Test {
protected:
    void SetUp() override { PROVERNET_REQUIRE_ANVIL(); }

    Chain& c = Chain::get();
    MarketContract m = c.deploy(market_config(c));
    provernet::testing::TempDir dir{"node-chain"};
    std::vector<std::string> logs;

    ChainEndpoint endpoint() { return {c.anvil->url(), m.address(), 31337}; }

    std::unique_ptr<ChainActions> actions(const std::filesystem::path& journal = {})
    {
        settlement::TxSenderOptions options;
        options.poll_interval = std::chrono::milliseconds(5);
        return std::make_unique<ChainActions>(endpoint(), settlement::AnvilProcess::dev_key(kNode), journal,
                                              [this](const std::string& line) { logs.push_back(line); }, options);
    }

    settlement::Address me() { return c.address(kNode); }

    // A request binding x = 6 (out = 6 * y), price 1000 flat, collateral 500.
    U256 submit(uint64_t key)
    {
        const uint64_t now = c.now();
        settlement::MarketRequestTerms t;
        t.key = U256(key);
        t.circuit_id = c.circuit.id;
        t.bound_signals_hash = ProductCircuit::binding(6);
        t.min_price = U256(1'000);
        t.max_price = U256(1'000);
        t.ramp_start = now;
        t.lock_deadline = now + 5'000;
        t.final_deadline = now + 10'000;
        t.collateral = U256(500);
        t.inputs = "{\"x\":6}";
        m.submit_request(c.key(kRequester), t, U256(1'000));
        return MarketContract::request_id(c.address(kRequester), t.key);
    }

    // The proof and every public signal, the prover address last (what a node proves).
    snark::ProveResult prove(uint64_t x, const settlement::Address& prover)
    {
        const auto b = ProductCircuit::build(x, 7, prover);
        return snark::groth16_prove(c.circuit.zkey, b.witness_file());
    }

    ChainActions::Result fulfil(ChainActions& a, const U256& id, const snark::ProveResult& p)
    {
        return a.fulfil(id, p.proof, p.public_signals, ProductCircuit::bound_indices());
    }
};

TEST_F(NodeChainActions, RegistersStakesLocksAndFulfilsWithARealProof)
{
    auto a = actions();
    EXPECT_FALSE(a->prepare_account(2, 5'000));
    EXPECT_TRUE(m.prover(me()).registered);
    EXPECT_EQ(m.prover(me()).capacity, 2u);
    EXPECT_EQ(m.account(me()).stake, U256(5'000));
    EXPECT_EQ(m.account(me()).balance, U256(0));  // deposited exactly what the stake lacked

    // Already as configured: nothing is sent.
    const uint64_t nonce = c.client->nonce(me());
    a->prepare_account(2, 5'000);
    EXPECT_EQ(c.client->nonce(me()), nonce);
    // A new capacity re-registers; a higher stake tops up.
    a->prepare_account(3, 6'000);
    EXPECT_EQ(m.prover(me()).capacity, 3u);
    EXPECT_EQ(m.account(me()).stake, U256(6'000));

    const U256 id = submit(1);
    const ChainActions::Result locked = a->lock(id);
    EXPECT_EQ(locked.outcome, Outcome::done) << locked.reason;
    EXPECT_EQ(locked.price, U256(1'000));
    EXPECT_EQ(m.request(id).holder, me());
    EXPECT_EQ(m.account(me()).locked, U256(500));
    // A second copy of the lock (e.g. resent after a timeout) finds the lock ours.
    const ChainActions::Result again = a->lock(id);
    EXPECT_EQ(again.outcome, Outcome::done);
    EXPECT_EQ(again.reason, "AlreadyLocked");

    const ChainActions::Result paid = fulfil(*a, id, prove(6, me()));
    ASSERT_EQ(paid.outcome, Outcome::done) << paid.reason;
    const auto receipt = c.client->receipt(paid.tx_hash);
    ASSERT_TRUE(receipt.has_value());
    const auto fulfilled = settlement::testing::events_of<settlement::market_event::RequestFulfilled>(m, *receipt);
    ASSERT_EQ(fulfilled.size(), 1u);
    EXPECT_EQ(fulfilled[0].prover, me());
    EXPECT_EQ(fulfilled[0].price, U256(1'000));
    EXPECT_EQ(m.request(id).status, settlement::ContractRequestStatus::closed);
    EXPECT_EQ(m.account(me()).balance, U256(990));  // price less the 1% fee
    EXPECT_EQ(m.account(me()).locked, U256(0));
}

TEST_F(NodeChainActions, ALostRaceIsNotAFailure)
{
    auto a = actions();
    a->prepare_account(1, 1'000);
    m.deposit(c.key(kOther), U256(10'000));
    m.stake(c.key(kOther), U256(5'000));
    m.register_prover(c.key(kOther), 4);

    const U256 id = submit(2);
    m.lock(c.key(kOther), id);
    const ChainActions::Result lock = a->lock(id);
    EXPECT_EQ(lock.outcome, Outcome::lost_race);
    EXPECT_EQ(lock.reason, "AlreadyLocked");
    // The other prover's exclusive window: a valid proof of ours cannot settle, and that is not
    // this node's fault.
    const snark::ProveResult ours = prove(6, me());
    const ChainActions::Result early = fulfil(*a, id, ours);
    EXPECT_EQ(early.outcome, Outcome::lost_race);
    EXPECT_EQ(early.reason, "NotLockHolder");

    const snark::ProveResult theirs = prove(6, c.address(kOther));
    m.fulfill(c.key(kOther), id, settlement::proof_words(theirs.proof.a, theirs.proof.b, theirs.proof.c),
              {theirs.public_signals.begin(), theirs.public_signals.end() - 1}, ProductCircuit::bound_indices());
    const ChainActions::Result late = fulfil(*a, id, ours);
    EXPECT_EQ(late.outcome, Outcome::lost_race);
    EXPECT_EQ(late.reason, "RequestClosed");
    EXPECT_EQ(a->lock(id).outcome, Outcome::lost_race);
}

TEST_F(NodeChainActions, AProofThatCannotSettleIsRejectedAndSendsNothing)
{
    auto a = actions();
    a->prepare_account(1, 1'000);
    const U256 id = submit(3);
    ASSERT_EQ(a->lock(id).outcome, Outcome::done);
    const uint64_t nonce = c.client->nonce(me());

    snark::ProveResult tampered = prove(6, me());
    tampered.proof.c = tampered.proof.a;  // what --fault invalid-proof does: on the curve, not a proof
    const ChainActions::Result invalid = fulfil(*a, id, tampered);
    EXPECT_EQ(invalid.outcome, Outcome::rejected);
    EXPECT_EQ(invalid.reason, "ProofInvalid");

    const ChainActions::Result other_inputs = fulfil(*a, id, prove(5, me()));  // x = 5, the request binds 6
    EXPECT_EQ(other_inputs.outcome, Outcome::rejected);
    EXPECT_EQ(other_inputs.reason, "BoundSignalsMismatch");

    const ChainActions::Result pays_other = fulfil(*a, id, prove(6, c.address(kOther)));
    EXPECT_EQ(pays_other.outcome, Outcome::rejected);
    EXPECT_NE(pays_other.reason.find("pays another prover"), std::string::npos) << pays_other.reason;

    EXPECT_EQ(c.client->nonce(me()), nonce);  // estimation refused them all: nothing was sent
    EXPECT_EQ(m.request(id).holder, me());
    EXPECT_EQ(fulfil(*a, id, prove(6, me())).outcome, Outcome::done);
}

TEST_F(NodeChainActions, ChecksTheChainAndResumesItsJournal)
{
    ChainEndpoint wrong = endpoint();
    wrong.chain_id = 1;
    const auto start = [](const ChainEndpoint& e) {
        ChainActions a(e, settlement::AnvilProcess::dev_key(kNode), {}, [](const std::string&) {});
    };
    try {
        start(wrong);
        FAIL() << "expected the chain id check to throw";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("chain 31337"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("chain 1 "), std::string::npos) << e.what();
    }
    ChainEndpoint no_code = endpoint();
    no_code.market = c.address(kOther);
    EXPECT_THROW(start(no_code), std::runtime_error);

    // A deposit signed and journaled, then lost before it was mined (the node crashed, the mempool
    // dropped it): the next start rebroadcasts it from the journal and waits for it.
    const std::filesystem::path journal = journal_path(dir.path, me());
    EXPECT_EQ(journal.filename().string(), "txs-" + me().to_lower_string() + ".jsonl");
    const U256 before = m.account(me()).balance;
    {
        settlement::TxSender crashed(*c.client, settlement::AnvilProcess::dev_key(kNode), journal);
        c.anvil->set_automine(false);
        const settlement::Hash256 hash =
            crashed.send(m.address(), settlement::abi::encode_call("deposit()", {}), U256(777));
        c.anvil->rpc().call("anvil_dropTransaction", {settlement::to_hex(hash)});
        c.anvil->set_automine(true);
    }
    auto a = actions(journal);
    U256 expected;
    U256::add(expected, before, U256(777));
    EXPECT_EQ(m.account(me()).balance, expected);
    ASSERT_FALSE(logs.empty());
    EXPECT_NE(logs.front().find("journaled transaction"), std::string::npos) << logs.front();
}

TEST(NodeChainRefs, ParsesTheCoordinatorsChainFields)
{
    const nlohmann::json request = {
        {"chain", {{"id", "79228162514264337593543950336"}, {"bound_indices", {0, 3}}, {"binding_ok", false}}}};
    const ChainRequestRef ref = parse_chain_ref(request);
    EXPECT_EQ(ref.id.to_decimal(), "79228162514264337593543950336");
    EXPECT_EQ(ref.bound_indices, (std::vector<uint32_t>{0, 3}));
    EXPECT_FALSE(ref.binding_ok);

    const auto error_of = [](const nlohmann::json& r) -> std::string {
        try {
            parse_chain_ref(r);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_NE(error_of({{"state", "open"}}).find("request.chain: missing"), std::string::npos);
    EXPECT_NE(error_of({{"chain", {{"id", 5}, {"bound_indices", nlohmann::json::array()}}}}).find("id"),
              std::string::npos);
    EXPECT_NE(error_of({{"chain", {{"id", "5"}, {"bound_indices", {-1}}}}}).find("bound_indices"), std::string::npos);

    const nlohmann::json info = {{"settlement", "evm"},
                                 {"evm",
                                  {{"chain_id", 31337},
                                   {"market", "0x5fbdb2315678afecb367f032d93f642f64180aa3"},
                                   {"rpc", "http://10.0.0.1:8545"}}}};
    const ChainEndpoint e = chain_endpoint(info, "");
    EXPECT_EQ(e.rpc, "http://10.0.0.1:8545");
    EXPECT_EQ(e.chain_id, 31337u);
    EXPECT_EQ(e.market.to_lower_string(), "0x5fbdb2315678afecb367f032d93f642f64180aa3");
    EXPECT_EQ(chain_endpoint(info, "http://127.0.0.1:8545").rpc, "http://127.0.0.1:8545");
    EXPECT_THROW(chain_endpoint({{"settlement", "evm"}}, ""), std::runtime_error);
    nlohmann::json bad = info;
    bad["evm"]["market"] = "0x12";
    EXPECT_THROW(chain_endpoint(bad, ""), std::exception);
}

}  // namespace
}  // namespace provernet::node
