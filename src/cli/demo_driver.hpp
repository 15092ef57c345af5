// provernet demo's driver, shared by its two modes: demo_command.cpp runs the network on the
// coordinator's embedded ledger (and holds what both modes do), demo_evm.cpp the --evm parts
// (a local anvil, the contracts, requests submitted on chain, the on-chain accounts and gas).
#pragma once

#include "cli/demo_command.hpp"
#include "coordinator/client.hpp"
#include "finance/program.hpp"
#include "market/types.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace provernet::cli::demo {

namespace fs = std::filesystem;
using nlohmann::json;

#ifndef PROVERNET_EXAMPLES_DIR
#define PROVERNET_EXAMPLES_DIR "examples"
#endif

struct DemoArgs {
    std::string dir;
    std::string examples = PROVERNET_EXAMPLES_DIR;  // <program>.json inputs; the registry's example otherwise
    unsigned nodes = 3;
    bool keep = false;
    bool evm = false;  // settle on a local anvil instead of the embedded ledger
};

// What the demo submits: each program twice, at the priority of its use.
struct Workload {
    std::string program;
    market::Priority priority;
    uint64_t max_price;  // the ramp starts at a quarter of it
    uint64_t collateral;
};
extern const std::vector<Workload> kWorkloads;
constexpr unsigned kCopies = 2;
constexpr uint64_t kProverFunds = 100'000, kProverStake = 50'000, kRequesterFunds = 1'000'000;

using Clock = std::chrono::steady_clock;

// "[  12.3s] line", the time since the demo started.
void say(const std::string& line);
std::string read_text(const fs::path& path);
uint64_t amount(const json& j);  // amounts are decimal strings
void check_interrupt();          // throws once SIGINT/SIGTERM arrived
std::string short_address(const std::string& a);
std::string pad(std::string s, size_t w, bool right = false);

// Polls until pred() or the timeout; false on timeout.
template <class Pred>
bool wait_until(Pred pred, double seconds, int poll_ms = 100)
{
    const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (Clock::now() < end) {
        check_interrupt();
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
    }
    return pred();
}

struct Node {
    std::string name, address;
    fs::path log;
    pid_t pid = 0;
    bool killed = false;
};

struct Tracked {
    uint64_t id = 0;  // the coordinator's; with --evm 0 until it has indexed the request
    const Workload* work = nullptr;
    std::string state = "submitted", holder, fulfilled_by;
    std::string first_holder;
    bool forfeited = false;
    json last;             // the last record read
    std::string chain_id;  // --evm: the on-chain request id (decimal)
    uint64_t escrow = 0;   // --evm: the value sent with submitRequest
};

// What the coordinator reports as settled, for the final checks.
struct Settled {
    uint64_t paid = 0, fulfilled = 0;           // prices of the fulfilled requests, and how many
    uint64_t earned = 0, fulfilment_records = 0;  // the provers' earnings and fulfilment counts
};

struct EvmChain;  // demo_evm.cpp: anvil, the deployment, the requester's sender

class Demo {
public:
    explicit Demo(const DemoArgs& args);
    ~Demo();
    int run();

private:
    // Both modes (demo_command.cpp).
    void make_keys();
    void start_coordinator(const std::vector<std::string>& settlement_args);
    void register_circuits();
    void fund_embedded();
    void start_nodes();
    void submit_all();
    void submit_embedded(const Workload& w, const finance::Program& p, unsigned copy);
    bool follow();
    bool report();
    bool verify_one();
    json example_input(const finance::Program& p) const;
    std::string name_of(const std::string& address) const;

    // --evm (demo_evm.cpp).
    static void require_anvil();  // throws naming the binary when it is not executable
    void start_chain();       // anvil, dev key files, contracts deploy
    void make_evm_nodes();    // the provers' dev keys
    void submit_on_chain(const Workload& w, const finance::Program& p, unsigned copy);
    bool resolve_chain_id(Tracked& t);  // the coordinator's id of an on-chain request, once indexed
    bool chain_checks(const Settled& s);  // on-chain accounts and events against the coordinator's
    void print_gas();
    std::optional<json> proof_from_chain(const Tracked& t);  // the proof in the fulfil transaction
    std::vector<std::string> coordinator_evm_args() const;

    DemoArgs args_;
    fs::path dir_;
    std::unique_ptr<EvmChain> chain_;  // before children_: the children stop first
    Children children_;
    std::string url_;
    std::map<std::string, std::string> zkeys_;     // program -> cached key path
    std::map<std::string, std::string> circuits_;  // program -> identity
    std::map<std::string, uint64_t> constraints_;  // program -> constraints
    std::shared_ptr<coordinator::ActionSigner> operator_, requester_;
    std::vector<Node> nodes_;
    std::vector<Tracked> requests_;
    double seconds_per_constraint_ = 0.0005;
    uint64_t lock_ms_ = 0, timeout_ms_ = 0;
    std::optional<size_t> killed_node_;
    uint64_t killed_request_ = 0;
};

}  // namespace provernet::cli::demo
