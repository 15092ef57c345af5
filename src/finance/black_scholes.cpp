// Black-Scholes batch pricing circuit. See black_scholes.hpp for inputs, domain and public signals.
//
// Per option, with F = kFrac and FS = kSpotFrac (values are raws, x 2^F unless said):
//   n     = floor(S 2^F / K)                 n K + rem = S 2^F, 0 <= rem < K; n in [1/2, 5/2)
//   ln n, y = sqrt(T)                        FixedPoint ln, sqrt
//   v     = round(sigma y), rT = round(r T), qT = round(q T): a product and an F-bit remainder each
//   a     = e^(-qT), E = e^(-rT)             FixedPoint exp
//   d1    = floor(num / 2v), num = 2 ln n + 2 (rT - qT) + v^2 at 2^-2F;  d2 = d1 - v (free)
//   N1, N2 = Phi(d1), Phi(d2)                FixedPoint normal_cdf
//   delta_call = a N1, delta_put = a N1 - a                    (exact products, 2^-2F)
//   call = S a N1 - K E N2, put = K (E - E N2) + S delta_put   (exact products, 2^-(FS + 2F))
//
// Why it is small (about 1,800 constraints per option, against 4,500-5,300 for prototypes at
// this precision; nearly all of any such circuit is range-check bits):
// - Range checks are shared. A hint quotient (n aside) is not range-checked where it is made:
//   only its remainder is. Its bound comes from the gadget that consumes it and decomposes it
//   anyway: exp decomposes its argument (-rT, -qT) into bits, normal_cdf decomposes |d1| and
//   |d2| (x = +-a with a in bits), and so v = d1 - d2 too. Each bound is proven inside the same
//   circuit, so every field equation is an integer equation and every hint is the unique one (the
//   tamper tests change every wire of an option and find each change caught).
// - The outputs are never truncated: delta = a N1 and the prices are exact products at finer
//   scales, committed as such (a truncation would cost a range check as wide as the value). E
//   multiplies K directly, so S/K only feeds ln(S/K).
// - Domain lower bounds are free: a range check on x - lo costs the same as one on x.
// - The strike needs no range check: it is the divisor of S/K, and the division's two remainder
//   checks prove it an integer below 2^70 (every input is thus proven canonical and in range, so
//   the statement holds for a commitment nobody opens).
//
// Error budget (relative to spot): S and K quantization at 2^-45 over S >= 2^-8: 2^-36 (1.5e-11);
// r, q, T, sigma at 2^-37: below 3e-11 through rho, theta and vega; the gadgets (about one ulp,
// 1.5e-11, each) enter a N1 - (K/S) E N2 with weights up to 2; errors in d1 move the price only
// to second order (P(d) = S a N(d) - K E N(d - v) is stationary at the true d1 when d2 = d1 - v
// exactly). The deltas are first order in d1: |error| <= phi(d1) |error of d1|, and the error of d1
// is a few ulps of its numerator over v >= 0.05 sqrt(1/365): at most about 1e-8, for one-day,
// low-volatility, at-the-money options (where delta moves 1e-7 for a 1e-9 move of the spot). The
// tests measure both over thousands of random points and the domain's corners (prices 5e-11 x
// spot, deltas 6e-10 at most).
#include "finance/black_scholes.hpp"

#include "circuit/commitment.hpp"
#include "circuit/gadgets.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace provernet::finance {

using circuit::Builder;
using circuit::ConstraintViolation;
using circuit::Fixed;
using circuit::FixedFormat;
using circuit::FixedPoint;
using circuit::Inputs;
using circuit::Signal;
using circuit::WideInt;
using math::Fr;
using nlohmann::json;

using namespace black_scholes;

