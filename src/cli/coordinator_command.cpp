#include "cli/coordinator_command.hpp"

#include "coordinator/service.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

namespace provernet::cli {

namespace {

int stop_pipe[2] = {-1, -1};

struct CoordinatorArgs {
    std::string data_dir;
    std::string listen = "127.0.0.1:8700";
    std::string domain = "provernet-local";
    std::string operator_address;
    unsigned threads = 4;
    uint64_t fee_bps = 0;
    std::string fee_account;
    uint64_t withdrawal_delay_ms = 86'400'000;
    uint64_t min_collateral = 0;
    uint64_t invalid_proof_fine = 0;
    uint64_t max_zkey_mib = 256;
    uint64_t snapshot_every = 10'000;
    bool full_sync = false;
    std::string settlement = "embedded";
    std::string rpc, deployment, keeper_key;
    uint64_t poll_ms = 200;
    uint64_t confirmations = 0;
};

// settlement = evm: the market, its creation block and its rules come from the deployment file
// that `provernet contracts deploy` wrote; the market flags above must not contradict it.
void configure_evm(coordinator::ServiceConfig& config, const CoordinatorArgs& args, CLI::App& cmd)
{
    if (args.deployment.empty()) throw std::runtime_error("--settlement evm needs --deployment (from `provernet contracts deploy`)");
    std::ifstream in(args.deployment);
    if (!in) throw std::runtime_error("--deployment: " + args.deployment + " cannot be read");
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        throw std::runtime_error("--deployment: " + args.deployment + ": " + e.what());
    }
    if (!doc.contains("market") || !doc.contains("config"))
        throw std::runtime_error("--deployment: " + args.deployment + " has no deployed market (run `provernet contracts deploy`)");
    for (const char* flag : {"--fee-bps", "--fee-account", "--withdrawal-delay-ms", "--min-collateral",
                             "--invalid-proof-fine", "--operator"})
        if (cmd.count(flag) > 0)
            throw std::runtime_error(std::string(flag) + " does not apply to --settlement evm: the contract's rules ("
                                     + args.deployment + " \"config\") are the market's");
    coordinator::EvmSettlementConfig evm;
    evm.rpc_url = args.rpc.empty() ? doc.value("rpc", "") : args.rpc;
    if (evm.rpc_url.empty()) throw std::runtime_error("--settlement evm needs --rpc (the deployment names none)");
    evm.market = doc["market"].get<std::string>();
    evm.start_block = doc.value("block", uint64_t{0});
    evm.keeper_key_file = args.keeper_key;
    evm.poll_interval = std::chrono::milliseconds(args.poll_ms);
    evm.confirmations = args.confirmations;
    config.market = coordinator::market_config_from_contract(doc["config"]);
    config.evm = evm;
}

int run_coordinator(const CoordinatorArgs& args, CLI::App& cmd)
{
    coordinator::ServiceConfig config;
    config.data_dir = args.data_dir;
    const size_t colon = args.listen.rfind(':');
    if (colon == std::string::npos) {
        std::cerr << "error: --listen must be host:port, got '" << args.listen << "'\n";
        return 2;
    }
    config.host = args.listen.substr(0, colon);
    try {
        const unsigned long port = std::stoul(args.listen.substr(colon + 1));
        if (port > 65535) throw std::out_of_range("port");
        config.port = static_cast<uint16_t>(port);
    } catch (const std::exception&) {
        std::cerr << "error: --listen: '" << args.listen.substr(colon + 1) << "' is not a port number\n";
        return 2;
    }
    config.threads = args.threads;
    config.domain = args.domain;
    config.operator_address = args.operator_address;
    config.market.fee_bps = args.fee_bps;
    if (!args.fee_account.empty()) config.market.fee_account = args.fee_account;
    config.market.withdrawal_delay_ms = args.withdrawal_delay_ms;
    config.market.min_collateral = args.min_collateral;
    config.market.invalid_proof_fine = args.invalid_proof_fine;
    config.max_zkey_bytes = args.max_zkey_mib << 20;
    config.snapshot_every = args.snapshot_every;
    config.full_sync = args.full_sync;
    if (args.settlement == "evm") {
        try {
            configure_evm(config, args, cmd);
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << "\n";
            return 2;
        }
    } else if (args.settlement != "embedded") {
        std::cerr << "error: --settlement must be embedded or evm, got '" << args.settlement << "'\n";
        return 2;
    }

    // SIGTERM/SIGINT may arrive on any thread (some exist before this function runs): the
    // handler only writes to a pipe that the main thread waits on.
    if (::pipe(stop_pipe) != 0) {
        std::cerr << "error: pipe: cannot create the shutdown pipe\n";
        return 2;
    }
    struct sigaction action = {};
    action.sa_handler = [](int signal_number) {
        const unsigned char byte = static_cast<unsigned char>(signal_number);
        [[maybe_unused]] ssize_t n = ::write(stop_pipe[1], &byte, 1);
    };
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    coordinator::Service service(config);
    service.start();
    std::cout << "provernet coordinator listening on http://" << config.host << ":" << service.port()
              << " (domain " << config.domain << ", data " << config.data_dir << ", "
              << service.command_count() << " commands replayed";
    if (config.evm)
        std::cout << ", settlement evm: market " << config.evm->market << " via " << config.evm->rpc_url
                  << (config.evm->keeper_key_file.empty() ? ", no keeper" : ", keeper on");
    std::cout << ")" << std::endl;
    unsigned char signal_number = 0;
    while (::read(stop_pipe[0], &signal_number, 1) < 0 && errno == EINTR) {
    }
    std::cout << "provernet coordinator: stopping (signal " << int(signal_number) << ")" << std::endl;
    service.stop();
    return 0;
}

}  // namespace

