#include "circuit/gadgets.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace provernet::circuit {

namespace {

using math::U256;

// The constants 1 and 0, made once (a copy of a constant allocates its term). zero() is
// Builder::constant(0), which is marked as recorded, so combinations accumulated on it keep their
// terms in Mode::full.
const Signal& one()
{
    static const Signal s = Builder::constant(1);
    return s;
}
const Signal& zero()
{
    static const Signal s = Builder::constant(0);
    return s;
}

// The sum of the parts, added pairwise: in Mode::full an n-term combination then costs
// O(n log n) term copies instead of the O(n^2) of a running sum.
Signal sum(std::vector<Signal> parts)
{
    if (parts.empty())
        return zero();
    while (parts.size() > 1) {
        size_t out = 0;
        for (size_t i = 0; i + 1 < parts.size(); i += 2)
            parts[out++] = parts[i] + parts[i + 1];
        if (parts.size() % 2 == 1)
            parts[out++] = std::move(parts.back());
        parts.resize(out);
    }
    return std::move(parts[0]);
}

bool is_bool_value(const Fr& v) { return v.is_zero() || v.is_one(); }

// 2^k and 2^-k for k <= 254.
const Fr& pow2(unsigned k)
{
    static const auto table = [] {
        std::array<Fr, 255> t;
        t[0] = Fr::one();
        for (size_t i = 1; i < t.size(); ++i)
            t[i] = t[i - 1].dbl();
        return t;
    }();
    return table.at(k);
}

const Fr& inv_pow2(unsigned k)
{
    static const auto table = [] {
        std::array<Fr, 255> t;
        t[0] = Fr::one();
        const Fr half = Fr::from_uint(2).inverse();
        for (size_t i = 1; i < t.size(); ++i)
            t[i] = t[i - 1] * half;
        return t;
    }();
    return table.at(k);
}

bool fits(const Fr& v, unsigned n) { return v.to_u256().bit_length() <= n; }

std::string bits_text(unsigned n) { return std::to_string(n) + (n == 1 ? " bit" : " bits"); }

void check_width(const char* what, unsigned n, unsigned max, unsigned min = 0)
{
    if (n < min || n > max)
        throw std::invalid_argument(std::string(what) + ": bit width " + std::to_string(n) + " outside [" +
                                    std::to_string(min) + ", " + std::to_string(max) + "]");
}

// s * (s - 1) = 0, or a native check for a constant.
void boolean_constraint(Builder& b, const Signal& s, const std::string& what)
{
    if (!is_bool_value(s.value()))
        throw ConstraintViolation(what);
    if (!s.is_constant())
        b.assert_product(s, s - one(), zero(), what.c_str());
}

void require_boolean_value(const Signal& s, const char* what)
{
    if (!is_bool_value(s.value()))
        throw ConstraintViolation(std::string(what) + ": operand is not boolean (0 or 1)");
}

// The decomposition behind to_bits and every range check; `what` names the caller for messages.
std::vector<Signal> decompose(Builder& b, const Signal& s, unsigned n, const std::string& what)
{
    if (!fits(s.value(), n))
        throw ConstraintViolation(what + ": value does not fit in " + bits_text(n));
    const U256 v = s.value().to_u256();
    std::vector<Signal> bits;
    bits.reserve(n);
    if (s.is_constant()) {
        for (unsigned i = 0; i < n; ++i)
            bits.push_back(v.bit(i) ? one() : zero());
        return bits;
    }
    if (n == 0) {
        b.assert_equal(s, zero(), what.c_str());
        return bits;
    }
    // Bits 0..n-2 are new wires; the top bit is what remains of s, scaled down.
    std::vector<Signal> weighted;
    weighted.reserve(n);
    for (unsigned i = 0; i + 1 < n; ++i) {
        const Signal bit = b.witness(v.bit(i) ? Fr::one() : Fr::zero());
        b.assert_product(bit, bit - one(), zero(), what.c_str());
        weighted.push_back(bit * pow2(i));
        bits.push_back(bit);
    }
    const Signal top = (s - sum(std::move(weighted))) * inv_pow2(n - 1);
    b.assert_product(top, top - one(), zero(), what.c_str());
    bits.push_back(top);
    return bits;
}

void range(Builder& b, const Signal& s, unsigned n, const std::string& what) { decompose(b, s, n, what); }

void check_operands(const char* what, const Signal& x, const Signal& y, unsigned n)
{
    if (!fits(x.value(), n) || !fits(y.value(), n))
        throw ConstraintViolation(std::string(what) + ": operand does not fit in " + bits_text(n));
}

// x < y for operands known to be n-bit: the top bit of the (n+1)-bit x - y + 2^n is 1 exactly
// when x >= y. x - y + 2^n lies in [1, 2^(n+1)), so the decomposition exists and is unique.
Signal lt_core(Builder& b, const Signal& x, const Signal& y, unsigned n, const char* what)
{
    const Signal shifted = x - y + Builder::constant(pow2(n));
    const std::vector<Signal> bits = decompose(b, shifted, n + 1, what);
    return one() - bits[n];
}

// x <= y - 1, i.e. y - x - 1 in [0, 2^n), for n-bit operands (strict) or y - x in [0, 2^n).
void assert_le_core(Builder& b, const Signal& x, const Signal& y, unsigned n, bool strict, const char* what)
{
    const Signal gap = strict ? y - x - one() : y - x;
    range(b, gap, n, what);
}

}  // namespace

