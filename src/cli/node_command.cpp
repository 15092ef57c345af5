// provernet node --config node.toml [--listen-only] [--rpc URL] [--fault invalid-proof|stall]
#include "cli/node_command.hpp"

#include "node/node.hpp"
#include "node/node_config.hpp"

#include <atomic>
#include <csignal>
#include <memory>
#include <stdexcept>
#include <string>

namespace provernet::cli {

namespace {

std::atomic<bool> stop_requested{false};

void on_signal(int) { stop_requested = true; }

struct NodeArgs {
    std::string config;
    std::string fault = "none";
    std::string rpc;
    bool listen_only = false;
};

int run_node(const NodeArgs& args)
{
    node::NodeConfig config = node::read_node_config(args.config);
    config.fault = node::fault_from_string(args.fault);
    if (args.listen_only) config.listen_only = true;
    if (!args.rpc.empty()) {
        if (args.rpc.rfind("http://", 0) != 0) throw std::runtime_error("--rpc: must be an http://host:port URL");
        config.rpc = args.rpc;
    }
    node::Node n(config);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    return n.run(stop_requested);
}

}  // namespace

void add_node_command(CLI::App& app)
{
    auto args = std::make_shared<NodeArgs>();
    auto* cmd = app.add_subcommand("node", "run a prover node: lock, prove and fulfil requests of a coordinator");
    cmd->add_option("--config", args->config, "node.toml (see docs/node.md)")->required()->check(CLI::ExistingFile);
    cmd->add_flag("--listen-only", args->listen_only, "bid nothing; log what the node would take");
    cmd->add_option("--rpc", args->rpc,
                    "EVM settlement: the Ethereum JSON-RPC URL for this node's transactions (overrides the config's "
                    "rpc; default: the coordinator's)");
    cmd->add_option("--fault", args->fault,
                    "TEST ONLY fault injection: invalid-proof (tamper with every proof) or stall (lock, never deliver)")
        ->check(CLI::IsMember({"none", "invalid-proof", "stall"}));
    cmd->callback([args] { throw CLI::RuntimeError(run_node(*args)); });
}

}  // namespace provernet::cli
