// Fulfilment, payment, slashing, expiry, the circuit breaker and pruning.
#include "market/market_test_util.hpp"

#include <gtest/gtest.h>

namespace provernet::market::test {
namespace {

class MarketSettlement : public MarketFixture {
protected:
    void SetUp() override {
        fund(alice, 10'000);
        make_prover(bob, 5'000);
        make_prover(carol, 5'000);
    }
    // bob locks a fresh request at t=1500 (price 150).
    uint64_t locked_by_bob(const std::string& key = "k") {
        uint64_t id = submit(test_spec(), key);
        now = std::max<uint64_t>(now, 1'500);
        must(Lock{bob, id});
        return id;
    }
};

TEST_F(MarketSettlement, OnTimeFulfilmentPaysThePriceLessTheFee) {
    uint64_t id = locked_by_bob();
    now = 3'000;
    Outcome o = must(Fulfill{bob, id, true});
    ASSERT_EQ(o.events.size(), 1u);
    // fee = floor(150 * 1%) = 1; refund = 200 - 150.
    EXPECT_EQ(std::get<RequestFulfilled>(o.events[0]), (RequestFulfilled{id, bob, 150, 1, 0, 50, 1'000, false}));
    EXPECT_EQ(acct(bob).balance, 149u);
    EXPECT_EQ(acct(bob).stake, 5'000u);
    EXPECT_EQ(acct(bob).locked, 0u);
    EXPECT_EQ(acct(fee_account).balance, 1u);
    EXPECT_EQ(acct(alice).balance, 10'000u - 150);
    EXPECT_EQ(prover(bob).active_locks, 0u);
    EXPECT_EQ(prover(bob).record, (ProverRecord{1, 0, 0, 0, 149}));
    EXPECT_EQ(req(id).status, RequestStatus::fulfilled);
    EXPECT_EQ(req(id).paid_price, 150u);
    EXPECT_EQ(m.ledger().fees_collected, 1u);
    conserved();
    fails(Fulfill{bob, id, true}, ErrorCode::request_closed);  // never paid twice
    fails(Fulfill{carol, id, true}, ErrorCode::request_closed);
}

TEST_F(MarketSettlement, OnlyTheHolderMayFulfilDuringExclusivity) {
    uint64_t id = locked_by_bob();
    now = 4'999;
    Error e = fails(Fulfill{carol, id, true}, ErrorCode::not_lock_holder);
    EXPECT_NE(e.message.find("locked by " + bob), std::string::npos);
    fails(Fulfill{carol, id, false}, ErrorCode::not_lock_holder);  // not even fined: rejected outright
    fails(Fulfill{dave, id, true}, ErrorCode::not_registered);
    fails(Fulfill{bob, 77, true}, ErrorCode::unknown_request);
}

TEST_F(MarketSettlement, NothingIsFulfilledAtOrAfterTheFinalDeadline) {
    uint64_t id = locked_by_bob();
    now = 10'000;
    fails(Fulfill{bob, id, true}, ErrorCode::final_deadline_passed);
    fails(Fulfill{carol, id, true}, ErrorCode::final_deadline_passed);
}

TEST_F(MarketSettlement, InvalidProofFromTheHolderSlashesAtOnceAndOpensTheRequest) {
    uint64_t id = locked_by_bob();
    now = 2'000;
    Outcome o = must(Fulfill{bob, id, false});
    EXPECT_EQ(std::get<ProverSlashed>(o.events[0]), (ProverSlashed{id, bob, SlashReason::invalid, 1'000, 500, 500, ""}));
    EXPECT_TRUE(req(id).forfeited);
    EXPECT_EQ(req(id).bounty, 500u);
    EXPECT_EQ(acct(bob).locked, 0u);
    EXPECT_EQ(acct(bob).stake, 4'000u);
    EXPECT_EQ(prover(bob).active_locks, 0u);
    EXPECT_EQ(prover(bob).record.invalid, 1u);
    EXPECT_EQ(prover(bob).record.slashed_total, 1'000u);
    EXPECT_EQ(m.ledger().burned, 500u);
    conserved();
    // Anyone may now fulfil, before the lock deadline too, for the agreed price and the bounty.
    fails(Lock{carol, id}, ErrorCode::already_locked);
    now = 2'500;
    o = must(Fulfill{carol, id, true});
    EXPECT_EQ(std::get<RequestFulfilled>(o.events[0]), (RequestFulfilled{id, carol, 150, 1, 500, 50, 0, true}));
    EXPECT_EQ(acct(carol).balance, 649u);
    EXPECT_EQ(prover(carol).record.earned_total, 649u);
    conserved();
}

TEST_F(MarketSettlement, InvalidProofFromANonHolderIsFinedAndRecorded) {
    uint64_t id = submit(test_spec(), "k");
    Outcome o = must(Fulfill{carol, id, false});
    EXPECT_EQ(std::get<ProofRejected>(o.events[0]), (ProofRejected{id, carol, 5}));
    EXPECT_EQ(acct(carol).stake, 4'995u);
    EXPECT_EQ(prover(carol).record.invalid, 1u);
    EXPECT_EQ(prover(carol).record.slashed_total, 5u);
    EXPECT_EQ(req(id).status, RequestStatus::open);
    EXPECT_EQ(m.ledger().burned, 5u);
    conserved();
}

TEST_F(MarketSettlement, FulfillingWithoutALockNeedsTheMinimumStake) {
    uint64_t id = submit(test_spec(), "k");
    make_prover(dave, 9);
    Error e = fails(Fulfill{dave, id, true}, ErrorCode::insufficient_stake);
    EXPECT_NE(e.message.find("without a lock"), std::string::npos);
    fails(Fulfill{dave, id, false}, ErrorCode::insufficient_stake);
}

TEST_F(MarketSettlement, LapsedLockGoesToASecondaryForTheAgreedPriceAndTheBounty) {
    uint64_t id = locked_by_bob();
    now = 5'000;  // the holder lost exclusivity
    Outcome o = must(Fulfill{carol, id, true});
    ASSERT_EQ(o.events.size(), 2u);
    EXPECT_EQ(std::get<ProverSlashed>(o.events[0]), (ProverSlashed{id, bob, SlashReason::missed, 1'000, 500, 500, carol}));
    EXPECT_EQ(std::get<RequestFulfilled>(o.events[1]), (RequestFulfilled{id, carol, 150, 1, 500, 50, 0, true}));
    EXPECT_EQ(acct(bob).stake, 4'000u);
    EXPECT_EQ(acct(bob).locked, 0u);
    EXPECT_EQ(prover(bob).record.missed, 1u);
    EXPECT_EQ(prover(bob).active_locks, 0u);
    EXPECT_EQ(acct(carol).balance, 649u);
    EXPECT_EQ(acct(alice).balance, 10'000u - 150);
    conserved();
}

TEST_F(MarketSettlement, LateHolderIsPaidButLosesTheBurnShare) {
    uint64_t id = locked_by_bob();
    now = 6'000;
    Outcome o = must(Fulfill{bob, id, true});
    EXPECT_EQ(std::get<ProverSlashed>(o.events[0]).bounty_to, bob);
    EXPECT_EQ(std::get<RequestFulfilled>(o.events[1]), (RequestFulfilled{id, bob, 150, 1, 500, 50, 0, true}));
    EXPECT_EQ(acct(bob).stake + acct(bob).balance, 5'000u - 1'000 + 649);  // lost 500, earned 149
    EXPECT_EQ(prover(bob).record.missed, 1u);
    EXPECT_EQ(prover(bob).record.fulfilled, 1u);
    conserved();
}

TEST_F(MarketSettlement, ExpiryOfALockedRequestSlashesTheHolderToTheRequester) {
    uint64_t id = locked_by_bob();
    now = 9'999;
    EXPECT_TRUE(must(Tick{}).events.empty());
    now = 10'000;
    Outcome o = must(Tick{});
    ASSERT_EQ(o.events.size(), 2u);
    EXPECT_EQ(std::get<ProverSlashed>(o.events[0]), (ProverSlashed{id, bob, SlashReason::missed, 1'000, 500, 500, alice}));
    EXPECT_EQ(std::get<RequestExpired>(o.events[1]), (RequestExpired{id, alice, 200, 500}));
    EXPECT_EQ(acct(alice).balance, 10'500u);
    EXPECT_EQ(req(id).status, RequestStatus::expired);
    conserved();
}

TEST_F(MarketSettlement, ExpiryOfAnUnlockedRequestRefundsTheEscrow) {
    uint64_t id = submit(test_spec(), "k");
    now = 20'000;
    Outcome o = must(Tick{});
    EXPECT_EQ(std::get<RequestExpired>(o.events[0]), (RequestExpired{id, alice, 200, 0}));
    EXPECT_EQ(acct(alice).balance, 10'000u);
    EXPECT_EQ(m.waiting(Priority::batch), 0u);
    conserved();
}

TEST_F(MarketSettlement, ExpiryAfterAForfeitPaysTheHeldBountyToTheRequester) {
    uint64_t id = locked_by_bob();
    must(Fulfill{bob, id, false});
    now = 10'000;
    Outcome o = must(Tick{});
    ASSERT_EQ(o.events.size(), 1u);  // already slashed: no second slash
    EXPECT_EQ(std::get<RequestExpired>(o.events[0]), (RequestExpired{id, alice, 200, 500}));
    conserved();
}

TEST_F(MarketSettlement, UnlockedRequestIsFulfilledAtTheCurrentPrice) {
    uint64_t a = submit(test_spec(), "a");
    uint64_t b = submit(test_spec(), "b");
    now = 1'500;
    EXPECT_EQ(std::get<RequestFulfilled>(must(Fulfill{carol, a, true}).events[0]).price, 150u);
    now = 7'000;  // after the lock deadline: the maximum
    EXPECT_EQ(std::get<RequestFulfilled>(must(Fulfill{carol, b, true}).events[0]).price, 200u);
    EXPECT_EQ(acct(carol).stake, 5'000u);  // no collateral was involved
    conserved();
}

TEST_F(MarketSettlement, FullBurnAndNoFeeConfigurations) {
    Config c = test_config();
    c.slash_burn_bps = 10'000;
    c.fee_bps = 0;
    m = Market(c);
    fund(alice, 1'000);
    make_prover(bob, 1'000);
    make_prover(carol, 1'000);
    uint64_t id = submit(test_spec(), "k");
    must(Lock{bob, id});
    now = 6'000;
    Outcome o = must(Fulfill{carol, id, true});
    EXPECT_EQ(std::get<ProverSlashed>(o.events[0]).burned, 1'000u);
    EXPECT_EQ(std::get<RequestFulfilled>(o.events[1]), (RequestFulfilled{id, carol, 100, 0, 0, 100, 0, true}));
    conserved();
}

TEST_F(MarketSettlement, CircuitBreakerPausesAfterConsecutiveFailures) {
    std::vector<uint64_t> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(submit(test_spec(), "k" + std::to_string(i)));
    must(Lock{bob, ids[0]});
    must(Fulfill{bob, ids[0], true});  // success resets
    must(Lock{bob, ids[1]});
    must(Fulfill{bob, ids[1], false});
    must(Lock{bob, ids[2]});
    must(Fulfill{bob, ids[2], false});
    EXPECT_FALSE(prover(bob).paused);
    must(Fulfill{bob, ids[3], false});  // a fined invalid proof counts too
    EXPECT_TRUE(prover(bob).paused);
    EXPECT_EQ(prover(bob).consecutive_failures, 3u);
    uint64_t next = submit(test_spec(), "k9");
    Error e = fails(Lock{bob, next}, ErrorCode::prover_paused);
    EXPECT_NE(e.message.find("3 consecutive failures"), std::string::npos);
    Outcome o = must(ResumeProver{bob});
    EXPECT_EQ(std::get<ProverResumed>(o.events[0]).prover, bob);
    must(Lock{bob, next});
    EXPECT_EQ(prover(bob).consecutive_failures, 0u);
}

TEST_F(MarketSettlement, BreakerEventFollowsTheSlash) {
    Config c = test_config();
    c.breaker_failures = 1;
    m = Market(c);
    fund(alice, 1'000);
    make_prover(bob, 1'000);
    uint64_t id = submit(test_spec(), "k");
    must(Lock{bob, id});
    now = 10'000;
    Outcome o = must(Tick{});
    ASSERT_EQ(o.events.size(), 3u);
    EXPECT_TRUE(std::holds_alternative<ProverSlashed>(o.events[0]));
    EXPECT_EQ(std::get<ProverPaused>(o.events[1]), (ProverPaused{bob, 1}));
    EXPECT_TRUE(std::holds_alternative<RequestExpired>(o.events[2]));
}

TEST_F(MarketSettlement, ClosedRequestsArePrunedAfterRetention) {
    uint64_t id = submit(test_spec(), "k");
    must(Cancel{alice, id});
    now = 9'999;
    must(Tick{});
    EXPECT_NE(m.request(id), nullptr);
    // Within retention, the key still answers with the (cancelled) request.
    EXPECT_EQ(must(SubmitRequest{alice, "k", test_spec()}).request_id, id);
    now = 10'000;
    must(Tick{});
    EXPECT_EQ(m.request(id), nullptr);
    fails(Lock{bob, id}, ErrorCode::unknown_request);
    conserved();
}

}  // namespace
}  // namespace provernet::market::test
