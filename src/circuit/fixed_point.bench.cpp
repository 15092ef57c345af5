// Fixed-point gadgets: witness-generation time per call (Mode::witness_only, input range check
// included), constraints per call (input checks excluded) and the measured accuracy over the
// operation's domain at F = 48: 20,000 random points plus the domain's edges, against exact
// integer arithmetic (mul, div) or long double (expl, logl, erfcl, sqrtl; ~1e-19 relative).
//
// Counters: constraints; max_abs_err; max_rel_err (over results with |want| >= 1: below 1 the
// fixed-point resolution is absolute); err_ulp = max |err| / max(1, |want|) in units of 2^-48.
#include "circuit/fixed_point.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace {

using namespace provernet::circuit;

constexpr int kPoints = 20000;

struct Case {
    std::string name;
    int int_bits_x, int_bits_y;                 // input bounds; int_bits_y < 0: unary (y = 0)
    std::function<WideInt(std::mt19937_64&, const FixedFormat&, bool second)> sample;
    std::vector<std::pair<WideInt, WideInt>> edges;
    // got - want, for the native result of (x, y)
    std::function<long double(const FixedFormat&, const WideInt&, const WideInt&, long double* want)> error;
    std::function<Fixed(FixedPoint&, const Fixed&, const Fixed&)> gadget;
};

struct Accuracy {
    double max_abs = 0, max_rel = 0, ulp = 0;
};

Accuracy measure(const Case& c)
{
    const FixedFormat f;
    std::mt19937_64 rng(2024);
    Accuracy a;
    auto add = [&](const WideInt& x, const WideInt& y) {
        long double want = 0;
        const long double e = std::fabs(c.error(f, x, y, &want));
        a.max_abs = std::max(a.max_abs, double(e));
        if (std::fabs(want) >= 1)
            a.max_rel = std::max(a.max_rel, double(e / std::fabs(want)));
        a.ulp = std::max(a.ulp, double(e / std::max(1.0L, std::fabs(want)) / f.ulp()));
    };
    for (int i = 0; i < kPoints; ++i) {
        const WideInt x = c.sample(rng, f, false), y = c.int_bits_y < 0 ? WideInt(0) : c.sample(rng, f, true);
        add(x, y);
    }
    for (const auto& [x, y] : c.edges)
        add(x, y);
    return a;
}

WideInt uniform(std::mt19937_64& rng, const FixedFormat& f, double lo, double hi)
{
    return f.from_double(std::uniform_real_distribution<double>(lo, hi)(rng));
}

WideInt log_uniform(std::mt19937_64& rng, const FixedFormat& f, double lo2, double hi2)
{
    const WideInt v = f.from_double(std::exp2(std::uniform_real_distribution<double>(lo2, hi2)(rng)));
    return v.sign() > 0 ? v : WideInt(1);
}

long double ld(const FixedFormat& f, const WideInt& v) { return f.to_long_double(v); }

