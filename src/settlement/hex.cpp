#include "settlement/hex.hpp"

#include "settlement/errors.hpp"

namespace provernet::settlement {
namespace {

int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The offending text in an error message, shortened so a megabyte of junk stays readable.
std::string excerpt(std::string_view text)
{
    constexpr size_t max_shown = 80;
    if (text.size() <= max_shown)
        return "\"" + std::string(text) + "\"";
    return "\"" + std::string(text.substr(0, max_shown)) + "...\" (" + std::to_string(text.size()) + " characters)";
}

}  // namespace

std::string to_hex(BytesView data)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 + 2 * data.size());
    out += "0x";
    for (uint8_t b : data) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

Bytes from_hex(std::string_view text, std::string_view what)
{
    if (text.size() < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
        throw HexError(std::string(what) + ": expected 0x-prefixed hex, got " + excerpt(text));
    const std::string_view digits = text.substr(2);
    if (digits.size() % 2 != 0)
        throw HexError(std::string(what) + ": odd number of hex digits (" + std::to_string(digits.size()) + ") in " +
                       excerpt(text));
    Bytes out(digits.size() / 2);
    for (size_t i = 0; i < digits.size(); ++i) {
        const int d = digit_value(digits[i]);
        if (d < 0)
            throw HexError(std::string(what) + ": bad hex digit '" + std::string(1, digits[i]) + "' at position " +
                           std::to_string(i + 2) + " of " + excerpt(text));
        out[i / 2] = uint8_t((out[i / 2] << 4) | d);
    }
    return out;
}

Bytes from_hex_exact(std::string_view text, size_t expected, std::string_view what)
{
    Bytes out = from_hex(text, what);
    if (out.size() != expected)
        throw HexError(std::string(what) + ": expected " + std::to_string(expected) + " bytes, got " +
                       std::to_string(out.size()));
    return out;
}

}  // namespace provernet::settlement
