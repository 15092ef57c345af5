#include "finance/portfolio_margin.hpp"

#include "circuit/commitment.hpp"
#include "circuit/fixed_point.hpp"
#include "circuit/gadgets.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace provernet::finance {

using circuit::Builder;
using circuit::ConstraintViolation;
using circuit::Fixed;
using circuit::FixedFormat;
using circuit::FixedPoint;
using circuit::Rounding;
using circuit::Signal;
using circuit::WideInt;
using math::Fr;
using nlohmann::json;

namespace {

constexpr int F = pm_frac_bits;

// Proven magnitude bounds (|x| < 2^bits) of the inputs, from the domain of
// portfolio_margin_model.hpp.
constexpr int kSpotBits = 20;        // spot, strike <= 1e6
constexpr int kRateBits = 0;         // |r| <= 0.25
constexpr int kFactorBits = 4;       // factors <= 10
constexpr int kShockBits = 1;        // -0.5 <= u <= 1
constexpr int kParamBits = 3;        // expiry <= 5, volatility <= 5, multipliers <= 5
constexpr int kCollateralBits = 40;  // |c| <= 1e12
constexpr int kPositionBits = 32;    // q + 2^31 in 32 bits
constexpr size_t kPositionsPerElement = 7;

// Declared bounds of intermediate values (each range-checked by its gadget).
constexpr int kShockedSpotBits = 21;  // S (1 + u) <= 2e6
constexpr int kRateTimeBits = 1;      // |r T| <= 1.25
constexpr int kDiscountedBits = 22;   // K e^(-rT) <= 3.5e6
constexpr int kSigmaBits = 5;         // sigma m <= 25
constexpr int kStdDevBits = 6;        // a = sigma m sqrt T <= 56
constexpr int kInverseBits = 15;      // 1 / a <= 19245
constexpr int kHalfStdDevBits = 5;    // a / 2 <= 28
constexpr int kD1Bits = 19;           // |x / a| <= 20.4 * 19245
constexpr int kValueBits = 22;        // 0 <= V <= 3.5e6

// Worst-case widths of the account figures, see the header.
int pnl_bits(size_t instruments) { return 54 + int(ceil_log2(instruments)); }  // |P&L| <= I 2^54
int diff_bits(size_t instruments) { return F + pnl_bits(instruments) + 2; }    // n_d
int margin_bits(size_t instruments) { return pnl_bits(instruments) + 2 + kFactorBits; }
int flag_bits(size_t instruments) { return F + margin_bits(instruments) + 1; }  // w

Fr pow2_fr(int k) { return WideInt::pow2(k).to_fr(); }

Fixed fixed_input(FixedPoint& fp, const std::string& name, const Decimal& d, int bits)
{
    return fp.private_input(name, fp.format().parse(d.text), bits);
}

// round(t / 2^F) (ties up) for an exact product sum t at scale 2^2F, with |result| < 2^bits
// (result at scale 2^F): the quotient and remainder are hints, range-checked to F + bits + 1 and F
// bits; t + 2^(F-1) = q 2^F + r holds over the integers since both sides stay far below p.
Signal round_product(Builder& b, const Signal& t, int bits, const char* what)
{
    const WideInt tv = WideInt::from_fr(t.value());
    const WideInt qv = WideInt::round_shift(tv, F);
    const int n = F + bits;
    if (!(qv >= -WideInt::pow2(n) && qv < WideInt::pow2(n)))
        throw ConstraintViolation(std::string(what) + ": the value exceeds its bound 2^" + std::to_string(bits));
    const Signal offset_q = b.witness((qv + WideInt::pow2(n)).to_fr());
    circuit::to_bits(b, offset_q, unsigned(n) + 1);
    const Signal q = offset_q - Builder::constant(pow2_fr(n));
    circuit::to_bits(b, t + Builder::constant(pow2_fr(F - 1)) - q * pow2_fr(F), unsigned(F));
    return q;
}

// The spot axis of the grid: per shock (and the unshocked mark) ln(1 + u) and S (1 + u).
struct SpotEntry {
    Fixed log_move, spot;
};

// The volatility axis of one instrument: per multiplier (and the mark's sigma).
struct VolEntry {
    Fixed std_dev, inverse, half;  // a = sigma' sqrt T, 1 / a, a / 2
};

struct Market {
    Fixed imf, mmf;
    std::vector<Signal> words;  // the committed market values
};

// Reprices instrument i under every scenario and at the mark: returns {V(0..N-1), V(mark)}.
std::pair<std::vector<Signal>, Signal> reprice(FixedPoint& fp, const PmInstrument& inst, size_t i, const Fixed& rate,
                                               const Fixed& ln_spot, const std::vector<SpotEntry>& spot_axis,
                                               std::vector<Signal>& words)
{
    Builder& b = fp.builder();
    const std::string at = "instruments[" + std::to_string(i) + "]";
    const Signal one = Builder::constant(1);

    // Kind: 0 call, 1 put, 2 perpetual, as two bits that are not both set.
    const Signal kind = b.private_input(at + ".kind", Fr::from_uint(uint64_t(inst.kind)));
    const std::vector<Signal> kind_bits = circuit::to_bits(b, kind, 2);
    const Signal is_put = kind_bits[0], is_perp = kind_bits[1];
    b.assert_product(is_put, is_perp, Signal(), "portfolio margin: instrument kind");
    const Signal live = one - is_perp;  // the option terms count unless perpetual

    const Fixed strike = fixed_input(fp, at + ".strike", inst.strike, kSpotBits);
    const Fixed expiry = fixed_input(fp, at + ".expiry", inst.expiry, kParamBits);
    const Fixed sigma = fixed_input(fp, at + ".volatility", inst.volatility, kParamBits);
    std::vector<Fixed> mults;
    for (size_t v = 0; v < inst.vol_multipliers.size(); ++v)
        mults.push_back(fixed_input(fp, at + ".vol_multipliers[" + std::to_string(v) + "]", inst.vol_multipliers[v],
                                    kParamBits));
    words.insert(words.end(), {kind, strike.s, expiry.s, sigma.s});
    for (const Fixed& m : mults)
        words.push_back(m.s);

    // Shared by every scenario of the instrument.
    const Fixed ln_strike = fp.ln(strike);
    const Fixed sqrt_t = fp.sqrt(expiry);
    const Fixed rt = fp.mul(rate, expiry, Rounding::nearest, kRateTimeBits);
    const Fixed kdf = fp.mul(strike, fp.exp(fp.neg(rt)), Rounding::nearest, kDiscountedBits);
    const Fixed x0 = fp.add(fp.sub(ln_spot, ln_strike), rt);
    const Signal live_kdf = b.mul(live, kdf.s);
    const Signal put_kdf = b.mul(is_put, kdf.s);

    // Per spot entry: the live spot and the kind's linear part, is_put (KDF - S') + is_perp S'.
    std::vector<Signal> live_spot, linear;
    for (const SpotEntry& e : spot_axis) {
        live_spot.push_back(b.mul(live, e.spot.s));
        linear.push_back(put_kdf + b.mul(is_perp - is_put, e.spot.s));
    }
    // Per vol entry; the last is the mark's sigma.
    std::vector<VolEntry> vol_axis;
    for (size_t v = 0; v <= mults.size(); ++v) {
        const Fixed sv = v < mults.size() ? fp.mul(sigma, mults[v], Rounding::nearest, kSigmaBits) : sigma;
        const Fixed a = fp.mul(sv, sqrt_t, Rounding::nearest, kStdDevBits);
        vol_axis.push_back({a, fp.div(fp.constant("1"), a, Rounding::nearest, kInverseBits),
                            fp.mul(a, fp.constant("0.5"), Rounding::nearest, kHalfStdDevBits)});
    }

    auto value = [&](size_t s, size_t v) {
        const VolEntry& ve = vol_axis[v];
        const Fixed x = fp.add(x0, spot_axis[s].log_move);
        const Fixed d1 = fp.add(fp.mul(x, ve.inverse, Rounding::nearest, kD1Bits), ve.half);
        const Fixed d2 = fp.sub(d1, ve.std_dev);
        const Fixed n1 = fp.normal_cdf(d1), n2 = fp.normal_cdf(d2);
        const Signal t = b.mul(live_spot[s], n1.s) - b.mul(live_kdf, n2.s) + linear[s] * pow2_fr(F);
        return round_product(b, t, kValueBits, "portfolio margin: instrument value");
    };
    std::vector<Signal> values;
    const size_t shocks = spot_axis.size() - 1, vols = mults.size();
    for (size_t s = 0; s < shocks; ++s)
        for (size_t v = 0; v < vols; ++v)
            values.push_back(value(s, v));
    return {values, value(shocks, vols)};
}

PmAccountSignals account_circuit(FixedPoint& fp, const PmAccount& acc, size_t a, const Market& market,
                                 const std::vector<Signal>& marks, const std::vector<std::vector<Signal>>& values)
{
    Builder& b = fp.builder();
    const std::string at = "accounts[" + std::to_string(a) + "]";
    const size_t I = marks.size(), N = values[0].size();
    PmAccountSignals out;
    const Fixed collateral = fixed_input(fp, at + ".collateral", acc.collateral, kCollateralBits);
    out.collateral = collateral.s;
    Signal mtm = collateral.s;
    out.pnl.assign(N, Signal());
    for (size_t i = 0; i < I; ++i) {
        const Signal q = b.private_input(at + ".positions[" + std::to_string(i) + "]", Fr::from_int(acc.positions[i]));
        circuit::to_bits(b, q + Builder::constant(pow2_fr(kPositionBits - 1)), kPositionBits);
        out.positions.push_back(q);
        // q is an integer: q V stays at scale 2^F, no rounding.
        mtm += b.mul(q, marks[i]);
        for (size_t k = 0; k < N; ++k)
            out.pnl[k] += b.mul(q, values[i][k] - marks[i]);
    }

    // m = min(0, min_k P&L_k): every P&L_k - m and -m is in [0, 2^n_d) and one of them is 0.
    WideInt m = 0;
    for (const Signal& p : out.pnl)
        m = std::min(m, WideInt::from_fr(p.value()));
    out.min_pnl = b.witness(m.to_fr());
    const unsigned nd = unsigned(diff_bits(I));
    std::vector<Signal> gaps{-out.min_pnl};
    for (const Signal& p : out.pnl)
        gaps.push_back(p - out.min_pnl);
    for (const Signal& g : gaps)
        circuit::to_bits(b, g, nd);
    Signal product = gaps[0];
    for (size_t k = 1; k + 1 < gaps.size(); ++k)
        product = b.mul(product, gaps[k]);
    b.assert_product(product, gaps.back(), Signal(), "portfolio margin: minimum");

    const Fixed worst{-out.min_pnl, int(nd) - F};  // proven by the range check of -m
    const Fixed im = fp.mul(worst, market.imf, Rounding::ceil, margin_bits(I));
    const Fixed mm = fp.mul(worst, market.mmf, Rounding::ceil, margin_bits(I));
    // meets = [MtM - margin >= 0]: the top bit of MtM - margin + 2^w in w + 1 bits.
    const int w = flag_bits(I);
    auto at_least = [&](const Signal& margin) {
        return circuit::to_bits(b, mtm - margin + Builder::constant(pow2_fr(w)), unsigned(w) + 1).back();
    };
    out.mark_to_market = mtm;
    out.worst_loss = worst.s;
    out.initial_margin = im.s;
    out.maintenance_margin = mm.s;
    out.meets_initial = at_least(im.s);
    out.meets_maintenance = at_least(mm.s);
    return out;
}

long double to_real(const Signal& s) { return FixedFormat(F).to_long_double(WideInt::from_fr(s.value())); }

// Constraints of one FixedPoint gadget at F for an argument bounded by 2^bits.
size_t gadget_cost(int bits, const std::function<void(FixedPoint&, const Fixed&)>& gadget)
{
    Builder b;
    FixedPoint fp(b, F);
    const Fixed x = fp.private_input("x", fp.format().parse("0.75"), bits);
    const size_t before = b.constraint_count();
    gadget(fp, x);
    return b.constraint_count() - before;
}

}  // namespace

