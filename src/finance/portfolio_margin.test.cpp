#include "finance/portfolio_margin.hpp"

#include "circuit/commitment.hpp"
#include "circuit/fixed_point.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace provernet::finance {
namespace {

using circuit::Builder;
using circuit::Inputs;
using circuit::InputError;
using circuit::Mode;
using math::Fr;
using nlohmann::json;

// The stated accuracy (portfolio_margin.hpp): an instrument value within 2^-30 (S' + KDF + 1).
const long double kValueTolerance = std::ldexp(1.0L, -30);

PortfolioMarginShape shape_of(size_t instruments, size_t accounts, size_t spot_moves, size_t vol_moves)
{
    PortfolioMarginShape s;
    s.instruments = instruments;
    s.accounts = accounts;
    s.spot_moves = spot_moves;
    s.vol_moves = vol_moves;
    return s;
}

std::string decimal_text(long double x)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10Lg", x);
    return buf;
}

// Log-uniform in [lo, hi].
long double log_uniform(std::mt19937_64& rng, long double lo, long double hi)
{
    std::uniform_real_distribution<double> u(0, 1);
    return lo * std::pow(hi / lo, (long double)u(rng));
}

long double uniform(std::mt19937_64& rng, long double lo, long double hi)
{
    std::uniform_real_distribution<double> u(0, 1);
    return lo + (hi - lo) * (long double)u(rng);
}

// Random inputs over the whole domain (strikes within a factor 4 of spot half the time, else
// anywhere), positions from flat to the 32-bit bounds.
json random_input(std::mt19937_64& rng, const PortfolioMarginShape& shape)
{
    using D = PortfolioMarginDomain;
    const long double spot = log_uniform(rng, D::spot_min, D::spot_max);
    json shocks = json::array(), insts = json::array(), accs = json::array();
    for (size_t s = 0; s < shape.spot_moves; ++s)
        shocks.push_back(decimal_text(uniform(rng, D::shock_min, D::shock_max)));
    for (size_t i = 0; i < shape.instruments; ++i) {
        const int kind = int(rng() % 5);
        if (kind == 4) {
            insts.push_back({{"kind", "perpetual"}});
            continue;
        }
        json mults = json::array();
        for (size_t v = 0; v < shape.vol_moves; ++v)
            mults.push_back(decimal_text(log_uniform(rng, D::multiplier_min, D::multiplier_max)));
        const long double strike = rng() % 2 ? std::clamp(spot * log_uniform(rng, 0.25L, 4), D::strike_min, D::strike_max)
                                             : log_uniform(rng, D::strike_min, D::strike_max);
        insts.push_back({{"kind", kind % 2 ? "put" : "call"},
                         {"strike", decimal_text(strike)},
                         {"expiry", decimal_text(log_uniform(rng, D::expiry_min, D::expiry_max))},
                         {"volatility", decimal_text(log_uniform(rng, D::volatility_min, D::volatility_max))},
                         {"vol_multipliers", mults}});
    }
    for (size_t a = 0; a < shape.accounts; ++a) {
        json pos = json::array();
        for (size_t i = 0; i < shape.instruments; ++i) {
            const int64_t mag = rng() % 6 == 0 ? D::position_max : int64_t(rng() % 1000);
            pos.push_back(std::to_string(rng() % 3 == 0 ? 0 : rng() % 2 ? mag : -mag));
        }
        accs.push_back({{"collateral", decimal_text(uniform(rng, -1e6L, 1e7L))}, {"positions", pos}});
    }
    return {{"spot", decimal_text(spot)},
            {"rate", decimal_text(uniform(rng, D::rate_min, D::rate_max))},
            {"initial_margin_factor", decimal_text(uniform(rng, 1, 2))},
            {"maintenance_margin_factor", decimal_text(uniform(rng, 0.5L, 1))},
            {"spot_shocks", shocks},
            {"instruments", insts},
            {"accounts", accs}};
}

struct Agreement {
    long double value_error = 0;    // max |V_circuit - V_model| / (S' + KDF + 1)
    long double account_error = 0;  // max |figure error| / its bound
};