namespace {

// ---- Domain ------------------------------------------------------------------------------------

const FixedFormat& main_format() { static const FixedFormat f(kFrac); return f; }
const FixedFormat& spot_format() { static const FixedFormat f(kSpotFrac); return f; }

WideInt pow2(int k) { return WideInt::pow2(k); }
Signal constant(const WideInt& v) { return Builder::constant(v.to_fr()); }

// One day, 1/365 year, rounded to the expiry's scale: the least expiry accepted.
WideInt min_expiry() { return WideInt::floor_div(pow2(kFrac + 1) + WideInt(365), WideInt(730)); }
WideInt min_volatility() { return main_format().parse("0.05"); }

// In-circuit ranges (bits of x - lo): the domain's lower bounds exactly (strike/spot: 0.4), its
// upper bounds up to the next power of two, with the implicit bounds below (2v < 16, |d| < 512,
// rT, qT < 1). Where the circuit accepts more than the domain it still prices accurately.
constexpr int kSpotBits = kSpotFrac + kSpotMaxLog2;   // S - 2^-8 in [0, 2^24)
constexpr int kExpiryBits = kFrac + 2;                // T - 1/365 in [0, 4)
constexpr int kRateBits = kFrac - 2;                  // r, q in [0, 1/4)
constexpr int kVolatilityBits = kFrac + 2;            // sigma - 0.05 in [0, 4)
constexpr int kStrikeBits = kSpotBits + 1;            // K <= 2 S <= 2^25: remainders of S/K
constexpr int kRatioBits = kFrac + 1;                 // S/K - 1/2 in [0, 2)
constexpr int kVolBits = kFrac + 4;                   // 2v < 16: v <= 3 sqrt(3) in the domain
constexpr int kD1IntBits = 9;                         // |d1|, |d2| < 512: at most 265 in the domain

// ---- Parsing -----------------------------------------------------------------------------------

constexpr std::array<const char*, kInputsPerOption> kFieldNames = {"spot", "strike", "expiry", "rate",
                                                                   "volatility", "dividend_yield"};

// A JSON number or decimal string as decimal text (a number: its shortest round-trip form).
std::string decimal_text(const Inputs& in, const json& v, const std::string& field)
{
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_number_integer())
        return v.dump();
    if (v.is_number_float()) {
        const double d = v.get<double>();
        char buf[64];
        const auto res = std::to_chars(buf, buf + sizeof buf, d);
        return std::string(buf, res.ptr);
    }
    in.fail(field, "expected a decimal number (JSON number or string)");
}

WideInt parse_decimal(const Inputs& in, const std::string& text, const FixedFormat& f, const std::string& field)
{
    try {
        return f.parse(text);
    } catch (const std::invalid_argument&) {
        in.fail(field, "\"" + text + "\" is not a decimal number");
    }
}

void check_domain(const Inputs& in, const WideInt& raw, const WideInt& lo, const WideInt& hi, const std::string& text,
                  const std::string& field, const std::string& range)
{
    if (raw < lo || raw > hi)
        in.fail(field, text + " is outside " + range);
}

BlackScholesInput parse_option(const Inputs& in, const json& option, const std::string& name)
{
    if (!option.is_object())
        in.fail(name, "expected an object with spot, strike, expiry, rate, volatility, dividend_yield");
    for (const auto& [key, value] : option.items()) {
        bool known = false;
        for (const char* f : kFieldNames)
            known = known || key == f;
        if (!known)
            in.fail(name + "." + key,
                    "unknown field (expected spot, strike, expiry, rate, volatility, dividend_yield)");
    }
    std::array<std::string, kInputsPerOption> text;
    std::array<WideInt, kInputsPerOption> raw;
    for (size_t i = 0; i < kInputsPerOption; ++i) {
        const std::string field = name + "." + kFieldNames[i];
        const auto it = option.find(kFieldNames[i]);
        if (it == option.end())
            in.fail(field, "missing");
        text[i] = decimal_text(in, *it, field);
        raw[i] = parse_decimal(in, text[i], i < 2 ? spot_format() : main_format(), field);
    }
    BlackScholesInput out;
    out.spot = raw[0];
    out.strike = raw[1];
    out.expiry = raw[2];
    out.rate = raw[3];
    out.volatility = raw[4];
    out.dividend_yield = raw[5];
    const WideInt spot_min = pow2(kSpotFrac + kSpotMinLog2), spot_max = pow2(kSpotFrac + kSpotMaxLog2);
    check_domain(in, out.spot, spot_min, spot_max, text[0], name + ".spot", "[2^-8, 2^24] = [0.00390625, 16777216]");
    // strike / spot in [1/2, 2], exactly on the encoded values: S <= 2K and K <= 2S.
    if (out.spot > out.strike * WideInt(2) || out.strike > out.spot * WideInt(2))
        in.fail(name + ".strike", text[1] + " gives strike/spot = " + text[1] + "/" + text[0] + ", outside [0.5, 2]");
    check_domain(in, out.expiry, min_expiry(), main_format().parse("3"), text[2], name + ".expiry",
                 "[1/365, 3] (years, from one day)");
    check_domain(in, out.rate, WideInt(0), main_format().parse("0.2"), text[3], name + ".rate", "[0, 0.2]");
    check_domain(in, out.volatility, min_volatility(), main_format().parse("3"), text[4], name + ".volatility",
                 "[0.05, 3]");
    check_domain(in, out.dividend_yield, WideInt(0), main_format().parse("0.2"), text[5], name + ".dividend_yield",
                 "[0, 0.2]");
    long double* params[] = {&out.params.spot,       &out.params.strike,     &out.params.expiry,
                             &out.params.rate,       &out.params.volatility, &out.params.dividend_yield};
    for (size_t i = 0; i < kInputsPerOption; ++i)
        *params[i] = std::strtold(text[i].c_str(), nullptr);
    return out;
}