PortfolioMarginCircuit portfolio_margin_circuit(Builder& b, const PortfolioMarginInputs& in)
{
    const size_t I = in.instruments.size(), A = in.accounts.size(), S = in.spot_shocks.size();
    if (I == 0 || A == 0 || S == 0 || in.instruments[0].vol_multipliers.empty())
        throw std::invalid_argument("portfolio margin: needs instruments, accounts and a grid");
    for (const PmInstrument& inst : in.instruments)
        if (inst.vol_multipliers.size() != in.instruments[0].vol_multipliers.size())
            throw std::invalid_argument("portfolio margin: instruments with different vol grids");
    FixedPoint fp(b, F);
    PortfolioMarginCircuit out;

    // The grid, shared by every instrument.
    Market market;
    const Fixed spot = fixed_input(fp, "spot", in.spot, kSpotBits);
    const Fixed rate = fixed_input(fp, "rate", in.rate, kRateBits);
    market.imf = fixed_input(fp, "initial_margin_factor", in.initial_factor, kFactorBits);
    market.mmf = fixed_input(fp, "maintenance_margin_factor", in.maintenance_factor, kFactorBits);
    market.words = {spot.s, rate.s, market.imf.s, market.mmf.s};
    const Fixed ln_spot = fp.ln(spot);
    std::vector<SpotEntry> spot_axis;
    for (size_t s = 0; s < S; ++s) {
        const Fixed u = fixed_input(fp, "spot_shocks[" + std::to_string(s) + "]", in.spot_shocks[s], kShockBits);
        market.words.push_back(u.s);
        const Fixed move = fp.add(fp.constant("1"), u);
        spot_axis.push_back({fp.ln(move), fp.mul(spot, move, Rounding::nearest, kShockedSpotBits)});
    }
    spot_axis.push_back({fp.constant("0"), spot});  // the mark

    for (size_t i = 0; i < I; ++i) {
        auto [values, mark] = reprice(fp, in.instruments[i], i, rate, ln_spot, spot_axis, market.words);
        out.values.push_back(std::move(values));
        out.marks.push_back(mark);
    }

    out.accounts_first_wire = b.wire_count();
    std::vector<Signal> account_words, result_words;
    for (size_t a = 0; a < A; ++a) {
        if (in.accounts[a].positions.size() != I)
            throw std::invalid_argument("portfolio margin: an account's positions do not match the instruments");
        PmAccountSignals acc = account_circuit(fp, in.accounts[a], a, market, out.marks, out.values);
        account_words.push_back(acc.collateral);
        const auto packed = pack_words(acc.positions, kPositionBits, int128(1) << (kPositionBits - 1),
                                       kPositionsPerElement);
        account_words.insert(account_words.end(), packed.begin(), packed.end());
        result_words.insert(result_words.end(), {acc.mark_to_market, acc.initial_margin, acc.maintenance_margin,
                                                 acc.meets_initial + acc.meets_maintenance * Fr::from_uint(2)});
        out.accounts.push_back(std::move(acc));
    }

    out.commitments_first_wire = b.wire_count();
    out.market_commitment = circuit::poseidon_commitment(b, market.words);
    out.accounts_commitment = circuit::poseidon_commitment(b, account_words);
    out.results_commitment = circuit::poseidon_commitment(b, result_words);
    for (auto [name, s] : {std::pair<const char*, Signal>{"market_commitment", out.market_commitment},
                           {"accounts_commitment", out.accounts_commitment},
                           {"results_commitment", out.results_commitment}}) {
        b.public_output(name, s);
        out.output_wires.push_back(uint32_t(b.wire_count() - 1));
    }
    return out;
}

