// Named circuits: what `provernet circuit ...`, `witness` and `setup` can refer to by name.
#pragma once

#include "circuit/builder.hpp"
#include "circuit/inputs.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace provernet::circuit {

struct CircuitSpec {
    std::string name;
    std::string description;
    // Reads the inputs it needs (errors name the field) and declares the circuit on the builder.
    std::function<void(Builder&, const Inputs&)> define;
    // Inputs the circuit accepts; building the constraint system uses them (values never change
    // the structure).
    nlohmann::json example_input;
};

class CircuitRegistry {
public:
    void add(CircuitSpec spec);
    const CircuitSpec* find(const std::string& name) const;
    const std::vector<CircuitSpec>& all() const { return specs_; }

private:
    std::vector<CircuitSpec> specs_;
};

// Runs a circuit on inputs. Mode::full also records the constraints (for export and setup).
Builder build_circuit(const CircuitSpec& spec, const Inputs& inputs, Mode mode);
// The constraint system alone, built from the example input.
Builder build_constraint_system(const CircuitSpec& spec);

// SHA-256 of the exported .r1cs bytes' content (wire order, constraints, coefficients), hex: names
// the constraint system itself, before any setup.
std::string structure_hash(const Builder& full_builder);

// The example circuits of this layer, built from the gadgets.
void register_example_circuits(CircuitRegistry& registry);

}  // namespace provernet::circuit
