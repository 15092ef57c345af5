// Submission, idempotency, cancellation and locking.
#include "market/market_test_util.hpp"

#include <gtest/gtest.h>

namespace provernet::market::test {
namespace {

class MarketAuction : public MarketFixture {
protected:
    void SetUp() override { fund(alice, 10'000); }
};

TEST_F(MarketAuction, SubmitEscrowsMaxPriceAndNumbersSequentially) {
    Outcome o = must(SubmitRequest{alice, "a", test_spec(Priority::pricing)});
    EXPECT_EQ(o.request_id, 1u);
    EXPECT_EQ(std::get<RequestSubmitted>(o.events[0]), (RequestSubmitted{1, alice, Priority::pricing, 200}));
    EXPECT_EQ(submit(test_spec(), "b"), 2u);
    EXPECT_EQ(acct(alice).balance, 10'000u - 400);
    EXPECT_EQ(req(1).escrow, 200u);
    EXPECT_EQ(req(1).status, RequestStatus::open);
    EXPECT_EQ(m.waiting(Priority::pricing), 1u);
    conserved();
}

TEST_F(MarketAuction, SameKeySameContentReturnsTheExistingRequest) {
    RequestSpec s = test_spec();
    uint64_t id = submit(s, "retry-me");
    s.circuit_id = "0xAB12";  // the same identity, spelled differently
    now = 7'000;              // even after the lock deadline
    Outcome again = must(SubmitRequest{alice, "retry-me", s});
    EXPECT_EQ(again.request_id, id);
    EXPECT_TRUE(again.duplicate);
    EXPECT_TRUE(again.events.empty());
    EXPECT_EQ(acct(alice).balance, 10'000u - 200);  // charged once
}

TEST_F(MarketAuction, SameKeyDifferentContentIsAConflictNamingTheField) {
    submit(test_spec(), "k");
    RequestSpec s = test_spec();
    s.max_price = 201;
    Error e = fails(SubmitRequest{alice, "k", s}, ErrorCode::idempotency_conflict);
    EXPECT_NE(e.message.find("max_price"), std::string::npos) << e.message;
    s = test_spec();
    s.inputs = "other";
    e = fails(SubmitRequest{alice, "k", s}, ErrorCode::idempotency_conflict);
    EXPECT_NE(e.message.find("inputs"), std::string::npos) << e.message;
    // Another requester may use the same key.
    fund(carol, 500);
    EXPECT_EQ(submit(s, "k", carol), 2u);
}

TEST_F(MarketAuction, SubmitValidatesTheTerms) {
    auto rejects = [&](auto mutate, const std::string& fragment) {
        RequestSpec s = test_spec();
        mutate(s);
        Error e = fails(SubmitRequest{alice, "k", s}, ErrorCode::invalid_request);
        EXPECT_NE(e.message.find(fragment), std::string::npos) << e.message;
    };
    rejects([](RequestSpec& s) { s.max_price = 0; }, "max_price");
    rejects([](RequestSpec& s) { s.min_price = 201; }, "min_price 201 exceeds max_price 200");
    rejects([](RequestSpec& s) { s.lock_deadline = 0; }, "lock_deadline 0 is not after now");
    rejects([](RequestSpec& s) { s.final_deadline = 4'999; }, "final_deadline 4999 is before lock_deadline");
    rejects([](RequestSpec& s) { s.final_deadline = 2'000'000; }, "more than the maximum");
    rejects([](RequestSpec& s) { s.ramp_period = 4'001; }, "must end by lock_deadline");
    rejects([](RequestSpec& s) { s.ramp_start = 6'000; }, "must end by lock_deadline");
    rejects([](RequestSpec& s) { s.circuit_id = "xyz"; }, "circuit_id");
    rejects([](RequestSpec& s) { s.inputs = std::string(65, 'i'); }, "inputs: 65 bytes");
    fails(SubmitRequest{alice, "", test_spec()}, ErrorCode::invalid_request);
    fails(SubmitRequest{alice, "has space", test_spec()}, ErrorCode::invalid_request);
    fails(SubmitRequest{alice, std::string(129, 'k'), test_spec()}, ErrorCode::invalid_request);
    fails(SubmitRequest{"0x0", "k", test_spec()}, ErrorCode::invalid_address);
    RequestSpec big = test_spec();
    big.max_price = big.min_price = 10'001;
    fails(SubmitRequest{alice, "k", big}, ErrorCode::insufficient_balance);
}

TEST_F(MarketAuction, MinimumCollateralIsEnforced) {
    Config c = test_config();
    c.min_collateral = 2'000;
    m = Market(c);
    fund(alice, 1'000);
    Error e = fails(SubmitRequest{alice, "k", test_spec()}, ErrorCode::invalid_request);
    EXPECT_NE(e.message.find("collateral 1000 is below the minimum 2000"), std::string::npos);
}

TEST_F(MarketAuction, CancelRefundsAnUnlockedRequest) {
    uint64_t id = submit(test_spec(), "k");
    fails(Cancel{bob, id}, ErrorCode::not_requester);
    fails(Cancel{alice, 99}, ErrorCode::unknown_request);
    Outcome o = must(Cancel{alice, id});
    EXPECT_EQ(std::get<RequestCancelled>(o.events[0]), (RequestCancelled{id, alice, 200}));
    EXPECT_EQ(acct(alice).balance, 10'000u);
    EXPECT_EQ(req(id).status, RequestStatus::cancelled);
    EXPECT_EQ(m.waiting(Priority::batch), 0u);
    fails(Cancel{alice, id}, ErrorCode::request_closed);
    conserved();
}

TEST_F(MarketAuction, CancelIsRefusedOnceLockedOrPastTheFinalDeadline) {
    make_prover(bob, 5'000);
    uint64_t locked = submit(test_spec(), "a");
    uint64_t late = submit(test_spec(), "b");
    must(Lock{bob, locked});
    fails(Cancel{alice, locked}, ErrorCode::already_locked);
    now = 10'000;
    fails(Cancel{alice, late}, ErrorCode::final_deadline_passed);
}

TEST_F(MarketAuction, LockPaysTheCurrentPriceAndLocksCollateral) {
    make_prover(bob, 5'000);
    uint64_t id = submit(test_spec(), "k");
    now = 1'500;
    Outcome o = must(Lock{bob, id});
    EXPECT_EQ(std::get<RequestLocked>(o.events[0]), (RequestLocked{id, bob, 150, 1'000}));
    EXPECT_EQ(req(id).status, RequestStatus::locked);
    EXPECT_EQ(req(id).holder, bob);
    EXPECT_EQ(req(id).lock_price, 150u);
    EXPECT_EQ(req(id).escrow, 200u);  // the unused 50 is refunded at settlement
    EXPECT_EQ(acct(bob).stake, 4'000u);
    EXPECT_EQ(acct(bob).locked, 1'000u);
    EXPECT_EQ(prover(bob).active_locks, 1u);
    EXPECT_EQ(m.waiting(Priority::batch), 0u);
    conserved();
}

TEST_F(MarketAuction, LockBeforeTheRampPaysTheMinimum) {
    make_prover(bob, 5'000);
    uint64_t id = submit(test_spec(), "k");
    Outcome o = must(Lock{bob, id});
    EXPECT_EQ(std::get<RequestLocked>(o.events[0]).price, 100u);
}

TEST_F(MarketAuction, LockRejections) {
    uint64_t id = submit(test_spec(), "k");
    fails(Lock{bob, id}, ErrorCode::not_registered);
    make_prover(bob, 1'500, 1);
    fails(Lock{bob, 42}, ErrorCode::unknown_request);
    make_prover(carol, 999);
    Error e = fails(Lock{carol, id}, ErrorCode::insufficient_stake);
    EXPECT_NE(e.message.find("collateral 1000"), std::string::npos);
    must(Lock{bob, id});
    fails(Lock{bob, id}, ErrorCode::already_locked);
    uint64_t second = submit(test_spec(), "k2");
    fails(Lock{bob, second}, ErrorCode::capacity_exceeded);
    must(Cancel{alice, second});
    fails(Lock{carol, second}, ErrorCode::request_closed);
    uint64_t third = submit(test_spec(), "k3");
    now = 5'000;
    fails(Lock{carol, third}, ErrorCode::lock_deadline_passed);
}

TEST_F(MarketAuction, DrainedProverCannotLock) {
    make_prover(bob, 5'000, 0);
    uint64_t id = submit(test_spec(), "k");
    fails(Lock{bob, id}, ErrorCode::capacity_exceeded);
}

}  // namespace
}  // namespace provernet::market::test
