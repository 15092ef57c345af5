#include "circuit/inputs.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

namespace provernet::circuit {

using math::Fr;
using math::U256;

Inputs::Inputs(nlohmann::json json, std::string source) : json_(std::move(json)), source_(std::move(source))
{
    if (!json_.is_object())
        throw InputError(source_ + ": expected a JSON object of named inputs");
}

Inputs Inputs::from_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > (64u << 20))
        throw InputError(path + ": larger than 64 MiB");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(path + ": malformed JSON: " + e.what());
    }
    return Inputs(std::move(j), path);
}

void Inputs::fail(const std::string& name, const std::string& problem) const
{
    throw InputError(source_ + ": field \"" + name + "\": " + problem);
}

const nlohmann::json& Inputs::get(const std::string& name) const
{
    const auto it = json_.find(name);
    if (it == json_.end())
        fail(name, "missing");
    return *it;
}

Fr Inputs::parse_field(const nlohmann::json& v, const std::string& name) const
{
    if (v.is_number_unsigned())
        return Fr::from_uint(v.get<uint64_t>());
    if (v.is_number_integer())
        return Fr::from_int(v.get<int64_t>());
    if (!v.is_string())
        fail(name, "expected an integer or a string of decimal digits");
    std::string s = v.get<std::string>();
    const bool negative = !s.empty() && s[0] == '-';
    if (negative)
        s.erase(0, 1);
    const auto u = s.rfind("0x", 0) == 0 ? U256::from_hex(s) : U256::from_decimal(s);
    if (!u)
        fail(name, "\"" + v.get<std::string>() + "\" is not an integer");
    const auto f = Fr::from_canonical(*u);
    if (!f)
        fail(name, "value is not below the field modulus r");
    return negative ? -*f : *f;
}

Fr Inputs::field(const std::string& name) const { return parse_field(get(name), name); }

Fr Inputs::uint(const std::string& name, unsigned bits) const
{
    const nlohmann::json& v = get(name);
    if (v.is_string() && !v.get<std::string>().empty() && v.get<std::string>()[0] == '-')
        fail(name, "must not be negative");
    if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0)
        fail(name, "must not be negative");
    const Fr f = parse_field(v, name);
    if (f.to_u256().bit_length() > bits)
        fail(name, "does not fit in " + std::to_string(bits) + " bits");
    return f;
}

std::vector<Fr> Inputs::field_array(const std::string& name, size_t count, size_t max_count) const
{
    const nlohmann::json& v = get(name);
    if (!v.is_array())
        fail(name, "expected an array");
    if (count != 0 && v.size() != count)
        fail(name, "expected " + std::to_string(count) + " elements, got " + std::to_string(v.size()));
    if (v.size() > max_count)
        fail(name, "more than " + std::to_string(max_count) + " elements");
    std::vector<Fr> out;
    out.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i)
        out.push_back(parse_field(v[i], name + "[" + std::to_string(i) + "]"));
    return out;
}

double Inputs::number(const std::string& name, double min, double max) const
{
    const nlohmann::json& v = get(name);
    double x;
    if (v.is_number()) {
        x = v.get<double>();
    } else if (v.is_string()) {
        const std::string s = v.get<std::string>();
        size_t used = 0;
        try {
            x = std::stod(s, &used);
        } catch (const std::exception&) {
            fail(name, "\"" + s + "\" is not a number");
        }
        if (used != s.size())
            fail(name, "\"" + s + "\" is not a number");
    } else {
        fail(name, "expected a number");
    }
    if (!std::isfinite(x))
        fail(name, "not a finite number");
    if (x < min || x > max) {
        std::ostringstream msg;
        msg << "value " << x << " is outside the domain [" << min << ", " << max << "]";
        fail(name, msg.str());
    }
    return x;
}

std::string Inputs::text(const std::string& name) const
{
    const nlohmann::json& v = get(name);
    if (!v.is_string())
        fail(name, "expected a string");
    return v.get<std::string>();
}

}  // namespace provernet::circuit
