#include "settlement/rlp.hpp"

#include "settlement/errors.hpp"

#include <string>

namespace provernet::settlement::rlp {
namespace {

void encode_into(Bytes& out, const Item& item)
{
    if (!item.is_list) {
        if (item.bytes.size() == 1 && item.bytes[0] < 0x80) {
            out.push_back(item.bytes[0]);
            return;
        }
        append(out, encode_header(false, item.bytes.size()));
        append(out, item.bytes);
        return;
    }
    Bytes payload;
    for (const Item& child : item.items)
        encode_into(payload, child);
    append(out, encode_header(true, payload.size()));
    append(out, payload);
}

[[noreturn]] void fail(size_t offset, const std::string& problem)
{
    throw RlpError("rlp: at byte " + std::to_string(offset) + ": " + problem);
}

class Decoder {
public:
    explicit Decoder(BytesView data) : data_(data) {}

    // Decodes the item starting at `pos` and ending at or before `end`; returns the end of the item.
    size_t item(size_t pos, size_t end, size_t depth, Item& out)
    {
        if (pos >= end)
            fail(pos, "truncated: expected an item");
        if (depth > max_depth)
            fail(pos, "nesting deeper than " + std::to_string(max_depth));
        const uint8_t tag = data_[pos];
        if (tag < 0x80) {
            out = Item{false, Bytes{tag}, {}};
            return pos + 1;
        }
        const bool is_list = tag >= 0xc0;
        const uint8_t base = is_list ? 0xc0 : 0x80;
        size_t header = 1, length = 0;
        if (tag - base <= 55) {
            length = size_t(tag - base);
        }
        else {
            const size_t length_bytes = size_t(tag - base - 55);
            if (length_bytes > end - pos - 1)
                fail(pos, "truncated length of length " + std::to_string(length_bytes));
            if (data_[pos + 1] == 0)
                fail(pos, "length has a leading zero byte");
            if (length_bytes > sizeof(size_t))
                fail(pos, "length does not fit in memory");
            for (size_t i = 0; i < length_bytes; ++i)
                length = (length << 8) | data_[pos + 1 + i];
            if (length <= 55)
                fail(pos, "long form used for a length of " + std::to_string(length) + " (at most 55 uses the short form)");
            header += length_bytes;
        }
        const size_t start = pos + header;
        if (length > end - start)
            fail(pos, "truncated: " + std::string(is_list ? "list" : "string") + " of " + std::to_string(length) +
                          " bytes but only " + std::to_string(end - start) + " remain");
        if (!is_list) {
            if (length == 1 && data_[start] < 0x80)
                fail(pos, "single byte below 0x80 must be encoded as itself");
            out = Item{false, Bytes(data_.begin() + long(start), data_.begin() + long(start + length)), {}};
            return start + length;
        }
        out = Item{true, {}, {}};
        size_t cursor = start;
        while (cursor < start + length) {
            out.items.emplace_back();
            cursor = item(cursor, start + length, depth + 1, out.items.back());
        }
        return cursor;
    }

private:
    BytesView data_;
};

std::string field_name(std::string_view field) { return "rlp field \"" + std::string(field) + "\": "; }

}  // namespace

Bytes encode_header(bool is_list, size_t payload_size)
{
    const uint8_t base = is_list ? 0xc0 : 0x80;
    if (payload_size <= 55)
        return Bytes{uint8_t(base + payload_size)};
    const Bytes length = minimal_be_bytes(math::U256(uint64_t(payload_size)));
    Bytes out{uint8_t(base + 55 + length.size())};
    append(out, length);
    return out;
}

Bytes encode(const Item& item)
{
    Bytes out;
    encode_into(out, item);
    return out;
}

Item decode(BytesView data)
{
    Item out;
    const size_t end = Decoder(data).item(0, data.size(), 0, out);
    if (end != data.size())
        fail(end, std::to_string(data.size() - end) + " trailing bytes after the item");
    return out;
}

const Bytes& as_bytes(const Item& item, std::string_view field)
{
    if (item.is_list)
        throw RlpError(field_name(field) + "expected a byte string, got a list");
    return item.bytes;
}

const Bytes& as_fixed_bytes(const Item& item, size_t size, std::string_view field)
{
    const Bytes& b = as_bytes(item, field);
    if (b.size() != size)
        throw RlpError(field_name(field) + "expected " + std::to_string(size) + " bytes, got " +
                       std::to_string(b.size()));
    return b;
}

math::U256 as_u256(const Item& item, std::string_view field)
{
    const Bytes& b = as_bytes(item, field);
    if (b.size() > 32)
        throw RlpError(field_name(field) + "integer of " + std::to_string(b.size()) + " bytes exceeds 256 bits");
    if (!b.empty() && b[0] == 0)
        throw RlpError(field_name(field) + "integer has a leading zero byte");
    return u256_from_be(b);
}

uint64_t as_uint64(const Item& item, std::string_view field)
{
    const math::U256 v = as_u256(item, field);
    if (v.limb[1] != 0 || v.limb[2] != 0 || v.limb[3] != 0)
        throw RlpError(field_name(field) + "integer exceeds 64 bits");
    return v.limb[0];
}

const std::vector<Item>& as_list(const Item& item, std::string_view field)
{
    if (!item.is_list)
        throw RlpError(field_name(field) + "expected a list, got a byte string");
    return item.items;
}

}  // namespace provernet::settlement::rlp