// Builds the program on `input`, checks the witness, the documented constraint count and the
// agreement with the model within the stated error; returns the normalised errors.
Agreement check_against_model(const PortfolioMarginShape& shape, const json& input)
{
    const Program p = portfolio_margin_program(shape);
    const Inputs in(input, "test");
    Builder b;
    const json got = p.build(b, in);
    EXPECT_FALSE(b.first_violation(b.values()));
    EXPECT_EQ(b.constraint_count(), portfolio_margin_constraint_count(shape));

    const PortfolioMarginInputs inputs = read_portfolio_margin_inputs(in, shape);
    const PortfolioMarginResult model = portfolio_margin_model(inputs);
    const json expected = model.to_json();
    Agreement agreement;
    const long double S = inputs.spot.value, r = inputs.rate.value;
    long double max_spot = S;
    for (const Decimal& u : inputs.spot_shocks)
        max_spot = std::max(max_spot, S * (1 + u.value));
    std::vector<long double> scale;  // per instrument: S'_max + KDF + 1
    for (const PmInstrument& inst : inputs.instruments)
        scale.push_back(max_spot + 1 +
                        (inst.kind == InstrumentKind::perpetual ? 0 : inst.strike.value * std::exp(-r * inst.expiry.value)));
    for (size_t i = 0; i < shape.instruments; ++i) {
        const long double e = std::fabs(got["marks"][i].get<double>() - model.marks[i]) / scale[i];
        agreement.value_error = std::max(agreement.value_error, e);
        EXPECT_LE(e, kValueTolerance) << "mark " << i;
    }
    for (size_t a = 0; a < shape.accounts; ++a) {
        const json& g = got["accounts"][a];
        const PmAccountResult& m = model.accounts[a];
        long double bound = 1e-9L;  // the collateral's rounding to 2^-32
        for (size_t i = 0; i < shape.instruments; ++i)
            bound += std::fabs((long double)inputs.accounts[a].positions[i]) * 2 * kValueTolerance * scale[i];
        const long double imf = inputs.initial_factor.value, mmf = inputs.maintenance_factor.value;
        const std::pair<const char*, std::pair<long double, long double>> figures[] = {
            {"mark_to_market", {m.mark_to_market, bound}},
            {"worst_loss", {m.worst_loss, bound}},
            {"initial_margin", {m.initial_margin, bound * imf + 1e-9L}},
            {"maintenance_margin", {m.maintenance_margin, bound * mmf + 1e-9L}}};
        for (const auto& [name, expect] : figures) {
            const long double err = std::fabs(g[name].get<double>() - expect.first);
            // doubles in the JSON carry 2^-53 relative.
            const long double allowed = expect.second + std::fabs(expect.first) * 4e-16L;
            agreement.account_error = std::max(agreement.account_error, err / allowed);
            EXPECT_LE(err, allowed) << "account " << a << " " << name;
        }
        // The flags agree unless MtM is within the error of the margin.
        if (std::fabs(m.mark_to_market - m.initial_margin) > bound * (1 + imf) + 1e-6L) {
            EXPECT_EQ(g["meets_initial"], expected["accounts"][a]["meets_initial"]) << "account " << a;
        }
        if (std::fabs(m.mark_to_market - m.maintenance_margin) > bound * (1 + mmf) + 1e-6L) {
            EXPECT_EQ(g["meets_maintenance"], expected["accounts"][a]["meets_maintenance"]) << "account " << a;
        }
    }
    // The circuit's own values are consistent: its scenario values agree with the model's too.
    const PortfolioMarginCircuit c = [&] {
        Builder fast(Mode::witness_only);
        return portfolio_margin_circuit(fast, inputs);
    }();
    for (size_t i = 0; i < shape.instruments; ++i)
        for (size_t k = 0; k < shape.scenarios(); ++k) {
            const long double v =
                circuit::FixedFormat(pm_frac_bits).to_long_double(circuit::WideInt::from_fr(c.values[i][k].value()));
            const long double e = std::fabs(v - model.values[i][k]) / scale[i];
            agreement.value_error = std::max(agreement.value_error, e);
            EXPECT_LE(e, kValueTolerance) << "instrument " << i << " scenario " << k;
        }
    return agreement;
}