// ---- Circuit helpers ---------------------------------------------------------------------------

// 0 <= s < 2^n: n constraints. Checked natively first so that the error names the check.
void range_check(Builder& b, const Signal& s, int n, const std::string& what)
{
    const WideInt v = WideInt::from_fr(s.value());
    if (v.is_negative() || v.bit_length() > n)
        throw ConstraintViolation("black-scholes: " + what + " is outside the circuit's range");
    circuit::assert_range(b, s, unsigned(n));
}

// q = round(x y / 2^shift) as a new wire: one product and the remainder x y + 2^(shift-1) - q 2^shift
// checked in [0, 2^shift). q itself is NOT range-checked: the caller's consumer must bound it.
Signal rounded_product(Builder& b, const Signal& x, const Signal& y, int shift, const std::string& what)
{
    const Signal product = b.mul(x, y);
    const WideInt half = pow2(shift - 1);
    const WideInt qv = (WideInt::from_fr(product.value()) + half) >> shift;
    const Signal q = b.witness(qv.to_fr());
    range_check(b, product + constant(half) - q * pow2(shift).to_fr(), shift, what + " remainder");
    return q;
}

std::string format_decimal(const WideInt& raw, int scale)
{
    static const WideInt ten12 = [] {
        WideInt t(1);
        for (int i = 0; i < 12; ++i)
            t = t * WideInt(10);
        return t;
    }();
    const WideInt scaled = WideInt::round_shift(raw * ten12, scale);
    const WideInt a = scaled.abs();
    const WideInt whole = WideInt::floor_div(a, ten12);
    std::string frac = (a - whole * ten12).to_decimal();
    frac.insert(0, 12 - frac.size(), '0');
    return (scaled.is_negative() ? "-" : "") + whole.to_decimal() + "." + frac;
}

long double to_value(const WideInt& raw, int scale) { return std::ldexp(raw.to_long_double(), -scale); }

// round(x 2^scale) for scale >= 64.
WideInt from_value(long double x, int scale) { return FixedFormat(64).from_long_double(x) << (scale - 64); }

Fr commitment_of(const std::vector<WideInt>& values)
{
    std::vector<Fr> f;
    f.reserve(values.size());
    for (const WideInt& v : values)
        f.push_back(v.to_fr());
    return circuit::poseidon_commitment(f);
}

