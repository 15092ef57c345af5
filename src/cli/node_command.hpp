// provernet node: run a prover node (src/node/node.hpp, docs/node.md).
#pragma once

#include <CLI/CLI.hpp>

namespace provernet::cli {

void add_node_command(CLI::App& app);

}  // namespace provernet::cli
