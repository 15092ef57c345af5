#include "finance/liquidation.hpp"

#include "circuit/commitment.hpp"

#include <gtest/gtest.h>

#include <random>

namespace provernet::finance {
namespace {

using circuit::Builder;
using circuit::Inputs;
using circuit::InputError;
using circuit::Mode;
using math::Fr;
using nlohmann::json;

constexpr int128 kTwo63 = int128(1) << 63;
constexpr int128 kTwo64 = int128(1) << 64;
constexpr int128 kTwo32 = int128(1) << 32;

json to_input(const LiquidationInputs& in)
{
    json prices = json::array(), risks = json::array(), accs = json::array();
    for (size_t j = 0; j < in.prices.size(); ++j) {
        prices.push_back(int128_to_string(in.prices[j]));
        risks.push_back(int128_to_string(in.risk_factors[j]));
    }
    for (const auto& a : in.accounts) {
        json bal = json::array();
        for (int128 v : a.balances)
            bal.push_back(int128_to_string(v));
        accs.push_back({{"collateral", int128_to_string(a.collateral)}, {"balances", bal}});
    }
    return {{"prices", prices}, {"risk_factors", risks}, {"accounts", accs}};
}

// Runs the program in full mode and checks: the witness satisfies every constraint, the result
// equals the model's, and the constraint count is the documented formula.
json run_and_compare(const LiquidationInputs& in)
{
    const size_t A = in.accounts.size(), M = in.prices.size();
    const Program p = liquidation_program(A, M);
    const Inputs inputs(to_input(in), "test");
    Builder b;
    const json got = p.build(b, inputs);
    EXPECT_FALSE(b.first_violation(b.values()));
    EXPECT_EQ(got, p.reference(inputs));
    EXPECT_EQ(b.constraint_count(), liquidation_constraint_count(A, M));
    return got;
}

int128 random_in(std::mt19937_64& rng, int128 lo, int128 hi)  // inclusive, hi - lo < 2^64
{
    const auto span = (unsigned __int128)(hi - lo);
    return lo + int128(span == ~uint64_t(0) ? rng() : rng() % (uint64_t(span) + 1));
}

// Values spread over every magnitude: small, mid, at the bounds.
int128 random_amount(std::mt19937_64& rng)
{
    switch (rng() % 5) {
    case 0:
        return 0;
    case 1:
        return random_in(rng, -1000, 1000);
    case 2:
        return rng() % 2 ? kTwo63 - 1 - int128(rng() % 3) : -kTwo63 + int128(rng() % 3);
    default: {
        const int bits = int(rng() % 63);
        const int128 mag = random_in(rng, 0, (int128(1) << bits));
        return rng() % 2 ? mag : -mag;
    }
    }
}

LiquidationInputs random_inputs(std::mt19937_64& rng, size_t accounts, size_t assets)
{
    LiquidationInputs in;
    for (size_t j = 0; j < assets; ++j) {
        in.prices.push_back(rng() % 4 == 0 ? kTwo64 - 1 : random_in(rng, 1, kTwo64 - 1) >> (rng() % 40));
        if (in.prices.back() == 0)
            in.prices.back() = 1;
        in.risk_factors.push_back(rng() % 4 == 0 ? kTwo32 - 1 : random_in(rng, 1, kTwo32 - 1));
    }
    for (size_t a = 0; a < accounts; ++a) {
        LiquidationAccount acc;
        acc.collateral = random_amount(rng);
        for (size_t j = 0; j < assets; ++j)
            acc.balances.push_back(random_amount(rng));
        in.accounts.push_back(acc);
    }
    return in;
}

TEST(LiquidationModel, HandComputedAccount)
{
    // Price 100 (raw 100 2^32), risk 0.5 (raw 2^31); collateral 50, balance -1:
    // TV = 50 2^32 - 100 2^32 = -50 2^32, TR = 2^31 100 2^32 = 50 2^64: liquidatable.
    LiquidationInputs in{{100 * kTwo32}, {kTwo32 / 2}, {{50, {-1}}}};
    LiquidationResult r = liquidation_model(in);
    EXPECT_EQ(r.accounts[0].total_value, int128_to_string(-50 * kTwo32));
    EXPECT_EQ(r.accounts[0].total_risk, "922337203685477580800");  // 50 * 2^64
    EXPECT_TRUE(r.accounts[0].liquidatable);
    // Collateral 100 covers the short (TV = 0) but not its risk (TR > 0).
    in.accounts[0].collateral = 100;
    EXPECT_TRUE(liquidation_model(in).accounts[0].liquidatable);
    // Collateral 150: TV = 50 = TR, not liquidatable; 149: TV = 49 < 50.
    in.accounts[0].collateral = 150;
    EXPECT_FALSE(liquidation_model(in).accounts[0].liquidatable);
    in.accounts[0].collateral = 149;
    EXPECT_TRUE(liquidation_model(in).accounts[0].liquidatable);
}

TEST(Liquidation, ExampleInputMatchesModelAndHasBothOutcomes)
{
    const Program p = liquidation_program(8, 4);
    EXPECT_EQ(p.name, "liquidation-8x4");
    const Inputs inputs(p.example_input, "example");
    Builder b;
    const json got = p.build(b, inputs);
    EXPECT_FALSE(b.first_violation(b.values()));
    EXPECT_EQ(got, p.reference(inputs));
    const size_t count = got["liquidatable_count"].get<size_t>();
    EXPECT_GT(count, 0u);
    EXPECT_LT(count, 8u);
}

TEST(Liquidation, TotalValueExactlyEqualToTotalRisk)
{
    // Price 1.0, risk 0.5, balance 2: TR = 0.5 * 2 = 1 (2^64 raw). Collateral -1: TV = 1 = TR, not
    // liquidatable; collateral -2: TV = 0 < TR. The circuit's flag flips exactly at equality.
    LiquidationInputs in{{kTwo32}, {kTwo32 / 2}, {{-1, {2}}, {-2, {2}}, {0, {0}}, {-1, {0}}}};
    const json r = run_and_compare(in);
    EXPECT_EQ(r["accounts"][0]["total_value"], int128_to_string(kTwo32));
    EXPECT_EQ(r["accounts"][0]["total_risk"], int128_to_string(kTwo64));
    EXPECT_FALSE(r["accounts"][0]["liquidatable"]);
    EXPECT_TRUE(r["accounts"][1]["liquidatable"]);
    // No position: TV = 0 = TR is healthy, and a debt with no risk is liquidatable (TV < 0 = TR).
    EXPECT_FALSE(r["accounts"][2]["liquidatable"]);
    EXPECT_TRUE(r["accounts"][3]["liquidatable"]);
    EXPECT_EQ(r["liquidatable_count"], 2);
    EXPECT_EQ(r["liquidatable_flags"], json::array({"10"}));  // accounts 1 and 3
}

TEST(Liquidation, ExtremeValuesAtEveryBound)
{
    // Largest prices and risk factors with the most negative and most positive amounts: the
    // comparison's n = 161 + ceil(log2 M) bits must hold D at its extremes.
    const int128 amin = -kTwo63, amax = kTwo63 - 1, pmax = kTwo64 - 1, rmax = kTwo32 - 1;
    LiquidationInputs in{{pmax, pmax, pmax}, {rmax, rmax, 1}, {}};
    in.accounts = {{amin, {amin, amin, amin}},  // most negative TV, largest TR
                   {amax, {amax, amax, amax}},  // largest TV
                   {amin, {amax, amin, 0}},
                   {amax, {amin, 1, -1}},
                   {0, {0, 0, 0}}};
    const json r = run_and_compare(in);
    EXPECT_TRUE(r["accounts"][0]["liquidatable"]);
    EXPECT_FALSE(r["accounts"][1]["liquidatable"]);
    EXPECT_FALSE(r["accounts"][4]["liquidatable"]);
}

TEST(Liquidation, RandomInputsMatchModel)
{
    std::mt19937_64 rng(20240611);
    const std::pair<size_t, size_t> shapes[] = {{1, 1}, {3, 2}, {4, 5}, {2, 8}, {6, 3}};
    size_t liquidatable = 0, accounts = 0;
    for (int round = 0; round < 3; ++round)
        for (auto [A, M] : shapes) {
            const json r = run_and_compare(random_inputs(rng, A, M));
            liquidatable += r["liquidatable_count"].get<size_t>();
            accounts += A;
        }
    // The generator produces both outcomes.
    EXPECT_GT(liquidatable, 0u);
    EXPECT_LT(liquidatable, accounts);
}

TEST(Liquidation, ManyAccountsSpillIntoASecondFlagWord)
{
    std::mt19937_64 rng(7);
    LiquidationInputs in = random_inputs(rng, 253, 1);
    for (size_t a = 0; a < 253; ++a)
        in.accounts[a] = a % 3 == 0 ? LiquidationAccount{-1, {0}} : LiquidationAccount{5, {0}};
    const json r = run_and_compare(in);
    ASSERT_EQ(r["liquidatable_flags"].size(), 2u);
    EXPECT_EQ(r["liquidatable_count"], 85);
    // Account 252 (divisible by 3) is bit 2 of the second word.
    EXPECT_EQ(r["liquidatable_flags"][1], "4");
}

TEST(Liquidation, ConstraintCountFormula)
{
    // Spot values of the formula (the random tests hold every shape they build to it).
    EXPECT_EQ(liquidation_constraint_count(1, 1), 98u + (226 + 0 + 67) + 2 * 564 + 564 + 4 + 1);
    // 16 accounts x 8 assets: 8 assets add 3 compare bits; 16 * 3 = 48 account words.
    EXPECT_EQ(liquidation_constraint_count(16, 8),
              98u * 8 + 16 * (226 + 3 + 67 * 8) + 2 * commitment_constraints(8) + commitment_constraints(48) + 5);
    std::mt19937_64 rng(3);
    Builder b;
    liquidation_circuit(b, random_inputs(rng, 16, 8));
    EXPECT_EQ(b.constraint_count(), liquidation_constraint_count(16, 8));
    EXPECT_EQ(b.constraint_count(), 16596u);
}

TEST(Liquidation, WitnessOnlyModeGivesTheSameWitness)
{
    std::mt19937_64 rng(11);
    const LiquidationInputs in = random_inputs(rng, 5, 4);
    Builder full(Mode::full), fast(Mode::witness_only);
    const LiquidationCircuit a = liquidation_circuit(full, in);
    liquidation_circuit(fast, in);
    EXPECT_EQ(full.values(), fast.values());
    EXPECT_EQ(full.public_values(), fast.public_values());
    EXPECT_EQ(a.output_wires.size(), 5u);
}

TEST(Liquidation, PublicSignalsMatchNativeCommitments)
{
    std::mt19937_64 rng(5);
    const LiquidationInputs in = random_inputs(rng, 4, 5);
    Builder b;
    liquidation_circuit(b, in);
    std::vector<Fr> prices, risks;
    for (size_t j = 0; j < in.prices.size(); ++j) {
        prices.push_back(int128_to_fr(in.prices[j]));
        risks.push_back(int128_to_fr(in.risk_factors[j]));
    }
    const LiquidationResult model = liquidation_model(in);
    const std::vector<std::string> names = {"prices_commitment", "risk_factors_commitment", "accounts_commitment",
                                            "liquidatable_count", "liquidatable_flags_0"};
    EXPECT_EQ(b.public_names(), names);
    const std::vector<Fr> expected = {circuit::poseidon_commitment(prices), circuit::poseidon_commitment(risks),
                                      circuit::poseidon_commitment(liquidation_account_words(in)),
                                      Fr::from_uint(model.liquidatable_count),
                                      *Fr::from_decimal(model.flag_words[0])};
    EXPECT_EQ(b.public_values(), expected);
    // The account layout: collateral then balances as v + 2^63, 3 words per element, 2 per account.
    const auto words = liquidation_account_words(in);
    ASSERT_EQ(words.size(), 8u);
    const Fr w0 = int128_to_fr(in.accounts[0].collateral + kTwo63) +
                  int128_to_fr(in.accounts[0].balances[0] + kTwo63) * int128_to_fr(kTwo64) +
                  int128_to_fr(in.accounts[0].balances[1] + kTwo63) * int128_to_fr(kTwo64) * int128_to_fr(kTwo64);
    EXPECT_EQ(words[0], w0);
}

TEST(Liquidation, EveryWireOfTheCheckIsConstrained)
{
    // Changing any single wire of the check (inputs, bits, products) violates a constraint: no
    // hint is left free.
    std::mt19937_64 rng(13);
    const LiquidationInputs in = random_inputs(rng, 2, 2);
    Builder b;
    const LiquidationCircuit c = liquidation_circuit(b, in);
    ASSERT_FALSE(b.first_violation(b.values()));
    for (size_t w = 1; w < c.commitments_first_wire; ++w) {
        std::vector<Fr> tampered = b.values();
        tampered[w] += Fr::one();
        EXPECT_TRUE(b.first_violation(tampered)) << "wire " << w;
    }
}

TEST(Liquidation, TamperedFlagsAndCountFail)
{
    // One healthy and one liquidatable account.
    LiquidationInputs in{{kTwo32}, {kTwo32 / 2}, {{-1, {2}}, {-2, {2}}}};
    Builder b;
    const LiquidationCircuit c = liquidation_circuit(b, in);
    ASSERT_FALSE(b.first_violation(b.values()));
    // Claim the healthy account is liquidatable (flags word 2 -> 3), or the count 1 -> 0.
    for (auto [output, value] : {std::pair<size_t, uint64_t>{4, 3}, {4, 0}, {3, 0}, {3, 2}}) {
        std::vector<Fr> tampered = b.values();
        tampered[c.output_wires[output]] = Fr::from_uint(value);
        EXPECT_TRUE(b.first_violation(tampered));
    }
}

TEST(Liquidation, BadInputsNameTheField)
{
    const Program p = liquidation_program(2, 2);
    auto error_of = [&](const std::function<void(json&)>& edit) -> std::string {
        json j = p.example_input;
        edit(j);
        try {
            p.reference(Inputs(j, "in.json"));
        } catch (const InputError& e) {
            std::string model_error = e.what();
            try {
                Builder b;
                p.build(b, Inputs(j, "in.json"));
            } catch (const InputError& e2) {
                EXPECT_EQ(model_error, e2.what());  // the same error from both
                return e2.what();
            }
            ADD_FAILURE() << "build accepted what the model rejected";
            return "";
        }
        ADD_FAILURE() << "accepted";
        return "";
    };
    auto expect_error = [&](const std::function<void(json&)>& edit, const std::string& field, const std::string& part) {
        const std::string e = error_of(edit);
        EXPECT_NE(e.find("field \"" + field + "\""), std::string::npos) << e;
        EXPECT_NE(e.find(part), std::string::npos) << e;
    };
    expect_error([](json& j) { j["accounts"][1]["balances"][1] = "9223372036854775808"; }, "accounts[1].balances[1]",
                 "outside");
    expect_error([](json& j) { j["accounts"][0]["collateral"] = "-9223372036854775809"; }, "accounts[0].collateral",
                 "outside");
    expect_error([](json& j) { j["accounts"][0]["collateral"] = "12abc"; }, "accounts[0].collateral", "not an integer");
    expect_error([](json& j) { j["accounts"][0]["collateral"] = 1.5; }, "accounts[0].collateral", "expected an integer");
    expect_error([](json& j) { j["prices"][1] = "0"; }, "prices[1]", "outside [1, 18446744073709551615]");
    expect_error([](json& j) { j["prices"][0] = "18446744073709551616"; }, "prices[0]", "outside");
    expect_error([](json& j) { j["risk_factors"][0] = "4294967296"; }, "risk_factors[0]", "outside");
    expect_error([](json& j) { j["risk_factors"][1] = 0; }, "risk_factors[1]", "outside");
    expect_error([](json& j) { j["prices"].push_back("1"); }, "prices", "expected 2 elements, got 3");
    expect_error([](json& j) { j["accounts"][1]["balances"] = "1"; }, "accounts[1].balances", "expected an array");
    expect_error([](json& j) { j["accounts"][1].erase("collateral"); }, "accounts[1].collateral", "missing");
    expect_error([](json& j) { j["accounts"][1]["colateral"] = "1"; }, "accounts[1].colateral", "unknown field");
    expect_error([](json& j) { j["accounts"].erase(1); }, "accounts", "expected 2 elements, got 1");
    expect_error([](json& j) { j.erase("risk_factors"); }, "risk_factors", "missing");
}

}  // namespace
}  // namespace provernet::finance