size_t portfolio_margin_constraint_count(const PortfolioMarginShape& shape)
{
    return portfolio_margin_cost(shape).total();
}

PortfolioMarginCost portfolio_margin_cost(const PortfolioMarginShape& shape)
{
    const size_t I = shape.instruments, A = shape.accounts, S = shape.spot_moves, V = shape.vol_moves;
    const size_t N = S * V;
    // Fixed-point costs: an input bounded by 2^b is F + b + 1; a variable mul declared to 2^b is
    // 1 + F + (F + b + 1), by a constant F + (F + b + 1); div to 2^b by a divisor bounded by 2^c
    // is 1 + 2 (F + c + 1) + (F + b + 1).
    auto input = [](int bits) { return size_t(F + bits + 1); };
    auto mul = [](int bits) { return size_t(1 + F + F + bits + 1); };
    auto mul_const = [](int bits) { return size_t(F + F + bits + 1); };
    auto div = [](int bits, int divisor_bits) { return size_t(1 + 2 * (F + divisor_bits + 1) + F + bits + 1); };
    const size_t ln_spot = gadget_cost(kSpotBits, [](FixedPoint& fp, const Fixed& x) { fp.ln(x); });
    const size_t ln_move = gadget_cost(kShockBits + 1, [](FixedPoint& fp, const Fixed& x) { fp.ln(x); });
    const size_t exp_rt = gadget_cost(kRateTimeBits, [](FixedPoint& fp, const Fixed& x) { fp.exp(x); });
    const size_t sqrt_t = gadget_cost(kParamBits, [](FixedPoint& fp, const Fixed& x) { fp.sqrt(x); });
    const size_t cdf_d1 = gadget_cost(kD1Bits + 1, [](FixedPoint& fp, const Fixed& x) { fp.normal_cdf(x); });
    const size_t cdf_d2 = gadget_cost(kD1Bits + 2, [](FixedPoint& fp, const Fixed& x) { fp.normal_cdf(x); });
    const size_t round_value = (F + kValueBits + 1) + F;

    const size_t grid = input(kSpotBits) + input(kRateBits) + 2 * input(kFactorBits) + ln_spot +
                        S * (input(kShockBits) + ln_move + mul(kShockedSpotBits));
    const size_t per_scenario = mul(kD1Bits) + cdf_d1 + cdf_d2 + 2 + round_value;
    const size_t instrument = 3 + input(kSpotBits) + 2 * input(kParamBits) + V * input(kParamBits) + ln_spot +
                              sqrt_t + mul(kRateTimeBits) + exp_rt + mul(kDiscountedBits) + 2 + 2 * (S + 1) +
                              V * mul(kSigmaBits) +
                              (V + 1) * (mul(kStdDevBits) + div(kInverseBits, kStdDevBits) + mul_const(kHalfStdDevBits)) +
                              (N + 1) * per_scenario;
    const size_t nd = size_t(diff_bits(I)), w = size_t(flag_bits(I));
    const size_t account = input(kCollateralBits) + I * kPositionBits + I * (N + 1) + (N + 1) * nd + N +
                           2 * mul(margin_bits(I)) + 2 * (w + 1);
    const size_t commitments = commitment_constraints(4 + S + I * (4 + V)) +
                               commitment_constraints(A * (1 + packed_count(I, kPositionsPerElement))) +
                               commitment_constraints(4 * A) + 3;
    return {grid, instrument, account, commitments, I, A};
}

