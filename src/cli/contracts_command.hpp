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

#include "settlement/address.hpp"
#include "settlement/market_contract.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace provernet::cli {

// contracts deploy, in process (provernet demo --evm deploys with it).
struct DeployOptions {
    std::string rpc;                     // JSON-RPC endpoint
    std::string key_file;                // the deployer's key file
    std::string out;                     // deployment.json; its transaction journal is <out>.txs
    std::vector<std::string> circuits;   // PROGRAM=ZKEY
    settlement::MarketContractConfig config;  // owner and fee_account: see below
    std::optional<settlement::Address> owner, fee_account;  // default: the deployer
    std::chrono::seconds wait{300};      // per transaction
    std::ostream* progress = &std::cerr;  // one line per step (addresses, gas, transactions)
};

// Deploys the market and the circuits' verifiers (or resumes a deployment, as described above)
// and returns what it wrote to options.out. Throws std::runtime_error naming what is wrong.
nlohmann::json deploy_contracts(const DeployOptions& options);

// Adds "contracts" with the subcommands "deploy" and "show".
void add_contracts_command(CLI::App& app);

}  // namespace provernet::cli
