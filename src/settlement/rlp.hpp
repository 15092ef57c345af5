// RLP (Ethereum yellow paper, appendix B): byte strings and nested lists.
//
// Decoding is strict: the input must be exactly one item, every length must fit the input, and
// only the canonical (shortest) form is accepted (a single byte < 0x80 is never wrapped, long
// forms only above 55 bytes, no leading zeros in lengths or integers). Errors are RlpError
// naming the offset and what is wrong.
#pragma once

#include "math/u256.hpp"
#include "settlement/bytes.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace provernet::settlement::rlp {

struct Item {
    bool is_list = false;
    Bytes bytes;              // the payload of a byte string
    std::vector<Item> items;  // the elements of a list

    static Item string(BytesView b) { return Item{false, Bytes(b.begin(), b.end()), {}}; }
    static Item string(std::string_view s) { return string(settlement::as_bytes(s)); }
    // Integers are big-endian with no leading zeros; zero is the empty string.
    static Item uint(uint64_t v) { return uint(math::U256(v)); }
    static Item uint(const math::U256& v) { return Item{false, minimal_be_bytes(v), {}}; }
    static Item list(std::vector<Item> items) { return Item{true, {}, std::move(items)}; }

    friend bool operator==(const Item&, const Item&) = default;
};

// Nesting deeper than this is rejected when decoding (no Ethereum structure comes close).
constexpr size_t max_depth = 64;

Bytes encode(const Item& item);
// The header alone, for callers that stream a payload they have already encoded.
Bytes encode_header(bool is_list, size_t payload_size);

Item decode(BytesView data);

// Typed views of a decoded item; `field` names it in errors ("nonce", "access_list[2].address").
uint64_t as_uint64(const Item& item, std::string_view field);
math::U256 as_u256(const Item& item, std::string_view field);
const Bytes& as_bytes(const Item& item, std::string_view field);
// A byte string of exactly `size` bytes.
const Bytes& as_fixed_bytes(const Item& item, size_t size, std::string_view field);
const std::vector<Item>& as_list(const Item& item, std::string_view field);

}  // namespace provernet::settlement::rlp
