#include "settlement/abi_type.hpp"

#include "settlement/errors.hpp"

#include <cctype>
#include <cstdint>

namespace provernet::settlement::abi {
namespace {

class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    Type type(size_t depth)
    {
        if (depth > max_type_depth)
            fail("nesting deeper than " + std::to_string(max_type_depth));
        Type t = base(depth);
        while (pos_ < text_.size() && text_[pos_] == '[') {
            ++pos_;
            const size_t start = pos_;
            while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])))
                ++pos_;
            if (pos_ >= text_.size() || text_[pos_] != ']')
                fail("expected ']'");
            Type array;
            if (pos_ == start) {
                array = Type::dynamic_array(std::move(t));
            }
            else {
                const unsigned length = number(text_.substr(start, pos_ - start), "array length");
                if (length == 0)
                    fail("array length 0");
                array = Type::array(std::move(t), length);
            }
            ++pos_;
            if (++depth > max_type_depth)
                fail("nesting deeper than " + std::to_string(max_type_depth));
            if (!array.is_dynamic() && array.head_size() > max_static_size)
                fail("static array larger than " + std::to_string(max_static_size) + " bytes");
            t = std::move(array);
        }
        return t;
    }

    std::vector<Type> list(size_t depth, char close)
    {
        std::vector<Type> out;
        if (peek() == close)
            return out;
        for (;;) {
            out.push_back(type(depth));
            if (peek() != ',')
                break;
            ++pos_;
        }
        return out;
    }

    bool at_end() const { return pos_ == text_.size(); }
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    void expect(char c)
    {
        if (peek() != c)
            fail(std::string("expected '") + c + "'");
        ++pos_;
    }
    std::string identifier()
    {
        const size_t start = pos_;
        while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_' ||
                                       text_[pos_] == '$'))
            ++pos_;
        return std::string(text_.substr(start, pos_ - start));
    }

    [[noreturn]] void fail(const std::string& problem) const
    {
        throw AbiError("abi type \"" + std::string(text_) + "\": " + problem + " at position " + std::to_string(pos_));
    }

private:
    Type base(size_t depth)
    {
        if (peek() == '(') {
            ++pos_;
            Type t = Type::tuple(list(depth + 1, ')'));
            expect(')');
            if (t.components.empty())
                fail("empty tuple");
            if (!t.is_dynamic() && t.head_size() > max_static_size)
                fail("static tuple larger than " + std::to_string(max_static_size) + " bytes");
            return t;
        }
        const size_t start = pos_;
        while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
        const std::string_view word = text_.substr(start, pos_ - start);
        const size_t digits_start = pos_;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
        const std::string_view digits = text_.substr(digits_start, pos_ - digits_start);

        if (word == "uint" || word == "int") {
            const unsigned bits = digits.empty() ? 256 : number(digits, "integer width");
            if (bits < 8 || bits > 256 || bits % 8 != 0)
                fail("integer width must be a multiple of 8 in [8, 256], got " + std::to_string(bits));
            return word == "uint" ? Type::uint(bits) : Type::sint(bits);
        }
        if (word == "bytes") {
            if (digits.empty())
                return Type::bytes();
            const unsigned n = number(digits, "bytes width");
            if (n < 1 || n > 32)
                fail("bytesN needs N in [1, 32], got " + std::to_string(n));
            return Type::fixed_bytes(n);
        }
        if (!digits.empty())
            fail("unexpected digits after \"" + std::string(word) + "\"");
        if (word == "address")
            return Type::address();
        if (word == "bool")
            return Type::boolean();
        if (word == "string")
            return Type::string();
        if (word.empty())
            fail("expected a type");
        fail("unsupported type \"" + std::string(word) + "\"");
    }

    unsigned number(std::string_view digits, const char* what) const
    {
        if (digits.size() > 1 && digits[0] == '0')
            fail(std::string(what) + " has a leading zero");
        if (digits.size() > 9)
            fail(std::string(what) + " too large");
        unsigned v = 0;
        for (char c : digits)
            v = v * 10 + unsigned(c - '0');
        return v;
    }

    std::string_view text_;
    size_t pos_ = 0;
};

}  // namespace

Type Type::parse(std::string_view text)
{
    Parser p(text);
    Type t = p.type(0);
    if (!p.at_end())
        p.fail("unexpected trailing text");
    return t;
}

std::vector<Type> parse_type_list(std::string_view text)
{
    Parser p(text);
    std::vector<Type> out = p.list(0, '\0');
    if (!p.at_end())
        p.fail("unexpected text");
    return out;
}

std::string Type::canonical() const
{
    switch (kind) {
    case Kind::uint:
        return "uint" + std::to_string(size);
    case Kind::sint:
        return "int" + std::to_string(size);
    case Kind::address:
        return "address";
    case Kind::boolean:
        return "bool";
    case Kind::fixed_bytes:
        return "bytes" + std::to_string(size);
    case Kind::bytes:
        return "bytes";
    case Kind::string:
        return "string";
    case Kind::array: {
        std::string out = element().canonical();
        out += '[';
        if (!dynamic_length)
            out += std::to_string(size);
        out += ']';
        return out;
    }
    case Kind::tuple: {
        std::string out = "(";
        for (size_t i = 0; i < components.size(); ++i) {
            if (i > 0)
                out += ',';
            out += components[i].canonical();
        }
        out += ')';
        return out;
    }
    }
    return {};
}

bool Type::is_word() const
{
    return kind == Kind::uint || kind == Kind::sint || kind == Kind::address || kind == Kind::boolean ||
           kind == Kind::fixed_bytes;
}

bool Type::is_dynamic() const
{
    switch (kind) {
    case Kind::bytes:
    case Kind::string:
        return true;
    case Kind::array:
        return dynamic_length || element().is_dynamic();
    case Kind::tuple:
        for (const Type& c : components)
            if (c.is_dynamic())
                return true;
        return false;
    default:
        return false;
    }
}

size_t Type::head_size() const
{
    if (is_word() || is_dynamic())
        return 32;
    // Saturating: a hand-built absurd type gets SIZE_MAX, which no bounds check will accept.
    size_t total = 0;
    if (kind == Kind::array) {
        if (__builtin_mul_overflow(size_t(size), element().head_size(), &total))
            return SIZE_MAX;
        return total;
    }
    for (const Type& c : components)
        if (__builtin_add_overflow(total, c.head_size(), &total))
            return SIZE_MAX;
    return total;
}

Signature Signature::parse(std::string_view text)
{
    Parser p(text);
    Signature sig;
    sig.name = p.identifier();
    if (sig.name.empty() || std::isdigit(static_cast<unsigned char>(sig.name[0])))
        p.fail("expected a function or event name");
    p.expect('(');
    sig.inputs = p.list(1, ')');
    p.expect(')');
    if (!p.at_end())
        p.fail("unexpected trailing text");
    return sig;
}

std::string Signature::canonical() const { return name + Type::tuple(inputs).canonical(); }

}  // namespace provernet::settlement::abi
