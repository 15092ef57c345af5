// Built-in circuits: circuit list|info|export, witness.
#pragma once

#include "circuit/registry.hpp"

#include <CLI/CLI.hpp>

namespace provernet::cli {

// Every circuit the command line knows by name.
const circuit::CircuitRegistry& builtin_circuits();
// A built-in circuit or a finance program by name, including programs of any supported size
// (e.g. black-scholes-32); nullptr when unknown. Throws std::invalid_argument for a program name
// with unsupported sizes.
const circuit::CircuitSpec* find_circuit(const std::string& name);
// The names a user can give, for error messages.
std::string known_circuit_names();

void add_circuit_commands(CLI::App& app);

}  // namespace provernet::cli