std::vector<Case> cases()
{
    const FixedFormat f;
    const int F = f.frac_bits();
    auto p2 = [](int k) { return WideInt::pow2(k); };
    std::vector<Case> out;
    out.push_back({"mul", 10, 10,
                   [](auto& rng, const FixedFormat& f, bool) { return uniform(rng, f, -1024, 1024); },
                   {{-p2(F + 10), -p2(F + 10)}, {p2(F + 10) - 1, -p2(F + 10)}, {1, 1}},
                   [](const FixedFormat& f, const WideInt& x, const WideInt& y, long double* want) {
                       const WideInt e = (f.mul(x, y) << f.frac_bits()) - x * y;  // exact
                       *want = ld(f, x) * ld(f, y);
                       return std::ldexp(e.to_long_double(), -2 * f.frac_bits());
                   },
                   [](FixedPoint& fp, const Fixed& x, const Fixed& y) { return fp.mul(x, y); }});
    out.push_back({"div (|q| < 2^14)", 10, 10,
                   [](auto& rng, const FixedFormat& f, bool second) {
                       return second ? log_uniform(rng, f, -4, 10) : uniform(rng, f, -1024, 1024);
                   },
                   {{p2(F + 10) - 1, p2(F - 4)}, {1, p2(F + 10) - 1}, {-p2(F + 10), p2(F - 4)}},
                   [](const FixedFormat& f, const WideInt& x, const WideInt& y, long double* want) {
                       const WideInt num = f.div(x, y) * y - (x << f.frac_bits());  // exact: (q - x/y) y 2^F
                       *want = ld(f, x) / ld(f, y);
                       return num.to_long_double() / (y.to_long_double() * std::ldexp(1.0L, f.frac_bits()));
                   },
                   [](FixedPoint& fp, const Fixed& x, const Fixed& y) {
                       return fp.div(x, y, Rounding::nearest, 14);
                   }});
    out.push_back({"sqrt", 20, -1,
                   [](auto& rng, const FixedFormat& f, bool) { return log_uniform(rng, f, -48, 20); },
                   {{0, 0}, {1, 0}, {p2(F + 20), 0}, {p2(F + 20) - 1, 0}},
                   [](const FixedFormat& f, const WideInt& x, const WideInt&, long double* want) {
                       *want = sqrtl(ld(f, x));
                       return ld(f, f.sqrt(x)) - *want;
                   },
                   [](FixedPoint& fp, const Fixed& x, const Fixed&) { return fp.sqrt(x); }});
    for (int I : {0, 1, 2, 3, 6}) {
        const double lim = std::ldexp(1.0, I);
        out.push_back({"exp x in [-" + std::to_string(1 << I) + ", " + std::to_string(1 << I) + ")", I, -1,
                       [lim](auto& rng, const FixedFormat& f, bool) { return uniform(rng, f, -lim, lim); },
                       {{-p2(F + I), 0}, {p2(F + I) - 1, 0}, {0, 0}, {1, 0}, {-1, 0}},
                       [I](const FixedFormat& f, const WideInt& x, const WideInt&, long double* want) {
                           *want = expl(ld(f, x));
                           return ld(f, f.exp(x, I)) - *want;
                       },
                       [](FixedPoint& fp, const Fixed& x, const Fixed&) { return fp.exp(x); }});
    }
    for (int I : {8, 40}) {
        out.push_back({"ln x in (0, 2^" + std::to_string(I) + "]", I, -1,
                       [I](auto& rng, const FixedFormat& f, bool) { return log_uniform(rng, f, -48, I); },
                       {{1, 0}, {p2(F), 0}, {p2(F + I), 0}, {p2(F) - 1, 0}},
                       [I](const FixedFormat& f, const WideInt& x, const WideInt&, long double* want) {
                           *want = logl(ld(f, x));
                           return ld(f, f.ln(x, I)) - *want;
                       },
                       [](FixedPoint& fp, const Fixed& x, const Fixed&) { return fp.ln(x); }});
    }
    for (int I : {3, 6}) {
        const double lim = I == 3 ? 8.0 : 12.0;
        out.push_back({"normal_cdf |x| <= 2^" + std::to_string(I), I, -1,
                       [lim](auto& rng, const FixedFormat& f, bool) { return uniform(rng, f, -lim, lim); },
                       {{0, 0}, {p2(F + 3), 0}, {-p2(F + 3), 0}, {p2(F + 3) - 1, 0}, {p2(F + I), 0}},
                       [I](const FixedFormat& f, const WideInt& x, const WideInt&, long double* want) {
                           *want = erfcl(-ld(f, x) / sqrtl(2.0L)) / 2;
                           return ld(f, f.normal_cdf(x, I)) - *want;
                       },
                       [](FixedPoint& fp, const Fixed& x, const Fixed&) { return fp.normal_cdf(x); }});
    }
    return out;
}

size_t count_constraints(const Case& c, const WideInt& x, const WideInt& y)
{
    Builder b(Mode::full);
    FixedPoint fp(b);
    const Fixed fx = fp.private_input("x", x, c.int_bits_x);
    const Fixed fy = fp.private_input("y", y, std::max(c.int_bits_y, 0));
    const size_t before = b.constraint_count();
    c.gadget(fp, fx, fy);
    return b.constraint_count() - before;
}

