#include "settlement/abi.hpp"

#include "settlement/errors.hpp"
#include "settlement/keccak.hpp"

#include <algorithm>
#include <functional>

namespace provernet::settlement::abi {
namespace {

using math::U256;

// ---- value kinds ----

const char* holds(const std::variant<U256, Address, bool, Bytes, Value::List>& v)
{
    static const char* const names[] = {"an integer", "an address", "a bool", "bytes", "a list"};
    return names[v.index()];
}

// True iff bits [width-1, 255] of the two's-complement word are all equal (it fits int<width>).
bool fits_signed(const U256& v, unsigned width)
{
    const bool sign = v.bit(255);
    for (unsigned i = width - 1; i < 256; ++i)
        if (v.bit(i) != sign)
            return false;
    return true;
}

std::string word_hex(const U256& v) { return v.to_hex(); }

// ---- encoding ----

using TypeAt = std::function<const Type&(size_t)>;

void encode_value(const Type& type, const Value& value, const std::string& path, Bytes& out);

void append_word(Bytes& out, const Hash256& word) { out.insert(out.end(), word.begin(), word.end()); }
void append_length(Bytes& out, size_t n) { append_word(out, to_be_bytes(U256(uint64_t(n)))); }

void encode_sequence(size_t count, const TypeAt& type_at, const Value::List& values, const std::string& path,
                     Bytes& out)
{
    size_t head_total = 0;
    for (size_t i = 0; i < count; ++i)
        head_total += type_at(i).head_size();
    Bytes head, tail;
    head.reserve(head_total);
    for (size_t i = 0; i < count; ++i) {
        const Type& t = type_at(i);
        const std::string child = path + "[" + std::to_string(i) + "]";
        if (t.is_dynamic()) {
            append_length(head, head_total + tail.size());
            encode_value(t, values[i], child, tail);
        }
        else {
            encode_value(t, values[i], child, head);
        }
    }
    append(out, head);
    append(out, tail);
}

[[noreturn]] void value_error(const std::string& path, const Type& type, const std::string& problem)
{
    throw AbiError("abi encode " + path + " (" + type.canonical() + "): " + problem);
}

void encode_word(const Type& type, const Value& value, const std::string& path, Bytes& out)
{
    Hash256 word{};
    switch (type.kind) {
    case Type::Kind::uint: {
        const U256& v = value.as_uint();
        if (v.bit_length() > type.size)
            value_error(path, type, "value " + v.to_decimal() + " exceeds " + std::to_string(type.size) + " bits");
        word = to_be_bytes(v);
        break;
    }
    case Type::Kind::sint: {
        const U256& v = value.as_uint();
        if (!fits_signed(v, type.size))
            value_error(path, type, "two's complement value " + word_hex(v) + " does not fit " +
                                        std::to_string(type.size) + " bits");
        word = to_be_bytes(v);  // 256-bit two's complement is already sign-extended
        break;
    }
    case Type::Kind::address: {
        const Address& a = value.as_address();
        std::copy(a.bytes.begin(), a.bytes.end(), word.begin() + 12);
        break;
    }
    case Type::Kind::boolean:
        word[31] = value.as_bool() ? 1 : 0;
        break;
    case Type::Kind::fixed_bytes: {
        const Bytes& b = value.as_bytes();
        if (b.size() != type.size)
            value_error(path, type, "expected exactly " + std::to_string(type.size) + " bytes, got " +
                                        std::to_string(b.size()));
        std::copy(b.begin(), b.end(), word.begin());  // left-aligned, zero-padded on the right
        break;
    }
    default:
        value_error(path, type, "not a one-word type");
    }
    append_word(out, word);
}

void encode_value(const Type& type, const Value& value, const std::string& path, Bytes& out)
{
    try {
        if (type.is_word())
            return encode_word(type, value, path, out);
        switch (type.kind) {
        case Type::Kind::bytes:
        case Type::Kind::string: {
            const Bytes& b = value.as_bytes();
            append_length(out, b.size());
            append(out, b);
            out.resize(out.size() + (32 - b.size() % 32) % 32, 0);
            return;
        }
        case Type::Kind::array: {
            const Value::List& items = value.as_list();
            if (!type.dynamic_length && items.size() != type.size)
                value_error(path, type, "expected " + std::to_string(type.size) + " elements, got " +
                                            std::to_string(items.size()));
            if (type.dynamic_length)
                append_length(out, items.size());
            const Type& element = type.element();
            return encode_sequence(items.size(), [&](size_t) -> const Type& { return element; }, items, path, out);
        }
        case Type::Kind::tuple: {
            const Value::List& items = value.as_list();
            if (items.size() != type.components.size())
                value_error(path, type, "expected " + std::to_string(type.components.size()) + " members, got " +
                                            std::to_string(items.size()));
            return encode_sequence(items.size(), [&](size_t i) -> const Type& { return type.components[i]; }, items,
                                   path, out);
        }
        default:
            value_error(path, type, "unsupported type");
        }
    }
    catch (const AbiError& e) {
        // Accessor errors ("holds a list, expected ...") do not know where they are: add the path once.
        const std::string msg = e.what();
        if (msg.rfind("abi encode ", 0) == 0)
            throw;
        value_error(path, type, msg);
    }
}

// ---- decoding ----

class Decoder {
public:
    explicit Decoder(BytesView data) : data_(data), budget_(data.size()) {}

