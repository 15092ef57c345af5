#include "market/commands.hpp"
#include "market/events.hpp"
#include "market/market_test_util.hpp"

#include <gtest/gtest.h>

namespace provernet::market {
namespace {

using test::alice;
using test::bob;

std::vector<Command> one_of_each_command() {
    SubmitRequest submit{alice, "key-1", test::test_spec(Priority::margin)};
    submit.spec.max_price = UINT64_MAX;  // survives as a decimal string
    return {Deposit{alice, 5}, Withdraw{alice, 6}, Stake{bob, 7}, RequestUnstake{bob, 8}, CompleteUnstake{bob},
            RegisterProver{bob, 3}, ResumeProver{bob}, submit, Cancel{alice, 9}, Lock{bob, 10},
            Fulfill{bob, 11, true}, Fulfill{bob, 12, false}, Tick{}};
}

std::vector<Event> one_of_each_event() {
    return {Deposited{alice, 1},
            Withdrawn{alice, 2},
            Staked{bob, 3},
            UnstakeRequested{bob, 4, 5},
            UnstakeCompleted{bob, 6},
            ProverRegistered{bob, 7},
            ProverPaused{bob, 3},
            ProverResumed{bob},
            RequestSubmitted{1, alice, Priority::liquidation, 200},
            RequestCancelled{1, alice, 200},
            RequestLocked{1, bob, 150, 1000},
            ProverSlashed{1, bob, SlashReason::invalid, 1000, 500, 500, ""},
            ProverSlashed{1, bob, SlashReason::missed, 1001, 500, 501, alice},
            ProofRejected{1, bob, 5},
            RequestFulfilled{1, bob, 150, 1, 500, 50, 1000, true},
            RequestExpired{1, alice, 200, 500}};
}

TEST(MarketJson, EveryCommandRoundTrips) {
    for (const Command& c : one_of_each_command()) {
        nlohmann::json j = to_json(c);
        EXPECT_EQ(j["type"], std::string(command_name(c)));
        Command back = command_from_json(nlohmann::json::parse(j.dump()));
        EXPECT_EQ(back, c) << j.dump();
    }
}

TEST(MarketJson, EveryEventRoundTrips) {
    for (const Event& e : one_of_each_event()) {
        nlohmann::json j = to_json(e);
        EXPECT_EQ(j["type"], std::string(event_name(e)));
        EXPECT_EQ(event_from_json(nlohmann::json::parse(j.dump())), e) << j.dump();
    }
}

TEST(MarketJson, AmountsAreDecimalStringsAndIntegersAreAccepted) {
    nlohmann::json j = to_json(Command{Deposit{alice, 12345678901234567890ull}});
    EXPECT_EQ(j["amount"], "12345678901234567890");
    j["amount"] = 42;
    EXPECT_EQ(std::get<Deposit>(command_from_json(j)).amount, 42u);
}

Error parse_error(const nlohmann::json& j) {
    try {
        command_from_json(j);
    } catch (const MarketError& e) {
        return e.error();
    }
    ADD_FAILURE() << "accepted: " << j.dump();
    return {};
}

TEST(MarketJson, MalformedCommandsNameTheProblem) {
    auto expect = [](const nlohmann::json& j, const std::string& fragment) {
        Error e = parse_error(j);
        EXPECT_EQ(e.code, ErrorCode::invalid_command);
        EXPECT_NE(e.message.find(fragment), std::string::npos) << e.message;
    };
    expect(nlohmann::json::array(), "JSON object");
    expect({{"amount", 1}}, "\"type\"");
    expect({{"type", "teleport"}}, "unknown type \"teleport\"");
    expect({{"type", "deposit"}, {"account", alice}}, "field \"amount\": missing");
    expect({{"type", "deposit"}, {"account", alice}, {"amount", -1}}, "must not be negative");
    expect({{"type", "deposit"}, {"account", alice}, {"amount", 1.5}}, "unsigned integer");
    expect({{"type", "deposit"}, {"account", alice}, {"amount", "12a"}}, "not a decimal uint64");
    expect({{"type", "deposit"}, {"account", alice}, {"amount", "18446744073709551616"}}, "overflows uint64");
    expect({{"type", "deposit"}, {"account", 7}, {"amount", 1}}, "field \"account\": must be a string");
    expect({{"type", "deposit"}, {"account", alice}, {"amount", 1}, {"memo", "hi"}}, "unknown field \"memo\"");
    expect({{"type", "fulfill"}, {"prover", bob}, {"request_id", 1}, {"proof_valid", 1}}, "true or false");
    nlohmann::json submit = to_json(Command{SubmitRequest{alice, "k", test::test_spec()}});
    submit["priority"] = "urgent";
    expect(submit, "\"urgent\" is not one of liquidation, margin, pricing, batch");
}

TEST(MarketJson, MalformedEventsAreRejected) {
    EXPECT_THROW(event_from_json({{"type", "prover_slashed"}, {"request_id", 1}}), MarketError);
    nlohmann::json slashed = to_json(Event{ProverSlashed{1, bob, SlashReason::missed, 2, 1, 1, ""}});
    slashed["reason"] = "bored";
    EXPECT_THROW(event_from_json(slashed), MarketError);
    EXPECT_THROW(event_from_json({{"type", "nothing"}}), MarketError);
}

TEST(MarketJson, OutcomeJsonCarriesErrorOrEvents) {
    Market m(test::test_config());
    nlohmann::json ok = to_json(m.apply(Deposit{alice, 5}, 0));
    EXPECT_TRUE(ok["ok"]);
    EXPECT_EQ(ok["events"][0]["type"], "deposited");
    nlohmann::json bad = to_json(m.apply(Withdraw{alice, 6}, 0));
    EXPECT_FALSE(bad["ok"]);
    EXPECT_EQ(bad["error"]["code"], "insufficient_balance");
}

}  // namespace
}  // namespace provernet::market
