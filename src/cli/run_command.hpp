// provernet run: a finance program end to end (witness, proof, readable result).
#pragma once

#include <CLI/CLI.hpp>

namespace provernet::cli {

void add_run_command(CLI::App& app);

}  // namespace provernet::cli
