#include "finance/portfolio_margin_model.hpp"

#include <algorithm>
#include <cmath>

namespace provernet::finance {

using nlohmann::json;
using D = PortfolioMarginDomain;

namespace {

Decimal canonical_one() { return Decimal{"1", 1.0L}; }

long double normal_cdf(long double x) { return 0.5L * std::erfc(-x / std::sqrt(2.0L)); }

}  // namespace

const char* instrument_kind_name(InstrumentKind k)
{
    switch (k) {
    case InstrumentKind::call:
        return "call";
    case InstrumentKind::put:
        return "put";
    case InstrumentKind::perpetual:
        return "perpetual";
    }
    return "?";
}

PortfolioMarginInputs read_portfolio_margin_inputs(const circuit::Inputs& in, const PortfolioMarginShape& shape)
{
    const InputReader r(in);
    const json& root = r.root();
    r.only_keys(root, "", {"spot", "rate", "initial_margin_factor", "maintenance_margin_factor", "spot_shocks",
                           "instruments", "accounts"});
    PortfolioMarginInputs out;
    out.spot = r.decimal(r.member(root, "", "spot"), "spot", D::spot_min, D::spot_max);
    out.rate = r.decimal(r.member(root, "", "rate"), "rate", D::rate_min, D::rate_max);
    out.initial_factor = r.decimal(r.member(root, "", "initial_margin_factor"), "initial_margin_factor",
                                   D::factor_min, D::factor_max);
    out.maintenance_factor = r.decimal(r.member(root, "", "maintenance_margin_factor"), "maintenance_margin_factor",
                                       D::factor_min, D::factor_max);
    const json& shocks = r.array(root, "", "spot_shocks", shape.spot_moves);
    for (size_t s = 0; s < shape.spot_moves; ++s)
        out.spot_shocks.push_back(r.decimal(shocks[s], r.path("spot_shocks", s), D::shock_min, D::shock_max));

    const json& insts = r.array(root, "", "instruments", shape.instruments);
    for (size_t i = 0; i < shape.instruments; ++i) {
        const std::string at = r.path("instruments", i);
        const json& j = insts[i];
        PmInstrument inst;
        const std::string kind = r.text(r.member(j, at, "kind"), r.path(at, "kind"));
        if (kind == "perpetual") {
            for (const char* option_field : {"strike", "expiry", "volatility", "vol_multipliers"})
                if (j.contains(option_field))
                    r.fail(r.path(at, option_field), "a perpetual takes no option fields");
            r.only_keys(j, at, {"kind"});
            inst.kind = InstrumentKind::perpetual;
            inst.strike = inst.expiry = inst.volatility = canonical_one();
            inst.vol_multipliers.assign(shape.vol_moves, canonical_one());
        } else {
            if (kind != "call" && kind != "put")
                r.fail(r.path(at, "kind"), "\"" + kind + "\" is not one of call, put, perpetual");
            r.only_keys(j, at, {"kind", "strike", "expiry", "volatility", "vol_multipliers"});
            inst.kind = kind == "call" ? InstrumentKind::call : InstrumentKind::put;
            inst.strike = r.decimal(r.member(j, at, "strike"), r.path(at, "strike"), D::strike_min, D::strike_max);
            inst.expiry = r.decimal(r.member(j, at, "expiry"), r.path(at, "expiry"), D::expiry_min, D::expiry_max);
            inst.volatility = r.decimal(r.member(j, at, "volatility"), r.path(at, "volatility"), D::volatility_min,
                                        D::volatility_max);
            const json& mults = r.array(j, at, "vol_multipliers", shape.vol_moves);
            for (size_t v = 0; v < shape.vol_moves; ++v)
                inst.vol_multipliers.push_back(r.decimal(mults[v], r.path(r.path(at, "vol_multipliers"), v),
                                                         D::multiplier_min, D::multiplier_max));
        }
        out.instruments.push_back(std::move(inst));
    }

    const json& accs = r.array(root, "", "accounts", shape.accounts);
    for (size_t a = 0; a < shape.accounts; ++a) {
        const std::string at = r.path("accounts", a);
        r.only_keys(accs[a], at, {"collateral", "positions"});
        PmAccount acc;
        acc.collateral = r.decimal(r.member(accs[a], at, "collateral"), r.path(at, "collateral"), D::collateral_min,
                                   D::collateral_max);
        const json& pos = r.array(accs[a], at, "positions", shape.instruments);
        for (size_t i = 0; i < shape.instruments; ++i)
            acc.positions.push_back(
                int64_t(r.integer(pos[i], r.path(r.path(at, "positions"), i), D::position_min, D::position_max)));
        out.accounts.push_back(std::move(acc));
    }
    return out;
}

long double pm_instrument_value(const PmInstrument& inst, long double spot, long double rate, long double sigma)
{
    if (inst.kind == InstrumentKind::perpetual)
        return spot;
    const long double K = inst.strike.value, T = inst.expiry.value;
    const long double a = sigma * std::sqrt(T);
    const long double d1 = (std::log(spot / K) + (rate + sigma * sigma / 2) * T) / a;
    const long double d2 = d1 - a;
    const long double kdf = K * std::exp(-rate * T);
    if (inst.kind == InstrumentKind::call)
        return spot * normal_cdf(d1) - kdf * normal_cdf(d2);
    return kdf * normal_cdf(-d2) - spot * normal_cdf(-d1);
}

PortfolioMarginResult portfolio_margin_model(const PortfolioMarginInputs& in)
{
    PortfolioMarginResult out;
    const long double S = in.spot.value, r = in.rate.value;
    for (const PmInstrument& inst : in.instruments) {
        out.marks.push_back(pm_instrument_value(inst, S, r, inst.volatility.value));
        std::vector<long double> row;
        for (const Decimal& shock : in.spot_shocks)
            for (const Decimal& m : inst.vol_multipliers)
                row.push_back(pm_instrument_value(inst, S * (1 + shock.value), r, inst.volatility.value * m.value));
        out.values.push_back(std::move(row));
    }
    for (const PmAccount& acc : in.accounts) {
        PmAccountResult res;
        res.mark_to_market = acc.collateral.value;
        for (size_t i = 0; i < in.instruments.size(); ++i)
            res.mark_to_market += acc.positions[i] * out.marks[i];
        long double worst = 0;  // min(0, min_k P&L_k)
        const size_t scenarios = in.spot_shocks.size() * (in.instruments.empty() ? 0 : in.instruments[0].vol_multipliers.size());
        for (size_t k = 0; k < scenarios; ++k) {
            long double pnl = 0;
            for (size_t i = 0; i < in.instruments.size(); ++i)
                pnl += acc.positions[i] * (out.values[i][k] - out.marks[i]);
            worst = std::min(worst, pnl);
        }
        res.worst_loss = worst < 0 ? -worst : 0;
        res.initial_margin = res.worst_loss * in.initial_factor.value;
        res.maintenance_margin = res.worst_loss * in.maintenance_factor.value;
        res.meets_initial = res.mark_to_market >= res.initial_margin;
        res.meets_maintenance = res.mark_to_market >= res.maintenance_margin;
        out.accounts.push_back(res);
    }
    return out;
}

json PortfolioMarginResult::to_json() const
{
    json marks_json = json::array(), accs = json::array();
    for (long double m : marks)
        marks_json.push_back(double(m));
    for (const PmAccountResult& a : accounts)
        accs.push_back({{"mark_to_market", double(a.mark_to_market)},
                        {"worst_loss", double(a.worst_loss)},
                        {"initial_margin", double(a.initial_margin)},
                        {"maintenance_margin", double(a.maintenance_margin)},
                        {"meets_initial", a.meets_initial},
                        {"meets_maintenance", a.meets_maintenance}});
    return {{"marks", marks_json}, {"accounts", accs}};
}

}  // namespace provernet::finance
