// Priority classes: the capacity reserve and the served-first view.
#include "market/market_test_util.hpp"

#include <gtest/gtest.h>

namespace provernet::market::test {
namespace {

class MarketPriority : public MarketFixture {
protected:
    void SetUp() override { fund(alice, 1'000'000); }
    RequestSpec cheap(Priority p, uint64_t lock_deadline = 5'000) {
        RequestSpec s = test_spec(p);
        s.collateral = 10;
        s.lock_deadline = lock_deadline;
        return s;
    }
    int keys = 0;
    uint64_t submit_class(Priority p, uint64_t lock_deadline = 5'000) {
        return submit(cheap(p, lock_deadline), "k" + std::to_string(keys++));
    }
};

TEST_F(MarketPriority, LowerClassesLeaveAReserveWhileAHigherClassWaits) {
    make_prover(bob, 1'000, 10);  // batch reserve 50%: 5 of 10 slots while a higher class waits
    std::vector<uint64_t> batch;
    for (int i = 0; i < 8; ++i) batch.push_back(submit_class(Priority::batch));
    uint64_t liquidation = submit_class(Priority::liquidation);
    EXPECT_EQ(m.lock_limit(prover(bob), Priority::batch), 5u);
    EXPECT_EQ(m.lock_limit(prover(bob), Priority::liquidation), 10u);
    for (int i = 0; i < 5; ++i) must(Lock{bob, batch[i]});
    Error e = fails(Lock{bob, batch[5]}, ErrorCode::class_limit_reached);
    EXPECT_NE(e.message.find("batch requests may use only 5 of 10"), std::string::npos) << e.message;
    must(Lock{bob, liquidation});
    // Nothing of a higher class waits any more: the whole capacity is usable.
    EXPECT_EQ(m.waiting(Priority::liquidation), 0u);
    must(Lock{bob, batch[5]});
}

TEST_F(MarketPriority, ReserveAppliesOnlyAgainstHigherClasses) {
    make_prover(bob, 1'000, 10);
    submit_class(Priority::pricing);  // waits
    uint64_t margin = submit_class(Priority::margin);
    EXPECT_EQ(m.lock_limit(prover(bob), Priority::margin), 10u);  // pricing is lower
    EXPECT_EQ(m.lock_limit(prover(bob), Priority::batch), 5u);
    submit_class(Priority::liquidation);
    EXPECT_EQ(m.lock_limit(prover(bob), Priority::margin), 9u);  // 10% reserve
    EXPECT_EQ(m.lock_limit(prover(bob), Priority::pricing), 8u);
    must(Lock{bob, margin});
}

TEST_F(MarketPriority, TheReserveRoundsDownForSmallProvers) {
    make_prover(bob, 1'000, 1);
    submit_class(Priority::liquidation);
    EXPECT_EQ(m.lock_limit(prover(bob), Priority::batch), 1u);  // floor(1 * 50%) = 0 reserved
    must(Lock{bob, submit_class(Priority::batch)});
}

// Demand exceeds capacity: two provers with 10 slots each, 30 batch requests and 6 liquidations.
// Even provers that grab batch work first leave room for every liquidation.
TEST_F(MarketPriority, UnderOverloadLiquidationsAreServed) {
    auto run = [&](std::array<uint64_t, priority_count> reserve) {
        Config c = test_config();
        c.reserve_bps = reserve;
        m = Market(c);
        keys = 0;
        fund(alice, 1'000'000);
        make_prover(bob, 1'000, 10);
        make_prover(carol, 1'000, 10);
        std::vector<uint64_t> batch, liquidations;
        for (int i = 0; i < 30; ++i) batch.push_back(submit_class(Priority::batch));
        for (int i = 0; i < 6; ++i) liquidations.push_back(submit_class(Priority::liquidation));
        for (uint64_t id : batch)
            for (const auto& who : {bob, carol})
                if (m.apply(Lock{who, id}, now).ok()) break;
        int served = 0;
        for (uint64_t id : liquidations)
            for (const auto& who : {bob, carol})
                if (m.apply(Lock{who, id}, now).ok()) {
                    ++served;
                    break;
                }
        return served;
    };
    EXPECT_EQ(run({0, 1'000, 2'000, 5'000}), 6);
    EXPECT_EQ(run({0, 0, 0, 0}), 0);  // without the reserve, batch work takes every slot
}

TEST_F(MarketPriority, OpenRequestsAreOrderedByClassThenDeadline) {
    uint64_t batch_early = submit_class(Priority::batch, 3'000);
    uint64_t margin = submit_class(Priority::margin);
    uint64_t liquidation_late = submit_class(Priority::liquidation, 6'000);
    uint64_t liquidation_early = submit_class(Priority::liquidation, 4'000);
    uint64_t pricing = submit_class(Priority::pricing);
    std::vector<uint64_t> ids;
    for (const auto& line : m.open_requests(now)) ids.push_back(line.id);
    EXPECT_EQ(ids, (std::vector<uint64_t>{liquidation_early, liquidation_late, margin, pricing, batch_early}));
    auto top2 = m.open_requests(now, {}, 2);
    ASSERT_EQ(top2.size(), 2u);
    EXPECT_EQ(top2[1].id, liquidation_late);
    EXPECT_EQ(top2[0].action, Action::lock);
    EXPECT_EQ(top2[0].collateral, 10u);
    EXPECT_EQ(top2[0].deadline, 4'000u);
}

TEST_F(MarketPriority, OpenRequestsForAProverShowWhatItMayDo) {
    make_prover(bob, 100, 4);
    make_prover(carol, 100, 4);
    make_prover(dave, 5, 4);  // below min_fulfiller_stake and most collateral
    uint64_t mine = submit_class(Priority::batch);
    uint64_t theirs = submit_class(Priority::batch);
    uint64_t lapsing = submit_class(Priority::margin, 2'000);
    RequestSpec costly = cheap(Priority::pricing);
    costly.collateral = 1'000;
    uint64_t too_costly = submit(costly, "costly");
    must(Lock{bob, mine});
    must(Lock{carol, theirs});
    must(Lock{carol, lapsing});
    now = 1'500;
    auto bob_view = m.open_requests(now, bob);
    ASSERT_EQ(bob_view.size(), 2u);  // carol's live lock is hidden, lapsing still exclusive
    EXPECT_EQ(bob_view[0], (OpenRequest{too_costly, Priority::pricing, Action::fulfil, 150, 0, 0, 10'000}));
    EXPECT_EQ(bob_view[1], (OpenRequest{mine, Priority::batch, Action::fulfil, 100, 0, 0, 5'000}));
    now = 2'000;  // carol's margin lock lapsed: bob may fulfil it for the price and the bounty
    bob_view = m.open_requests(now, bob);
    ASSERT_EQ(bob_view.size(), 3u);
    EXPECT_EQ(bob_view[0], (OpenRequest{lapsing, Priority::margin, Action::fulfil, 100, 0, 5, 10'000}));
    EXPECT_TRUE(m.open_requests(now, dave).empty());
    EXPECT_TRUE(m.open_requests(now, "0x42").empty());
    EXPECT_TRUE(m.open_requests(now, alice).empty());  // not a prover
}

}  // namespace
}  // namespace provernet::market::test
