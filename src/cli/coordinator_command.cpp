#include "cli/coordinator_command.hpp"

#include "coordinator/service.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

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
};

int run_coordinator(const CoordinatorArgs& args)
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
              << service.command_count() << " commands replayed)" << std::endl;
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
    cmd->callback([args] { throw CLI::RuntimeError(run_coordinator(*args)); });
}

}  // namespace provernet::cli
