#include "finance/black_scholes.hpp"

#include "circuit/commitment.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

namespace provernet::finance {
namespace {

using circuit::Builder;
using circuit::ConstraintViolation;
using circuit::FixedFormat;
using circuit::InputError;
using circuit::Inputs;
using circuit::Mode;
using circuit::WideInt;
using math::Fr;
using nlohmann::json;
using namespace black_scholes;

// Reference section 4.1: S, K, T, r, sigma, q; d1, d2, call, put, delta_call, delta_put (NaN:
// not tabulated). T = 7/365 and 30/365 are written with 17 digits for the circuit.
struct TableRow {
    const char* in[6];
    long double d1, d2, call, put, delta_call, delta_put;
};
constexpr long double kNone = NAN;
const TableRow kTable[] = {
    {{"42", "40", "0.5", "0.1", "0.2", "0"}, 0.769262628106L, 0.627841271869L, 4.759422392872L, 0.808599372900L,
     0.779131290943L, -0.220868709057L},
    {{"100", "100", "1", "0.05", "0.2", "0"}, 0.35L, 0.15L, 10.450583572186L, 5.573526022257L, 0.636830651176L,
     -0.363169348824L},
    {{"60", "65", "0.25", "0.08", "0.3", "0"}, -0.325284717824L, -0.475284717824L, 2.133368444916L, 5.846282209855L,
     0.372482797962L, -0.627517202038L},
    {{"100", "95", "0.5", "0.1", "0.2", "0.05"}, 0.610185736324L, 0.468764380086L, 9.628983522021L, 2.464787646756L,
     0.711128312392L, -0.264181599636L},
    {{"3000", "3300", "0.019178082191780822", "0", "0.8", "0"}, -0.804899662450L, -0.915687624805L, 37.595624813100L,
     337.595624813100L, 0.210438791606L, -0.789561208394L},
    {{"50", "100", "0.25", "0.03", "0.4", "0"}, -3.328235902800L, -3.528235902800L, 0.001088788934L, 49.253894270848L,
     kNone, kNone},
    {{"100", "120", "2", "0.04", "1", "0"}, 0.634754514516L, -0.779459047857L, 49.587947825130L, 60.361909391526L,
     kNone, kNone},
    {{"2000", "2000", "0.0821917808219178", "0", "0.6", "0"}, 0.086007326862L, -0.086007326862L, 137.078814365071L,
     137.078814365071L, 0.534269703591L, -0.465730296409L},
};

constexpr const char* kFields[6] = {"spot", "strike", "expiry", "rate", "volatility", "dividend_yield"};

json option_json(const std::array<std::string, 6>& v)
{
    json o;
    for (size_t i = 0; i < 6; ++i)
        o[kFields[i]] = v[i];
    return o;
}

json batch(std::vector<json> options) { return json{{"options", options}}; }

BlackScholesInput parse_one(const json& option)
{
    return parse_black_scholes_inputs(Inputs(batch({option}), "test"), 1)[0];
}

BlackScholesInput parse_row(const TableRow& row)
{
    return parse_one(option_json({row.in[0], row.in[1], row.in[2], row.in[3], row.in[4], row.in[5]}));
}

// Errors of one option priced by the circuit against the long double model of the same decimals.
struct Errors {
    long double price = 0;  // max(|call error|, |put error|) / spot
    long double delta = 0;  // max(|delta_call error|, |delta_put error|)
};

Errors measure(const BlackScholesInput& in, Mode mode = Mode::witness_only)
{
    Builder b(mode);
    const BlackScholesResult r = black_scholes_result(black_scholes_circuit(b, in, "o"));
    const BlackScholesValues ref = black_scholes_price(in.params);
    Errors e;
    e.price = std::max(std::fabs(r.call_value() - ref.call), std::fabs(r.put_value() - ref.put)) / in.params.spot;
    e.delta =
        std::max(std::fabs(r.delta_call_value() - ref.delta_call), std::fabs(r.delta_put_value() - ref.delta_put));
    return e;
}

std::string decimal(double x)
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.12g", x);
    return buf;
}

// A random option of the domain: spot, strike/spot, expiry and volatility log-uniform, rates uniform.
json random_option(std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> u(0, 1);
    const auto log_uniform = [&](double lo, double hi) { return lo * std::pow(hi / lo, u(rng)); };
    const double spot = log_uniform(std::ldexp(1.0, -8), std::ldexp(1.0, 24));
    return option_json({decimal(spot), decimal(spot * log_uniform(0.500001, 1.999999)),
                        decimal(log_uniform(1.0001 / 365, 3)), decimal(0.2 * u(rng)), decimal(log_uniform(0.05, 3)),
                        decimal(0.2 * u(rng))});
}

// ---- The model ---------------------------------------------------------------------------------

TEST(BlackScholesModel, MatchesReferenceTable)
{
    for (const TableRow& row : kTable) {
        const BlackScholesInput in = parse_row(row);
        const BlackScholesValues v = black_scholes_price(in.params);
        SCOPED_TRACE(std::string("S=") + row.in[0] + " K=" + row.in[1]);
        EXPECT_NEAR(double(v.d1), double(row.d1), 1e-12);
        EXPECT_NEAR(double(v.d2), double(row.d2), 1e-12);
        EXPECT_NEAR(double(v.call), double(row.call), 1e-12);
        EXPECT_NEAR(double(v.put), double(row.put), 1e-12);
        if (!std::isnan(row.delta_call)) {
            EXPECT_NEAR(double(v.delta_call), double(row.delta_call), 1e-12);
            EXPECT_NEAR(double(v.delta_put), double(row.delta_put), 1e-12);
        }
        // Parity with dividends: C - P = S e^(-qT) - K e^(-rT).
        const auto& p = in.params;
        EXPECT_NEAR(double(v.call - v.put),
                    double(p.spot * std::exp(-p.dividend_yield * p.expiry) - p.strike * std::exp(-p.rate * p.expiry)),
                    1e-15 * double(p.spot));
    }
}

TEST(BlackScholesModel, NormalCdfMatchesReferenceValues)
{
    const std::pair<long double, long double> values[] = {
        {-3, 0.00134989803163009453L}, {-1.96L, 0.02499789514822043414L}, {-1, 0.15865525393145705141L},
        {-0.5L, 0.30853753872598689636L}, {0, 0.5L}, {0.5L, 0.69146246127401310364L},
        {1, 0.84134474606854294859L}, {1.96L, 0.97500210485177956586L}, {3, 0.99865010196836990547L},
        {5, 0.99999971334842812081L}};
    for (const auto& [x, phi] : values)
        EXPECT_LT(std::fabs(standard_normal_cdf(x) - phi), 1e-18L) << double(x);
}

TEST(BlackScholesModel, RejectsDegenerateParameters)
{
    EXPECT_THROW(black_scholes_price({42, 40, 0, 0.1L, 0.2L, 0}), std::invalid_argument);
    EXPECT_THROW(black_scholes_price({42, 40, 0.5L, 0.1L, 0, 0}), std::invalid_argument);
}

// ---- Accuracy of the circuit -------------------------------------------------------------------

TEST(BlackScholesCircuit, TextbookCases)
{
    for (const TableRow& row : kTable) {
        const BlackScholesInput in = parse_row(row);
        Builder b;
        const BlackScholesResult r = black_scholes_result(black_scholes_circuit(b, in, "o"));
        EXPECT_FALSE(b.first_violation(b.values()));
        const long double spot = in.params.spot;
        SCOPED_TRACE(std::string("S=") + row.in[0] + " K=" + row.in[1]);
        EXPECT_LE(std::fabs(r.call_value() - row.call), 1e-9L * spot);
        EXPECT_LE(std::fabs(r.put_value() - row.put), 1e-9L * spot);
        if (!std::isnan(row.delta_call)) {
            EXPECT_LE(std::fabs(r.delta_call_value() - row.delta_call), 1e-9L);
            EXPECT_LE(std::fabs(r.delta_put_value() - row.delta_put), 1e-9L);
        }
        std::printf("  S=%-5s K=%-5s call %.12Lf (table %.12Lf), put %.12Lf (table %.12Lf)\n", row.in[0], row.in[1],
                    r.call_value(), row.call, r.put_value(), row.put);
    }
}

TEST(BlackScholesCircuit, HullExampleReadableResult)
{
    const Program p = black_scholes_program(1);
    Builder b;
    const json out = p.build(b, Inputs(batch({option_json({"42", "40", "0.5", "0.1", "0.2", "0"})}), "hull"));
    const json& o = out["options"][0];
    // 12 decimals of the circuit's exact values; the true values are 4.759422392872 and
    // 0.808599372900, and the circuit is within 1e-9 x 42.
    EXPECT_NEAR(std::stod(o["call"].get<std::string>()), 4.759422392872, 42e-9);
    EXPECT_NEAR(std::stod(o["put"].get<std::string>()), 0.808599372900, 42e-9);
    EXPECT_NEAR(std::stod(o["delta_call"].get<std::string>()), 0.779131290943, 1e-9);
    EXPECT_NEAR(std::stod(o["delta_put"].get<std::string>()), -0.220868709057, 1e-9);
    EXPECT_EQ(o["call"].get<std::string>().size(), std::string("4.759422392872").size());
    EXPECT_EQ(o["delta_put"].get<std::string>().substr(0, 6), "-0.220");
}

TEST(BlackScholesCircuit, RandomPointsWithinOneNanoSpot)
{
    std::mt19937_64 rng(20240611);
    const int points = 3000;
    Errors worst;
    for (int i = 0; i < points; ++i) {
        const Errors e = measure(parse_one(random_option(rng)));
        worst.price = std::max(worst.price, e.price);
        worst.delta = std::max(worst.delta, e.delta);
    }
    std::printf("  %d random options: max |price error| / spot = %.3Le, max |delta error| = %.3Le\n", points,
                worst.price, worst.delta);
    EXPECT_LE(worst.price, 1e-9L);
    EXPECT_LE(worst.delta, 1e-8L);
}

// Every corner of the domain (strike/spot at 1/2, 1 and 2): the extremes of every bound the
// circuit declares (|d1| up to 265, v from 0.0026 to 5.2, rT up to 0.6).
TEST(BlackScholesCircuit, DomainCorners)
{
    const std::array<std::vector<std::string>, 6> edges = {{
        {"0.00390625", "16777216"},
        {"0.5", "1", "2"},  // strike / spot
        {"0.0027397260273972603", "3"},
        {"0", "0.2"},
        {"0.05", "3"},
        {"0", "0.2"},
    }};
    Errors worst;
    size_t corners = 0;
    for (const auto& s : edges[0])
        for (const auto& m : edges[1])
            for (const auto& t : edges[2])
                for (const auto& r : edges[3])
                    for (const auto& v : edges[4])
                        for (const auto& q : edges[5]) {
                            const std::string k = decimal(std::stod(s) * std::stod(m));
                            const Errors e = measure(parse_one(option_json({s, k, t, r, v, q})));
                            worst.price = std::max(worst.price, e.price);
                            worst.delta = std::max(worst.delta, e.delta);
                            ++corners;
                        }
    std::printf("  %zu corners: max |price error| / spot = %.3Le, max |delta error| = %.3Le\n", corners, worst.price,
                worst.delta);
    EXPECT_LE(worst.price, 1e-9L);
    EXPECT_LE(worst.delta, 1e-8L);
}

// The circuit accepts somewhat more than the domain (upper bounds up to the next power of two);
// there it is either unsatisfiable or still accurate, never wrong.
TEST(BlackScholesCircuit, AccurateWhereTheCircuitExceedsTheDomain)
{
    const std::array<std::string, 6> cases[] = {
        {"100", "41", "3.9", "0.24", "3.9", "0"},
        {"100", "100", "4", "0.24", "0.05", "0.24"},
        {"100", "40.1", "0.0027397260273972603", "0", "0.05", "0.24"},
        {"100", "200", "0.0027397260273972603", "0.24", "0.05", "0"},
    };
    for (const auto& c : cases) {
        BlackScholesInput in = parse_one(option_json({"100", "100", "1", "0", "0.2", "0"}));
        const FixedFormat f(kFrac), fs(kSpotFrac);
        in.spot = fs.parse(c[0]);
        in.strike = fs.parse(c[1]);
        in.expiry = f.parse(c[2]);
        in.rate = f.parse(c[3]);
        in.volatility = f.parse(c[4]);
        in.dividend_yield = f.parse(c[5]);
        in.params = {std::stold(c[0]), std::stold(c[1]), std::stold(c[2]), std::stold(c[3]), std::stold(c[4]),
                     std::stold(c[5])};
        const Errors e = measure(in, Mode::full);
        EXPECT_LE(e.price, 1e-9L) << c[1];
        EXPECT_LE(e.delta, 1e-8L) << c[1];
    }
}

// ---- Domain ------------------------------------------------------------------------------------

std::string error_of(const json& option, size_t n = 1, size_t bad_index = 0)
{
    std::vector<json> options(n, option_json({"42", "40", "0.5", "0.1", "0.2", "0"}));
    options[bad_index] = option;
    const Inputs in(batch(options), "in.json");
    const Program p = black_scholes_program(n);
    std::string build_error, reference_error;
    try {
        Builder b;
        p.build(b, in);
    } catch (const InputError& e) {
        build_error = e.what();
    }
    try {
        p.reference(in);
    } catch (const InputError& e) {
        reference_error = e.what();
    }
    EXPECT_EQ(build_error, reference_error);
    return build_error;
}

TEST(BlackScholesInputs, OutOfDomainRejectedNamingTheField)
{
    const std::array<std::string, 6> ok = {"42", "40", "0.5", "0.1", "0.2", "0"};
    struct Bad {
        size_t field;
        std::string value, expected;
    };
    const Bad bad[] = {
        {0, "0.0039", "options[2].spot\": 0.0039 is outside"},
        {0, "16777217", "options[2].spot\": 16777217 is outside"},
        {1, "19", "options[2].strike\": 19 gives strike/spot = 19/42, outside [0.5, 2]"},
        {1, "84.0001", "options[2].strike\""},
        {2, "0.0027", "options[2].expiry\": 0.0027 is outside [1/365, 3]"},
        {2, "3.01", "options[2].expiry\": 3.01 is outside"},
        {3, "-0.01", "options[2].rate\": -0.01 is outside [0, 0.2]"},
        {3, "0.21", "options[2].rate\": 0.21 is outside [0, 0.2]"},
        {4, "3.5", "options[2].volatility\": 3.5 is outside [0.05, 3]"},
        {4, "0.049", "options[2].volatility\": 0.049 is outside [0.05, 3]"},
        {5, "-0.001", "options[2].dividend_yield\": -0.001 is outside [0, 0.2]"},
        {5, "0.2000001", "options[2].dividend_yield\": 0.2000001 is outside"},
        {4, "abc", "options[2].volatility\": \"abc\" is not a decimal number"},
        {4, "", "options[2].volatility\": \"\" is not a decimal number"},
    };
    for (const Bad& b : bad) {
        std::array<std::string, 6> v = ok;
        v[b.field] = b.value;
        const std::string err = error_of(option_json(v), 4, 2);
        EXPECT_NE(err.find(b.expected), std::string::npos) << err;
        EXPECT_EQ(err.rfind("in.json: ", 0), 0u) << err;
    }
    // The bounds themselves are in the domain.
    const std::array<std::string, 6> bounds[] = {{"0.00390625", "0.0078125", "3", "0.2", "3", "0.2"},
                                                 {"16777216", "8388608", "0.0027397260273972603", "0", "0.05", "0"}};
    for (const auto& v : bounds)
        EXPECT_EQ(error_of(option_json(v)), "");
}

TEST(BlackScholesInputs, MalformedInputsRejected)
{
    json missing = option_json({"42", "40", "0.5", "0.1", "0.2", "0"});
    missing.erase("rate");
    EXPECT_NE(error_of(missing).find("options[0].rate\": missing"), std::string::npos);
    json extra = option_json({"42", "40", "0.5", "0.1", "0.2", "0"});
    extra["volatilty"] = "0.2";
    EXPECT_NE(error_of(extra).find("options[0].volatilty\": unknown field"), std::string::npos);
    EXPECT_NE(error_of(json::array()).find("options[0]\": expected an object"), std::string::npos);
    json wrong_type = option_json({"42", "40", "0.5", "0.1", "0.2", "0"});
    wrong_type["spot"] = true;
    EXPECT_NE(error_of(wrong_type).find("options[0].spot\": expected a decimal number"), std::string::npos);

    const Program p = black_scholes_program(2);
    Builder b;
    EXPECT_THROW(
        {
            try {
                p.build(b, Inputs(batch({option_json({"42", "40", "0.5", "0.1", "0.2", "0"})}), "in.json"));
            } catch (const InputError& e) {
                EXPECT_NE(std::string(e.what()).find("\"options\": expected 2 options, got 1"), std::string::npos);
                throw;
            }
        },
        InputError);
    EXPECT_THROW(p.build(b, Inputs(json{{"options", "none"}}, "in.json")), InputError);
    EXPECT_THROW(p.build(b, Inputs(json::object(), "in.json")), InputError);
}

TEST(BlackScholesInputs, JsonNumbersReadAsTheirShortestDecimal)
{
    const json numbers = {{"spot", 42},  {"strike", 40},     {"expiry", 0.5},
                          {"rate", 0.1}, {"volatility", 0.2}, {"dividend_yield", 0}};
    const BlackScholesInput a = parse_one(numbers);
    const BlackScholesInput b = parse_one(option_json({"42", "40", "0.5", "0.1", "0.2", "0"}));
    EXPECT_EQ(a.raws(), b.raws());
    EXPECT_EQ(a.rate, FixedFormat(kFrac).parse("0.1"));
    EXPECT_EQ(a.params.rate, 0.1L);  // the decimal 0.1, not the double nearest to it
}

// The in-circuit checks reject what the parser would (for a prover that skips the parser): the
// domain's lower bounds exactly, its upper bounds (and strike/spot below 0.4) where accuracy
// would end. ConstraintViolation while building: no witness exists.
TEST(BlackScholesCircuit, CircuitRejectsValuesOutsideItsRanges)
{
    const FixedFormat f(kFrac), fs(kSpotFrac);
    const BlackScholesInput ok = parse_one(option_json({"42", "40", "0.5", "0.1", "0.2", "0"}));
    std::vector<BlackScholesInput> bad(12, ok);
    bad[0].spot = fs.parse("0.0039");
    bad[0].strike = fs.parse("0.004");
    bad[1].strike = fs.parse("84.01");  // strike/spot > 2
    bad[2].strike = fs.parse("16.7");   // strike/spot < 0.4
    bad[3].strike = fs.parse("-40");    // not canonical: p - 40 2^44
    bad[4].expiry = f.parse("0.0027");
    bad[5].rate = f.parse("-0.0001");
    bad[6].volatility = f.parse("0.0499");
    bad[7].dividend_yield = f.parse("-0.0001");
    bad[8].volatility = f.parse("4.1");
    bad[9].expiry = f.parse("4.1");
    bad[10].rate = f.parse("0.26");
    bad[11].dividend_yield = f.parse("0.26");
    for (const BlackScholesInput& in : bad) {
        for (Mode mode : {Mode::full, Mode::witness_only}) {
            Builder b(mode);
            EXPECT_THROW(black_scholes_circuit(b, in, "o"), ConstraintViolation);
        }
    }
}

// ---- Constraints and witness -------------------------------------------------------------------

TEST(BlackScholesCircuit, ConstraintsPerOption)
{
    Builder one;
    black_scholes_circuit(one, parse_one(option_json({"42", "40", "0.5", "0.1", "0.2", "0"})), "o");
    std::printf("  pricing one option: %zu constraints\n", one.constraint_count());
    EXPECT_EQ(one.constraint_count(), 1819u);
    for (size_t n : {1, 16}) {
        const Program p = black_scholes_program(n);
        Builder b;
        p.build(b, Inputs(p.example_input, "example"));
        const double per_option = double(b.constraint_count()) / double(n);
        std::printf("  %s: %zu constraints, %.1f per option\n", p.name.c_str(), b.constraint_count(), per_option);
        EXPECT_LE(per_option, 3000.0);
        EXPECT_FALSE(b.first_violation(b.values()));
        EXPECT_EQ(b.public_names(), (std::vector<std::string>{"inputs_commitment", "results_commitment"}));
    }
}

TEST(BlackScholesCircuit, WitnessOnlyMatchesFull)
{
    const Program p = black_scholes_program(3);
    const Inputs in(p.example_input, "example");
    Builder full(Mode::full), fast(Mode::witness_only);
    const json a = p.build(full, in), c = p.build(fast, in);
    EXPECT_EQ(a, c);
    EXPECT_EQ(full.values(), fast.values());
    EXPECT_EQ(full.wire_count(), fast.wire_count());
}

// Every wire of an option's circuit is pinned: adding 1 to any one of them (hint, bit, product
// or input) violates a constraint. d1 != 0 here, so the sign bits of normal_cdf are determined.
TEST(BlackScholesCircuit, EveryWireIsConstrained)
{
    Builder b;
    black_scholes_circuit(b, parse_one(option_json({"100", "95", "0.5", "0.1", "0.2", "0.05"})), "o");
    ASSERT_FALSE(b.first_violation(b.values()));
    size_t caught = 0;
    std::vector<Fr> values = b.values();
    for (size_t wire = 1; wire < values.size(); ++wire) {
        const Fr saved = values[wire];
        values[wire] = saved + Fr::one();
        if (b.first_violation(values))
            ++caught;
        else
            ADD_FAILURE() << "wire " << wire << " is unconstrained";
        values[wire] = saved;
    }
    EXPECT_EQ(caught, values.size() - 1);
}

TEST(BlackScholesCircuit, TamperedHintsFail)
{
    Builder b;
    const BlackScholesWires w = black_scholes_circuit(b, parse_row(kTable[0]), "o");
    for (const circuit::Signal* s :
         {&w.spot_over_strike, &w.vol_sqrt_t, &w.rate_t, &w.dividend_t, &w.d1, &w.delta_call}) {
        const auto wire = Builder::single_wire(*s);
        ASSERT_TRUE(wire);
        for (const Fr& delta : {Fr::one(), -Fr::one(), Fr::from_uint(uint64_t(1) << 40)}) {
            std::vector<Fr> values = b.values();
            values[*wire] += delta;
            EXPECT_TRUE(b.first_violation(values));
        }
    }
}

// ---- Program -----------------------------------------------------------------------------------

TEST(BlackScholesProgram, CommitmentsMatchNativeRecomputation)
{
    const Program p = black_scholes_program(3);
    const Inputs in(p.example_input, "example");
    Builder b;
    const json out = p.build(b, in);
    // inputs_commitment from the decimals alone, as a requester would: spot and strike at
    // 2^-kSpotFrac, the rest at 2^-kFrac, option by option.
    std::vector<Fr> raws;
    for (const json& o : p.example_input["options"])
        for (size_t i = 0; i < 6; ++i)
            raws.push_back(FixedFormat(i < 2 ? kSpotFrac : kFrac).parse(o[kFields[i]].get<std::string>()).to_fr());
    EXPECT_EQ(out["inputs_commitment"], circuit::poseidon_commitment(raws).to_decimal());
    // results_commitment from the result's raw integers, as a contract would.
    std::vector<Fr> results;
    for (const json& o : out["options"])
        for (const char* k : {"call", "put", "delta_call", "delta_put"})
            results.push_back(WideInt::from_decimal(o["raw"][k].get<std::string>())->to_fr());
    EXPECT_EQ(out["results_commitment"], circuit::poseidon_commitment(results).to_decimal());
    // And they are the public signals.
    const std::vector<Fr> pub = b.public_values();
    ASSERT_EQ(pub.size(), 2u);
    EXPECT_EQ(pub[0].to_decimal(), out["inputs_commitment"]);
    EXPECT_EQ(pub[1].to_decimal(), out["results_commitment"]);
    // The raw integers mean the printed decimals.
    for (const json& o : out["options"]) {
        const long double call = WideInt::from_decimal(o["raw"]["call"].get<std::string>())->to_long_double();
        EXPECT_NEAR(double(std::ldexp(call, -kPriceFrac)), std::stod(o["call"].get<std::string>()), 1e-12);
    }
}

TEST(BlackScholesProgram, ReferenceAgreesWithCircuit)
{
    const Program p = black_scholes_program(8);
    const Inputs in(p.example_input, "example");
    Builder b(Mode::witness_only);
    const json circuit = p.build(b, in), model = p.reference(in);
    EXPECT_EQ(circuit["inputs_commitment"], model["inputs_commitment"]);
    ASSERT_EQ(circuit["options"].size(), 8u);
    ASSERT_EQ(model["options"].size(), 8u);
    for (size_t i = 0; i < 8; ++i) {
        const json &c = circuit["options"][i], &m = model["options"][i];
        const double spot = std::stod(p.example_input["options"][i]["spot"].get<std::string>());
        EXPECT_EQ(c.size(), m.size());
        for (const char* k : {"call", "put"})
            EXPECT_NEAR(std::stod(c[k].get<std::string>()), std::stod(m[k].get<std::string>()), 1e-9 * spot + 1e-12);
        for (const char* k : {"delta_call", "delta_put"})
            EXPECT_NEAR(std::stod(c[k].get<std::string>()), std::stod(m[k].get<std::string>()), 1e-9);
    }
}

TEST(BlackScholesProgram, NamesAndExampleInputs)
{
    for (size_t n : {1, 16, 64}) {
        const Program p = black_scholes_program(n);
        EXPECT_EQ(p.name, "black-scholes-" + std::to_string(n));
        EXPECT_EQ(p.example_input["options"].size(), n);
        EXPECT_NE(p.public_signals.find("inputs_commitment"), std::string::npos);
        Builder b(Mode::witness_only);
        EXPECT_NO_THROW(p.build(b, Inputs(p.example_input, "example")));
    }
    EXPECT_THROW(black_scholes_program(0), std::invalid_argument);
}

}  // namespace
}  // namespace provernet::finance
