// Checked uint64 arithmetic for amounts (base units) and times (milliseconds). Overflow is an
// error (MarketError overflow naming the quantity), never a wrap: the EVM contract uses
// checked uint256 arithmetic, and a wrapped balance would break conservation silently.
#pragma once

#include "market/errors.hpp"

#include <cstdint>
#include <string>

namespace provernet::market {

constexpr uint64_t bps_denominator = 10'000;

inline uint64_t checked_add(uint64_t a, uint64_t b, const char* what) {
    uint64_t r;
    if (__builtin_add_overflow(a, b, &r))
        throw MarketError(ErrorCode::overflow, std::string(what) + ": " + std::to_string(a) + " + " +
                                                   std::to_string(b) + " overflows uint64");
    return r;
}

// Callers check `a >= b` first and report the business error (insufficient balance...); this
// guards against a missed check.
inline uint64_t checked_sub(uint64_t a, uint64_t b, const char* what) {
    uint64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        throw MarketError(ErrorCode::overflow, std::string(what) + ": " + std::to_string(a) + " - " +
                                                   std::to_string(b) + " is negative");
    return r;
}

// floor(a * b / d) with a 128-bit intermediate, so a * b never overflows; d must be non-zero.
inline uint64_t mul_div_floor(uint64_t a, uint64_t b, uint64_t d, const char* what) {
    if (d == 0) throw MarketError(ErrorCode::overflow, std::string(what) + ": division by zero");
    unsigned __int128 q = static_cast<unsigned __int128>(a) * b / d;
    if (q > UINT64_MAX) throw MarketError(ErrorCode::overflow, std::string(what) + ": result overflows uint64");
    return static_cast<uint64_t>(q);
}

// floor(amount * bps / 10000): fees and slash burns. bps <= 10000 (Config validates it), so the
// result never exceeds amount.
inline uint64_t bps_of(uint64_t amount, uint64_t bps, const char* what) {
    return mul_div_floor(amount, bps, bps_denominator, what);
}

}  // namespace provernet::market
