// The liquidation check's inputs and its plain C++ reference model (exact integers, no circuit
// code), with StarkEx Perpetual's semantics (position/status.cairo):
//   prices        unsigned .32 fixed point, raw integers in [1, 2^64)       (asset price * 2^32)
//   risk_factors  unsigned .32 fixed point, raw integers in [1, 2^32)       (factor * 2^32, < 1)
//   collateral    signed 64-bit integer, [-2^63, 2^63), in collateral resolution units
//   balances      signed 64-bit integers, [-2^63, 2^63), in each asset's resolution units
//   TV = collateral * 2^32 + sum_j price_j * balance_j          (signed, .32 fixed point)
//   TR = sum_j risk_factor_j * price_j * |balance_j|           (unsigned, .64 fixed point)
//   liquidatable  iff  TV * 2^32 < TR    (StarkEx's "TV < TR" with both at scale 2^64)
// |TV| < 2^(127 + ceil(log2 M)) + 2^95 and TR < M * 2^159 overflow __int128, so the model sums
// in a small 256-bit two's-complement integer.
//
// Inputs (JSON; integers as JSON numbers or, past 2^53, decimal strings):
//   {"prices": ["4294967296000", ...],        M raw .32 prices
//    "risk_factors": ["42949673", ...],       M raw .32 risk factors
//    "accounts": [{"collateral": "-5000", "balances": ["3", "-7", ...]}, ...]}   A accounts
// Errors name the field: `accounts[2].balances[1]: value ... is outside [...]`.
#pragma once

#include "circuit/inputs.hpp"
#include "finance/fixed_inputs.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace provernet::finance {

inline constexpr int liquidation_price_bits = 64;  // prices in [1, 2^64)
inline constexpr int liquidation_risk_bits = 32;   // risk factors in [1, 2^32)
inline constexpr int liquidation_amount_bits = 64; // collateral and balances in [-2^63, 2^63)
inline constexpr size_t liquidation_flags_per_word = 250;

struct LiquidationAccount {
    int128 collateral = 0;
    std::vector<int128> balances;  // one per asset
};

struct LiquidationInputs {
    std::vector<int128> prices, risk_factors;  // one per asset
    std::vector<LiquidationAccount> accounts;
};

// Reads and range-checks inputs for exactly `accounts` accounts over `assets` assets.
LiquidationInputs read_liquidation_inputs(const circuit::Inputs& in, size_t accounts, size_t assets);

struct LiquidationStatus {
    std::string total_value;  // TV, decimal, .32 fixed point raw
    std::string total_risk;   // TR, decimal, .64 fixed point raw
    bool liquidatable = false;
};

struct LiquidationResult {
    std::vector<LiquidationStatus> accounts;
    size_t liquidatable_count = 0;
    // Flags packed as the public signals are: word k bit i = account 250 k + i (decimal).
    std::vector<std::string> flag_words;

    nlohmann::json to_json() const;
};

LiquidationResult liquidation_model(const LiquidationInputs& in);

// Packs per-account flags into words of liquidation_flags_per_word bits (decimal strings).
std::vector<std::string> pack_flags(const std::vector<bool>& flags);

}  // namespace provernet::finance
