// ProverMarket on a real EVM (anvil): the market's rules with real Groth16 proofs whose last
// public input binds the paid prover.
#include "settlement/market_contract.test_util.hpp"

#include <gtest/gtest.h>

namespace provernet::settlement {
namespace {

using testing::Chain;
using testing::events_of;
using testing::revert_of;
namespace ev = market_event;

constexpr size_t kOwner = 0, kRequester = 1, kProverA = 2, kProverB = 3, kCopier = 4, kFee = 9;
const U256 kDeposit(1'000'000), kStake(100'000);

MarketContractConfig test_config(Chain& c)
{
    MarketContractConfig cfg;
    cfg.owner = c.address(kOwner);
    cfg.fee_account = c.address(kFee);
    cfg.fee_bps = 100;
    cfg.slash_burn_bps = 5'000;
    cfg.withdrawal_delay_s = 100;
    cfg.min_fulfiller_stake = U256(10);
    cfg.min_collateral = U256(1);
    cfg.max_request_lifetime_s = 10'000;
    cfg.breaker_failures = 2;
    return cfg;
}

U256 add(U256 a, const U256& b)
{
    U256::add(a, a, b);
    return a;
}
U256 sub(U256 a, const U256& b)
{
    U256::sub(a, a, b);
    return a;
}

class ProverMarketContract : public ::testing::Test {
protected:
    Chain& c = Chain::get();
    MarketContract m = c.deploy(test_config(c));

    void SetUp() override
    {
        m.deposit(c.key(kRequester), kDeposit);
        for (size_t p : {kProverA, kProverB, kCopier}) {
            m.deposit(c.key(p), kDeposit);
            m.stake(c.key(p), kStake);
            m.register_prover(c.key(p), 8);
        }
    }

    // min 100, max 1000, ramp [t0+10, t0+110], lock deadline t0+200, final t0+400, collateral 500.
    MarketRequestTerms terms(uint64_t key, uint64_t t0, uint64_t x, uint8_t priority = 3)
    {
        MarketRequestTerms t;
        t.key = U256(key);
        t.circuit_id = c.circuit.id;
        t.bound_signals_hash = testing::ProductCircuit::binding(x);
        t.priority = priority;
        t.min_price = U256(100);
        t.max_price = U256(1'000);
        t.ramp_start = t0 + 10;
        t.ramp_period = 100;
        t.lock_deadline = t0 + 200;
        t.final_deadline = t0 + 400;
        t.collateral = U256(500);
        t.inputs = "{\"x\":" + std::to_string(x) + "}";
        return t;
    }

    U256 submit(const MarketRequestTerms& t)
    {
        m.submit_request(c.key(kRequester), t);
        return MarketContract::request_id(c.address(kRequester), t.key);
    }

    TxReceipt fulfil(size_t prover, const U256& id, const testing::ProductCircuit::Proved& p)
    {
        return m.fulfill(c.key(prover), id, p.proof, p.signals, testing::ProductCircuit::bound_indices());
    }
};

TEST_F(ProverMarketContract, FulfilsWithARealProofAndReturnsTheCollateral)
{
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    const U256 id = submit(terms(1, t0, 6));
    EXPECT_EQ(m.request(id).status, ContractRequestStatus::open);
    EXPECT_EQ(m.account(c.address(kRequester)).balance, sub(kDeposit, U256(1'000)));
    EXPECT_EQ(m.waiting(3), 1u);

    c.at(t0 + 60);  // halfway up the ramp: 100 + 900 * 50 / 100
    auto locked = events_of<ev::RequestLocked>(m, m.lock(c.key(kProverA), id));
    ASSERT_EQ(locked.size(), 1u);
    EXPECT_EQ(locked[0].price, U256(550));
    EXPECT_EQ(locked[0].collateral, U256(500));
    EXPECT_EQ(m.account(c.address(kProverA)).stake, sub(kStake, U256(500)));
    EXPECT_EQ(m.account(c.address(kProverA)).locked, U256(500));
    EXPECT_EQ(m.request(id).status, ContractRequestStatus::locked);
    EXPECT_EQ(m.waiting(3), 0u);

    c.at(t0 + 70);
    const auto receipt = fulfil(kProverA, id, c.circuit.prove(6, 7, c.address(kProverA)));
    auto paid = events_of<ev::RequestFulfilled>(m, receipt);
    ASSERT_EQ(paid.size(), 1u);
    EXPECT_EQ(paid[0].prover, c.address(kProverA));
    EXPECT_EQ(paid[0].price, U256(550));
    EXPECT_EQ(paid[0].fee, U256(5));
    EXPECT_EQ(paid[0].refund, U256(450));
    EXPECT_EQ(paid[0].collateral_returned, U256(500));
    EXPECT_EQ(paid[0].bounty, U256(0));
    EXPECT_FALSE(paid[0].secondary);

    const MarketAccount a = m.account(c.address(kProverA));
    EXPECT_EQ(a.stake, kStake);
    EXPECT_EQ(a.locked, U256(0));
    EXPECT_EQ(a.balance, add(sub(kDeposit, kStake), U256(545)));
    EXPECT_EQ(m.account(c.address(kRequester)).balance, sub(kDeposit, U256(550)));
    EXPECT_EQ(m.account(c.address(kFee)).balance, U256(5));
    EXPECT_EQ(m.request(id).status, ContractRequestStatus::closed);
    EXPECT_EQ(m.prover(c.address(kProverA)).active_locks, 0u);
    // Settled once.
    EXPECT_EQ(revert_of([&] { fulfil(kProverA, id, c.circuit.prove(6, 7, c.address(kProverA))); }), "RequestClosed");
}

TEST_F(ProverMarketContract, AnInvalidProofRevertsAndPaysNothing)
{
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    const U256 id = submit(terms(2, t0, 6));
    c.at(t0 + 20);
    m.lock(c.key(kProverA), id);
    // A valid proof of 6 * 3 presented as a proof of 6 * 4: the bound x matches, the pairing
    // does not.
    auto wrong = c.circuit.prove(6, 3, c.address(kProverA));
    wrong.signals = c.circuit.prove(6, 4, c.address(kProverA)).signals;
    const MarketAccount before = m.account(c.address(kProverA));
    c.at(t0 + 30);
    EXPECT_EQ(revert_of([&] { fulfil(kProverA, id, wrong); }), "ProofInvalid");
    EXPECT_EQ(m.account(c.address(kProverA)), before);
    EXPECT_EQ(m.request(id).status, ContractRequestStatus::locked);
    EXPECT_EQ(m.burned(), U256(0));
    // The holder keeps its lock (on chain an invalid proof is only a failed transaction).
    c.at(t0 + 31);
    fulfil(kProverA, id, c.circuit.prove(6, 4, c.address(kProverA)));
    EXPECT_EQ(m.request(id).status, ContractRequestStatus::closed);
}

TEST_F(ProverMarketContract, AProofCopiedToAnotherAddressDoesNotVerify)
{
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    const U256 id = submit(terms(3, t0, 9));  // never locked: anyone eligible may fulfil
    const auto proved = c.circuit.prove(9, 2, c.address(kProverA));
    const MarketAccount copier_before = m.account(c.address(kCopier));
    c.at(t0 + 30);
    EXPECT_EQ(revert_of([&] { fulfil(kCopier, id, proved); }), "ProofInvalid");
    EXPECT_EQ(m.account(c.address(kCopier)), copier_before);
    EXPECT_EQ(m.request(id).status, ContractRequestStatus::open);
    // The author is paid the auction price: 100 + 900 * 21 / 100.
    c.at(t0 + 31);
    auto paid = events_of<ev::RequestFulfilled>(m, fulfil(kProverA, id, proved));
    ASSERT_EQ(paid.size(), 1u);
    EXPECT_EQ(paid[0].prover, c.address(kProverA));
    EXPECT_EQ(paid[0].price, U256(289));
    EXPECT_TRUE(paid[0].secondary);
    EXPECT_EQ(m.waiting(3), 0u);
}

TEST_F(ProverMarketContract, AMissedLockIsSlashedAndTheSecondaryGetsPriceAndBounty)
{
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    const U256 id = submit(terms(4, t0, 5));
    c.at(t0 + 5);  // before the ramp: min price
    m.lock(c.key(kProverA), id);
    const auto by_b = c.circuit.prove(5, 5, c.address(kProverB));
    c.at(t0 + 100);
    EXPECT_EQ(revert_of([&] { fulfil(kProverB, id, by_b); }), "NotLockHolder");

    const MarketAccount b_before = m.account(c.address(kProverB));
    c.at(t0 + 200);  // the lock deadline: the lock lapsed
    const auto receipt = fulfil(kProverB, id, by_b);
    auto slashed = events_of<ev::ProverSlashed>(m, receipt);
    ASSERT_EQ(slashed.size(), 1u);
    EXPECT_EQ(slashed[0].prover, c.address(kProverA));
    EXPECT_EQ(slashed[0].collateral, U256(500));
    EXPECT_EQ(slashed[0].burned, U256(250));
    EXPECT_EQ(slashed[0].bounty, U256(250));
    EXPECT_EQ(slashed[0].bounty_to, c.address(kProverB));
    auto paid = events_of<ev::RequestFulfilled>(m, receipt);
    ASSERT_EQ(paid.size(), 1u);
    EXPECT_EQ(paid[0].price, U256(100));  // the lock price
    EXPECT_EQ(paid[0].fee, U256(1));
    EXPECT_EQ(paid[0].bounty, U256(250));
    EXPECT_EQ(paid[0].refund, U256(900));
    EXPECT_TRUE(paid[0].secondary);

    EXPECT_EQ(m.account(c.address(kProverB)).balance, add(b_before.balance, U256(99 + 250)));
    const MarketAccount a = m.account(c.address(kProverA));
    EXPECT_EQ(a.stake, sub(kStake, U256(500)));
    EXPECT_EQ(a.locked, U256(0));
    EXPECT_EQ(m.burned(), U256(250));
    const MarketProver pa = m.prover(c.address(kProverA));
    EXPECT_EQ(pa.active_locks, 0u);
    EXPECT_EQ(pa.consecutive_failures, 1u);
}

TEST_F(ProverMarketContract, ExpiryRefundsTheEscrowAndTheBountyToTheRequester)
{
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    const U256 locked_id = submit(terms(5, t0, 5));
    c.at(t0 + 1);
    const U256 open_id = submit(terms(6, t0, 6));
    c.at(t0 + 2);
    m.lock(c.key(kProverA), locked_id);
    c.at(t0 + 399);
    EXPECT_EQ(events_of<ev::RequestExpired>(m, m.expire(c.key(kOwner), {locked_id, open_id})).size(), 0u);
    c.at(t0 + 400);
    EXPECT_EQ(revert_of([&] { fulfil(kProverA, locked_id, c.circuit.prove(5, 1, c.address(kProverA))); }),
              "FinalDeadlinePassed");
    c.at(t0 + 401);
    const auto receipt = m.expire(c.key(kCopier), {locked_id, open_id, locked_id});
    auto slashed = events_of<ev::ProverSlashed>(m, receipt);
    ASSERT_EQ(slashed.size(), 1u);
    EXPECT_EQ(slashed[0].bounty_to, c.address(kRequester));
    auto expired = events_of<ev::RequestExpired>(m, receipt);
    ASSERT_EQ(expired.size(), 2u);  // the repeated id is skipped
    EXPECT_EQ(expired[0].refund, U256(1'000));
    EXPECT_EQ(expired[0].bounty, U256(250));
    EXPECT_EQ(expired[1].refund, U256(1'000));
    EXPECT_EQ(expired[1].bounty, U256(0));
    EXPECT_EQ(m.account(c.address(kRequester)).balance, add(kDeposit, U256(250)));
    EXPECT_EQ(m.burned(), U256(250));
    EXPECT_EQ(m.request(locked_id).status, ContractRequestStatus::closed);
    EXPECT_EQ(m.waiting(3), 0u);
}

TEST_F(ProverMarketContract, ABatchSettlesItsValidProofsAndSkipsTheInvalidOne)
{
    const uint64_t t0 = c.now() + 5;
    std::vector<U256> ids;
    for (uint64_t i = 0; i < 6; ++i) {
        c.at(t0 + 2 * i);
        ids.push_back(submit(terms(100 + i, t0 + 20, 10 + i)));
        c.at(t0 + 2 * i + 1);
        m.lock(c.key(kProverA), ids.back());  // before the ramp: the minimum price
    }
    std::vector<FulfilItem> items;
    for (uint64_t i = 0; i < 6; ++i) {
        auto p = c.circuit.prove(10 + i, 3, c.address(kProverA));
        if (i == 2) p.signals = c.circuit.prove(10 + i, 4, c.address(kProverA)).signals;  // invalid
        items.push_back({ids[i], p.proof, p.signals});
    }
    const MarketAccount before = m.account(c.address(kProverA));
    c.at(t0 + 50);
    const auto receipt = m.fulfill_batch(c.key(kProverA), c.circuit.id, testing::ProductCircuit::bound_indices(), items);
    auto paid = events_of<ev::RequestFulfilled>(m, receipt);
    auto skipped = events_of<ev::FulfilmentSkipped>(m, receipt);
    ASSERT_EQ(paid.size(), 5u);
    ASSERT_EQ(skipped.size(), 1u);
    // The batch's one BatchFulfilled log carries each RequestFulfilled of a single fulfilment.
    for (size_t i = 0; i < paid.size(); ++i) {
        EXPECT_EQ(paid[i].request_id, ids[i < 2 ? i : i + 1]);
        EXPECT_EQ(paid[i].prover, c.address(kProverA));
        EXPECT_EQ(paid[i].price, U256(100));
        EXPECT_EQ(paid[i].fee, U256(1));
        EXPECT_EQ(paid[i].bounty, U256(0));
        EXPECT_EQ(paid[i].refund, U256(900));
        EXPECT_EQ(paid[i].collateral_returned, U256(500));
        EXPECT_FALSE(paid[i].secondary);
    }
    EXPECT_EQ(skipped[0].request_id, ids[2]);
    EXPECT_EQ(skipped[0].reason, ev::SkipReason::invalid_proof);
    for (size_t i = 0; i < 6; ++i)
        EXPECT_EQ(m.request(ids[i]).status, i == 2 ? ContractRequestStatus::locked : ContractRequestStatus::closed);
    const MarketAccount after = m.account(c.address(kProverA));
    EXPECT_EQ(after.balance, add(before.balance, U256(5 * 99)));  // min price 100, fee 1
    EXPECT_EQ(after.stake, add(before.stake, U256(5 * 500)));
    EXPECT_EQ(after.locked, U256(500));
    EXPECT_EQ(m.prover(c.address(kProverA)).active_locks, 1u);
    EXPECT_EQ(m.account(c.address(kFee)).balance, U256(5));
    EXPECT_EQ(m.account(c.address(kRequester)).balance, sub(kDeposit, U256(6 * 1'000 - 5 * 900)));

    // A batch from another address with the same proofs settles nothing; one that names a
    // settled request skips it.
    c.at(t0 + 51);
    auto copied = m.fulfill_batch(c.key(kCopier), c.circuit.id, testing::ProductCircuit::bound_indices(), {items[2]});
    EXPECT_EQ(events_of<ev::RequestFulfilled>(m, copied).size(), 0u);
    auto p2 = c.circuit.prove(12, 3, c.address(kProverA));
    c.at(t0 + 52);
    auto retry = m.fulfill_batch(c.key(kProverA), c.circuit.id, testing::ProductCircuit::bound_indices(),
                                 {items[0], {ids[2], p2.proof, p2.signals}});
    auto retried = events_of<ev::RequestFulfilled>(m, retry);
    ASSERT_EQ(retried.size(), 1u);
    EXPECT_EQ(retried[0].request_id, ids[2]);
    auto closed = events_of<ev::FulfilmentSkipped>(m, retry);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].reason, ev::SkipReason::closed);
}

TEST_F(ProverMarketContract, ABatchReportsBountiesAndAuctionPricesAsSingleFulfilmentsDo)
{
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    const U256 lapsed = submit(terms(300, t0, 21));
    const U256 never_locked = submit(terms(301, t0, 22));
    c.at(t0 + 5);
    m.lock(c.key(kProverA), lapsed);
    std::vector<FulfilItem> items;
    for (const auto& [id, x] : {std::pair{lapsed, 21}, std::pair{never_locked, 22}}) {
        auto p = c.circuit.prove(uint64_t(x), 3, c.address(kProverB));
        items.push_back({id, p.proof, p.signals});
    }
    c.at(t0 + 200);  // the lock lapsed; the auction is at its maximum price
    const auto receipt = m.fulfill_batch(c.key(kProverB), c.circuit.id, testing::ProductCircuit::bound_indices(), items);
    const auto all = m.events(receipt);
    ASSERT_FALSE(all.empty());
    EXPECT_TRUE(std::holds_alternative<ev::ProverSlashed>(all.front()));  // before the fulfilment
    auto paid = events_of<ev::RequestFulfilled>(m, receipt);
    ASSERT_EQ(paid.size(), 2u);
    EXPECT_EQ(paid[0].request_id, lapsed);
    EXPECT_EQ(paid[0].prover, c.address(kProverB));
    EXPECT_EQ(paid[0].price, U256(100));
    EXPECT_EQ(paid[0].fee, U256(1));
    EXPECT_EQ(paid[0].bounty, U256(250));
    EXPECT_EQ(paid[0].refund, U256(900));
    EXPECT_EQ(paid[0].collateral_returned, U256(0));
    EXPECT_TRUE(paid[0].secondary);
    EXPECT_EQ(paid[1].request_id, never_locked);
    EXPECT_EQ(paid[1].price, U256(1'000));
    EXPECT_EQ(paid[1].fee, U256(10));
    EXPECT_EQ(paid[1].bounty, U256(0));
    EXPECT_EQ(paid[1].refund, U256(0));
    EXPECT_EQ(paid[1].collateral_returned, U256(0));
    EXPECT_TRUE(paid[1].secondary);
    // Items of one batch share the circuit's signal count.
    items[1].public_signals.push_back(U256(1));
    EXPECT_THROW(MarketContract::fulfill_batch_call(c.circuit.id, {1}, items), std::invalid_argument);
}

TEST_F(ProverMarketContract, ABatchSkipsEachItemThatCannotSettleWithItsReason)
{
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    Hash256 other_circuit = c.circuit.id;  // the same verifier under another id
    other_circuit[0] ^= 1;
    m.register_circuit(c.key(kOwner), other_circuit, c.verifier_address, 3);
    const U256 unknown = MarketContract::request_id(c.address(kRequester), U256(999));
    MarketRequestTerms short_terms = terms(500, t0, 41);
    short_terms.ramp_start = t0;
    short_terms.ramp_period = 10;
    short_terms.lock_deadline = t0 + 10;
    short_terms.final_deadline = t0 + 20;
    const U256 short_lived = submit(short_terms);
    const U256 locked_by_a = submit(terms(501, t0, 42));
    MarketRequestTerms other_terms = terms(502, t0, 43);
    other_terms.circuit_id = other_circuit;
    const U256 other_circuit_request = submit(other_terms);
    const U256 mismatched = submit(terms(503, t0, 44));
    const U256 good = submit(terms(504, t0, 45));
    m.lock(c.key(kProverA), locked_by_a);

    const auto item = [&](const U256& id, uint64_t x) {
        auto p = c.circuit.prove(x, 3, c.address(kProverB));
        return FulfilItem{id, p.proof, p.signals};
    };
    const std::vector<FulfilItem> items = {item(unknown, 40), item(short_lived, 41), item(locked_by_a, 42),
                                           item(other_circuit_request, 43), item(mismatched, 45), item(good, 45)};
    c.at(t0 + 30);  // short_lived is past its final deadline; A's lock is still exclusive
    const auto receipt = m.fulfill_batch(c.key(kProverB), c.circuit.id, testing::ProductCircuit::bound_indices(), items);
    auto skipped = events_of<ev::FulfilmentSkipped>(m, receipt);
    using R = ev::SkipReason;
    const std::vector<std::pair<U256, R>> expected = {
        {unknown, R::unknown_request}, {short_lived, R::final_deadline_passed}, {locked_by_a, R::not_lock_holder},
        {other_circuit_request, R::wrong_circuit}, {mismatched, R::bound_signals_mismatch}};
    ASSERT_EQ(skipped.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(skipped[i].request_id, expected[i].first) << i;
        EXPECT_EQ(skipped[i].reason, expected[i].second) << i;
        EXPECT_EQ(skipped[i].prover, c.address(kProverB)) << i;
    }
    auto paid = events_of<ev::RequestFulfilled>(m, receipt);
    ASSERT_EQ(paid.size(), 1u);
    EXPECT_EQ(paid[0].request_id, good);
    EXPECT_EQ(m.request(locked_by_a).status, ContractRequestStatus::locked);
    EXPECT_EQ(m.request(mismatched).status, ContractRequestStatus::open);

    // A bound index beyond the signals fails the binding; a prover without the minimum free
    // stake may not fulfil what it does not hold.
    const std::vector<FulfilItem> retry = {item(mismatched, 44)};
    c.at(t0 + 31);
    auto out_of_range = events_of<ev::FulfilmentSkipped>(m, m.fulfill_batch(c.key(kProverB), c.circuit.id, {2}, retry));
    ASSERT_EQ(out_of_range.size(), 1u);
    EXPECT_EQ(out_of_range[0].reason, R::bound_signals_mismatch);
    const size_t unstaked = 5;
    m.register_prover(c.key(unstaked), 8);
    auto p = c.circuit.prove(44, 3, c.address(unstaked));
    c.at(t0 + 32);
    auto low_stake = events_of<ev::FulfilmentSkipped>(
        m, m.fulfill_batch(c.key(unstaked), c.circuit.id, testing::ProductCircuit::bound_indices(),
                           {{mismatched, p.proof, p.signals}}));
    ASSERT_EQ(low_stake.size(), 1u);
    EXPECT_EQ(low_stake[0].reason, R::insufficient_stake);
    c.at(t0 + 33);
    auto settled = events_of<ev::RequestFulfilled>(
        m, m.fulfill_batch(c.key(kProverB), c.circuit.id, testing::ProductCircuit::bound_indices(), retry));
    ASSERT_EQ(settled.size(), 1u);
    EXPECT_EQ(settled[0].request_id, mismatched);
}

TEST_F(ProverMarketContract, UnstakedFundsWaitForTheWithdrawalDelay)
{
    const Address a = c.address(kProverB);
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    m.request_unstake(c.key(kProverB), U256(1'000));
    EXPECT_EQ(m.account(a).pending, U256(1'000));
    EXPECT_EQ(m.account(a).stake, sub(kStake, U256(1'000)));
    EXPECT_EQ(m.pending_unstake(a, 0).second, t0 + 100);
    c.at(t0 + 10);
    m.request_unstake(c.key(kProverB), U256(2'000));
    c.at(t0 + 99);
    EXPECT_EQ(revert_of([&] { m.complete_unstake(c.key(kProverB)); }), "WithdrawalNotReady");
    c.at(t0 + 100);
    auto done = events_of<ev::UnstakeCompleted>(m, m.complete_unstake(c.key(kProverB)));
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].amount, U256(1'000));  // only the matured one
    EXPECT_EQ(m.account(a).pending, U256(2'000));
    EXPECT_EQ(m.account(a).balance, add(sub(kDeposit, kStake), U256(1'000)));
    c.at(t0 + 110);
    m.complete_unstake(c.key(kProverB));
    EXPECT_EQ(m.account(a).pending_count, 0u);
    EXPECT_EQ(revert_of([&] { m.complete_unstake(c.key(kProverB)); }), "NothingToWithdraw");
    EXPECT_EQ(revert_of([&] { m.request_unstake(c.key(kProverB), kStake); }), "InsufficientStake");

    const U256 free = m.account(a).balance;
    const U256 eth_before = c.client->balance(m.address());
    m.withdraw(c.key(kProverB), free);
    EXPECT_EQ(c.client->balance(m.address()), sub(eth_before, free));
    EXPECT_EQ(m.account(a).balance, U256(0));
    EXPECT_EQ(revert_of([&] { m.withdraw(c.key(kProverB), U256(1)); }), "InsufficientBalance");
}

TEST_F(ProverMarketContract, HigherClassesKeepAReserveWhileTheyWait)
{
    MarketContractConfig cfg = test_config(c);
    cfg.reserve_bps = {0, 1'000, 2'000, 5'000};
    m = c.deploy(cfg);
    m.deposit(c.key(kRequester), kDeposit);
    m.deposit(c.key(kProverA), kDeposit);
    m.stake(c.key(kProverA), kStake);
    m.register_prover(c.key(kProverA), 4);

    const uint64_t t0 = c.now() + 5;
    std::vector<U256> batch;
    for (uint64_t i = 0; i < 4; ++i) {
        c.at(t0 + i);
        batch.push_back(submit(terms(200 + i, t0, i)));
    }
    c.at(t0 + 10);
    m.lock(c.key(kProverA), batch[0]);
    m.lock(c.key(kProverA), batch[1]);
    const U256 liquidation = submit(terms(300, t0, 7, 0));
    EXPECT_EQ(m.lock_limit(c.address(kProverA), 3), 2u);  // 4 - floor(4 * 50%)
    EXPECT_EQ(m.lock_limit(c.address(kProverA), 0), 4u);
    EXPECT_EQ(revert_of([&] { m.lock(c.key(kProverA), batch[2]); }), "ClassLimitReached");
    m.lock(c.key(kProverA), liquidation);
    m.lock(c.key(kProverA), batch[2]);  // nothing higher waits any more
    EXPECT_EQ(revert_of([&] { m.lock(c.key(kProverA), batch[3]); }), "CapacityExceeded");
    EXPECT_EQ(m.prover(c.address(kProverA)).active_locks, 4u);
}

TEST_F(ProverMarketContract, TheProofMustCarryTheSignalsTheRequestBound)
{
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    const U256 id = submit(terms(7, t0, 6));
    const auto other_x = c.circuit.prove(5, 7, c.address(kProverA));  // a valid proof of x = 5
    c.at(t0 + 20);
    EXPECT_EQ(revert_of([&] { fulfil(kProverA, id, other_x); }), "BoundSignalsMismatch");
    auto p = c.circuit.prove(6, 7, c.address(kProverA));
    EXPECT_EQ(revert_of([&] { m.fulfill(c.key(kProverA), id, p.proof, p.signals, {}); }), "BoundSignalsMismatch");
    EXPECT_EQ(revert_of([&] { m.fulfill(c.key(kProverA), id, p.proof, p.signals, {5}); }), "BoundSignalsMismatch");
    auto extra = p.signals;
    extra.push_back(U256(1));
    EXPECT_EQ(revert_of([&] { m.fulfill(c.key(kProverA), id, p.proof, extra, {1}); }), "PublicSignalCount");
    fulfil(kProverA, id, p);
    EXPECT_EQ(m.request(id).status, ContractRequestStatus::closed);
}

TEST_F(ProverMarketContract, SubmissionIsIdempotentPerKeyAndChecksTheTerms)
{
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    auto t = terms(8, t0, 6);
    const U256 id = submit(t);
    const U256 balance = m.account(c.address(kRequester)).balance;
    auto retry = m.submit_request(c.key(kRequester), t);
    EXPECT_TRUE(m.events(retry).empty());
    EXPECT_EQ(m.account(c.address(kRequester)).balance, balance);
    EXPECT_EQ(m.request(id).escrow, U256(1'000));
    auto changed = t;
    changed.max_price = U256(1'001);
    EXPECT_EQ(revert_of([&] { m.submit_request(c.key(kRequester), changed); }), "IdempotencyConflict");

    auto bad = terms(9, t0, 6);
    bad.min_price = U256(2'000);
    EXPECT_EQ(revert_of([&] { m.submit_request(c.key(kRequester), bad); }), "InvalidRequest");
    bad = terms(9, t0, 6);
    bad.ramp_period = 1'000;  // ends after the lock deadline
    EXPECT_EQ(revert_of([&] { m.submit_request(c.key(kRequester), bad); }), "InvalidRequest");
    bad = terms(9, t0, 6);
    bad.final_deadline = t0 + 20'000;  // beyond the maximum lifetime
    EXPECT_EQ(revert_of([&] { m.submit_request(c.key(kRequester), bad); }), "InvalidRequest");
    bad = terms(9, t0, 6);
    bad.circuit_id[0] ^= 1;
    EXPECT_EQ(revert_of([&] { m.submit_request(c.key(kRequester), bad); }), "UnknownCircuit");
    bad = terms(9, t0, 6);
    bad.max_price = add(kDeposit, U256(1));
    EXPECT_EQ(revert_of([&] { m.submit_request(c.key(kRequester), bad); }), "InsufficientBalance");
    // With value: deposit and escrow in one transaction.
    m.submit_request(c.key(kRequester), bad, kDeposit);
    EXPECT_EQ(m.request(MarketContract::request_id(c.address(kRequester), bad.key)).escrow, bad.max_price);
}

TEST_F(ProverMarketContract, OnlyTheRequesterCancelsAnUnlockedRequest)
{
    const uint64_t t0 = c.now() + 5;
    c.at(t0);
    const U256 a = submit(terms(10, t0, 1));
    const U256 b = submit(terms(11, t0, 2));
    EXPECT_EQ(revert_of([&] { m.cancel(c.key(kProverA), a); }), "NotRequester");
    auto cancelled = events_of<ev::RequestCancelled>(m, m.cancel(c.key(kRequester), a));
    ASSERT_EQ(cancelled.size(), 1u);
    EXPECT_EQ(cancelled[0].refund, U256(1'000));
    EXPECT_EQ(revert_of([&] { m.cancel(c.key(kRequester), a); }), "RequestClosed");
    m.lock(c.key(kProverA), b);
    EXPECT_EQ(revert_of([&] { m.cancel(c.key(kRequester), b); }), "AlreadyLocked");
    EXPECT_EQ(revert_of([&] { m.lock(c.key(kProverB), b); }), "AlreadyLocked");
    EXPECT_EQ(m.account(c.address(kRequester)).balance, sub(kDeposit, U256(1'000)));
}

TEST_F(ProverMarketContract, TheCircuitBreakerPausesAfterConsecutiveMisses)
{
    const uint64_t t0 = c.now() + 5;
    std::vector<U256> ids;
    for (uint64_t i = 0; i < 3; ++i) {
        c.at(t0 + i);
        ids.push_back(submit(terms(20 + i, t0, i)));
    }
    c.at(t0 + 10);
    m.lock(c.key(kProverA), ids[0]);
    m.lock(c.key(kProverA), ids[1]);
    c.at(t0 + 401);
    auto receipt = m.expire(c.key(kOwner), {ids[0], ids[1]});
    auto paused = events_of<ev::ProverPaused>(m, receipt);
    ASSERT_EQ(paused.size(), 1u);
    EXPECT_EQ(paused[0].consecutive_failures, 2u);
    EXPECT_TRUE(m.prover(c.address(kProverA)).paused);

    c.at(t0 + 402);
    const U256 next = submit(terms(30, t0 + 402, 1));
    EXPECT_EQ(revert_of([&] { m.lock(c.key(kProverA), next); }), "ProverIsPaused");
    EXPECT_EQ(revert_of([&] { m.resume_prover(c.key(kCopier), c.address(kProverA)); }), "NotAuthorized");
    m.resume_prover(c.key(kProverA), c.address(kProverA));
    EXPECT_FALSE(m.prover(c.address(kProverA)).paused);
    EXPECT_EQ(m.prover(c.address(kProverA)).consecutive_failures, 0u);
    m.lock(c.key(kProverA), next);
    EXPECT_EQ(revert_of([&] { m.resume_prover(c.key(kOwner), c.address(kProverA)); }), "NotPaused");
}

TEST_F(ProverMarketContract, ACircuitIsRegisteredOnceWithItsVerifiersInputCount)
{
    EXPECT_EQ(revert_of([&] { m.register_circuit(c.key(kCopier), c.circuit.id, c.address(kCopier), 3); }),
              "CircuitExists");
    Hash256 other = c.circuit.id;
    other[31] ^= 1;
    EXPECT_EQ(revert_of([&] { m.register_circuit(c.key(kCopier), other, c.verifier_address, 4); }), "InvalidCircuit");
    EXPECT_EQ(revert_of([&] { m.register_circuit(c.key(kCopier), other, c.address(kCopier), 3); }), "InvalidCircuit");
    m.register_circuit(c.key(kCopier), other, c.verifier_address, 3);
    EXPECT_EQ(m.circuit(other), std::make_pair(c.verifier_address, uint64_t(3)));
    EXPECT_EQ(m.circuit(c.circuit.id).first, c.verifier_address);
}

}  // namespace
}  // namespace provernet::settlement
