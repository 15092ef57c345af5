// The Groth16 subcommands: prove, verify, zkey export-vk, info.
#pragma once

#include <CLI/CLI.hpp>

namespace provernet::cli {

void add_snark_commands(CLI::App& app);

}  // namespace provernet::cli
