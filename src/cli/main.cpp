// provernet: the one command, with subcommands.
#include "cli/circuit_commands.hpp"
#include "cli/contracts_command.hpp"
#include "cli/coordinator_command.hpp"
#include "cli/demo_command.hpp"
#include "cli/node_command.hpp"
#include "cli/request_command.hpp"
#include "cli/run_command.hpp"
#include "cli/setup_commands.hpp"
#include "cli/snark_commands.hpp"
#include "snark/errors.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

int main(int argc, char** argv)
{
    CLI::App app{"provernet: Groth16/BN254 prover network (snarkjs/circom compatible)"};
    app.require_subcommand(1);
    provernet::cli::add_snark_commands(app);
    provernet::cli::add_circuit_commands(app);
    provernet::cli::add_setup_commands(app);
    provernet::cli::add_run_command(app);
    provernet::cli::add_coordinator_command(app);
    provernet::cli::add_node_command(app);
    provernet::cli::add_request_commands(app);
    provernet::cli::add_demo_command(app);
    provernet::cli::add_contracts_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::RuntimeError& e) {
        // Subcommands report their exit status this way once they have run.
        return e.get_exit_code();
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const provernet::snark::FormatError& e) {
        std::cerr << "error: " << e.what() << std::endl;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << std::endl;
        return 2;
    }
    return 0;
}
