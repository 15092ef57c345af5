// 256-bit unsigned integers as four little-endian 64-bit limbs: the plain (non-Montgomery)
// representation used in files, JSON and scalars.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace provernet::math {

using u128 = unsigned __int128;

struct U256 {
    std::array<uint64_t, 4> limb{};

    constexpr U256() = default;
    constexpr explicit U256(uint64_t v) : limb{v, 0, 0, 0} {}
    constexpr U256(uint64_t l0, uint64_t l1, uint64_t l2, uint64_t l3) : limb{l0, l1, l2, l3} {}

    constexpr bool is_zero() const { return (limb[0] | limb[1] | limb[2] | limb[3]) == 0; }
    constexpr bool bit(unsigned i) const { return (limb[i / 64] >> (i % 64)) & 1; }
    constexpr unsigned bit_length() const
    {
        for (int i = 3; i >= 0; --i)
            if (limb[i] != 0)
                return unsigned(i) * 64 + 64 - unsigned(__builtin_clzll(limb[i]));
        return 0;
    }
    // Bits [offset, offset + width) as an integer; width <= 32.
    constexpr uint32_t bits(unsigned offset, unsigned width) const
    {
        if (offset >= 256)
            return 0;
        const unsigned i = offset / 64, s = offset % 64;
        uint64_t v = limb[i] >> s;
        if (s + width > 64 && i + 1 < 4)
            v |= limb[i + 1] << (64 - s);
        return uint32_t(v & ((uint64_t(1) << width) - 1));
    }

    friend constexpr bool operator==(const U256&, const U256&) = default;
    friend constexpr std::strong_ordering operator<=>(const U256& a, const U256& b)
    {
        for (int i = 3; i >= 0; --i)
            if (a.limb[i] != b.limb[i])
                return a.limb[i] <=> b.limb[i];
        return std::strong_ordering::equal;
    }

    // a + b, returning the carry out.
    static constexpr uint64_t add(U256& out, const U256& a, const U256& b)
    {
        uint64_t carry = 0;
        for (int i = 0; i < 4; ++i) {
            const u128 s = u128(a.limb[i]) + b.limb[i] + carry;
            out.limb[i] = uint64_t(s);
            carry = uint64_t(s >> 64);
        }
        return carry;
    }
    // a - b, returning the borrow out.
    static constexpr uint64_t sub(U256& out, const U256& a, const U256& b)
    {
        uint64_t borrow = 0;
        for (int i = 0; i < 4; ++i) {
            const u128 d = u128(a.limb[i]) - b.limb[i] - borrow;
            out.limb[i] = uint64_t(d);
            borrow = uint64_t(d >> 64) & 1;
        }
        return borrow;
    }
    // floor(a / d) for a small divisor d != 0 (schoolbook over the limbs).
    static constexpr U256 div_small(U256 a, uint64_t d)
    {
        uint64_t rem = 0;
        for (int i = 3; i >= 0; --i) {
            const u128 cur = (u128(rem) << 64) | a.limb[i];
            a.limb[i] = uint64_t(cur / d);
            rem = uint64_t(cur % d);
        }
        return a;
    }
    constexpr U256 shr1() const
    {
        return {(limb[0] >> 1) | (limb[1] << 63), (limb[1] >> 1) | (limb[2] << 63), (limb[2] >> 1) | (limb[3] << 63),
                limb[3] >> 1};
    }

    // Parsing: decimal digits only (snarkjs JSON), or 0x-prefixed hex. nullopt on any bad
    // character, empty input or overflow past 2^256.
    static std::optional<U256> from_decimal(std::string_view s);
    static std::optional<U256> from_hex(std::string_view s);
    std::string to_decimal() const;
    std::string to_hex() const;

    // Little-endian byte encoding, 32 bytes.
    static U256 from_le_bytes(const uint8_t* p);
    void to_le_bytes(uint8_t* p) const;
};

constexpr U256 u256_from_hex_literal(const char* s)
{
    U256 r;
    unsigned n = 0;
    while (s[n] != 0)
        ++n;
    unsigned start = (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 2 : 0;
    unsigned pos = 0;
    for (unsigned i = n; i > start; --i, pos += 4) {
        const char c = s[i - 1];
        const uint64_t d = (c >= '0' && c <= '9') ? uint64_t(c - '0')
                           : (c >= 'a' && c <= 'f') ? uint64_t(c - 'a' + 10)
                                                    : uint64_t(c - 'A' + 10);
        r.limb[pos / 64] |= d << (pos % 64);
    }
    return r;
}

}  // namespace provernet::math