std::vector<Fr> pm_market_words(const PortfolioMarginInputs& in)
{
    const FixedFormat fmt(F);
    auto raw = [&](const Decimal& d) { return fmt.parse(d.text).to_fr(); };
    std::vector<Fr> out{raw(in.spot), raw(in.rate), raw(in.initial_factor), raw(in.maintenance_factor)};
    for (const Decimal& u : in.spot_shocks)
        out.push_back(raw(u));
    for (const PmInstrument& inst : in.instruments) {
        out.insert(out.end(), {Fr::from_uint(uint64_t(inst.kind)), raw(inst.strike), raw(inst.expiry),
                               raw(inst.volatility)});
        for (const Decimal& m : inst.vol_multipliers)
            out.push_back(raw(m));
    }
    return out;
}

std::vector<Fr> pm_account_words(const PortfolioMarginInputs& in)
{
    const FixedFormat fmt(F);
    std::vector<Fr> out;
    for (const PmAccount& acc : in.accounts) {
        out.push_back(fmt.parse(acc.collateral.text).to_fr());
        const std::vector<int128> q(acc.positions.begin(), acc.positions.end());
        const auto packed = pack_words(q, kPositionBits, int128(1) << (kPositionBits - 1), kPositionsPerElement);
        out.insert(out.end(), packed.begin(), packed.end());
    }
    return out;
}

