// provernet coordinator: runs the coordinator service (docs/protocol.md) until SIGTERM/SIGINT.
#pragma once

#include <CLI/CLI.hpp>

namespace provernet::cli {

void add_coordinator_command(CLI::App& app);

}  // namespace provernet::cli
