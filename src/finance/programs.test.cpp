// Every registered program: its example input builds, and the public signals it says are fixed
// by the inputs (what a coordinator checks a proof against) are the circuit's own values.
#include "finance/program.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace provernet::finance {
namespace {

TEST(Programs, BoundPublicSignalsAreTheCircuitsValues)
{
    std::set<std::string> names;
    for (const Program& p : finance_programs().all()) {
        SCOPED_TRACE(p.name);
        EXPECT_TRUE(names.insert(p.name).second) << "duplicate name";
        const circuit::Inputs in(p.example_input, p.name + " example");
        circuit::Builder b(circuit::Mode::witness_only);
        const nlohmann::json result = p.build(b, in);
        EXPECT_FALSE(result.empty());
        ASSERT_TRUE(p.bound_public_signals) << "no bound_public_signals";
        const auto bound = p.bound_public_signals(in);
        EXPECT_FALSE(bound.empty());
        const auto values = b.public_values();
        for (const auto& [index, value] : bound) {
            ASSERT_LT(index, values.size());
            EXPECT_EQ(values[index], value) << b.public_names()[index];
        }
        EXPECT_FALSE(p.public_signals.empty());
    }
}

TEST(Programs, FamiliesMakeAnySizeAndRejectBadSizes)
{
    const auto& r = finance_programs();
    ASSERT_NE(r.find("black-scholes-3"), nullptr);
    EXPECT_EQ(r.find("black-scholes-3")->name, "black-scholes-3");
    EXPECT_EQ(r.find("black-scholes-3"), r.find("black-scholes-3"));  // made once
    ASSERT_NE(r.find("liquidation-5x3"), nullptr);
    EXPECT_EQ(r.find("no-such-program"), nullptr);
    EXPECT_THROW(r.find("black-scholes-0"), std::invalid_argument);
    EXPECT_THROW(r.find("black-scholes-99999999"), std::invalid_argument);
    EXPECT_THROW(r.find("state-transition-d40-s1-t1"), std::invalid_argument);
}

TEST(Programs, EveryProgramEndsWithTheProversAddress)
{
    const std::string prover = "0x00000000000000000000000000000000000000aB";
    for (const std::string name : {"black-scholes-1", "liquidation-2x2", "portfolio-margin-1x2", "state-transition-d8-s1-t1"}) {
        SCOPED_TRACE(name);
        const Program* p = finance_programs().find(name);
        ASSERT_NE(p, nullptr);
        nlohmann::json with = p->example_input;
        with["prover"] = prover;
        // The program itself never sees the field (the liquidation program refuses unknown ones).
        circuit::Builder b(circuit::Mode::witness_only), plain(circuit::Mode::witness_only);
        const nlohmann::json result = p->build(b, circuit::Inputs(with, "with prover"));
        EXPECT_EQ(result, p->build(plain, circuit::Inputs(p->example_input, "without")));
        ASSERT_FALSE(b.public_names().empty());
        EXPECT_EQ(b.public_names().back(), "prover");
        EXPECT_EQ(b.public_values().back(), math::Fr::from_uint(0xab));
        EXPECT_EQ(plain.public_values().back(), math::Fr::zero());  // absent: 0
        // Everything before it is the same.
        const auto a = b.public_values(), c = plain.public_values();
        EXPECT_TRUE(std::equal(a.begin(), a.end() - 1, c.begin(), c.end() - 1));
        // A malformed address is an input error naming the field.
        with["prover"] = "0x12";
        circuit::Builder bad(circuit::Mode::witness_only);
        try {
            p->build(bad, circuit::Inputs(with, "bad prover"));
            ADD_FAILURE() << "accepted a malformed prover";
        } catch (const circuit::InputError& e) {
            EXPECT_NE(std::string(e.what()).find("prover"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace provernet::finance
