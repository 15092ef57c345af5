// The coordinator service: the order book and settlement front (docs/protocol.md is its wire
// contract). It owns the market (market/market.hpp), its SQLite database and the HTTP/WebSocket
// server, and turns signed actions into market commands:
//
//   verify the envelope (signature, domain, expiry) -> nonce above the signer's last ->
//   map to a market::Command whose account is the signer -> apply at now = max(wall clock,
//   market clock) -> if accepted: ONE transaction appends the command to the log, stores the
//   derived rows (nonce, inputs, proofs, settlement ledger) -> reply.
//
// A single writer (one mutex) serialises state changes. If a transaction fails after the market
// applied the command, the market is rebuilt from the database, so nothing uncommitted is ever
// acknowledged. On open, the market is rebuilt from the last snapshot plus the command log.
// Snapshots are written by a thread of their own from an image of the market (shared immutable
// request records), so the writer waits only for the image. Proofs are verified outside the writer lock, in batches per circuit
// (verifier.hpp).
#pragma once

#include "coordinator/database.hpp"
#include "coordinator/http_server.hpp"
#include "finance/program.hpp"
#include "market/market.hpp"
#include "settlement/settlement.hpp"
#include "snark/json_io.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace provernet::snark {
struct PreparedVerificationKey;
}

namespace provernet::coordinator {

class BatchVerifier;
class SqliteLedger;
struct ChainLog;

// settlement = evm (docs/contracts.md, "The coordinator on an EVM"): the market contract is the
// ledger. The coordinator follows its logs into its own market (the order book, the stream and
// every read stay as in embedded mode), refuses signed actions (actors send transactions), and
// as keeper sends expire() for requests past their final deadline.
struct EvmSettlementConfig {
    std::string rpc_url;
    std::string market;               // the ProverMarket address
    uint64_t start_block = 0;         // the market's creation block (deployment.json "block")
    std::string keeper_key_file;      // "" : no keeper (somebody else calls expire)
    std::chrono::milliseconds poll_interval{200};
    uint64_t max_log_range = 2'000;   // blocks per eth_getLogs
    // Blocks indexed only this deep below the head. The mirror does not undo a reorganised block:
    // on a chain that reorganises, set at least its reorg depth (0 suits a dev node or a rollup
    // sequencer's own view).
    uint64_t confirmations = 0;
    // expire() is sent this long after a final deadline (the next block's timestamp must reach it).
    uint64_t expire_after_ms = 1'000;
};

// The market rules of a deployed contract (deployment.json "config", contracts_command.cpp):
// amounts in wei (1 market unit = 1 wei; each must fit 64 bits), seconds as milliseconds.
// Throws std::runtime_error naming the field.
market::Config market_config_from_contract(const nlohmann::json& config);

struct ServiceConfig {
    std::string data_dir;             // created if absent: coordinator.db, circuits/
    std::string host = "127.0.0.1";
    uint16_t port = 0;                // 0: ephemeral (see port())
    // HTTP worker threads. A fulfil does not hold one while its proof is verified (the answer is
    // deferred), so a few per core suffice; more only add context switches.
    unsigned threads = 4;
    std::string domain = "provernet-local";
    std::string operator_address;     // may sign deposit and resume_prover ("" : nobody)
    market::Config market;            // used when the data dir is new; must match afterwards

