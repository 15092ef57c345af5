// A prover node's configuration file (TOML), e.g.
//
//   key_file = "prover.key"                 # from `provernet key new`
//   coordinator = "http://127.0.0.1:8700"
//   capacity = 1                            # concurrent proofs (declared to the market)
//   cache_dir = "node-cache"                # zkeys by circuit identity
//   stake = "5000"                          # keep at least this much staked (from balance)
//   min_price_per_kconstraint = "0"         # skip requests paying less per 1000 constraints
//   listen_only = false                     # bid nothing, log what it would do
//   max_consecutive_failures = 3            # circuit breaker (0: off)
//   safety_factor = 1.5                     # on the proving-time estimate
//   margin_ms = 500                         # fixed allowance for network and verification
//   initial_seconds_per_constraint = 0.0005 # until calibrated
//   calibrate = true                        # prove the smallest registered circuit at start
//   name = "node-1"                         # log prefix
//   rpc = "http://127.0.0.1:8545"           # EVM settlement: the node's own Ethereum RPC
//                                           # (default: the coordinator's, GET /v1/info evm.rpc)
//
// Relative paths are relative to the config file's folder. Unknown keys are errors (a typo must
// not silently fall back to a default). Amounts may be integers or decimal strings.
#pragma once

#include <cstdint>
#include <string>

namespace provernet::node {

// Test-only fault injection (see docs/node.md): never use on a real network.
enum class Fault { none, invalid_proof, stall };
Fault fault_from_string(const std::string& name);  // "none", "invalid-proof", "stall"; throws

struct NodeConfig {
    std::string key_file;
    std::string coordinator = "http://127.0.0.1:8700";
    unsigned capacity = 1;
    std::string cache_dir = "node-cache";
    uint64_t stake = 0;
    uint64_t min_price_per_kconstraint = 0;
    bool listen_only = false;
    unsigned max_consecutive_failures = 3;
    double safety_factor = 1.5;
    uint64_t margin_ms = 500;
    double initial_seconds_per_constraint = 5e-4;
    bool calibrate = true;
    std::string name = "node";
    std::string rpc;  // empty: the coordinator's (EVM settlement only)
    Fault fault = Fault::none;  // from the command line only
};

// Throws std::runtime_error naming the file, the key and what is wrong.
NodeConfig parse_node_config(const std::string& toml_text, const std::string& source, const std::string& base_dir);
NodeConfig read_node_config(const std::string& path);

}  // namespace provernet::node