    Value::List sequence(size_t count, const TypeAt& type_at, size_t start, const std::string& path)
    {
        // All heads must fit before anything is allocated for them.
        size_t heads = 0;
        for (size_t i = 0; i < count && heads <= data_.size(); ++i)
            heads = std::min(heads + std::min(type_at(i).head_size(), data_.size() + 1), data_.size() + 1);
        if (heads > data_.size() - start)
            throw AbiError("abi decode " + path + ": " + std::to_string(count) + " heads need more than the " +
                           std::to_string(data_.size() - start) + " bytes remaining");
        Value::List out;
        out.reserve(count);
        size_t head = start;
        for (size_t i = 0; i < count; ++i) {
            const Type& t = type_at(i);
            const std::string child = path + "[" + std::to_string(i) + "]";
            if (t.is_dynamic()) {
                const size_t offset = small_word(head, child, "offset");
                if (offset > data_.size() - start)
                    fail(child, t, "offset " + std::to_string(offset) + " points past the end of the data");
                out.push_back(value(t, start + offset, child));
            }
            else {
                out.push_back(value(t, head, child));
            }
            head += t.head_size();  // within the data: checked above
        }
        return out;
    }

private:
    Value value(const Type& type, size_t pos, const std::string& path)
    {
        if (type.is_word()) {
            spend(32, path, type);
            return decode_word(type, word(pos, path, type), path);
        }
        switch (type.kind) {
        case Type::Kind::bytes:
        case Type::Kind::string: {
            spend(32, path, type);
            const size_t length = small_word(pos, path, "length");
            const size_t available = data_.size() - pos - 32;
            const size_t padded = length + (32 - length % 32) % 32;
            if (length > available || padded > available)
                fail(path, type, "length " + std::to_string(length) + " (padded " + std::to_string(padded) +
                                     ") exceeds the " + std::to_string(available) + " bytes remaining");
            spend(length, path, type);
            const auto begin = data_.begin() + long(pos + 32);
            if (!std::all_of(begin + long(length), begin + long(padded), [](uint8_t b) { return b == 0; }))
                fail(path, type, "nonzero padding after the content");
            return Value::bytes(data_.subspan(pos + 32, length));
        }
        case Type::Kind::array: {
            const Type& element = type.element();
            const TypeAt same = [&](size_t) -> const Type& { return element; };
            const size_t step = element.head_size();
            if (step == 0)
                fail(path, type, "element type has an empty encoding");
            if (!type.dynamic_length)
                return Value::list(sequence(type.size, same, pos, path));
            spend(32, path, type);
            const size_t count = small_word(pos, path, "length");
            if (count > (data_.size() - pos - 32) / step)
                fail(path, type, "length " + std::to_string(count) + " needs more data than the " +
                                     std::to_string(data_.size() - pos - 32) + " bytes remaining");
            return Value::list(sequence(count, same, pos + 32, path));
        }
        case Type::Kind::tuple:
            if (type.components.empty())
                fail(path, type, "empty tuple");
            return Value::list(sequence(type.components.size(),
                                        [&](size_t i) -> const Type& { return type.components[i]; }, pos, path));
        default:
            fail(path, type, "unsupported type");
        }
    }

    Hash256 word(size_t pos, const std::string& path, const Type& type) const
    {
        if (pos > data_.size() || data_.size() - pos < 32)
            fail(path, type, "needs 32 bytes at offset " + std::to_string(pos) + " but the data has " +
                                 std::to_string(data_.size()));
        Hash256 w;
        std::copy(data_.begin() + long(pos), data_.begin() + long(pos + 32), w.begin());
        return w;
    }

    // An offset or length word: must be readable and small enough to address the data.
    size_t small_word(size_t pos, const std::string& path, const char* what) const
    {
        if (pos > data_.size() || data_.size() - pos < 32)
            throw AbiError("abi decode " + path + ": " + what + " word at " + std::to_string(pos) +
                           " is past the end of the data (" + std::to_string(data_.size()) + " bytes)");
        const U256 v = u256_from_be(data_.subspan(pos, 32));
        if (v > U256(uint64_t(data_.size())))
            throw AbiError("abi decode " + path + ": " + what + " " + v.to_decimal() + " exceeds the data size " +
                           std::to_string(data_.size()));
        return size_t(v.limb[0]);
    }

    void spend(size_t cost, const std::string& path, const Type& type)
    {
        if (cost > budget_)
            fail(path, type, "decoded values exceed the input size (overlapping offsets)");
        budget_ -= cost;
    }

    [[noreturn]] static void fail(const std::string& path, const Type& type, const std::string& problem)
    {
        throw AbiError("abi decode " + path + " (" + type.canonical() + "): " + problem);
    }

