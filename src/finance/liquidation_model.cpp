#include "finance/liquidation_model.hpp"

#include "math/u256.hpp"

#include <array>
#include <compare>

namespace provernet::finance {

using nlohmann::json;

namespace {

using u128 = unsigned __int128;

// A 256-bit two's-complement integer: just what TV and TR need (|values| < 2^200 here).
class Int256 {
public:
    Int256() = default;
    explicit Int256(int128 v)
    {
        const u128 u = u128(v);
        w_ = {uint64_t(u), uint64_t(u >> 64), v < 0 ? ~uint64_t(0) : 0, v < 0 ? ~uint64_t(0) : 0};
    }

    friend Int256 operator+(const Int256& a, const Int256& b)
    {
        Int256 r;
        u128 carry = 0;
        for (int i = 0; i < 4; ++i) {
            const u128 s = u128(a.w_[i]) + b.w_[i] + carry;
            r.w_[i] = uint64_t(s);
            carry = s >> 64;
        }
        return r;
    }
    friend Int256 operator-(const Int256& a) { return ~a + Int256(1); }
    friend Int256 operator-(const Int256& a, const Int256& b) { return a + -b; }
    // a * k for 0 <= k < 2^64 (wraps mod 2^256, exact while the result fits).
    Int256 times(uint64_t k) const
    {
        Int256 r;
        u128 carry = 0;
        for (int i = 0; i < 4; ++i) {
            const u128 p = u128(w_[i]) * k + carry;
            r.w_[i] = uint64_t(p);
            carry = p >> 64;
        }
        return r;
    }
    bool negative() const { return (w_[3] >> 63) != 0; }
    friend bool operator<(const Int256& a, const Int256& b) { return (a - b).negative(); }

    std::string to_decimal() const
    {
        const Int256 m = negative() ? -*this : *this;
        const std::string digits = math::U256(m.w_[0], m.w_[1], m.w_[2], m.w_[3]).to_decimal();
        return negative() ? "-" + digits : digits;
    }

private:
    friend Int256 operator~(const Int256& a)
    {
        Int256 r;
        for (int i = 0; i < 4; ++i)
            r.w_[i] = ~a.w_[i];
        return r;
    }
    std::array<uint64_t, 4> w_{};
};

constexpr int128 pow2(int k) { return int128(1) << k; }

}  // namespace

LiquidationInputs read_liquidation_inputs(const circuit::Inputs& in, size_t accounts, size_t assets)
{
    const InputReader r(in);
    const json& root = r.root();
    r.only_keys(root, "", {"prices", "risk_factors", "accounts"});
    LiquidationInputs out;
    const json& prices = r.array(root, "", "prices", assets);
    const json& risks = r.array(root, "", "risk_factors", assets);
    for (size_t j = 0; j < assets; ++j) {
        out.prices.push_back(r.integer(prices[j], r.path("prices", j), 1, pow2(liquidation_price_bits) - 1));
        out.risk_factors.push_back(
            r.integer(risks[j], r.path("risk_factors", j), 1, pow2(liquidation_risk_bits) - 1));
    }
    const json& accs = r.array(root, "", "accounts", accounts);
    const int128 amount_min = -pow2(liquidation_amount_bits - 1), amount_max = pow2(liquidation_amount_bits - 1) - 1;
    for (size_t a = 0; a < accounts; ++a) {
        const std::string at = r.path("accounts", a);
        r.only_keys(accs[a], at, {"collateral", "balances"});
        LiquidationAccount acc;
        acc.collateral = r.integer(r.member(accs[a], at, "collateral"), r.path(at, "collateral"), amount_min, amount_max);
        const json& bal = r.array(accs[a], at, "balances", assets);
        for (size_t j = 0; j < assets; ++j)
            acc.balances.push_back(r.integer(bal[j], r.path(r.path(at, "balances"), j), amount_min, amount_max));
        out.accounts.push_back(std::move(acc));
    }
    return out;
}

std::vector<std::string> pack_flags(const std::vector<bool>& flags)
{
    std::vector<std::string> words;
    for (size_t start = 0; start < flags.size(); start += liquidation_flags_per_word) {
        math::U256 w;
        for (size_t i = start; i < flags.size() && i < start + liquidation_flags_per_word; ++i)
            if (flags[i])
                w.limb[(i - start) / 64] |= uint64_t(1) << ((i - start) % 64);
        words.push_back(w.to_decimal());
    }
    return words;
}

LiquidationResult liquidation_model(const LiquidationInputs& in)
{
    LiquidationResult out;
    std::vector<bool> flags;
    for (const LiquidationAccount& acc : in.accounts) {
        Int256 tv = Int256(acc.collateral).times(uint64_t(1) << 32);
        Int256 tr;
        for (size_t j = 0; j < in.prices.size(); ++j) {
            // price < 2^64 and |balance| <= 2^63: the product fits in 127 bits.
            const int128 value = in.prices[j] * acc.balances[j];
            tv = tv + Int256(value);
            tr = tr + Int256(value < 0 ? -value : value).times(uint64_t(in.risk_factors[j]));
        }
        const bool liquidatable = tv.times(uint64_t(1) << 32) < tr;
        out.accounts.push_back({tv.to_decimal(), tr.to_decimal(), liquidatable});
        out.liquidatable_count += liquidatable ? 1 : 0;
        flags.push_back(liquidatable);
    }
    out.flag_words = pack_flags(flags);
    return out;
}

json LiquidationResult::to_json() const
{
    json accs = json::array();
    for (const LiquidationStatus& s : accounts)
        accs.push_back({{"total_value", s.total_value}, {"total_risk", s.total_risk}, {"liquidatable", s.liquidatable}});
    return {{"accounts", accs}, {"liquidatable_count", liquidatable_count}, {"liquidatable_flags", flag_words}};
}

}  // namespace provernet::finance
