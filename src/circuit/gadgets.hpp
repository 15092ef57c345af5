// Basic gadgets over the circuit Builder: booleans, bit decomposition and range checks,
// zero/equality tests, comparisons, selection and integer division with remainder.
//
// Conventions
// - "n-bit" means the canonical integer representative of a field element lies in [0, 2^n).
// - Constraint counts below are for non-constant operands; operations on constants are checked
//   natively and cost nothing (structure depends only on which signals are constants, so both
//   builder modes allocate the same wires).
// - When the inputs make the statement false (a range check on an out-of-range value, a
//   division by zero, a failed assertion), the gadget throws ConstraintViolation while building,
//   in both modes, naming the gadget; messages never contain witness values.
// - Arguments that are programming errors (n too large, mismatched sizes) throw
//   std::invalid_argument.
// - Comparisons and divmod range-check their operands themselves: the result is meaningful for
//   any witness. The *_unchecked variants skip that and are only sound when the caller has
//   already constrained the operands to n bits (circomlib's LessThan is such an unchecked
//   comparison: without range checks a prover can make it say anything).
#pragma once

#include "circuit/builder.hpp"

#include <span>
#include <vector>

namespace provernet::circuit {

// Largest n for to_bits / assert_range. The constraints say s = sum_i b_i 2^i mod p; the
// decomposition is unique only when every sum, at most 2^n - 1, is below p, i.e. n <= 253 for
// BN254 (2^253 < p < 2^254). At n = 254 every s < 2^254 - p also has the bits of the integer
// s + p, so a prover could present either: the bits would not be a function of s (and a 254-bit
// "range check" excludes nothing, since every field element is below 2^254).
inline constexpr unsigned max_bits = 253;
// Largest n for comparisons: they decompose x - y + 2^n into n + 1 bits.
inline constexpr unsigned max_compare_bits = 252;
// Largest n for divmod: q * d + r < 2^(2n) must not wrap around p, so 2n <= 252.
inline constexpr unsigned max_divmod_bits = 126;

// ---- Booleans --------------------------------------------------------------------------------

// s in {0, 1}: 1 constraint, s * (s - 1) = 0.
void assert_boolean(Builder& b, const Signal& s);

// Logic on signals already constrained boolean (outputs of the gadgets here, to_bits, or
// assert_boolean); the result is then boolean too. Throws ConstraintViolation when a value is
// not 0 or 1. not: free; and, or, xor: 1 constraint each.
Signal boolean_not(const Signal& a);
Signal boolean_and(Builder& b, const Signal& x, const Signal& y);
Signal boolean_or(Builder& b, const Signal& x, const Signal& y);
Signal boolean_xor(Builder& b, const Signal& x, const Signal& y);

// ---- Bits and ranges -------------------------------------------------------------------------

// The n bits of s, least significant first, each constrained boolean, with s = sum_i b_i 2^i;
// this also proves 0 <= s < 2^n. n <= max_bits (253). Cost: n constraints (1 for n = 0, which
// asserts s = 0): n - 1 new bit wires and the top bit as the linear combination
// (s - sum_{i<n-1} b_i 2^i) / 2^(n-1), constrained boolean (the sum constraint of the textbook
// form folded into the top bit's, as circom's optimiser does).
std::vector<Signal> to_bits(Builder& b, const Signal& s, unsigned n);

// sum_i bits[i] 2^i: free. The bits must already be constrained boolean (e.g. from to_bits);
// at most max_bits of them. Throws ConstraintViolation when a value is not 0 or 1.
Signal from_bits(std::span<const Signal> bits);

// 0 <= s < 2^n, n <= 253: n constraints (1 for n = 0).
void assert_range(Builder& b, const Signal& s, unsigned n);

// ---- Zero and equality -----------------------------------------------------------------------

// 1 when x = 0, else 0 (boolean): 2 constraints (x * inv = 1 - out, x * out = 0).
Signal is_zero(Builder& b, const Signal& x);
// 1 when x = y, else 0: 2 constraints.
Signal is_equal(Builder& b, const Signal& x, const Signal& y);
// x != 0: 1 constraint (x * inv = 1).
void assert_nonzero(Builder& b, const Signal& x);
// x != y: 1 constraint.
void assert_not_equal(Builder& b, const Signal& x, const Signal& y);

// ---- Comparisons of n-bit unsigned integers, 1 <= n <= 252 -----------------------------------

// Boolean x < y, etc. Each range-checks x and y to n bits (2n constraints; free for a constant)
// and compares with n + 1 more: 3n + 1 constraints in all.
Signal less_than(Builder& b, const Signal& x, const Signal& y, unsigned n);
Signal less_or_equal(Builder& b, const Signal& x, const Signal& y, unsigned n);
Signal greater_than(Builder& b, const Signal& x, const Signal& y, unsigned n);
Signal greater_or_equal(Builder& b, const Signal& x, const Signal& y, unsigned n);

// Assertions x < y and x <= y, range-checking x and y to n bits: 3n constraints.
void assert_less_than(Builder& b, const Signal& x, const Signal& y, unsigned n);
void assert_less_or_equal(Builder& b, const Signal& x, const Signal& y, unsigned n);

// The same without range checks on x and y: ONLY sound when the caller has already constrained
// both to n bits. Comparisons n + 1 constraints, assertions n. (Throw ConstraintViolation when
// the values do not fit in n bits, but nothing in the circuit enforces that.)
Signal less_than_unchecked(Builder& b, const Signal& x, const Signal& y, unsigned n);
Signal less_or_equal_unchecked(Builder& b, const Signal& x, const Signal& y, unsigned n);
void assert_less_than_unchecked(Builder& b, const Signal& x, const Signal& y, unsigned n);
void assert_less_or_equal_unchecked(Builder& b, const Signal& x, const Signal& y, unsigned n);

// ---- Selection -------------------------------------------------------------------------------

// cond ? a : c, for cond already constrained boolean: 1 constraint (c + cond * (a - c)).
// Throws ConstraintViolation when cond's value is not 0 or 1.
Signal select(Builder& b, const Signal& cond, const Signal& a, const Signal& c);

// ---- Integer division ------------------------------------------------------------------------

struct DivMod {
    Signal quotient, remainder;
};

// x = q d + r with 0 <= r < d, for n-bit unsigned x and d (d > 0), 1 <= n <= 126. Range-checks
// x, d, q, r and d - 1 - r to n bits and constrains q * d = x - r: 5n + 1 constraints. Throws
// ConstraintViolation on d = 0 or an operand wider than n bits.
DivMod divmod(Builder& b, const Signal& x, const Signal& d, unsigned n);
// The same when the caller has already constrained x and d to n bits: 3n + 1 constraints.
DivMod divmod_unchecked(Builder& b, const Signal& x, const Signal& d, unsigned n);

}  // namespace provernet::circuit
