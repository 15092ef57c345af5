// The requester's and operator's commands against a coordinator (docs/protocol.md):
//   provernet request submit|status|get|cancel|deposit|account
//   provernet circuit register <program> --zkey FILE
//   provernet key new FILE | key address FILE
#pragma once

#include <CLI/CLI.hpp>

namespace provernet::cli {

// Adds "request" and "key", and "register" under the existing "circuit" command (call after
// add_circuit_commands; if "circuit" does not exist yet it is created).
void add_request_commands(CLI::App& app);

}  // namespace provernet::cli
