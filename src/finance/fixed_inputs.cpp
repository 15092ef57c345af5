#include "finance/fixed_inputs.hpp"

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace provernet::finance {

using math::Fr;
using nlohmann::json;

namespace {

std::string type_name(const json& v)
{
    if (v.is_object())
        return "an object";
    if (v.is_array())
        return "an array";
    if (v.is_string())
        return "a string";
    if (v.is_boolean())
        return "a boolean";
    if (v.is_null())
        return "null";
    return "a number";
}

// [-]digits[.digits][(e|E)[+|-]digits]: the syntax FixedFormat::parse rounds exactly.
bool is_decimal_syntax(const std::string& s)
{
    size_t i = 0;
    if (i < s.size() && s[i] == '-')
        ++i;
    auto digits = [&] {
        const size_t from = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9')
            ++i;
        return i - from;
    };
    if (digits() == 0)
        return false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (digits() == 0)
            return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            ++i;
        if (digits() == 0)
            return false;
    }
    return i == s.size() && s.size() <= 100;
}

std::string number_text(long double x)
{
    std::ostringstream out;
    out.precision(18);
    out << double(x);
    return out.str();
}

Fr fr_from_uint128(unsigned __int128 v)
{
    const Fr two64 = Fr::from_uint(uint64_t(1) << 32) * Fr::from_uint(uint64_t(1) << 32);
    return Fr::from_uint(uint64_t(v >> 64)) * two64 + Fr::from_uint(uint64_t(v));
}

void check_packing(unsigned width, int128 offset, size_t per_word)
{
    if (width == 0 || width > 126 || per_word == 0 || width * per_word > 253 || offset < 0)
        throw std::invalid_argument("pack_words: width * per_word must be at most 253 bits, offset >= 0");
}

}  // namespace

std::string InputReader::path(const std::string& parent, const std::string& key)
{
    return parent.empty() ? key : parent + "." + key;
}

std::string InputReader::path(const std::string& parent, size_t index)
{
    return parent + "[" + std::to_string(index) + "]";
}

const json& InputReader::member(const json& obj, const std::string& obj_path, const std::string& key) const
{
    if (!obj.is_object())
        fail(obj_path.empty() ? "(root)" : obj_path, "expected an object, got " + type_name(obj));
    const auto it = obj.find(key);
    if (it == obj.end())
        fail(path(obj_path, key), "missing");
    return *it;
}

const json& InputReader::array(const json& obj, const std::string& obj_path, const std::string& key,
                               size_t count) const
{
    const json& v = member(obj, obj_path, key);
    const std::string at = path(obj_path, key);
    if (!v.is_array())
        fail(at, "expected an array, got " + type_name(v));
    if (v.size() != count)
        fail(at, "expected " + std::to_string(count) + " elements, got " + std::to_string(v.size()));
    return v;
}

void InputReader::only_keys(const json& obj, const std::string& obj_path,
                            std::initializer_list<const char*> allowed) const
{
    for (const auto& [key, value] : obj.items()) {
        bool known = false;
        for (const char* a : allowed)
            known = known || key == a;
        if (!known)
            fail(path(obj_path, key), "unknown field");
    }
}

int128 InputReader::integer(const json& v, const std::string& at, int128 min, int128 max) const
{
    int128 x = 0;
    if (v.is_number_unsigned()) {
        x = v.get<uint64_t>();
    } else if (v.is_number_integer()) {
        x = v.get<int64_t>();
    } else if (v.is_string()) {
        const std::string s = v.get<std::string>();
        size_t i = s.rfind('-', 0) == 0 ? 1 : 0;
        if (i == s.size())
            fail(at, "\"" + s + "\" is not an integer");
        for (; i < s.size(); ++i) {
            if (s[i] < '0' || s[i] > '9')
                fail(at, "\"" + s + "\" is not an integer");
            if (x > (int128(1) << 120))
                fail(at, "\"" + s + "\" is outside [" + int128_to_string(min) + ", " + int128_to_string(max) + "]");
            x = x * 10 + (s[i] - '0');
        }
        if (s[0] == '-')
            x = -x;
    } else {
        fail(at, "expected an integer (a JSON integer or a string of decimal digits), got " + type_name(v));
    }
    if (x < min || x > max)
        fail(at, "value " + int128_to_string(x) + " is outside [" + int128_to_string(min) + ", " +
                     int128_to_string(max) + "]");
    return x;
}

