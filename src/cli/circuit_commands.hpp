// Built-in circuits: circuit list|info|export, witness.
#pragma once

#include "circuit/registry.hpp"

#include <CLI/CLI.hpp>

namespace provernet::cli {

// Every circuit the command line knows by name.
const circuit::CircuitRegistry& builtin_circuits();

void add_circuit_commands(CLI::App& app);

}  // namespace provernet::cli