json example_input(size_t n_options)
{
    // Reference section 4.1's test vectors, cycled.
    static const std::array<std::array<const char*, kInputsPerOption>, 8> rows = {{
        {"42", "40", "0.5", "0.1", "0.2", "0"},
        {"100", "100", "1", "0.05", "0.2", "0"},
        {"60", "65", "0.25", "0.08", "0.3", "0"},
        {"100", "95", "0.5", "0.1", "0.2", "0.05"},
        {"3000", "3300", "0.019178082191780822", "0", "0.8", "0"},
        {"50", "100", "0.25", "0.03", "0.4", "0"},
        {"100", "120", "2", "0.04", "1", "0"},
        {"2000", "2000", "0.0821917808219178", "0", "0.6", "0"},
    }};
    json options = json::array();
    for (size_t i = 0; i < n_options; ++i) {
        json o;
        for (size_t k = 0; k < kInputsPerOption; ++k)
            o[kFieldNames[k]] = rows[i % rows.size()][k];
        options.push_back(o);
    }
    return json{{"options", options}};
}

}  // namespace

std::vector<WideInt> BlackScholesInput::raws() const
{
    return {spot, strike, expiry, rate, volatility, dividend_yield};
}

std::vector<BlackScholesInput> parse_black_scholes_inputs(const Inputs& in, size_t n_options)
{
    if (!in.has("options"))
        in.fail("options", "missing");
    const json& options = in.json().at("options");
    if (!options.is_array())
        in.fail("options", "expected an array of " + std::to_string(n_options) + " options");
    if (options.size() != n_options)
        in.fail("options", "expected " + std::to_string(n_options) + " options, got " + std::to_string(options.size()));
    std::vector<BlackScholesInput> out;
    out.reserve(n_options);
    for (size_t i = 0; i < n_options; ++i)
        out.push_back(parse_option(in, options[i], "options[" + std::to_string(i) + "]"));
    return out;
}

BlackScholesWires black_scholes_circuit(Builder& b, const BlackScholesInput& in, const std::string& name)
{
    FixedPoint fp(b, kFrac);
    BlackScholesWires w;
    w.spot = b.private_input(name + ".spot", in.spot.to_fr());
    w.strike = b.private_input(name + ".strike", in.strike.to_fr());
    w.expiry = b.private_input(name + ".expiry", in.expiry.to_fr());
    w.rate = b.private_input(name + ".rate", in.rate.to_fr());
    w.volatility = b.private_input(name + ".volatility", in.volatility.to_fr());
    w.dividend_yield = b.private_input(name + ".dividend_yield", in.dividend_yield.to_fr());

    range_check(b, w.spot - constant(pow2(kSpotFrac + kSpotMinLog2)), kSpotBits, name + ".spot");
    range_check(b, w.expiry - constant(min_expiry()), kExpiryBits, name + ".expiry");
    range_check(b, w.rate, kRateBits, name + ".rate");
    range_check(b, w.volatility - constant(min_volatility()), kVolatilityBits, name + ".volatility");
    range_check(b, w.dividend_yield, kRateBits, name + ".dividend_yield");

    // n = floor(S 2^F / K): n K + rem = S 2^F with rem and K - 1 - rem in [0, 2^kStrikeBits);
    // n - 1/2 in [0, 2), so strike/spot in (0.4, 2] in-circuit, and n < 5/2 <= 2^2 for ln. The
    // strike is the divisor so that these checks also prove it canonical: K = rem + 1 +
    // (K - 1 - rem) in [1, 2^(kStrikeBits+1)).
    const WideInt nv = WideInt::floor_div(in.spot << kFrac, in.strike);
    w.spot_over_strike = b.witness(nv.to_fr());
    const Signal n_rem = w.spot * pow2(kFrac).to_fr() - b.mul(w.spot_over_strike, w.strike);
    range_check(b, n_rem, kStrikeBits, name + " spot/strike remainder");
    range_check(b, w.strike - constant(1) - n_rem, kStrikeBits, name + " spot/strike remainder bound");
    range_check(b, w.spot_over_strike - constant(pow2(kFrac - 1)), kRatioBits, name + " strike/spot");
    w.ln_spot_over_strike = fp.ln(Fixed{w.spot_over_strike, 2});

    // T < 1/365 + 4 <= 2^3 by its range check.
    w.sqrt_expiry = fp.sqrt(Fixed{w.expiry, 3});
    w.vol_sqrt_t = rounded_product(b, w.volatility, w.sqrt_expiry.s, kFrac, name + " sigma sqrt(T)");
    w.rate_t = rounded_product(b, w.rate, w.expiry, kFrac, name + " rT");
    w.dividend_t = rounded_product(b, w.dividend_yield, w.expiry, kFrac, name + " qT");
    // exp proves its argument in [-1, 1) by decomposing it: that bounds rT and qT.
    w.disc_rate = fp.exp(Fixed{-w.rate_t, 0});
    w.disc_dividend = fp.exp(Fixed{-w.dividend_t, 0});

    // d1 = floor(num / 2v), num = 2 ln(S/K) + 2 (r - q) T + v^2 at 2^-2F:
    // d1 (2v) + rem = num, 0 <= rem < 2v. d1 and d2 = d1 - v, hence v, are bounded by normal_cdf.
    const Signal& v = w.vol_sqrt_t;
    const Signal num = (w.rate_t - w.dividend_t + w.ln_spot_over_strike.s) * pow2(kFrac + 1).to_fr() + b.mul(v, v);
    const WideInt two_v = WideInt::from_fr(v.value()) * WideInt(2);
    if (two_v.sign() <= 0)
        throw ConstraintViolation("black-scholes: " + name + " sigma sqrt(T) must be positive");
    const WideInt d1v = WideInt::floor_div(WideInt::from_fr(num.value()), two_v);
    w.d1 = b.witness(d1v.to_fr());
    const Signal d1_rem = num - b.mul(w.d1, v * Fr::from_uint(2));
    range_check(b, d1_rem, kVolBits, name + " d1 remainder");
    range_check(b, v * Fr::from_uint(2) - constant(1) - d1_rem, kVolBits, name + " d1 remainder bound");
    // normal_cdf proves |d1| and |d2| below 2^kD1IntBits by decomposing them.
    w.cdf_d1 = fp.normal_cdf(Fixed{w.d1, kD1IntBits});
    w.cdf_d2 = fp.normal_cdf(Fixed{w.d1 - v, kD1IntBits});

    // Results, exact: deltas at 2^-2F, prices at 2^-(FS + 2F).
    const Fr one = pow2(kFrac).to_fr();
    w.delta_call = b.mul(w.disc_dividend.s, w.cdf_d1.s);
    w.delta_put = w.delta_call - w.disc_dividend.s * one;
    const Signal strike_leg = b.mul(w.disc_rate.s, w.cdf_d2.s);  // e^(-rT) N(d2)
    w.call = b.mul(w.spot, w.delta_call) - b.mul(w.strike, strike_leg);
    w.put = b.mul(w.strike, w.disc_rate.s * one - strike_leg) + b.mul(w.spot, w.delta_put);
    return w;
}

