// Development setup: ptau new, setup.
#pragma once

#include <CLI/CLI.hpp>

namespace provernet::cli {

void add_setup_commands(CLI::App& app);

}  // namespace provernet::cli
