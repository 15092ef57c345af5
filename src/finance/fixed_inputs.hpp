// Inputs of finance programs and their committed encoding: reading nested JSON (integers,
// decimals, arrays of objects) with errors that name the exact field, e.g.
// `accounts[3].positions[1]`; packing small integers into field elements for commitments; and the
// constraint count of a commitment, for the programs' cost formulas.
//
// circuit::Inputs names top-level fields only; programs with arrays of accounts need paths. An
// InputReader wraps the Inputs (for its source name and its error format) and walks the JSON:
//   InputReader r(in);
//   const auto& acc = r.array(r.root(), "", "accounts", 4);          // exactly 4 elements
//   const auto c = r.integer(r.member(acc[3], "accounts[3]", "collateral"), "accounts[3].collateral",
//                            min, max);
// Values may be JSON numbers or strings ("-12", "0.25", "1e-3"); strings are preferred since JSON
// numbers lose precision past 2^53. Every error is circuit::InputError
// "<source>: field \"<path>\": <problem>".
#pragma once

#include "circuit/builder.hpp"
#include "circuit/inputs.hpp"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace provernet::finance {

using int128 = __int128;

// A decimal input: its exact text (the circuit rounds it once to its fixed-point format) and its
// value (what the floating-point reference model computes with).
struct Decimal {
    std::string text;
    long double value = 0;
};

class InputReader {
public:
    explicit InputReader(const circuit::Inputs& in) : in_(&in) {}

    const nlohmann::json& root() const { return in_->json(); }

    // Child paths: "a" + "b" = "a.b" (or "b" at the root); "a" + 3 = "a[3]".
    static std::string path(const std::string& parent, const std::string& key);
    static std::string path(const std::string& parent, size_t index);

    // obj[key] (obj at `obj_path` must be an object and hold key).
    const nlohmann::json& member(const nlohmann::json& obj, const std::string& obj_path, const std::string& key) const;
    // obj[key] as an array of exactly `count` elements.
    const nlohmann::json& array(const nlohmann::json& obj, const std::string& obj_path, const std::string& key,
                                size_t count) const;
    // Rejects keys of obj outside `allowed` (a misspelt field would otherwise be silently ignored).
    void only_keys(const nlohmann::json& obj, const std::string& obj_path,
                   std::initializer_list<const char*> allowed) const;

    // An integer in [min, max] (JSON integer or decimal digits with an optional '-').
    int128 integer(const nlohmann::json& v, const std::string& at, int128 min, int128 max) const;
    // A decimal number in [min, max]: [-]digits[.digits][(e|E)[+|-]digits], or a JSON number.
    Decimal decimal(const nlohmann::json& v, const std::string& at, long double min, long double max) const;
    std::string text(const nlohmann::json& v, const std::string& at) const;

    [[noreturn]] void fail(const std::string& at, const std::string& problem) const { in_->fail(at, problem); }

private:
    const circuit::Inputs* in_;
};

std::string int128_to_string(int128 v);
// v as a field element (negative v as r - |v|).
math::Fr int128_to_fr(int128 v);

// Packing for commitments: values v_j in [-offset, 2^width - offset) become the width-bit words
// v_j + offset, and `per_word` consecutive words form one field element, word j at bits
// width * (j mod per_word) (little-endian). per_word * width <= 253, so packing is injective.
// The circuit form is free (linear) and only sound when each v_j + offset is already
// range-checked to `width` bits.
std::vector<math::Fr> pack_words(std::span<const int128> values, unsigned width, int128 offset, size_t per_word);
std::vector<circuit::Signal> pack_words(std::span<const circuit::Signal> values, unsigned width, int128 offset,
                                        size_t per_word);
size_t packed_count(size_t values, size_t per_word);  // ceil(values / per_word)

// Constraints of circuit::poseidon_commitment over n >= 1 non-constant values: chunks of 15, each
// a 16-input Poseidon (609 constraints) less 3 for every constant input (the length in the first
// chunk, the zero padding of the last): 564 * ceil(n / 15) + 3 n - 3.
size_t commitment_constraints(size_t n);

// ceil(log2(n)) for n >= 1.
unsigned ceil_log2(size_t n);

}  // namespace provernet::finance