TEST(PortfolioMargin, ExampleInputMatchesModel)
{
    const Program p = portfolio_margin_program(4, 4);
    EXPECT_EQ(p.name, "portfolio-margin-4x4");
    const Agreement a = check_against_model(shape_of(4, 4, 7, 3), p.example_input);
    const Inputs in(p.example_input, "example");
    Builder b(Mode::witness_only);
    const json got = p.build(b, in);
    // The example has a flat account and one below its maintenance margin.
    EXPECT_EQ(got["accounts"][0]["worst_loss"], 0.0);
    EXPECT_FALSE(got["accounts"][2]["meets_maintenance"]);
    EXPECT_TRUE(got["accounts"][1]["meets_initial"]);
    std::printf("example: value error %.3Le of the stated bound\n", a.value_error / kValueTolerance);
}

TEST(PortfolioMargin, RandomInputsMatchModelWithinStatedError)
{
    std::mt19937_64 rng(424242);
    Agreement worst;
    for (int round = 0; round < 8; ++round) {
        const PortfolioMarginShape shape = shape_of(3, 3, 3, 2);
        const Agreement a = check_against_model(shape, random_input(rng, shape));
        worst.value_error = std::max(worst.value_error, a.value_error);
        worst.account_error = std::max(worst.account_error, a.account_error);
    }
    // Report the achieved error (the assertion is per value inside check_against_model).
    std::printf("max value error %.3Le x (S' + KDF + 1) = %.3Le of the bound; account figures at %.3Le of theirs\n",
                worst.value_error, worst.value_error / kValueTolerance, worst.account_error);
}

TEST(PortfolioMargin, DomainCornersStayWithinEveryBound)
{
    // Every bound of the circuit at once: extreme spot/strike ratios, the shortest and longest
    // expiries with the smallest and largest volatilities, extreme shocks and rates, 32-bit
    // positions and the largest collateral.
    using D = PortfolioMarginDomain;
    const PortfolioMarginShape shape = shape_of(5, 3, 2, 2);
    for (const char* spot : {"0.01", "1000000"}) {
        for (const char* rate : {"-0.25", "0.25"}) {
            json insts = json::array();
            insts.push_back({{"kind", "call"}, {"strike", "0.01"}, {"expiry", "0.0027"}, {"volatility", "0.01"},
                             {"vol_multipliers", {"0.1", "5"}}});
            insts.push_back({{"kind", "put"}, {"strike", "1000000"}, {"expiry", "5"}, {"volatility", "5"},
                             {"vol_multipliers", {"5", "0.1"}}});
            insts.push_back({{"kind", "call"}, {"strike", "1000000"}, {"expiry", "0.0027"}, {"volatility", "0.01"},
                             {"vol_multipliers", {"0.1", "0.1"}}});
            insts.push_back({{"kind", "put"}, {"strike", "0.01"}, {"expiry", "5"}, {"volatility", "5"},
                             {"vol_multipliers", {"5", "5"}}});
            insts.push_back({{"kind", "perpetual"}});
            const std::string qmax = std::to_string(D::position_max), qmin = std::to_string(D::position_min);
            const json input = {
                {"spot", spot},
                {"rate", rate},
                {"initial_margin_factor", "10"},
                {"maintenance_margin_factor", "0"},
                {"spot_shocks", {"-0.5", "1"}},
                {"instruments", insts},
                {"accounts",
                 {{{"collateral", "1000000000000"}, {"positions", {qmax, qmax, qmax, qmax, qmax}}},
                  {{"collateral", "-1000000000000"}, {"positions", {qmin, qmin, qmin, qmin, qmin}}},
                  {{"collateral", "0"}, {"positions", {qmax, qmin, qmin, qmax, qmin}}}}}};
            const Agreement a = check_against_model(shape, input);
            std::printf("corner spot %s rate %s: value error %.3Le of the bound\n", spot, rate,
                        a.value_error / kValueTolerance);
        }
    }
}

TEST(PortfolioMargin, FlatAccountsAndTheMarginEquality)
{
    // No positions: no loss, IM = MM = 0 exactly, MtM = collateral; MtM = 0 = IM meets both, a
    // collateral of -1e-9 (raw -4) meets neither.
    const PortfolioMarginShape shape = shape_of(2, 3, 3, 2);
    json input = portfolio_margin_example_input(shape);
    input["accounts"] = {{{"collateral", "0"}, {"positions", {"0", "0"}}},
                         {{"collateral", "-0.000000001"}, {"positions", {"0", "0"}}},
                         {{"collateral", "1234.5"}, {"positions", {0, 0}}}};
    check_against_model(shape, input);
    Builder b;
    const json got = portfolio_margin_program(shape).build(b, Inputs(input, "test"));
    for (int a = 0; a < 3; ++a) {
        EXPECT_EQ(got["accounts"][a]["worst_loss"], 0.0);
        EXPECT_EQ(got["accounts"][a]["initial_margin"], 0.0);
        EXPECT_EQ(got["accounts"][a]["maintenance_margin"], 0.0);
    }
    EXPECT_TRUE(got["accounts"][0]["meets_initial"]);
    EXPECT_TRUE(got["accounts"][0]["meets_maintenance"]);
    EXPECT_FALSE(got["accounts"][1]["meets_initial"]);
    EXPECT_FALSE(got["accounts"][1]["meets_maintenance"]);
    EXPECT_EQ(got["accounts"][2]["mark_to_market"], 1234.5);
}