void add_coordinator_command(CLI::App& app)
{
    auto args = std::make_shared<CoordinatorArgs>();
    auto* cmd = app.add_subcommand("coordinator", "run the coordinator: order book, proof verification, settlement");
    cmd->add_option("--data-dir", args->data_dir, "database and circuit keys (created if absent)")->required();
    cmd->add_option("--listen", args->listen, "host:port to listen on (port 0: any free port)")->capture_default_str();
    cmd->add_option("--domain", args->domain, "the domain signed actions must name")->capture_default_str();
    cmd->add_option("--operator", args->operator_address, "address allowed to sign deposits (embedded settlement)");
    cmd->add_option("--threads", args->threads, "HTTP worker threads")->capture_default_str();
    cmd->add_option("--fee-bps", args->fee_bps, "protocol fee on each payment, basis points")->capture_default_str();
    cmd->add_option("--fee-account", args->fee_account, "account receiving the fees");
    cmd->add_option("--withdrawal-delay-ms", args->withdrawal_delay_ms, "unstake delay")->capture_default_str();
    cmd->add_option("--min-collateral", args->min_collateral, "lower bound on a request's collateral")->capture_default_str();
    cmd->add_option("--invalid-proof-fine", args->invalid_proof_fine, "fine for an invalid proof without a lock")
        ->capture_default_str();
    cmd->add_option("--max-zkey-mib", args->max_zkey_mib, "largest circuit key accepted")->capture_default_str();
    cmd->add_option("--snapshot-every", args->snapshot_every, "commands between market snapshots")->capture_default_str();
    cmd->add_flag("--full-sync", args->full_sync, "fsync every commit (survives power loss, slower)");
    cmd->add_option("--settlement", args->settlement, "embedded (the coordinator's ledger) or evm (the market contract)")
        ->capture_default_str();
    cmd->add_option("--rpc", args->rpc, "evm: the Ethereum JSON-RPC URL (default: the deployment's)");
    cmd->add_option("--deployment", args->deployment, "evm: deployment.json from `provernet contracts deploy`");
    cmd->add_option("--keeper-key", args->keeper_key, "evm: key file that sends expire() for lapsed requests");
    cmd->add_option("--poll-ms", args->poll_ms, "evm: how often to read new blocks")->capture_default_str();
    cmd->add_option("--confirmations", args->confirmations,
                    "evm: index blocks only this deep below the head (at least the chain's reorg depth)")
        ->capture_default_str();
    cmd->callback([args, cmd] { throw CLI::RuntimeError(run_coordinator(*args, *cmd)); });
}

}  // namespace provernet::cli
