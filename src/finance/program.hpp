// A finance program: a workload the network proves. Each one is
//   - a circuit, declared on a circuit::Builder, that reads its JSON inputs (errors name the
//     field), constrains the computation and exposes a few public signals a contract can check
//     cheaply (usually Poseidon commitments to the inputs and results, see circuit/commitment.hpp);
//   - a plain C++ reference model of the same computation, written without the circuit layer,
//     that the tests hold the circuit's witness against (exactly for integers, within the stated
//     error for fixed point);
//   - a readable result: the values the circuit computed, as JSON (result.json of `provernet run`).
// Both `build` and `reference` return results of the same JSON shape, so they can be compared.
//
// The registry appends one public input to every program: `prover`, the address of the prover
// the proof pays, as the LAST public signal (read from the inputs' "prover" field, 0 when
// absent). Groth16 binds every public input, so a proof copied from a mempool or a coordinator
// and submitted by another prover does not verify with the copier's address: settlement (the
// coordinator, the market contract) checks it against the submitter.
#pragma once

#include "circuit/builder.hpp"
#include "circuit/inputs.hpp"
#include "circuit/registry.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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
    // The public signals fixed by the inputs alone (e.g. a commitment to them), as (index in
    // public.json order, value), computed natively and cheaply from the inputs (no witness): a
    // coordinator checks a delivered proof against them, so a valid proof of other inputs is
    // refused. Results are not among them. Same input errors as `build`.
    std::function<std::vector<std::pair<size_t, math::Fr>>(const circuit::Inputs&)> bound_public_signals;
};

// A program family: programs of one kind at any size, named by a pattern such as
// "black-scholes-<N>". `make` returns the program for a name of the family, nothing for a name of
// another family, and throws std::invalid_argument for a name of this family with sizes it does
// not support (the message says which).
struct ProgramFamily {
    std::string pattern;  // for messages, e.g. "black-scholes-<N>, 1 <= N <= 256"
    std::function<std::optional<Program>(const std::string& name)> make;
};

class ProgramRegistry {
public:
    // A program at a standard size: listed by all() (and `provernet programs`).
    void add(Program p);
    void add_family(ProgramFamily f);
    // A listed program, or one made by a family (kept for the registry's lifetime; thread-safe).
    const Program* find(const std::string& name) const;
    const std::vector<Program>& all() const { return programs_; }
    const std::vector<ProgramFamily>& families() const { return families_; }

private:
    std::vector<Program> programs_;
    std::vector<ProgramFamily> families_;
    mutable std::mutex made_mutex_;
    mutable std::map<std::string, std::unique_ptr<Program>> made_;
};

// The inputs field that names the prover, and its value as a field element (0 when absent;
// throws circuit::InputError when it is not 0x + 40 hex digits).
inline constexpr const char* prover_input = "prover";
math::Fr prover_signal(const circuit::Inputs& in);
// The program with the prover signal appended (what the registry stores; a deployment's own
// programs given to the coordinator go through it too).
Program with_prover_signal(Program p);

// The circuit of a program, for the circuit registry (setup, export, witness by name).
circuit::CircuitSpec circuit_spec(const Program& p);

// All finance programs at their standard sizes.
const ProgramRegistry& finance_programs();

}  // namespace provernet::finance