// ---- Booleans ----

void assert_boolean(Builder& b, const Signal& s)
{
    boolean_constraint(b, s, "assert_boolean: value is not 0 or 1");
}

Signal boolean_not(const Signal& a)
{
    require_boolean_value(a, "boolean_not");
    return one() - a;
}

Signal boolean_and(Builder& b, const Signal& x, const Signal& y)
{
    require_boolean_value(x, "boolean_and");
    require_boolean_value(y, "boolean_and");
    return b.mul(x, y);
}

Signal boolean_or(Builder& b, const Signal& x, const Signal& y)
{
    require_boolean_value(x, "boolean_or");
    require_boolean_value(y, "boolean_or");
    return x + y - b.mul(x, y);
}

Signal boolean_xor(Builder& b, const Signal& x, const Signal& y)
{
    require_boolean_value(x, "boolean_xor");
    require_boolean_value(y, "boolean_xor");
    return x + y - b.mul(x, y) * Fr::from_uint(2);
}

// ---- Bits and ranges ----

std::vector<Signal> to_bits(Builder& b, const Signal& s, unsigned n)
{
    check_width("to_bits", n, max_bits);
    return decompose(b, s, n, "to_bits");
}

Signal from_bits(std::span<const Signal> bits)
{
    if (bits.size() > max_bits)
        throw std::invalid_argument("from_bits: more than 253 bits");
    std::vector<Signal> weighted;
    weighted.reserve(bits.size());
    for (size_t i = 0; i < bits.size(); ++i) {
        require_boolean_value(bits[i], "from_bits");
        weighted.push_back(bits[i] * pow2(unsigned(i)));
    }
    return sum(std::move(weighted));
}

void assert_range(Builder& b, const Signal& s, unsigned n)
{
    check_width("assert_range", n, max_bits);
    range(b, s, n, "assert_range");
}

// ---- Zero and equality ----

Signal is_zero(Builder& b, const Signal& x)
{
    if (x.is_constant())
        return Builder::constant(x.value().is_zero() ? 1 : 0);
    // inv = 1/x (anything when x = 0); m = x * inv; out = 1 - m; x * out = 0.
    // x != 0 forces out = 0 (so m = 1), x = 0 forces m = 0 (so out = 1).
    const Signal inv = b.witness(x.value().inverse());
    const Signal out = one() - b.mul(x, inv);
    b.assert_product(x, out, zero(), "is_zero");
    return out;
}

Signal is_equal(Builder& b, const Signal& x, const Signal& y) { return is_zero(b, x - y); }

void assert_nonzero(Builder& b, const Signal& x)
{
    if (x.value().is_zero())
        throw ConstraintViolation("assert_nonzero: value is zero");
    if (x.is_constant())
        return;
    const Signal inv = b.witness(x.value().inverse());
    b.assert_product(x, inv, one(), "assert_nonzero");
}

void assert_not_equal(Builder& b, const Signal& x, const Signal& y)
{
    if (x.value() == y.value())
        throw ConstraintViolation("assert_not_equal: values are equal");
    assert_nonzero(b, x - y);
}

// ---- Comparisons ----

Signal less_than_unchecked(Builder& b, const Signal& x, const Signal& y, unsigned n)
{
    check_width("less_than_unchecked", n, max_compare_bits, 1);
    check_operands("less_than_unchecked", x, y, n);
    return lt_core(b, x, y, n, "less_than_unchecked");
}

Signal less_or_equal_unchecked(Builder& b, const Signal& x, const Signal& y, unsigned n)
{
    check_width("less_or_equal_unchecked", n, max_compare_bits, 1);
    check_operands("less_or_equal_unchecked", x, y, n);
    return one() - lt_core(b, y, x, n, "less_or_equal_unchecked");
}

Signal less_than(Builder& b, const Signal& x, const Signal& y, unsigned n)
{
    check_width("less_than", n, max_compare_bits, 1);
    check_operands("less_than", x, y, n);
    range(b, x, n, "less_than");
    range(b, y, n, "less_than");
    return lt_core(b, x, y, n, "less_than");
}

Signal less_or_equal(Builder& b, const Signal& x, const Signal& y, unsigned n)
{
    check_width("less_or_equal", n, max_compare_bits, 1);
    check_operands("less_or_equal", x, y, n);
    range(b, x, n, "less_or_equal");
    range(b, y, n, "less_or_equal");
    return one() - lt_core(b, y, x, n, "less_or_equal");
}

