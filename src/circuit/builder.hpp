// The circuit frontend: declare a circuit once in C++ and get both its R1CS and, from the same
// code, a native witness generator (the gnark split: the frontend knows nothing of proving).
//
// A circuit is a function of a Builder. Each Signal carries its value, so running the function
// with concrete inputs computes the witness as it goes; in Mode::full the builder also records
// the constraints. Mode::witness_only skips the constraint bookkeeping for fast witness
// generation: it allocates exactly the same wires, because structure depends only on which
// signals are constants, never on linear-combination contents.
//
// Wires are exported in circom's order: the constant 1, public outputs, public inputs, private
// inputs, internal wires; so .r1cs/.wtns exports work with snarkjs.
#pragma once

#include "math/bn254.hpp"
#include "snark/r1cs.hpp"
#include "snark/wtns.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace provernet::circuit {

using math::Fr;

struct Term {
    uint32_t wire;  // builder-internal wire id (0 is the constant 1)
    Fr coef;
};

// A linear combination of wires with its value. Constants are combinations of wire 0 alone.
class Signal {
public:
    Signal() = default;  // the constant 0

    const Fr& value() const { return value_; }
    bool is_constant() const { return constant_; }
    const std::vector<Term>& terms() const { return terms_; }

    friend Signal operator+(const Signal& a, const Signal& b);
    friend Signal operator-(const Signal& a, const Signal& b);
    friend Signal operator-(const Signal& a);
    friend Signal operator*(const Signal& a, const Fr& k);
    friend Signal operator*(const Fr& k, const Signal& a) { return a * k; }
    Signal& operator+=(const Signal& b) { return *this = *this + b; }
    Signal& operator-=(const Signal& b) { return *this = *this - b; }

private:
    friend class Builder;
    Fr value_;
    bool constant_ = true;
    bool recorded_ = true;       // terms_ are kept: constants, and wires of a Mode::full builder
    std::vector<Term> terms_;    // sorted by wire, no zero coefficients
};

enum class Mode { full, witness_only };

// The circuit's statement is unsatisfiable for the given inputs (e.g. a range check on an input
// that is out of range): raised while building in either mode, with a message naming the check.
struct ConstraintViolation : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Builder {
public:
    explicit Builder(Mode mode = Mode::full);

    Mode mode() const { return mode_; }
    bool recording() const { return mode_ == Mode::full; }

    static Signal constant(const Fr& c);
    static Signal constant(int64_t c) { return constant(Fr::from_int(c)); }

    Signal public_input(const std::string& name, const Fr& value);
    Signal private_input(const std::string& name, const Fr& value);
    // Exposes s as a named public output (a new wire, tied to s by one constraint).
    void public_output(const std::string& name, const Signal& s);

    // A fresh internal wire holding `value`, constrained by nothing yet: the caller must
    // constrain it (the "hint" of other frontends).
    Signal witness(const Fr& value);

    // a * b, as a new wire and one constraint; free when either side is a constant.
    Signal mul(const Signal& a, const Signal& b);
    Signal square(const Signal& a) { return mul(a, a); }
    // Constrains a * b == c (throws ConstraintViolation naming `what` when the values disagree).
    void assert_product(const Signal& a, const Signal& b, const Signal& c, const char* what = "product");
    void assert_equal(const Signal& a, const Signal& b, const char* what = "equality");

    size_t constraint_count() const { return n_constraints_; }
    size_t wire_count() const { return kinds_.size(); }  // including the constant wire

    // Exports (Mode::full only for r1cs()). Public outputs and inputs keep declaration order.
    snark::R1cs r1cs() const;
    snark::Witness witness_file() const;  // values in export order
    std::vector<std::string> public_names() const;  // outputs then public inputs, export order
    std::vector<Fr> public_values() const;

    // Index (in builder order) of the first constraint the given builder-order wire values
    // violate, or nullopt; for soundness tests that tamper with the witness.
    std::optional<size_t> first_violation(const std::vector<Fr>& values) const;
    const std::vector<Fr>& values() const { return values_; }  // builder order
    // Builder-internal wire of a signal that is a single wire (tests use it to tamper).
    static std::optional<uint32_t> single_wire(const Signal& s);

private:
    enum class WireKind : uint8_t { one, public_output, public_input, private_input, internal };
    struct Constraint {
        std::vector<Term> a, b, c;
    };

    Signal new_wire(WireKind kind, const Fr& value);
    void add_constraint(const Signal& a, const Signal& b, const Signal& c);
    std::vector<uint32_t> export_order() const;  // builder wire -> exported wire

    Mode mode_;
    std::vector<WireKind> kinds_;
    std::vector<Fr> values_;
    std::vector<Constraint> constraints_;
    size_t n_constraints_ = 0;
    std::vector<std::pair<std::string, uint32_t>> public_outputs_, public_inputs_;
};

}  // namespace provernet::circuit
