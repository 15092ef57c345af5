// Solidity ABI encoding and decoding (the contract ABI specification's head/tail layout):
// call data for a function signature, and return data / event data for a list of types.
//
// Values are dynamically typed (abi::Value) and checked against their abi::Type on encoding:
// an integer must fit its width, bytesN must have exactly N bytes, a fixed array exactly its
// length. Decoding checks every offset and length against the input, that padding is zero and
// integers/bools/addresses are in range, and that the decoded values do not add up to more
// than the input (overlapping offsets could otherwise expand a small input enormously).
#pragma once

#include "math/u256.hpp"
#include "settlement/abi_type.hpp"
#include "settlement/address.hpp"
#include "settlement/bytes.hpp"

#include <array>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace provernet::settlement::abi {

class Value {
public:
    using List = std::vector<Value>;

    // Unsigned integers; also what uint<M> decodes to.
    static Value uint(const math::U256& v) { return Value(v); }
    static Value uint(uint64_t v) { return Value(math::U256(v)); }
    // Signed integers, held as 256-bit two's complement (what int<M> decodes to).
    static Value sint(int64_t v);
    static Value sint_twos_complement(const math::U256& v) { return Value(v); }
    static Value address(const Address& a) { return Value(a); }
    static Value boolean(bool b) { return Value(b); }
    // bytesN, bytes and string all hold raw bytes.
    static Value bytes(BytesView b) { return Value(Bytes(b.begin(), b.end())); }
    static Value string(std::string_view s) { return bytes(settlement::as_bytes(s)); }
    // Fixed arrays, dynamic arrays and tuples.
    static Value list(List items) { return Value(std::move(items)); }

    // Accessors throw AbiError naming the expected kind when the value holds something else.
    const math::U256& as_uint() const;
    uint64_t as_uint64() const;  // also throws if the value exceeds 64 bits
    int64_t as_sint64() const;   // two's complement; throws if outside int64
    const Address& as_address() const;
    bool as_bool() const;
    const Bytes& as_bytes() const;
    std::string as_string() const;
    const List& as_list() const;

    friend bool operator==(const Value&, const Value&) = default;

private:
    using Storage = std::variant<math::U256, Address, bool, Bytes, List>;
    template <typename T>
    explicit Value(T v) : data_(std::move(v))
    {
    }
    Storage data_;
};

// The ABI encoding of the tuple (values...) of (types...). Throws AbiError naming the argument.
Bytes encode(const std::vector<Type>& types, const std::vector<Value>& values);

// First four bytes of keccak256 of the canonical signature ("uint" is hashed as "uint256").
std::array<uint8_t, 4> selector(std::string_view signature);
// selector(signature) || encode(signature's input types, args).
Bytes encode_call(std::string_view signature, const std::vector<Value>& args);

// Decodes return data or event data laid out as the tuple (types...). Trailing bytes after the
// last tail are ignored, as Solidity's decoder does.
std::vector<Value> decode(const std::vector<Type>& types, BytesView data);
inline std::vector<Value> decode(std::string_view comma_separated_types, BytesView data)
{
    return decode(parse_type_list(comma_separated_types), data);
}

// topics[0] of a non-anonymous event: keccak256 of its canonical signature.
Hash256 event_topic(std::string_view signature);
// An indexed event argument of a one-word type (dynamic indexed arguments are stored as their
// keccak256 and cannot be decoded: read them as bytes32).
Value decode_topic(const Type& type, const Hash256& topic);

}  // namespace provernet::settlement::abi
