// Deposits, withdrawals, staking, unstaking, prover registration.
#include "market/market_test_util.hpp"

#include <gtest/gtest.h>

namespace provernet::market::test {
namespace {

using MarketFunds = MarketFixture;

TEST_F(MarketFunds, DepositAndWithdrawMoveSupply) {
    Outcome o = must(Deposit{alice, 500});
    ASSERT_EQ(o.events.size(), 1u);
    EXPECT_EQ(std::get<Deposited>(o.events[0]), (Deposited{alice, 500}));
    must(Withdraw{alice, 200});
    EXPECT_EQ(acct(alice).balance, 300u);
    EXPECT_EQ(m.ledger().supply, 300u);
    EXPECT_EQ(m.ledger().total_deposited, 500u);
    EXPECT_EQ(m.ledger().total_withdrawn, 200u);
    conserved();
}

TEST_F(MarketFunds, AddressesAnyCaseNameOneAccount) {
    std::string upper = "0x" + std::string(38, '0') + "AB";
    must(Deposit{upper, 5});
    EXPECT_EQ(acct("0x" + std::string(38, '0') + "ab").balance, 5u);
    Outcome o = must(Withdraw{"0x" + std::string(38, '0') + "aB", 5});
    EXPECT_EQ(std::get<Withdrawn>(o.events[0]).account, "0x" + std::string(38, '0') + "ab");
}

TEST_F(MarketFunds, RejectsBadAmountsAndAddresses) {
    fails(Deposit{alice, 0}, ErrorCode::invalid_amount);
    fails(Deposit{"0x1234", 5}, ErrorCode::invalid_address);
    fails(Withdraw{alice, 1}, ErrorCode::insufficient_balance);
    fund(alice, 10);
    Error e = fails(Withdraw{alice, 11}, ErrorCode::insufficient_balance);
    EXPECT_NE(e.message.find("balance 10"), std::string::npos) << e.message;
    fails(Stake{alice, 11}, ErrorCode::insufficient_balance);
    fails(Stake{alice, 0}, ErrorCode::invalid_amount);
}

TEST_F(MarketFunds, SupplyOverflowIsAnErrorNotAWrap) {
    fund(alice, UINT64_MAX - 5);
    fails(Deposit{bob, 6}, ErrorCode::overflow);
    must(Deposit{bob, 5});
    EXPECT_EQ(m.ledger().supply, UINT64_MAX);
    conserved();
}

TEST_F(MarketFunds, UnlockTimeOverflowIsRejectedWithoutChange) {
    Config c = test_config();
    c.withdrawal_delay_ms = UINT64_MAX;
    m = Market(c);
    fund(bob, 10);
    must(Stake{bob, 10});
    now = 1;
    Error e = fails(RequestUnstake{bob, 5}, ErrorCode::overflow);
    EXPECT_NE(e.message.find("unstake unlock time"), std::string::npos) << e.message;
    EXPECT_EQ(acct(bob).stake, 10u);
}

TEST_F(MarketFunds, ClockMayNotGoBackwards) {
    now = 100;
    fund(alice, 1);
    now = 99;
    fails(Deposit{alice, 1}, ErrorCode::clock_went_backwards);
    now = 100;
    must(Deposit{alice, 1});
    EXPECT_EQ(m.clock(), 100u);
}

TEST_F(MarketFunds, UnstakeWaitsForTheDelay) {
    fund(bob, 100);
    must(Stake{bob, 100});
    EXPECT_EQ(acct(bob).stake, 100u);
    now = 10;
    Outcome o = must(RequestUnstake{bob, 30});
    EXPECT_EQ(std::get<UnstakeRequested>(o.events[0]), (UnstakeRequested{bob, 30, 1'010}));
    EXPECT_EQ(acct(bob).stake, 70u);
    EXPECT_EQ(acct(bob).pending_total(), 30u);
    now = 500;
    must(RequestUnstake{bob, 20});
    now = 1'009;
    fails(CompleteUnstake{bob}, ErrorCode::withdrawal_not_ready);
    now = 1'010;
    o = must(CompleteUnstake{bob});
    EXPECT_EQ(std::get<UnstakeCompleted>(o.events[0]).amount, 30u);  // only the matured one
    EXPECT_EQ(acct(bob).balance, 30u);
    EXPECT_EQ(acct(bob).pending_total(), 20u);
    now = 1'500;
    must(CompleteUnstake{bob});
    EXPECT_EQ(acct(bob).balance, 50u);
    fails(CompleteUnstake{bob}, ErrorCode::nothing_to_withdraw);
    conserved();
}

TEST_F(MarketFunds, UnstakeLimitsAndFreeStakeOnly) {
    fund(alice, 1'000);
    make_prover(bob, 1'000);
    uint64_t id = submit(test_spec(), "k");
    must(Lock{bob, id});
    EXPECT_EQ(acct(bob).stake, 0u);
    EXPECT_EQ(acct(bob).locked, 1'000u);
    // Collateral of a live lock cannot leave, not even into a pending unstake.
    Error e = fails(RequestUnstake{bob, 1}, ErrorCode::insufficient_stake);
    EXPECT_NE(e.message.find("collateral"), std::string::npos);
    fund(carol, 10);
    must(Stake{carol, 10});
    for (int i = 0; i < 4; ++i) must(RequestUnstake{carol, 1});
    fails(RequestUnstake{carol, 1}, ErrorCode::too_many_pending_unstakes);
    fails(RequestUnstake{carol, 0}, ErrorCode::invalid_amount);
}

TEST_F(MarketFunds, PendingUnstakeNoLongerBacksLocks) {
    fund(alice, 1'000);
    make_prover(bob, 1'000);
    must(RequestUnstake{bob, 1});
    uint64_t id = submit(test_spec(), "k");
    Error e = fails(Lock{bob, id}, ErrorCode::insufficient_stake);
    EXPECT_NE(e.message.find("free stake 999"), std::string::npos) << e.message;
}

TEST_F(MarketFunds, RegisterSetsCapacityAndValidatesIt) {
    Outcome o = must(RegisterProver{bob, 5});
    EXPECT_EQ(std::get<ProverRegistered>(o.events[0]), (ProverRegistered{bob, 5}));
    EXPECT_EQ(prover(bob).capacity, 5u);
    must(RegisterProver{bob, 0});  // drain: no new locks
    EXPECT_EQ(prover(bob).capacity, 0u);
    fails(RegisterProver{bob, 101}, ErrorCode::invalid_capacity);
    fails(RegisterProver{"bob", 1}, ErrorCode::invalid_address);
    fails(ResumeProver{bob}, ErrorCode::not_paused);
    fails(ResumeProver{carol}, ErrorCode::not_registered);
}

}  // namespace
}  // namespace provernet::market::test
