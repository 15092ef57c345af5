// provernet demo: the prover network's main job on loopback. A coordinator and several prover
// nodes (this binary's own `coordinator` and `node` commands, as child processes), a mix of
// finance requests, one node killed mid-proof, and a final table of prices, provers, latencies,
// settlements, earnings and slashes.
//
// --evm: the same on a local anvil that the demo starts (AnvilProcess): its dev key 0 deploys the
// market and a verifier per circuit (contracts deploy, in process) and keeps the coordinator's
// deadlines (--settlement evm --keeper-key), dev keys 1..8 are the provers (they stake, lock and
// fulfil on chain), dev key 9 submits the requests on chain with their escrow. The end compares
// the chain (accounts, ProverSlashed events, the market's balance) with the coordinator's mirror
// and prints the gas of every kind of transaction.
#pragma once

#include <CLI/CLI.hpp>

#include <sys/types.h>

#include <string>
#include <vector>

namespace provernet::cli {

void add_demo_command(CLI::App& app);

namespace demo {

// Development proving key of a finance program or built-in circuit, cached as
// scripts/lib/keys.sh does ($PROVERNET_CACHE or ~/.cache/provernet: ptau/dev_pot<k>.ptau,
// keys/<structure hash>.zkey), made on first use (single-party setup: DEVELOPMENT ONLY).
// Returns the key's path; `made` tells whether it had to be made.
std::string ensure_dev_key(const std::string& program, bool* made = nullptr);

// Child processes running this binary, output to log files; all killed when the set is
// destroyed, on SIGINT/SIGTERM (the handler kills them, then the demo exits), and when this
// process dies (PR_SET_PDEATHSIG).
class Children {
public:
    Children();
    ~Children();
    Children(const Children&) = delete;
    Children& operator=(const Children&) = delete;

    // Forks and execs this binary with args; stdout to out_log, stderr to err_log (appended).
    pid_t spawn(const std::vector<std::string>& args, const std::string& out_log, const std::string& err_log);
    // SIGKILL and reap.
    void kill_now(pid_t pid);
    // SIGTERM to every live child, waits up to grace_ms, then SIGKILL; reaps all.
    void stop_all(int grace_ms = 5000);
    // Whether a SIGINT/SIGTERM arrived (the children are already killed).
    static bool interrupted();

private:
    std::vector<pid_t> pids_;
};

}  // namespace demo
}  // namespace provernet::cli