void run_case(benchmark::State& state, const Case& c)
{
    const FixedFormat f;
    std::mt19937_64 rng(99);
    std::vector<std::pair<WideInt, WideInt>> inputs;
    for (int i = 0; i < 64; ++i)
        inputs.emplace_back(c.sample(rng, f, false), c.int_bits_y < 0 ? WideInt(0) : c.sample(rng, f, true));
    const size_t constraints = count_constraints(c, inputs[0].first, inputs[0].second);
    static std::map<std::string, Accuracy> memo;  // measured once per case
    if (!memo.count(c.name))
        memo[c.name] = measure(c);
    const Accuracy acc = memo[c.name];
    size_t i = 0;
    for (auto _ : state) {
        const auto& [x, y] = inputs[i++ % inputs.size()];
        Builder b(Mode::witness_only);
        FixedPoint fp(b);
        const Fixed fx = fp.private_input("x", x, c.int_bits_x);
        const Fixed out = c.int_bits_y < 0 ? c.gadget(fp, fx, fx) : c.gadget(fp, fx, fp.private_input("y", y, c.int_bits_y));
        benchmark::DoNotOptimize(out.s.value());
    }
    state.counters["constraints"] = double(constraints);
    state.counters["max_abs_err"] = acc.max_abs;
    state.counters["max_rel_err"] = acc.max_rel;
    state.counters["err_ulp"] = acc.ulp;
}

// Black-Scholes call + put (Hull's example): the composition of the gadgets above.
void BM_FixedBlackScholes(benchmark::State& state)
{
    auto price = [](Builder& b) {
        FixedPoint fp(b);
        const auto& f = fp.format();
        const Fixed S = fp.private_input("S", f.parse("42"), 20), K = fp.private_input("K", f.parse("40"), 20);
        const Fixed T = fp.private_input("T", f.parse("0.5"), 4), r = fp.private_input("r", f.parse("0.1"), 0);
        const Fixed sigma = fp.private_input("sigma", f.parse("0.2"), 2);
        const size_t inputs = b.constraint_count();
        const Fixed vol = fp.mul(sigma, fp.sqrt(T));
        const Fixed ln_sk = fp.ln(fp.div(S, K, Rounding::nearest, 8));
        const Fixed drift =
            fp.mul(fp.add(r, fp.div(fp.mul(sigma, sigma), fp.constant("2"), Rounding::nearest, 4)), T);
        const Fixed d1 = fp.div(fp.add(ln_sk, drift), vol, Rounding::nearest, 6);
        const Fixed disc = fp.exp(fp.neg(fp.mul(r, T, Rounding::nearest, 3)));
        const Fixed kd = fp.mul(K, disc);
        const Fixed call = fp.sub(fp.mul(S, fp.normal_cdf(d1)), fp.mul(kd, fp.normal_cdf(fp.sub(d1, vol))));
        const Fixed put = fp.add(fp.sub(call, S), kd);
        return std::make_tuple(b.constraint_count() - inputs, fp.to_long_double(call), fp.to_long_double(put));
    };
    Builder full;
    const auto [constraints, call, put] = price(full);
    for (auto _ : state) {
        Builder b(Mode::witness_only);
        benchmark::DoNotOptimize(std::get<1>(price(b)));
    }
    state.counters["constraints"] = double(constraints);
    // mpmath, 40 digits
    state.counters["call_err"] = double(std::fabs(call - 4.759422392871533220L));
    state.counters["put_err"] = double(std::fabs(put - 0.808599372900093583L));
}
BENCHMARK(BM_FixedBlackScholes)->Unit(benchmark::kMicrosecond);

const bool registered = [] {
    static const std::vector<Case> all = cases();
    for (const Case& c : all)
        benchmark::RegisterBenchmark(("BM_Fixed/" + c.name).c_str(), [&c](benchmark::State& s) { run_case(s, c); })
            ->Unit(benchmark::kMicrosecond);
    return true;
}();

}  // namespace
