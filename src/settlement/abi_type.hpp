// Solidity ABI types: parsing of type strings ("uint256[2][2]", "(address,bytes)[]"), their
// canonical spelling (aliases uint/int become uint256/int256), and the static/dynamic layout
// facts the encoder and decoder need.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace provernet::settlement::abi {

struct Type {
    enum class Kind : uint8_t { uint, sint, address, boolean, fixed_bytes, bytes, string, array, tuple };

    Kind kind = Kind::uint;
    unsigned size = 256;           // uint/sint: bits (8..256, step 8); fixed_bytes: bytes (1..32); array: length
    bool dynamic_length = false;   // array only: T[] rather than T[size]
    std::vector<Type> components;  // array: {element}; tuple: the members

    // Throws AbiError naming the text and the problem.
    static Type parse(std::string_view text);

    static Type uint(unsigned bits = 256) { return {Kind::uint, bits, false, {}}; }
    static Type sint(unsigned bits = 256) { return {Kind::sint, bits, false, {}}; }
    static Type address() { return {Kind::address, 0, false, {}}; }
    static Type boolean() { return {Kind::boolean, 0, false, {}}; }
    static Type fixed_bytes(unsigned n) { return {Kind::fixed_bytes, n, false, {}}; }
    static Type bytes() { return {Kind::bytes, 0, false, {}}; }
    static Type string() { return {Kind::string, 0, false, {}}; }
    static Type array(Type element, unsigned length) { return {Kind::array, length, false, {std::move(element)}}; }
    static Type dynamic_array(Type element) { return {Kind::array, 0, true, {std::move(element)}}; }
    static Type tuple(std::vector<Type> members) { return {Kind::tuple, 0, false, std::move(members)}; }

    std::string canonical() const;
    // Dynamic types are encoded out of line (an offset in the head, the data in the tail).
    bool is_dynamic() const;
    // One 32-byte word: uint, sint, address, bool, bytesN.
    bool is_word() const;
    // Bytes the type occupies in its enclosing head: 32 for a dynamic type (the offset), else its
    // whole static encoding.
    size_t head_size() const;
    const Type& element() const { return components.front(); }

    friend bool operator==(const Type&, const Type&) = default;
};

// "uint256,bool" (no parentheses; empty text gives no types).
std::vector<Type> parse_type_list(std::string_view text);

// A function or event signature "name(type,...)".
struct Signature {
    std::string name;
    std::vector<Type> inputs;

    static Signature parse(std::string_view text);
    // "name(canonical,...)": the text hashed for selectors and event topics.
    std::string canonical() const;
};

// Limits that keep hostile type strings from describing absurd layouts.
constexpr size_t max_type_depth = 16;
constexpr size_t max_static_size = size_t(1) << 24;  // bytes of one static type's encoding

}  // namespace provernet::settlement::abi