TEST(PortfolioMargin, PerpetualHedgeAndMarginRoundsUp)
{
    // A long perpetual: the worst scenario is the largest down move, a loss of exactly
    // q S |u_min| (S' = S (1 + u) is exact here); IM = 1.3 W rounds up to the 2^-32 grid.
    const PortfolioMarginShape shape = shape_of(1, 2, 3, 1);
    const json input = {{"spot", "2000"},
                        {"rate", "0"},
                        {"initial_margin_factor", "1.3"},
                        {"maintenance_margin_factor", "1"},
                        {"spot_shocks", {"-0.25", "0", "0.5"}},
                        {"instruments", {{{"kind", "perpetual"}}}},
                        {"accounts",
                         {{{"collateral", "100"}, {"positions", {"3"}}}, {{"collateral", "0"}, {"positions", {"-3"}}}}}};
    check_against_model(shape, input);
    Builder b;
    const PortfolioMarginInputs in = read_portfolio_margin_inputs(Inputs(input, "t"), shape);
    const PortfolioMarginCircuit c = portfolio_margin_circuit(b, in);
    const circuit::FixedFormat fmt(pm_frac_bits);
    auto raw = [](const circuit::Signal& s) { return circuit::WideInt::from_fr(s.value()); };
    EXPECT_EQ(raw(c.accounts[0].worst_loss), fmt.parse("1500"));  // 3 * 2000 * 0.25
    EXPECT_EQ(raw(c.accounts[1].worst_loss), fmt.parse("3000"));  // short 3: +50%
    // ceil(1500 * raw(1.3)) at 2^-32: 1.3 is rounded to the grid first.
    EXPECT_EQ(raw(c.accounts[0].initial_margin), fmt.mul(fmt.parse("1500"), fmt.parse("1.3"), circuit::Rounding::ceil));
    EXPECT_EQ(raw(c.accounts[0].mark_to_market), fmt.parse("6100"));
}

TEST(PortfolioMargin, ConstraintCountFormula)
{
    // The default grid's parts, as documented in the header.
    const PortfolioMarginCost cost = portfolio_margin_cost(shape_of(4, 4, 7, 3));
    EXPECT_EQ(cost.grid, 2537u);
    EXPECT_EQ(cost.instrument, 17687u);
    EXPECT_EQ(cost.account, 2738u);
    EXPECT_EQ(cost.total(), 87804u);
    // Built circuits equal the formula across grid shapes, instrument counts (ceil(log2 I) and the
    // 7-per-element packing) and account counts.
    std::mt19937_64 rng(1);
    for (const PortfolioMarginShape& shape :
         {shape_of(1, 1, 1, 1), shape_of(2, 3, 2, 3), shape_of(8, 2, 1, 2), shape_of(3, 5, 4, 1)}) {
        Builder b(Mode::witness_only);
        portfolio_margin_program(shape).build(b, Inputs(random_input(rng, shape), "t"));
        EXPECT_EQ(b.constraint_count(), portfolio_margin_constraint_count(shape));
    }
}

TEST(PortfolioMargin, WitnessOnlyModeGivesTheSameWitness)
{
    std::mt19937_64 rng(2);
    const PortfolioMarginShape shape = shape_of(3, 2, 2, 2);
    const PortfolioMarginInputs in = read_portfolio_margin_inputs(Inputs(random_input(rng, shape), "t"), shape);
    Builder full(Mode::full), fast(Mode::witness_only);
    portfolio_margin_circuit(full, in);
    portfolio_margin_circuit(fast, in);
    EXPECT_EQ(full.values(), fast.values());
    EXPECT_EQ(full.public_values(), fast.public_values());
    EXPECT_EQ(full.constraint_count(), fast.constraint_count());
}