    BytesView data_;
    size_t budget_;

public:
    static Value decode_word(const Type& type, const Hash256& w, const std::string& path)
    {
        const auto zeros = [&](size_t from, size_t to) {
            return std::all_of(w.begin() + long(from), w.begin() + long(to), [](uint8_t b) { return b == 0; });
        };
        switch (type.kind) {
        case Type::Kind::uint: {
            const U256 v = u256_from_be(w);
            if (v.bit_length() > type.size)
                fail(path, type, "value " + v.to_decimal() + " exceeds " + std::to_string(type.size) + " bits");
            return Value::uint(v);
        }
        case Type::Kind::sint: {
            const U256 v = u256_from_be(w);
            if (!fits_signed(v, type.size))
                fail(path, type, "word " + v.to_hex() + " is not a sign-extended " + std::to_string(type.size) +
                                     "-bit integer");
            return Value::sint_twos_complement(v);
        }
        case Type::Kind::address:
            if (!zeros(0, 12))
                fail(path, type, "upper 12 bytes of an address word are not zero");
            return Value::address(Address::from_word(w));
        case Type::Kind::boolean:
            if (!zeros(0, 31) || w[31] > 1)
                fail(path, type, "bool word is neither 0 nor 1");
            return Value::boolean(w[31] == 1);
        case Type::Kind::fixed_bytes:
            if (!zeros(type.size, 32))
                fail(path, type, "nonzero padding after " + std::to_string(type.size) + " bytes");
            return Value::bytes(BytesView(w.data(), type.size));
        default:
            fail(path, type, "not a one-word type");
        }
    }
};

}  // namespace

// ---- Value ----

Value Value::sint(int64_t v)
{
    const uint64_t extension = v < 0 ? ~uint64_t(0) : 0;
    return Value(U256(uint64_t(v), extension, extension, extension));
}

const U256& Value::as_uint() const
{
    if (const auto* v = std::get_if<U256>(&data_))
        return *v;
    throw AbiError(std::string("abi value: expected an integer, holds ") + holds(data_));
}

uint64_t Value::as_uint64() const
{
    const U256& v = as_uint();
    if (v.bit_length() > 64)
        throw AbiError("abi value: " + v.to_decimal() + " exceeds 64 bits");
    return v.limb[0];
}

int64_t Value::as_sint64() const
{
    const U256& v = as_uint();
    if (!fits_signed(v, 64))
        throw AbiError("abi value: two's complement " + v.to_hex() + " does not fit int64");
    return int64_t(v.limb[0]);
}

const Address& Value::as_address() const
{
    if (const auto* v = std::get_if<Address>(&data_))
        return *v;
    throw AbiError(std::string("abi value: expected an address, holds ") + holds(data_));
}

bool Value::as_bool() const
{
    if (const auto* v = std::get_if<bool>(&data_))
        return *v;
    throw AbiError(std::string("abi value: expected a bool, holds ") + holds(data_));
}

const Bytes& Value::as_bytes() const
{
    if (const auto* v = std::get_if<Bytes>(&data_))
        return *v;
    throw AbiError(std::string("abi value: expected bytes, holds ") + holds(data_));
}

std::string Value::as_string() const
{
    const Bytes& b = as_bytes();
    return std::string(b.begin(), b.end());
}

const Value::List& Value::as_list() const
{
    if (const auto* v = std::get_if<List>(&data_))
        return *v;
    throw AbiError(std::string("abi value: expected a list, holds ") + holds(data_));
}

// ---- entry points ----

Bytes encode(const std::vector<Type>& types, const std::vector<Value>& values)
{
    if (types.size() != values.size())
        throw AbiError("abi encode: " + std::to_string(types.size()) + " types " + Type::tuple(types).canonical() +
                       " but " + std::to_string(values.size()) + " values");
    Bytes out;
    encode_sequence(types.size(), [&](size_t i) -> const Type& { return types[i]; }, values, "argument", out);
    return out;
}

std::array<uint8_t, 4> selector(std::string_view signature)
{
    const Hash256 h = keccak256(std::string_view(Signature::parse(signature).canonical()));
    return {h[0], h[1], h[2], h[3]};
}

Bytes encode_call(std::string_view signature, const std::vector<Value>& args)
{
    const Signature sig = Signature::parse(signature);
    const Hash256 h = keccak256(std::string_view(sig.canonical()));
    Bytes out(h.begin(), h.begin() + 4);
    append(out, encode(sig.inputs, args));
    return out;
}

std::vector<Value> decode(const std::vector<Type>& types, BytesView data)
{
    return Decoder(data).sequence(types.size(), [&](size_t i) -> const Type& { return types[i]; }, 0, "argument");
}

Hash256 event_topic(std::string_view signature) { return keccak256(std::string_view(Signature::parse(signature).canonical())); }

Value decode_topic(const Type& type, const Hash256& topic)
{
    if (!type.is_word())
        throw AbiError("abi decode topic (" + type.canonical() +
                       "): indexed dynamic or composite arguments are stored hashed; decode them as bytes32");
    return Decoder::decode_word(type, topic, "topic");
}

}  // namespace provernet::settlement::abi
