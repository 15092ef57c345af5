// Signed fixed-point arithmetic over Fr, as circuit gadgets and as a bit-exact native model.
//
// A value x is the integer v = round(x * 2^F) ("raw"), with F fractional bits (a runtime
// parameter in [16, 64], default 48). Negative raws are the field elements p - |v|. Every Fixed carries a
// *proven* magnitude bound: |v| <= 2^(F + int_bits), i.e. |x| <= 2^int_bits. The bound is what
// makes each range check sound: a gadget picks its check widths from its inputs' bounds so that
// every field equation it writes is also an integer equation (no wrap-around mod p), and every
// hint it takes (quotient, remainder, root, segment bits) is then the unique one.
//
// Costs (R1CS constraints; n_x = F + x.int_bits; a result checked in [-2^n, 2^n) costs n + 1
// bits, its sign included through an offset, so one decomposition covers sign and magnitude):
//   add, sub, neg, mul_int                     free
//   input / range_checked                      n + 1,  n = F + int_bits
//   mul (variable x variable)                  1 + F + (n + 1): one decomposition holds the
//                                              remainder (F bits) and the offset quotient
//   mul by a constant                          F + (n + 1)
//        n = F + out_int_bits if declared, else n_a + n_b - F + 1 (one spare bit so that
//        operands at their bounds still pass)
//   div (b > 0)                                1 + 2 (n_b + s) + (n + 1),  s = 1 for nearest,
//        n = F + out_int_bits (default out_int_bits = F + a.int_bits: only b >= 2^-F is known)
//   sqrt (round to nearest)                    2 ceil((n_x + F) / 2) + 5
//   exp, ln, normal_cdf                        piecewise polynomials, see fixed_point.cpp; at
//                                              F = 48 about 275-575, 280-320 and 330-340
// Rounding: mul and div round to nearest (ties up) by default, floor and ceil cost the same for mul.
//
// The transcendental gadgets evaluate a piecewise polynomial whose segment is chosen by bits of
// the (range-reduced) argument. The segment's coefficients are linear combinations of the
// multilinear monomials of the index bits (2^m - m - 1 products), the polynomial is evaluated
// *exactly* (powers and coefficient products are exact integer products; no intermediate
// truncation) and rounded once, so the only range check of the evaluation is the final one.
// Tables are exact decimal constants (generated offline with mpmath, see fixed_point.cpp), so the
// circuit is identical on every machine.
#pragma once

#include "circuit/builder.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace provernet::circuit {

// A signed 1024-bit integer (two's complement): the native model's arithmetic (products of two
// 250-bit values, table constants at 2^-200 precision). Overflow past 1023 bits throws.
class WideInt {
public:
    static constexpr int kLimbs = 16;

    WideInt() = default;
    WideInt(int64_t v);  // NOLINT: implicit from small integers is convenient
    static WideInt pow2(int k);
    // Decimal digits with an optional leading '-'; nullopt on anything else.
    static std::optional<WideInt> from_decimal(std::string_view s);
    std::string to_decimal() const;

    // The centered lift of a field element: values above (p - 1) / 2 are negative.
    static WideInt from_fr(const math::Fr& f);
    // Requires |*this| < p (throws std::overflow_error otherwise).
    math::Fr to_fr() const;

    bool is_negative() const { return (w_[kLimbs - 1] >> 63) != 0; }
    bool is_zero() const;
    int sign() const { return is_negative() ? -1 : (is_zero() ? 0 : 1); }
    WideInt abs() const { return is_negative() ? -*this : *this; }
    // Bits of |x|: the least n with |x| < 2^n.
    int bit_length() const;
    // Bit i of the two's complement representation.
    bool bit(int i) const { return (w_[i / 64] >> (i % 64)) & 1; }
    int64_t to_int64() const;  // throws if it does not fit
    long double to_long_double() const;

    friend WideInt operator+(const WideInt& a, const WideInt& b);
    friend WideInt operator-(const WideInt& a, const WideInt& b);
    friend WideInt operator-(const WideInt& a);
    friend WideInt operator*(const WideInt& a, const WideInt& b);
    friend WideInt operator<<(const WideInt& a, int k);
    friend WideInt operator>>(const WideInt& a, int k);  // arithmetic: floor(a / 2^k)
    WideInt& operator+=(const WideInt& b) { return *this = *this + b; }
    WideInt& operator-=(const WideInt& b) { return *this = *this - b; }
    WideInt& operator*=(const WideInt& b) { return *this = *this * b; }
    friend bool operator==(const WideInt& a, const WideInt& b) { return a.w_ == b.w_; }
    friend std::strong_ordering operator<=>(const WideInt& a, const WideInt& b);

    // floor(a / b) and a - b * floor(a / b); b != 0 (throws std::domain_error).
    static WideInt floor_div(const WideInt& a, const WideInt& b);
    static WideInt floor_mod(const WideInt& a, const WideInt& b) { return a - b * floor_div(a, b); }
    // floor(sqrt(a)), a >= 0.
    static WideInt isqrt(const WideInt& a);
    // floor((a + 2^(k-1)) / 2^k): round to nearest, ties up (k >= 0).
    static WideInt round_shift(const WideInt& a, int k);

private:
    std::array<uint64_t, kLimbs> w_{};
};

