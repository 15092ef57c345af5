#include "finance/black_scholes_model.hpp"

#include <cmath>
#include <stdexcept>

namespace provernet::finance {

long double standard_normal_cdf(long double x) { return 0.5L * std::erfc(-x / std::sqrt(2.0L)); }

BlackScholesValues black_scholes_price(const BlackScholesParams& p)
{
    if (!(p.spot > 0 && p.strike > 0 && p.expiry > 0 && p.volatility > 0))
        throw std::invalid_argument("black_scholes_price: spot, strike, expiry and volatility must be positive");
    const long double v = p.volatility * std::sqrt(p.expiry);
    BlackScholesValues out;
    out.d1 = (std::log(p.spot / p.strike) + (p.rate - p.dividend_yield) * p.expiry) / v + v / 2;
    out.d2 = out.d1 - v;
    const long double div_disc = std::exp(-p.dividend_yield * p.expiry);
    const long double spot_disc = p.spot * div_disc;
    const long double strike_disc = p.strike * std::exp(-p.rate * p.expiry);
    out.call = spot_disc * standard_normal_cdf(out.d1) - strike_disc * standard_normal_cdf(out.d2);
    out.put = strike_disc * standard_normal_cdf(-out.d2) - spot_disc * standard_normal_cdf(-out.d1);
    out.delta_call = div_disc * standard_normal_cdf(out.d1);
    out.delta_put = -div_disc * standard_normal_cdf(-out.d1);
    return out;
}

}  // namespace provernet::finance
