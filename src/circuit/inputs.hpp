// Circuit inputs from JSON, with errors that name the offending field.
//
// Values may be JSON integers or strings of decimal digits (with an optional leading '-'), or
// 0x-prefixed hex strings: snarkjs input files use decimal strings, since JSON numbers lose
// precision past 2^53.
#pragma once

#include "math/bn254.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace provernet::circuit {

// "<source>: field \"<name>\": <problem>"
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Inputs {
public:
    Inputs(nlohmann::json json, std::string source);
    static Inputs from_file(const std::string& path);

    const std::string& source() const { return source_; }
    const nlohmann::json& json() const { return json_; }
    bool has(const std::string& name) const { return json_.contains(name); }

    // A field element (negative decimals map to r - |x|).
    math::Fr field(const std::string& name) const;
    // An unsigned integer that must fit in `bits` bits.
    math::Fr uint(const std::string& name, unsigned bits) const;
    // An array of exactly `count` field elements (count 0: any length up to max_count).
    std::vector<math::Fr> field_array(const std::string& name, size_t count, size_t max_count = 1 << 20) const;
    // A decimal number such as "42.5" or 0.2 (for fixed-point inputs), checked against a range.
    double number(const std::string& name, double min, double max) const;
    std::string text(const std::string& name) const;

    [[noreturn]] void fail(const std::string& name, const std::string& problem) const;

private:
    const nlohmann::json& get(const std::string& name) const;
    math::Fr parse_field(const nlohmann::json& v, const std::string& name) const;

    nlohmann::json json_;
    std::string source_;
};

}  // namespace provernet::circuit
