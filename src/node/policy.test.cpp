// The node's decisions: time, price, load and the breaker.
#include "node/policy.hpp"

#include <gtest/gtest.h>

namespace provernet::node {
namespace {

Candidate candidate(uint64_t now, uint64_t deadline, double estimate, uint64_t price = 1000, uint64_t constraints = 10'000)
{
    Candidate c;
    c.now_ms = now;
    c.deadline_ms = deadline;
    c.estimate_seconds = estimate;
    c.price = price;
    c.constraints = constraints;
    return c;
}

TEST(NodePolicy, TakesOnlyWhatFinishesBeforeTheDeadlineWithTheSafetyFactor)
{
    Policy p;  // safety 1.5, margin 500 ms
    NodeLoad load;
    // 2 s estimate -> 3 s + 0.5 s needed.
    EXPECT_TRUE(should_take(candidate(10'000, 13'600, 2.0), load, p).take);
    EXPECT_FALSE(should_take(candidate(10'000, 13'500, 2.0), load, p).take);
    EXPECT_FALSE(should_take(candidate(10'000, 12'000, 2.0), load, p).take);
    // A deadline already past, or now.
    EXPECT_FALSE(should_take(candidate(10'000, 10'000, 0.0), load, p).take);
    EXPECT_FALSE(should_take(candidate(10'000, 9'000, 0.0), load, p).take);
    // Queue wait adds to the time needed.
    load.queue_wait_seconds = 1.0;
    EXPECT_FALSE(should_take(candidate(10'000, 13'600, 2.0), load, p).take);
    EXPECT_TRUE(should_take(candidate(10'000, 14'600, 2.0), load, p).take);
    const auto d = should_take(candidate(10'000, 11'000, 2.0), load, p);
    EXPECT_NE(d.reason.find("in time"), std::string::npos) << d.reason;
}

TEST(NodePolicy, NeedsAFreeSlotAClosedBreakerAndAnUnpausedProver)
{
    Policy p;
    NodeLoad load;
    load.capacity = 2;
    load.busy = 1;
    EXPECT_TRUE(should_take(candidate(0, 60'000, 1.0), load, p).take);
    load.busy = 2;
    EXPECT_EQ(should_take(candidate(0, 60'000, 1.0), load, p).reason, "no free slot");
    load.busy = 0;
    load.breaker_open = true;
    EXPECT_FALSE(should_take(candidate(0, 60'000, 1.0), load, p).take);
    load.breaker_open = false;
    load.paused = true;
    EXPECT_FALSE(should_take(candidate(0, 60'000, 1.0), load, p).take);
}

TEST(NodePolicy, PriceFloorPerThousandConstraints)
{
    EXPECT_TRUE(price_acceptable(50, 10'000, 5));   // 5 per 1000 x 10 = 50
    EXPECT_FALSE(price_acceptable(49, 10'000, 5));
    EXPECT_TRUE(price_acceptable(0, 10'000, 0));
    // No overflow with huge values.
    EXPECT_TRUE(price_acceptable(UINT64_MAX, UINT64_MAX, 1'000));
    EXPECT_FALSE(price_acceptable(UINT64_MAX / 2, UINT64_MAX, 1'000));
    Policy p;
    p.min_price_per_kconstraint = 5;
    NodeLoad load;
    EXPECT_FALSE(should_take(candidate(0, 60'000, 1.0, 49, 10'000), load, p).take);
    EXPECT_TRUE(should_take(candidate(0, 60'000, 1.0, 50, 10'000), load, p).take);
}

TEST(NodePolicy, SpeedModelFirstSampleReplacesThePriorThenAverages)
{
    SpeedModel m(1e-3, 1e-8, 0.5);
    EXPECT_FALSE(m.calibrated());
    EXPECT_DOUBLE_EQ(m.prove_seconds(1'000), 1.0);
    m.record_proof(1'000, 0.2);  // 2e-4 s per constraint
    EXPECT_TRUE(m.calibrated());
    EXPECT_DOUBLE_EQ(m.prove_seconds(10'000), 2.0);
    m.record_proof(1'000, 0.4);  // halfway to 4e-4
    EXPECT_NEAR(m.seconds_per_constraint(), 3e-4, 1e-12);
    m.record_proof(0, 5.0);  // ignored: no constraints
    EXPECT_NEAR(m.seconds_per_constraint(), 3e-4, 1e-12);
    m.record_load(1'000'000, 0.1);
    EXPECT_NEAR(m.load_seconds(2'000'000), 0.2, 1e-12);
}

TEST(NodePolicy, BreakerOpensAfterConsecutiveFailuresAndClosesOnSuccess)
{
    Breaker b(3);
    b.failure();
    b.failure();
    EXPECT_FALSE(b.open());
    b.success();
    b.failure();
    b.failure();
    EXPECT_FALSE(b.open());
    b.failure();
    EXPECT_TRUE(b.open());
    b.success();
    EXPECT_FALSE(b.open());
    Breaker off(0);
    for (int i = 0; i < 100; ++i) off.failure();
    EXPECT_FALSE(off.open());
}

}  // namespace
}  // namespace provernet::node