Decimal InputReader::decimal(const json& v, const std::string& at, long double min, long double max) const
{
    Decimal d;
    if (v.is_number_integer()) {
        d.text = v.dump();
    } else if (v.is_number_float()) {
        if (!std::isfinite(v.get<double>()))
            fail(at, "not a finite number");
        d.text = v.dump();  // shortest text that reads back as the same double
    } else if (v.is_string()) {
        d.text = v.get<std::string>();
    } else {
        fail(at, "expected a decimal number (a string such as \"0.25\" or a JSON number), got " + type_name(v));
    }
    if (!is_decimal_syntax(d.text))
        fail(at, "\"" + d.text + "\" is not a decimal number");
    d.value = std::strtold(d.text.c_str(), nullptr);
    if (!std::isfinite(d.value) || d.value < min || d.value > max)
        fail(at, "value " + d.text + " is outside [" + number_text(min) + ", " + number_text(max) + "]");
    return d;
}

std::string InputReader::text(const json& v, const std::string& at) const
{
    if (!v.is_string())
        fail(at, "expected a string, got " + type_name(v));
    return v.get<std::string>();
}

std::string int128_to_string(int128 v)
{
    if (v == 0)
        return "0";
    const bool negative = v < 0;
    unsigned __int128 u = negative ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    std::string digits;
    while (u != 0) {
        digits.insert(digits.begin(), char('0' + int(u % 10)));
        u /= 10;
    }
    return negative ? "-" + digits : digits;
}

Fr int128_to_fr(int128 v)
{
    const Fr m = fr_from_uint128(v < 0 ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v);
    return v < 0 ? -m : m;
}

std::vector<Fr> pack_words(std::span<const int128> values, unsigned width, int128 offset, size_t per_word)
{
    check_packing(width, offset, per_word);
    std::vector<Fr> out;
    Fr shift = Fr::one();
    const Fr step = fr_from_uint128((unsigned __int128)1 << (width - 1)) * Fr::from_uint(2);
    for (size_t j = 0; j < values.size(); ++j) {
        const int128 w = values[j] + offset;
        if (w < 0 || (width < 127 && w >= (int128(1) << width)))
            throw std::invalid_argument("pack_words: value outside its word");
        if (j % per_word == 0) {
            out.push_back(Fr::zero());
            shift = Fr::one();
        }
        out.back() += fr_from_uint128((unsigned __int128)w) * shift;
        shift *= step;
    }
    return out;
}

std::vector<circuit::Signal> pack_words(std::span<const circuit::Signal> values, unsigned width, int128 offset,
                                        size_t per_word)
{
    check_packing(width, offset, per_word);
    std::vector<circuit::Signal> out;
    Fr shift = Fr::one();
    const Fr step = fr_from_uint128((unsigned __int128)1 << (width - 1)) * Fr::from_uint(2);
    const circuit::Signal off = circuit::Builder::constant(fr_from_uint128((unsigned __int128)offset));
    for (size_t j = 0; j < values.size(); ++j) {
        if (j % per_word == 0) {
            out.emplace_back();
            shift = Fr::one();
        }
        out.back() += (values[j] + off) * shift;
        shift *= step;
    }
    return out;
}

size_t packed_count(size_t values, size_t per_word) { return (values + per_word - 1) / per_word; }

size_t commitment_constraints(size_t n)
{
    const size_t chunks = n == 0 ? 1 : packed_count(n, 15);
    return 564 * chunks + 3 * n - 3;
}

unsigned ceil_log2(size_t n)
{
    unsigned k = 0;
    while ((size_t(1) << k) < n)
        ++k;
    return k;
}

}  // namespace provernet::finance