    size_t max_action_bytes = 1 << 20;       // every route but circuit upload
    size_t max_zkey_bytes = 256ull << 20;    // circuit upload (the server's body limit)
    uint64_t max_expiry_ahead_ms = 600'000;  // expires_at_ms at most this far ahead
    std::chrono::milliseconds tick_interval{50};
    size_t verify_batch = 64;                      // proofs per batch verification
    // Under load (the previous batch held more than one proof), wait this long for a batch to
    // fill; a lone proof at light load is verified at once.
    std::chrono::microseconds verify_window{2'000};
    // One thread: while it verifies, the next proofs queue and form a larger batch; the other
    // core serves HTTP, signatures and commits.
    unsigned verify_threads = 1;
    // Commands between market snapshots (at least as many as the market holds requests).
    uint64_t snapshot_every = 10'000;
    size_t open_view_limit = 100;      // lines of the streamed open view
    // The streamed open view is a resync aid (events carry every change in real time), and it
    // goes to every subscriber: at most one per interval.
    std::chrono::milliseconds open_view_interval{1'000};
    bool full_sync = false;            // SQLite synchronous=FULL (power-loss durable)
    // How often the tick thread folds the WAL into the database (off the commit path).
    std::chrono::milliseconds checkpoint_interval{1'000};
    std::function<uint64_t()> clock;   // wall clock in ms; default system_clock
    // Programs accepted besides finance::finance_programs() and the built-in example circuits
    // (looked up first; e.g. a deployment's own programs, or tests).
    std::vector<finance::Program> programs;
    std::optional<EvmSettlementConfig> evm;  // absent: embedded settlement
};

// What the process-level tests read back after a restart.
struct LedgerAudit {
    uint64_t commands = 0;
    uint64_t requests_paid_twice = 0;       // requests with more than one payment line
    uint64_t requests_overpaid = 0;         // payment + fee above the request's max price
};

class Service {
public:
    // Opens (or creates) the data dir and rebuilds the market; throws std::runtime_error naming
    // what is wrong (unreadable database, log that does not replay, config mismatch).
    explicit Service(ServiceConfig config);
    ~Service();  // stop()
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    void start();  // listens, starts the tick and verifier threads
    void stop();   // idempotent
    uint16_t port() const;

    // Read-side helpers for tests and the CLI (thread-safe).
    nlohmann::json market_snapshot() const;
    uint64_t command_count() const;
    uint64_t event_seq() const;
    LedgerAudit audit();
    // Proofs verified and batch checks run since start (GET /v1/info: "verifier").
    std::pair<uint64_t, uint64_t> verifier_stats() const;
    settlement::LedgerTotals ledger_totals(const std::string& account);
    // EVM mode: the next block the indexer reads (0 in embedded mode).
    uint64_t chain_next_block() const;

    struct Circuit {
        std::string identity;
        std::string program;
        uint64_t constraints = 0;
        uint32_t n_public = 0;
        uint64_t zkey_bytes = 0;
        std::shared_ptr<const snark::PreparedVerificationKey> vk;
        const finance::Program* finance_program = nullptr;  // null: no bound signals known
        // The last public signal is the address of the prover the proof pays (finance
        // programs, program.hpp): a fulfil must come from that address.
        bool binds_prover = false;
    };

private:
    struct Committed {
        uint64_t seq = 0;
        market::Outcome outcome;
    };
    using ExtraWrites = std::function<void(uint64_t seq, const market::Outcome& outcome)>;

    // HTTP handlers.
    Response handle_action(const Request& request);
    Response handle_put_circuit(const Request& request);
    Response handle_get_circuits(const Request& request);
    Response handle_get_circuit(const Request& request);
    Response handle_get_request(const Request& request);
    Response handle_get_account(const Request& request);
    Response handle_get_open(const Request& request);
    Response handle_info(const Request& request);
    Response handle_get_chain_request(const Request& request);

    nlohmann::json act(const std::string& action, const nlohmann::json& body, const std::string& signer,
                       uint64_t nonce);
    // An action parsed and checked outside the writer lock: the market command, the rows written
    // beside it, and the answer once it is committed.
    struct Prepared {
        market::Command command;
        ExtraWrites extra;
        std::function<nlohmann::json(const Committed&)> result;
    };
    // Every action but fulfill (whose verdict needs the verifier first). Throws HttpError.
    Prepared prepare_action(const std::string& action, const nlohmann::json& body, const std::string& signer);
    Prepared prepare_submit(const nlohmann::json& body, const std::string& signer);
    nlohmann::json fulfill(const nlohmann::json& body, const std::string& signer, uint64_t nonce);
    // A fulfil in two halves around the verification: the checks that need no pairing (a
    // refusal throws HttpError), then the commit of the verdict.
    struct FulfilCheck {
        std::string signer;
        uint64_t nonce = 0;
        uint64_t request_id = 0;
        std::shared_ptr<const Circuit> circuit;
        snark::Proof proof;
        std::vector<math::U256> signals;
        std::string proof_text, signals_text;
        std::string why;  // non-empty: invalid before any verification
    };
    FulfilCheck check_fulfil(const nlohmann::json& body, const std::string& signer, uint64_t nonce);
    Prepared prepare_verdict(std::shared_ptr<const FulfilCheck> check, bool valid, std::string why);
    nlohmann::json finish_fulfil(std::shared_ptr<const FulfilCheck> check, bool valid, std::string why);
    // The fulfil action without holding a worker thread while the proof is verified: the
    // verifier's batch then holds every fulfil in flight, not one per worker thread.
    Response handle_fulfil_deferred(const Request& request, const nlohmann::json& body, const std::string& signer,
                                    uint64_t nonce);

    // A signed batch (service_actions.cpp): many actions under one signature and nonce, each its own
    // market command, all committed in one transaction once any proofs in it are verified.
    Response handle_batch(const Request& request, const nlohmann::json& body, const std::string& signer,
                          uint64_t nonce);
    struct BatchItem;
    nlohmann::json commit_batch(std::vector<BatchItem>& items, const std::string& signer, uint64_t nonce);
    // Inside an open transaction: logs an applied command with its rows and settles its events.
    void write_command_locked(uint64_t seq, uint64_t now, const market::Command& command, const std::string& signer,
                              uint64_t nonce, const ExtraWrites& extra, const market::Outcome& outcome);
    void write_nonce_locked(const std::string& signer, uint64_t nonce);  // "" : none
    bool snapshot_due_locked(uint64_t seq) const;
    // Snapshots leave the writer's path: the writer takes an image of the market (the only part
    // it waits for: map nodes and pointers to the immutable request records) and the snapshot
    // thread serialises and writes it on a connection of its own. The command log covers a
    // snapshot not yet written, so a crash meanwhile loses nothing.
    void schedule_snapshot_if_due_locked(uint64_t seq, uint64_t event_seq);
    void snapshot_loop();

    // Under the writer lock: nonce check, apply, commit (or rebuild), broadcast. Throws HttpError
    // for a rejected command.
    Committed apply_and_commit(const market::Command& command, const std::string& signer, uint64_t nonce,
                               const ExtraWrites& extra = {});
    // at: the command's time (chain commands: the block's); default now_locked().
    Committed apply_locked(const market::Command& command, const std::string& signer, uint64_t nonce,
                           const ExtraWrites& extra, std::optional<uint64_t> at = {});
    void check_nonce_locked(const std::string& signer, uint64_t nonce) const;
    uint64_t now_locked() const;
    void rebuild_market();  // from the snapshot + log (on open and after a failed commit)
    void broadcast_events_locked(uint64_t first_event_seq, const std::vector<market::Event>& events);
    void tick_loop();
    void tick_once();
    // EVM mode (service_chain.cpp).
    void open_chain();                  // in the constructor: cursor, id maps, keeper journal
    void follow_chain_once();           // in the tick thread: index new logs, then keep
    bool apply_chain_event(const ChainLog& log);
    void keep_deadlines();              // the keeper's expire() transactions
    nlohmann::json chain_info_locked() const;
    void add_chain_view_locked(uint64_t request_id, nlohmann::json& out) const;
    std::optional<uint64_t> request_for_chain_id(const std::string& chain_id) const;
    void load_circuits();
    std::shared_ptr<const Circuit> find_circuit(const std::string& identity) const;
    uint64_t wall_ms() const;

    ServiceConfig config_;
    std::string db_path_;           // <data_dir>/coordinator.db
    std::unique_ptr<Database> db_;  // the writer connection (guarded by mutex_)
    std::unique_ptr<Database> checkpoint_db_;  // the tick thread's, for WAL checkpoints only
    std::unique_ptr<SqliteLedger> ledger_store_;
    std::unique_ptr<settlement::Settlement> settlement_;
    std::unique_ptr<market::Market> market_;
    std::unique_ptr<BatchVerifier> verifier_;
    std::unique_ptr<HttpServer> server_;
    struct Chain;
    struct ChainDeleter {
        void operator()(Chain* c) const;  // service_chain.cpp, where Chain is complete
    };
    std::unique_ptr<Chain, ChainDeleter> chain_;  // EVM mode only

    mutable std::mutex mutex_;  // market_, db_, nonces_, circuits_, seq counters
    std::map<std::string, uint64_t> nonces_;
    std::map<std::string, std::shared_ptr<const Circuit>> circuits_;
    uint64_t seq_ = 0;        // last command log sequence number
    uint64_t event_seq_ = 0;  // last event sequence number
    uint64_t snapshot_seq_ = 0;
    bool open_dirty_ = true;

    std::thread ticker_;
    std::mutex tick_mutex_;
    std::condition_variable tick_cv_;
    bool stopping_ = false;
    bool started_ = false;

    struct PendingSnapshot {
        uint64_t seq = 0, event_seq = 0;
        std::shared_ptr<const market::Market::Image> market;  // as of command `seq`
    };
    std::unique_ptr<Database> snapshot_db_;  // the snapshot thread's connection
    std::thread snapshot_thread_;            // started by start()
    std::mutex snapshot_mutex_;              // the three below
    std::condition_variable snapshot_cv_;
    std::optional<PendingSnapshot> pending_snapshot_;
    bool snapshot_in_flight_ = false;  // scheduled and not yet written (or dropped)
    bool snapshot_stopping_ = false;
    std::atomic<uint64_t> written_snapshot_seq_{0};  // the newest snapshot in the database
};

// A line of the open-requests view as JSON (GET /v1/open and the stream's "open" message).
nlohmann::json open_request_json(const market::OpenRequest& r);

// The HTTP status for a rejected market command (400 malformed, 404 unknown request, 409 rule).
int status_for(market::ErrorCode code);

}  // namespace provernet::coordinator
