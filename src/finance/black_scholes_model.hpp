// The plain Black-Scholes(-Merton) model with a continuous dividend yield, in long double: the
// high-precision reference the circuit is tested against (about 1e-18 relative, far below the
// circuit's 1e-9 x spot), and the Program's `reference`. No circuit code here.
//
//   d1 = (ln(S/K) + (r - q + sigma^2/2) T) / (sigma sqrt(T)),  d2 = d1 - sigma sqrt(T)
//   call = S e^(-qT) N(d1) - K e^(-rT) N(d2),   put = K e^(-rT) N(-d2) - S e^(-qT) N(-d1)
//   delta_call = e^(-qT) N(d1),                 delta_put = -e^(-qT) N(-d1)
// The put is computed directly, not from parity, so that neither price loses digits to
// cancellation.
#pragma once

namespace provernet::finance {

struct BlackScholesParams {
    long double spot = 0, strike = 0, expiry = 0, rate = 0, volatility = 0, dividend_yield = 0;
};

struct BlackScholesValues {
    long double call = 0, put = 0, delta_call = 0, delta_put = 0;
    long double d1 = 0, d2 = 0;
};

// Standard normal CDF, 0.5 erfc(-x / sqrt 2).
long double standard_normal_cdf(long double x);

// Requires spot, strike, expiry, volatility > 0 (std::invalid_argument otherwise).
BlackScholesValues black_scholes_price(const BlackScholesParams& p);

}  // namespace provernet::finance
