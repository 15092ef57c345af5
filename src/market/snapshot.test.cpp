// Snapshots: round trip, validation, and replay determinism of a scripted history.
#include "market/market_test_util.hpp"

#include <gtest/gtest.h>

namespace provernet::market::test {
namespace {

class MarketSnapshot : public MarketFixture {
protected:
    // A short history touching every kind of record: open, locked, forfeited, fulfilled,
    // expired requests, pending unstakes, a paused prover.
    void build_history() {
        fund(alice, 10'000);
        make_prover(bob, 5'000);
        make_prover(carol, 5'000);
        uint64_t a = submit(test_spec(Priority::liquidation), "a");
        uint64_t b = submit(test_spec(), "b");
        uint64_t c = submit(test_spec(Priority::margin), "c");
        submit(test_spec(Priority::pricing), "d");
        now = 1'200;
        must(Lock{bob, a});
        must(Lock{carol, b});
        must(Lock{bob, c});
        must(Fulfill{bob, a, true});
        must(Fulfill{carol, b, false});
        must(RequestUnstake{bob, 100});
        now = 2'000;
        RequestSpec short_spec = test_spec();
        short_spec.final_deadline = 5'000;
        submit(short_spec, "e");
        now = 5'500;
        must(Tick{});
    }
};

TEST_F(MarketSnapshot, RoundTripKeepsEverything) {
    build_history();
    nlohmann::json snapshot = m.to_json();
    Market copy = Market::from_json(nlohmann::json::parse(snapshot.dump()));
    EXPECT_EQ(copy.to_json(), snapshot);
    EXPECT_EQ(copy.ledger(), m.ledger());
    EXPECT_EQ(copy.waiting(Priority::pricing), m.waiting(Priority::pricing));
    EXPECT_EQ(copy.open_requests(now), m.open_requests(now));
    // Both continue identically.
    for (uint64_t t : {6'000u, 12'000u, 30'000u}) {
        Outcome x = m.apply(Tick{}, t), y = copy.apply(Tick{}, t);
        EXPECT_EQ(to_json(x), to_json(y));
    }
    EXPECT_EQ(copy.to_json(), m.to_json());
}

// An image shares the request records with the market: commands after it replace records, never
// change them, so the image still serialises the state it was taken at (a snapshot written on
// another thread sees one consistent state).
TEST_F(MarketSnapshot, ImageKeepsTheStateItWasTakenAt) {
    build_history();
    const Market::Image image = m.image();
    const nlohmann::json at_image = m.to_json();
    EXPECT_EQ(image.to_json(), at_image);
    const Request* before = m.request(3);
    ASSERT_NE(before, nullptr);
    ASSERT_TRUE(before->live_lock());
    EXPECT_EQ(image.requests.at(3).get(), before);  // shared, not copied
    // Change an existing request (fulfil c), then prune by time.
    must(Fulfill{bob, 3, true});
    now = 40'000;
    must(Tick{});
    EXPECT_NE(m.to_json(), at_image);
    EXPECT_EQ(image.to_json(), at_image);
    EXPECT_TRUE(image.requests.at(3)->live_lock());
    EXPECT_EQ(Market::from_json(image.to_json()).to_json(), at_image);
}

TEST_F(MarketSnapshot, ScriptedLogReplaysToTheSameState) {
    std::vector<Outcome> outcomes;
    auto run = [&](Market& market, const Command& c, uint64_t t) { return market.apply(c, t); };
    Market first(test_config());
    std::vector<std::pair<Command, uint64_t>> script = {
        {Deposit{alice, 1'000}, 0},          {Deposit{bob, 3'000}, 0},          {Stake{bob, 2'000}, 1},
        {RegisterProver{bob, 2}, 1},         {SubmitRequest{alice, "x", test_spec()}, 2},
        {Lock{bob, 1}, 1'700},               {Withdraw{alice, 5'000}, 1'700},  // rejected
        {Fulfill{bob, 1, true}, 1'800},      {SubmitRequest{alice, "y", test_spec()}, 1'900},
        {Tick{}, 10'000},                    {CompleteUnstake{bob}, 10'001},   // rejected
    };
    for (const auto& [c, t] : script) outcomes.push_back(run(first, c, t));
    Market second(test_config());
    for (size_t i = 0; i < script.size(); ++i)
        EXPECT_EQ(to_json(run(second, script[i].first, script[i].second)), to_json(outcomes[i])) << i;
    EXPECT_EQ(second.to_json(), first.to_json());
    EXPECT_FALSE(outcomes[6].ok());
    EXPECT_FALSE(outcomes[10].ok());
}

TEST_F(MarketSnapshot, TamperedSnapshotsAreRejectedNamingTheProblem) {
    build_history();
    nlohmann::json good = m.to_json();
    auto rejects = [&](auto mutate, const std::string& fragment) {
        nlohmann::json bad = good;
        mutate(bad);
        try {
            Market::from_json(bad);
            ADD_FAILURE() << "accepted: " << fragment;
        } catch (const MarketError& e) {
            EXPECT_EQ(e.code(), ErrorCode::invalid_snapshot);
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    rejects([](nlohmann::json& j) { j["accounts"][alice]["balance"] = "1"; }, "conservation");
    rejects([](nlohmann::json& j) { j["ledger"]["supply"] = "1"; }, "supply");
    rejects([](nlohmann::json& j) { j["version"] = 2; }, "version");
    rejects([](nlohmann::json& j) { j["provers"][bob]["active_locks"] = 7; }, "active_locks");
    rejects([](nlohmann::json& j) { j["requests"][0]["status"] = "dreaming"; }, "status");
    rejects([](nlohmann::json& j) { j["requests"].push_back(j["requests"][0]); }, "appears twice");
    rejects([](nlohmann::json& j) { j["config"]["fee_bps"] = 20'000; }, "fee_bps");
    rejects([](nlohmann::json& j) { j["accounts"]["0xABC"] = j["accounts"][alice]; }, "lowercase 0x address");
    rejects([](nlohmann::json& j) { j["extra"] = true; }, "unknown field \"extra\"");
    rejects([](nlohmann::json& j) { j["ledger"]["next_request_id"] = 2; }, "id out of sequence");
}

}  // namespace
}  // namespace provernet::market::test