long double BlackScholesResult::call_value() const { return to_value(call, kPriceFrac); }
long double BlackScholesResult::put_value() const { return to_value(put, kPriceFrac); }
long double BlackScholesResult::delta_call_value() const { return to_value(delta_call, kDeltaFrac); }
long double BlackScholesResult::delta_put_value() const { return to_value(delta_put, kDeltaFrac); }

BlackScholesResult black_scholes_result(const BlackScholesWires& w)
{
    return {WideInt::from_fr(w.call.value()), WideInt::from_fr(w.put.value()), WideInt::from_fr(w.delta_call.value()),
            WideInt::from_fr(w.delta_put.value())};
}

BlackScholesResult black_scholes_model_result(const BlackScholesParams& p)
{
    const BlackScholesValues v = black_scholes_price(p);
    return {from_value(v.call, kPriceFrac), from_value(v.put, kPriceFrac), from_value(v.delta_call, kDeltaFrac),
            from_value(v.delta_put, kDeltaFrac)};
}

json black_scholes_result_json(const std::vector<BlackScholesResult>& results, const Fr& inputs_commitment,
                               const Fr& results_commitment)
{
    json options = json::array();
    for (const BlackScholesResult& r : results) {
        options.push_back({{"call", format_decimal(r.call, kPriceFrac)},
                           {"put", format_decimal(r.put, kPriceFrac)},
                           {"delta_call", format_decimal(r.delta_call, kDeltaFrac)},
                           {"delta_put", format_decimal(r.delta_put, kDeltaFrac)},
                           {"raw",
                            {{"call", r.call.to_decimal()},
                             {"put", r.put.to_decimal()},
                             {"delta_call", r.delta_call.to_decimal()},
                             {"delta_put", r.delta_put.to_decimal()}}}});
    }
    return json{{"options", options},
                {"inputs_commitment", inputs_commitment.to_decimal()},
                {"results_commitment", results_commitment.to_decimal()}};
}

