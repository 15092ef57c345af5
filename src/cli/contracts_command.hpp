// On-chain settlement contracts from the command line:
//   provernet contracts deploy --rpc URL --key FILE --out deployment.json
//                              [--circuit PROGRAM=ZKEY ...] [--config market.toml | market flags]
//   provernet contracts show --rpc URL --deployment deployment.json
//
// deploy compiles ProverMarket with the pinned solc and deploys it, then for each --circuit
// generates the zkey's Groth16 verifier, deploys it and registers it in the market under the
// circuit identity of the zkey's verification key (what `provernet setup` prints). It writes
// deployment.json:
//   {chain_id, rpc, deployer, market, block, market_tx, config,
//    circuits: [{program, identity, verifier, public_inputs, verifier_tx, register_tx}]}
// after every confirmed step, and journals every signed transaction in deployment.json.txs
// (settlement::TxSender) before broadcasting it.
//
// Re-running with the same --out resumes instead of sending twice: journaled transactions that
// were never mined are rebroadcast and awaited (nothing new is signed for them); a market that
// has code at the recorded address is kept (its config must equal the one given); a contract
// whose creation was in flight at the crash is adopted if its predicted address has code; a
// circuit identity the market already knows is not registered again. So a complete deployment
// re-run sends nothing, and adding a --circuit deploys and registers only that one.
#pragma once

#include <CLI/CLI.hpp>

namespace provernet::cli {

// Adds "contracts" with the subcommands "deploy" and "show".
void add_contracts_command(CLI::App& app);

}  // namespace provernet::cli