TEST(PortfolioMargin, PublicSignalsMatchNativeCommitments)
{
    std::mt19937_64 rng(3);
    const PortfolioMarginShape shape = shape_of(9, 2, 2, 2);  // 9 positions: 2 packed elements
    const PortfolioMarginInputs in = read_portfolio_margin_inputs(Inputs(random_input(rng, shape), "t"), shape);
    Builder b;
    const PortfolioMarginCircuit c = portfolio_margin_circuit(b, in);
    EXPECT_EQ(b.public_names(), (std::vector<std::string>{"market_commitment", "accounts_commitment",
                                                          "results_commitment"}));
    const std::vector<Fr> market = pm_market_words(in), accounts = pm_account_words(in);
    EXPECT_EQ(market.size(), 4u + 2 + 9 * (4 + 2));
    ASSERT_EQ(accounts.size(), 2u * 3);
    // Positions as 32-bit words q + 2^31, 7 per element.
    Fr first = Fr::zero(), shift = Fr::one();
    for (size_t i = 0; i < 7; ++i, shift *= Fr::from_uint(uint64_t(1) << 32))
        first += Fr::from_int(in.accounts[0].positions[i] + (int64_t(1) << 31)) * shift;
    EXPECT_EQ(accounts[1], first);
    std::vector<Fr> results;
    for (const PmAccountSignals& a : c.accounts)
        results.insert(results.end(), {a.mark_to_market.value(), a.initial_margin.value(), a.maintenance_margin.value(),
                                       a.meets_initial.value() + a.meets_maintenance.value() * Fr::from_uint(2)});
    EXPECT_EQ(b.public_values(), (std::vector<Fr>{circuit::poseidon_commitment(market),
                                                  circuit::poseidon_commitment(accounts),
                                                  circuit::poseidon_commitment(results)}));
}

TEST(PortfolioMargin, TamperedWorstCaseOrResultsFail)
{
    const PortfolioMarginShape shape = shape_of(2, 1, 3, 1);
    const json input = {{"spot", "100"},
                        {"rate", "0.01"},
                        {"initial_margin_factor", "1.5"},
                        {"maintenance_margin_factor", "1"},
                        {"spot_shocks", {"-0.1", "0", "0.1"}},
                        {"instruments",
                         {{{"kind", "call"}, {"strike", "100"}, {"expiry", "0.5"}, {"volatility", "0.5"},
                           {"vol_multipliers", {"1"}}},
                          {{"kind", "perpetual"}}}},
                        {"accounts", {{{"collateral", "50"}, {"positions", {"-10", "4"}}}}}};
    const PortfolioMarginInputs in = read_portfolio_margin_inputs(Inputs(input, "t"), shape);
    Builder b;
    const PortfolioMarginCircuit c = portfolio_margin_circuit(b, in);
    ASSERT_FALSE(b.first_violation(b.values()));
    const PmAccountSignals& acc = c.accounts[0];
    const auto m_wire = Builder::single_wire(acc.min_pnl);
    ASSERT_TRUE(m_wire);
    ASSERT_NE(acc.min_pnl.value(), Fr::zero());  // the short call loses on the way up
    // A smaller claimed loss: any other scenario's P&L, zero, or the minimum plus one ulp.
    for (const circuit::Signal& p : acc.pnl) {
        if (p.value() == acc.min_pnl.value())
            continue;
        std::vector<Fr> tampered = b.values();
        tampered[*m_wire] = p.value();
        EXPECT_TRUE(b.first_violation(tampered));
    }
    for (const Fr& claim : {Fr::zero(), acc.min_pnl.value() + Fr::one(), acc.min_pnl.value() - Fr::one()}) {
        std::vector<Fr> tampered = b.values();
        tampered[*m_wire] = claim;
        EXPECT_TRUE(b.first_violation(tampered));
    }
    // The public outputs are tied to the computation.
    for (uint32_t w : c.output_wires) {
        std::vector<Fr> tampered = b.values();
        tampered[w] += Fr::one();
        EXPECT_TRUE(b.first_violation(tampered));
    }
}