json portfolio_margin_example_input(const PortfolioMarginShape& shape)
{
    json shocks = json::array(), instruments = json::array(), accounts = json::array();
    // Shocks spread evenly over -15%..+15% (the default grid is -15, -10, ..., +15%).
    for (size_t s = 0; s < shape.spot_moves; ++s) {
        const int pct = shape.spot_moves == 1 ? 0 : -15 + 30 * int(s) / int(shape.spot_moves - 1);
        const int mag = pct < 0 ? -pct : pct;
        shocks.push_back(std::string(pct < 0 ? "-" : "") + "0." + char('0' + mag / 10) + char('0' + mag % 10));
    }
    // Derive-style vol moves: up 1.45, unchanged, down 0.7 (more: interpolated).
    static const char* const kMults[] = {"1.45", "1", "0.7", "1.2", "0.85", "1.6", "0.5"};
    static const char* const kExpiries[] = {"0.0833", "0.25", "0.5", "1"};
    for (size_t i = 0; i < shape.instruments; ++i) {
        if (i % 4 == 3) {
            instruments.push_back({{"kind", "perpetual"}});
            continue;
        }
        json mults = json::array();
        for (size_t v = 0; v < shape.vol_moves; ++v)
            mults.push_back(kMults[v % 7]);
        const int strike = 2400 + int((i * 300) % 1500);
        instruments.push_back({{"kind", i % 2 == 0 ? "call" : "put"},
                               {"strike", std::to_string(strike)},
                               {"expiry", kExpiries[(i / 2) % 4]},
                               {"volatility", i % 3 == 0 ? "0.65" : "0.8"},
                               {"vol_multipliers", mults}});
    }
    for (size_t a = 0; a < shape.accounts; ++a) {
        json positions = json::array();
        for (size_t i = 0; i < shape.instruments; ++i) {
            const int q = int((a * 5 + i * 3) % 9) - 4;
            positions.push_back(std::to_string(a == 0 ? 0 : q * int(1 + a % 3)));
        }
        accounts.push_back({{"collateral", std::to_string(500 + 1500 * int(a % 4))}, {"positions", positions}});
    }
    return {{"spot", "3000"},
            {"rate", "0.05"},
            {"initial_margin_factor", "1.3"},
            {"maintenance_margin_factor", "1"},
            {"spot_shocks", shocks},
            {"instruments", instruments},
            {"accounts", accounts}};
}