Signal greater_than(Builder& b, const Signal& x, const Signal& y, unsigned n) { return less_than(b, y, x, n); }

Signal greater_or_equal(Builder& b, const Signal& x, const Signal& y, unsigned n)
{
    return less_or_equal(b, y, x, n);
}

void assert_less_than_unchecked(Builder& b, const Signal& x, const Signal& y, unsigned n)
{
    check_width("assert_less_than_unchecked", n, max_compare_bits, 1);
    check_operands("assert_less_than_unchecked", x, y, n);
    if (!(x.value().to_u256() < y.value().to_u256()))
        throw ConstraintViolation("assert_less_than_unchecked: x < y does not hold");
    assert_le_core(b, x, y, n, true, "assert_less_than_unchecked");
}

void assert_less_or_equal_unchecked(Builder& b, const Signal& x, const Signal& y, unsigned n)
{
    check_width("assert_less_or_equal_unchecked", n, max_compare_bits, 1);
    check_operands("assert_less_or_equal_unchecked", x, y, n);
    if (!(x.value().to_u256() <= y.value().to_u256()))
        throw ConstraintViolation("assert_less_or_equal_unchecked: x <= y does not hold");
    assert_le_core(b, x, y, n, false, "assert_less_or_equal_unchecked");
}

void assert_less_than(Builder& b, const Signal& x, const Signal& y, unsigned n)
{
    check_width("assert_less_than", n, max_compare_bits, 1);
    check_operands("assert_less_than", x, y, n);
    if (!(x.value().to_u256() < y.value().to_u256()))
        throw ConstraintViolation("assert_less_than: x < y does not hold");
    range(b, x, n, "assert_less_than");
    range(b, y, n, "assert_less_than");
    assert_le_core(b, x, y, n, true, "assert_less_than");
}

void assert_less_or_equal(Builder& b, const Signal& x, const Signal& y, unsigned n)
{
    check_width("assert_less_or_equal", n, max_compare_bits, 1);
    check_operands("assert_less_or_equal", x, y, n);
    if (!(x.value().to_u256() <= y.value().to_u256()))
        throw ConstraintViolation("assert_less_or_equal: x <= y does not hold");
    range(b, x, n, "assert_less_or_equal");
    range(b, y, n, "assert_less_or_equal");
    assert_le_core(b, x, y, n, false, "assert_less_or_equal");
}

// ---- Selection ----

Signal select(Builder& b, const Signal& cond, const Signal& a, const Signal& c)
{
    require_boolean_value(cond, "select");
    return c + b.mul(cond, a - c);
}

// ---- Integer division ----

namespace {

void check_division(const Signal& x, const Signal& d, unsigned n, const char* what)
{
    check_width(what, n, max_divmod_bits, 1);
    if (!fits(x.value(), n) || !fits(d.value(), n))
        throw ConstraintViolation(std::string(what) + ": operand does not fit in " + bits_text(n));
    if (d.value().is_zero())
        throw ConstraintViolation(std::string(what) + ": division by zero");
}

// Both operands fit in 126 bits here, so the native division runs on 128-bit integers.
math::u128 low128(const Fr& v)
{
    const U256 u = v.to_u256();
    return (math::u128(u.limb[1]) << 64) | u.limb[0];
}

Fr from_u128(math::u128 v) { return Fr::from_u256_unchecked(U256(uint64_t(v), uint64_t(v >> 64), 0, 0)); }

// q, r with q * d = x - r, q and r n-bit, r < d (d - 1 - r n-bit). With q, d < 2^n and
// r < d, q d + r < 2^(2n) <= 2^252 < p: the field equation is the integer one, so q and r are
// the integer quotient and remainder.
DivMod divide(Builder& b, const Signal& x, const Signal& d, unsigned n, const char* what)
{
    const math::u128 xv = low128(x.value()), dv = low128(d.value());
    if (x.is_constant() && d.is_constant())
        return {Builder::constant(from_u128(xv / dv)), Builder::constant(from_u128(xv % dv))};
    Signal q = b.witness(from_u128(xv / dv));
    Signal r = b.witness(from_u128(xv % dv));
    b.assert_product(q, d, x - r, what);
    range(b, q, n, what);
    range(b, r, n, what);
    range(b, d - one() - r, n, what);
    return {q, r};
}

}  // namespace

DivMod divmod(Builder& b, const Signal& x, const Signal& d, unsigned n)
{
    check_division(x, d, n, "divmod");
    range(b, x, n, "divmod");
    range(b, d, n, "divmod");
    return divide(b, x, d, n, "divmod");
}

DivMod divmod_unchecked(Builder& b, const Signal& x, const Signal& d, unsigned n)
{
    check_division(x, d, n, "divmod_unchecked");
    return divide(b, x, d, n, "divmod_unchecked");
}

}  // namespace provernet::circuit