Fr black_scholes_inputs_commitment(const std::vector<BlackScholesInput>& inputs)
{
    std::vector<WideInt> raws;
    for (const BlackScholesInput& in : inputs)
        for (const WideInt& r : in.raws())
            raws.push_back(r);
    return commitment_of(raws);
}

Fr black_scholes_results_commitment(const std::vector<BlackScholesResult>& results)
{
    std::vector<WideInt> raws;
    for (const BlackScholesResult& r : results)
        for (const WideInt& v : {r.call, r.put, r.delta_call, r.delta_put})
            raws.push_back(v);
    return commitment_of(raws);
}

Program black_scholes_program(size_t n_options)
{
    if (n_options == 0)
        throw std::invalid_argument("black_scholes_program: at least one option");
    Program p;
    p.name = "black-scholes-" + std::to_string(n_options);
    p.description = "Black-Scholes call, put and deltas of " + std::to_string(n_options) +
                    " European option(s) with dividend yield, within 1e-9 x spot";
    p.build = [n_options](Builder& b, const Inputs& in) {
        const std::vector<BlackScholesInput> inputs = parse_black_scholes_inputs(in, n_options);
        std::vector<Signal> input_wires, result_wires;
        input_wires.reserve(kInputsPerOption * n_options);
        result_wires.reserve(kResultsPerOption * n_options);
        std::vector<BlackScholesResult> results;
        for (size_t i = 0; i < n_options; ++i) {
            const BlackScholesWires w = black_scholes_circuit(b, inputs[i], "options[" + std::to_string(i) + "]");
            for (const Signal* s : {&w.spot, &w.strike, &w.expiry, &w.rate, &w.volatility, &w.dividend_yield})
                input_wires.push_back(*s);
            for (const Signal* s : {&w.call, &w.put, &w.delta_call, &w.delta_put})
                result_wires.push_back(*s);
            results.push_back(black_scholes_result(w));
        }
        const Signal inputs_commitment = circuit::poseidon_commitment(b, input_wires);
        const Signal results_commitment = circuit::poseidon_commitment(b, result_wires);
        b.public_output("inputs_commitment", inputs_commitment);
        b.public_output("results_commitment", results_commitment);
        return black_scholes_result_json(results, inputs_commitment.value(), results_commitment.value());
    };
    p.reference = [n_options](const Inputs& in) {
        const std::vector<BlackScholesInput> inputs = parse_black_scholes_inputs(in, n_options);
        std::vector<BlackScholesResult> results;
        for (const BlackScholesInput& i : inputs)
            results.push_back(black_scholes_model_result(i.params));
        return black_scholes_result_json(results, black_scholes_inputs_commitment(inputs),
                                         black_scholes_results_commitment(results));
    };
    p.bound_public_signals = [n_options](const Inputs& in) {
        return std::vector<std::pair<size_t, Fr>>{
            {0, black_scholes_inputs_commitment(parse_black_scholes_inputs(in, n_options))}};
    };
    p.example_input = example_input(n_options);
    const auto scale = [](int k) { return "2^-" + std::to_string(k); };
    p.public_signals =
        "inputs_commitment: poseidon_commitment of the 6 N input raws (per option: spot, strike at " +
        scale(kSpotFrac) + "; expiry, rate, volatility, dividend_yield at " + scale(kFrac) +
        "; each the exact decimal rounded to nearest), binding the proof to the requested options; "
        "results_commitment: poseidon_commitment of the 4 N results (per option: call, put at " +
        scale(kPriceFrac) + ", delta_call, delta_put at " + scale(kDeltaFrac) +
        "; exact integers, negatives as r - |x|), which a contract recomputes from the result's raw values";
    return p;
}

}  // namespace provernet::finance