enum class Rounding { floor, nearest, ceil };

inline constexpr int kDefaultFracBits = 48;

// The native (out-of-circuit) model of the arithmetic, bit-exact with the gadgets: the gadgets
// compute their hints with these functions. Domain errors throw ConstraintViolation, as the
// gadgets do.
class FixedFormat {
public:
    explicit FixedFormat(int frac_bits = kDefaultFracBits);
    int frac_bits() const { return f_; }
    WideInt one() const { return WideInt::pow2(f_); }
    double ulp() const;

    // Conversions, rounding to nearest (ties away from zero).
    WideInt from_long_double(long double x) const;
    WideInt from_double(double x) const { return from_long_double(x); }
    // Exact decimal: [-]digits[.digits][e[-]digits], e.g. "42.5", "-0.0001", "1e-4".
    // Throws std::invalid_argument on a malformed string.
    WideInt parse(std::string_view decimal) const;
    long double to_long_double(const WideInt& raw) const;

    WideInt add(const WideInt& a, const WideInt& b) const { return a + b; }
    WideInt mul(const WideInt& a, const WideInt& b, Rounding r = Rounding::nearest) const;
    // a / b for b > 0.
    WideInt div(const WideInt& a, const WideInt& b, Rounding r = Rounding::nearest) const;
    // sqrt(a), round to nearest, a >= 0.
    WideInt sqrt(const WideInt& a) const;
    // The transcendental functions take the argument's declared bound, as the gadgets do (the
    // bound selects the range reduction, and so the exact rounding of the result).
    // exp: -2^int_bits <= x < 2^int_bits, int_bits <= 6.
    WideInt exp(const WideInt& x, int int_bits) const;
    // ln: 0 < x <= 2^int_bits, 7 <= F + int_bits <= 122.
    WideInt ln(const WideInt& x, int int_bits) const;
    // Standard normal CDF; |x| <= 2^int_bits. Phi(x) = 0 / 1 past |x| >= 8 (error < 6.2e-16).
    WideInt normal_cdf(const WideInt& x, int int_bits) const;

private:
    int f_;
};

// A fixed-point circuit value: s holds the raw integer (negative as p - |v|); the constraints
// already written imply |raw| <= 2^(F + int_bits). Make them with FixedPoint (inputs, constants,
// range_checked, the operations): a Fixed assembled by hand with an unproven int_bits voids the
// soundness of every gadget it flows into.
struct Fixed {
    Signal s;
    int int_bits = 0;
};

// Gadgets over one Builder with F fractional bits.
class FixedPoint {
public:
    explicit FixedPoint(Builder& b, int frac_bits = kDefaultFracBits);

    Builder& builder() const { return *b_; }
    const FixedFormat& format() const { return fmt_; }
    int frac_bits() const { return fmt_.frac_bits(); }

    WideInt raw(const Fixed& x) const { return WideInt::from_fr(x.s.value()); }
    long double to_long_double(const Fixed& x) const { return fmt_.to_long_double(raw(x)); }

    // Constants are free; their bound is the least that holds.
    Fixed constant(const WideInt& raw) const;
    Fixed constant(std::string_view decimal) const { return constant(fmt_.parse(decimal)); }
    // Inputs are range-checked to |x| < 2^int_bits (precisely: -2^int_bits <= x < 2^int_bits);
    // a value outside throws ConstraintViolation.
    Fixed private_input(const std::string& name, const WideInt& raw, int int_bits);
    Fixed public_input(const std::string& name, const WideInt& raw, int int_bits);
    // Range-checks an existing signal (e.g. a hash preimage field) into a Fixed.
    Fixed range_checked(const Signal& s, int int_bits, const char* what = "fixed range check");
    void public_output(const std::string& name, const Fixed& x) { b_->public_output(name, x.s); }

    Fixed add(const Fixed& a, const Fixed& b) const;
    Fixed sub(const Fixed& a, const Fixed& b) const;
    Fixed neg(const Fixed& a) const;
    Fixed mul_int(const Fixed& a, int64_t k) const;

    // a * b. out_int_bits declares the result's bound (checked: a result outside throws
    // ConstraintViolation); by default the bound that always holds, a.int_bits + b.int_bits.
    Fixed mul(const Fixed& a, const Fixed& b, Rounding r = Rounding::nearest,
              std::optional<int> out_int_bits = std::nullopt);
    // a / b, b > 0 (proven by the gadget). The quotient's bound is the main cost: pass
    // out_int_bits when a lower bound of b is known; the default assumes only b >= 2^-F.
    Fixed div(const Fixed& a, const Fixed& b, Rounding r = Rounding::nearest,
              std::optional<int> out_int_bits = std::nullopt);
    Fixed sqrt(const Fixed& a);
    Fixed exp(const Fixed& x);
    Fixed ln(const Fixed& x);
    Fixed normal_cdf(const Fixed& x);

private:
    Fixed input(const std::string& name, const WideInt& raw, int int_bits, bool is_public);

    Builder* b_;
    FixedFormat fmt_;
};

}  // namespace provernet::circuit
