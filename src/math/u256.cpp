#include "math/u256.hpp"

#include <algorithm>

namespace provernet::math {

namespace {
// out = a * m + add, returning the overflow past 256 bits.
uint64_t mul_small_add(U256& out, const U256& a, uint64_t m, uint64_t add)
{
    uint64_t carry = add;
    for (int i = 0; i < 4; ++i) {
        const u128 p = u128(a.limb[i]) * m + carry;
        out.limb[i] = uint64_t(p);
        carry = uint64_t(p >> 64);
    }
    return carry;
}
}  // namespace

std::optional<U256> U256::from_decimal(std::string_view s)
{
    if (s.empty() || s.size() > 78)
        return std::nullopt;
    U256 r;
    for (const char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        if (mul_small_add(r, r, 10, uint64_t(c - '0')) != 0)
            return std::nullopt;
    }
    return r;
}

std::optional<U256> U256::from_hex(std::string_view s)
{
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s.remove_prefix(2);
    if (s.empty())
        return std::nullopt;
    while (s.size() > 1 && s.front() == '0')
        s.remove_prefix(1);
    if (s.size() > 64)
        return std::nullopt;
    U256 r;
    unsigned pos = 0;
    for (size_t i = s.size(); i > 0; --i, pos += 4) {
        const char c = s[i - 1];
        uint64_t d;
        if (c >= '0' && c <= '9')
            d = uint64_t(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = uint64_t(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = uint64_t(c - 'A' + 10);
        else
            return std::nullopt;
        r.limb[pos / 64] |= d << (pos % 64);
    }
    return r;
}

std::string U256::to_decimal() const
{
    if (is_zero())
        return "0";
    std::string out;
    U256 v = *this;
    // Peel off 19 decimal digits at a time.
    constexpr uint64_t chunk = 10000000000000000000ull;
    while (!v.is_zero()) {
        uint64_t rem = 0;
        for (int i = 3; i >= 0; --i) {
            const u128 cur = (u128(rem) << 64) | v.limb[i];
            v.limb[i] = uint64_t(cur / chunk);
            rem = uint64_t(cur % chunk);
        }
        for (int d = 0; d < 19; ++d) {
            out.push_back(char('0' + rem % 10));
            rem /= 10;
            if (v.is_zero() && rem == 0)
                break;
        }
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::string U256::to_hex() const
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out = "0x";
    bool started = false;
    for (int i = 63; i >= 0; --i) {
        const unsigned d = unsigned(limb[unsigned(i) / 16] >> ((unsigned(i) % 16) * 4)) & 15;
        if (d != 0 || started || i == 0) {
            out.push_back(digits[d]);
            started = true;
        }
    }
    return out;
}

U256 U256::from_le_bytes(const uint8_t* p)
{
    U256 r;
    for (int i = 0; i < 4; ++i) {
        uint64_t v = 0;
        for (int b = 7; b >= 0; --b)
            v = (v << 8) | p[i * 8 + b];
        r.limb[i] = v;
    }
    return r;
}

void U256::to_le_bytes(uint8_t* p) const
{
    for (int i = 0; i < 4; ++i)
        for (int b = 0; b < 8; ++b)
            p[i * 8 + b] = uint8_t(limb[i] >> (8 * b));
}

}  // namespace provernet::math
