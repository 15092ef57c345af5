// Every registered program: its example input builds, and the public signals it says are fixed
// by the inputs (what a coordinator checks a proof against) are the circuit's own values.
#include "finance/program.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace provernet::finance