Program portfolio_margin_program(size_t instruments, size_t accounts)
{
    PortfolioMarginShape shape;
    shape.instruments = instruments;
    shape.accounts = accounts;
    return portfolio_margin_program(shape);
}

Program portfolio_margin_program(const PortfolioMarginShape& shape)
{
    if (shape.instruments == 0 || shape.accounts == 0 || shape.spot_moves == 0 || shape.vol_moves == 0)
        throw std::invalid_argument("portfolio margin: needs instruments, accounts and a grid");
    const PortfolioMarginShape standard;
    Program p;
    p.name = "portfolio-margin-" + std::to_string(shape.instruments) + "x" + std::to_string(shape.accounts);
    if (shape.spot_moves != standard.spot_moves || shape.vol_moves != standard.vol_moves)
        p.name += "-" + std::to_string(shape.spot_moves) + "x" + std::to_string(shape.vol_moves);
    p.description = "Portfolio margin of " + std::to_string(shape.accounts) + " accounts over " +
                    std::to_string(shape.instruments) + " options/perpetuals on one underlying, " +
                    std::to_string(shape.scenarios()) +
                    " scenarios repriced in-circuit (Black-Scholes, 32-bit fixed point): IM, MM, MtM and flags";
    p.build = [shape](Builder& b, const circuit::Inputs& in) {
        const PortfolioMarginCircuit c = portfolio_margin_circuit(b, read_portfolio_margin_inputs(in, shape));
        PortfolioMarginResult r;
        for (const Signal& m : c.marks)
            r.marks.push_back(to_real(m));
        for (const PmAccountSignals& a : c.accounts)
            r.accounts.push_back({to_real(a.mark_to_market), to_real(a.worst_loss), to_real(a.initial_margin),
                                  to_real(a.maintenance_margin), a.meets_initial.value() == Fr::one(),
                                  a.meets_maintenance.value() == Fr::one()});
        return r.to_json();
    };
    p.reference = [shape](const circuit::Inputs& in) {
        return portfolio_margin_model(read_portfolio_margin_inputs(in, shape)).to_json();
    };
    p.bound_public_signals = [shape](const circuit::Inputs& in) {
        const PortfolioMarginInputs pm = read_portfolio_margin_inputs(in, shape);
        return std::vector<std::pair<size_t, Fr>>{{0, circuit::poseidon_commitment(pm_market_words(pm))},
                                                  {1, circuit::poseidon_commitment(pm_account_words(pm))}};
    };
    p.example_input = portfolio_margin_example_input(shape);
    p.public_signals =
        "market_commitment (spot, rate, margin factors, spot shocks, instruments with their vol multipliers), "
        "accounts_commitment (collateral and positions packed 7 per element), results_commitment (per account: MtM, "
        "IM, MM, meets_initial + 2 meets_maintenance); all Poseidon commitments of raw values at scale 2^32: a "
        "contract recomputes the first two from its data and checks the results it is given against the third";
    return p;
}

}  // namespace provernet::finance
