// A finance program: a workload the network proves. Each one is
//   - a circuit, declared on a circuit::Builder, that reads its JSON inputs (errors name the
//     field), constrains the computation and exposes a few public signals a contract can check
//     cheaply (usually Poseidon commitments to the inputs and results, see circuit/commitment.hpp);
//   - a plain C++ reference model of the same computation, written without the circuit layer,
//     that the tests hold the circuit's witness against (exactly for integers, within the stated
//     error for fixed point);
//   - a readable result: the values the circuit computed, as JSON (result.json of `provernet run`).
// Both `build` and `reference` return results of the same JSON shape, so they can be compared.
#pragma once

#include "circuit/builder.hpp"
#include "circuit/inputs.hpp"
#include "circuit/registry.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace provernet::finance {

struct Program {
    std::string name;         // e.g. "black-scholes-16": one name per circuit shape
    std::string description;  // one line
    // Declares the circuit on b for the inputs (throws circuit::InputError naming a bad field,
    // circuit::ConstraintViolation when the inputs are outside what the circuit proves) and
    // returns the readable result computed by the circuit's own witness values.
    std::function<nlohmann::json(circuit::Builder&, const circuit::Inputs&)> build;
    // The plain C++ model: the same result from the same inputs (same errors on bad input).
    std::function<nlohmann::json(const circuit::Inputs&)> reference;
    // Valid inputs that also serve to build the constraint system (values never change the
    // structure).
    nlohmann::json example_input;
    // What the public signals are, in export order, and why (for `provernet circuit info`).
    std::string public_signals;
};

class ProgramRegistry {
public:
    void add(Program p);
    const Program* find(const std::string& name) const;
    const std::vector<Program>& all() const { return programs_; }

private:
    std::vector<Program> programs_;
};

// The circuit of a program, for the circuit registry (setup, export, witness by name).
circuit::CircuitSpec circuit_spec(const Program& p);

// All finance programs at their standard sizes.
const ProgramRegistry& finance_programs();

}  // namespace provernet::finance