TEST(PortfolioMargin, EveryWireIsConstrained)
{
    // Changing any single wire (the accounts' part: all of them; the repricing: a sample) violates
    // a constraint: no hint is left free.
    const PortfolioMarginShape shape = shape_of(1, 1, 2, 1);
    std::mt19937_64 rng(4);
    const PortfolioMarginInputs in = read_portfolio_margin_inputs(Inputs(random_input(rng, shape), "t"), shape);
    Builder b;
    const PortfolioMarginCircuit c = portfolio_margin_circuit(b, in);
    ASSERT_FALSE(b.first_violation(b.values()));
    size_t checked = 0;
    for (size_t w = 1; w < c.commitments_first_wire; w += w < c.accounts_first_wire ? 17 : 1) {
        std::vector<Fr> tampered = b.values();
        tampered[w] += Fr::one();
        EXPECT_TRUE(b.first_violation(tampered)) << "wire " << w;
        ++checked;
    }
    EXPECT_GT(checked, 500u);
}

TEST(PortfolioMargin, BadInputsNameTheField)
{
    const Program p = portfolio_margin_program(shape_of(4, 3, 2, 3));
    auto error_of = [&](const std::function<void(json&)>& edit) -> std::string {
        json j = p.example_input;
        edit(j);
        std::string model_error;
        try {
            p.reference(Inputs(j, "in.json"));
            ADD_FAILURE() << "accepted";
            return "";
        } catch (const InputError& e) {
            model_error = e.what();
        }
        try {
            Builder b;
            p.build(b, Inputs(j, "in.json"));
            ADD_FAILURE() << "build accepted what the model rejected";
        } catch (const InputError& e) {
            EXPECT_EQ(model_error, e.what());
        }
        return model_error;
    };
    auto expect_error = [&](const std::function<void(json&)>& edit, const std::string& field, const std::string& part) {
        const std::string e = error_of(edit);
        EXPECT_NE(e.find("field \"" + field + "\""), std::string::npos) << e;
        EXPECT_NE(e.find(part), std::string::npos) << e;
    };
    expect_error([](json& j) { j["accounts"][2]["positions"][1] = "2147483648"; }, "accounts[2].positions[1]",
                 "outside [-2147483648, 2147483647]");
    expect_error([](json& j) { j["accounts"][0]["positions"][3] = "1.5"; }, "accounts[0].positions[3]",
                 "not an integer");
    expect_error([](json& j) { j["accounts"][1]["collateral"] = "2e12"; }, "accounts[1].collateral", "outside");
    expect_error([](json& j) { j["accounts"][1]["collateral"] = "12,5"; }, "accounts[1].collateral",
                 "not a decimal number");
    expect_error([](json& j) { j["accounts"][1]["positions"].erase(0); }, "accounts[1].positions",
                 "expected 4 elements, got 3");
    expect_error([](json& j) { j["instruments"][1]["kind"] = "future"; }, "instruments[1].kind",
                 "not one of call, put, perpetual");
    expect_error([](json& j) { j["instruments"][0].erase("strike"); }, "instruments[0].strike", "missing");
    expect_error([](json& j) { j["instruments"][2]["expiry"] = "0"; }, "instruments[2].expiry", "outside");
    expect_error([](json& j) { j["instruments"][0]["volatility"] = "abc"; }, "instruments[0].volatility",
                 "not a decimal number");
    expect_error([](json& j) { j["instruments"][1]["vol_multipliers"][2] = "0.01"; }, "instruments[1].vol_multipliers[2]",
                 "outside");
    expect_error([](json& j) { j["instruments"][3]["strike"] = "100"; }, "instruments[3].strike",
                 "a perpetual takes no option fields");
    expect_error([](json& j) { j["instruments"][0]["strik"] = "100"; }, "instruments[0].strik", "unknown field");
    expect_error([](json& j) { j["spot_shocks"][1] = "-1"; }, "spot_shocks[1]", "outside");
    expect_error([](json& j) { j["spot_shocks"].push_back("0"); }, "spot_shocks", "expected 2 elements, got 3");
    expect_error([](json& j) { j["spot"] = "0"; }, "spot", "outside");
    expect_error([](json& j) { j["rate"] = true; }, "rate", "expected a decimal number");
    expect_error([](json& j) { j.erase("initial_margin_factor"); }, "initial_margin_factor", "missing");
    expect_error([](json& j) { j["maintenance_margin_factor"] = "-1"; }, "maintenance_margin_factor", "outside");
}

}  // namespace
}  // namespace provernet::finance
