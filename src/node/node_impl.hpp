// The prover node's state and steps (see node.hpp), shared by node.cpp (start, decisions, the
// main loop) and node_jobs.cpp (locking, proving, delivering). Private to the node library.
#pragma once

#include "coordinator/client.hpp"
#include "node/chain_actions.hpp"
#include "node/circuit_cache.hpp"
#include "node/node.hpp"
#include "node/policy.hpp"
#include "snark/groth16_prover.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace provernet::node {

struct Node::Impl {
    using Clock = std::chrono::steady_clock;

    // An amount as the coordinator writes it (a decimal string, or a number); 0 if neither.
    static uint64_t parse_amount(const nlohmann::json& v);
    static double seconds_since(Clock::time_point t0);

    NodeConfig config;
    std::shared_ptr<coordinator::ActionSigner> signer;
    std::string me;  // lowercase address
    CircuitCache cache;
    Policy policy;
    nlohmann::json info;                  // GET /v1/info at start
    bool evm = false;                     // settlement on the market contract (info "settlement")
    std::unique_ptr<ChainActions> chain;  // EVM settlement: this node's transactions (else null)

    std::mutex mutex;  // everything below
    SpeedModel speed;
    Breaker breaker;
    bool paused = false;
    int64_t clock_offset_ms = 0;  // coordinator time - local time

    struct Job {
        uint64_t request_id = 0;
        std::thread thread;
        std::atomic<bool> done{false};
    };
    std::list<Job> jobs;
    std::set<uint64_t> active;                 // request ids of jobs in progress
    std::map<uint64_t, uint64_t> skip_until;   // request id -> local ms: do not retry before
    std::set<uint64_t> given_up;               // requests this node failed or was slashed on
    std::set<uint64_t> announced;              // listen-only: logged once
    std::map<uint64_t, std::string> request_circuit;  // request id -> circuit identity (immutable)
    std::map<uint64_t, ChainRequestRef> request_chain;  // EVM: request id -> its on-chain identity
    // Locks of this node that no job holds: a lock whose answer or receipt came too late (the
    // job had given it up as lost). Proved rather than left to be slashed.
    std::set<uint64_t> adopt;
    const std::atomic<bool>* stop = nullptr;

    Impl(NodeConfig c, settlement::PrivateKey key)
        : config(std::move(c)), signer(std::make_shared<coordinator::ActionSigner>(std::move(key))),
          me(signer->address()), cache(config.cache_dir),
          speed(config.initial_seconds_per_constraint, 5e-8), breaker(config.max_consecutive_failures)
    {
        policy.safety = config.safety_factor;
        policy.margin_ms = config.margin_ms;
        policy.min_price_per_kconstraint = config.min_price_per_kconstraint;
    }

    void log(const char* format, ...) __attribute__((format(printf, 2, 3)));

    coordinator::Client new_client() { return coordinator::Client(config.coordinator, signer); }

    uint64_t coordinator_now();

    bool sleep_interruptible(std::chrono::milliseconds d);

    // --- Start ----------------------------------------------------------------------------

    bool wait_for_coordinator(coordinator::Client& client);

    // EVM settlement: the market contract of GET /v1/info, through this node's own key.
    void start_chain();

    void prepare_account(coordinator::Client& client);

    // One real proof of the smallest registered circuit with its example inputs.
    void calibrate(coordinator::Client& client);

    // --- Jobs -----------------------------------------------------------------------------

    enum class Outcome { delivered, lost_race, failed, abandoned };

    void finish_job(uint64_t id, Outcome outcome);

    // The state of a request after an ambiguous action: did our lock/proof land?
    nlohmann::json reread(coordinator::Client& client, uint64_t id);

    // The lock through the coordinator (embedded settlement): true when this node holds it.
    bool lock_with_coordinator(coordinator::Client& client, uint64_t id);

    // The lock on the market contract (EVM settlement): true when this node holds it.
    bool lock_on_chain(uint64_t id, const ChainRequestRef& ref);

    // Witness and Groth16 proof of request `id` for this prover; nullopt when it cannot be proved.
    std::optional<snark::ProveResult> prove(coordinator::Client& client, uint64_t id);

    // What a job does about the lock: take it first, already hold it (locked in a batch), or
    // fulfil without one (the lock deadline has passed: anyone may fulfil).
    enum class LockStep { take, held, none };

    // chain_ref: the request's on-chain identity under EVM settlement, nullopt under embedded.
    Outcome run_job(uint64_t id, LockStep step, uint64_t deadline, const std::optional<ChainRequestRef>& chain_ref);

    // fulfill, resent on connection errors until the deadline.
    Outcome deliver(coordinator::Client& client, uint64_t id, uint64_t deadline, const nlohmann::json& proof,
                    const nlohmann::json& signals);

    // fulfill on the market contract (the contract verifies the proof), resent on RPC errors
    // until the deadline. A refusal of ours after an earlier copy landed counts as delivered.
    Outcome deliver_on_chain(coordinator::Client& client, uint64_t id, uint64_t deadline,
                             const snark::ProveResult& proved, const ChainRequestRef& ref);

    void start_job(uint64_t id, LockStep step, uint64_t deadline, std::optional<ChainRequestRef> chain_ref);

    void reap_jobs(bool all);

    // --- Decisions ------------------------------------------------------------------------

    // A lock chosen in consider(), sent with the others of the same view in one signed batch.
    struct PendingLock {
        uint64_t id = 0;
        uint64_t deadline_ms = 0;
    };

    void consider(coordinator::Client& client, const nlohmann::json& lines);

    // Decides which requests of the open view to take. Jobs that lock on their own (EVM
    // settlement) or need no lock start at once; locks through the coordinator go to `pending`
    // (their ids already marked active).
    void choose(coordinator::Client& client, const nlohmann::json& lines, std::vector<PendingLock>& pending);

    // Locks `pending` through the coordinator and starts a job for each lock this node holds.
    // Several locks go in one signed batch (up to 256 each): a spike of new requests costs the
    // node one signature and one round trip, and the coordinator one commit, not one per request.
    void lock_and_start(coordinator::Client& client, const std::vector<PendingLock>& pending);

    // One signed batch of locks; which of them this node holds.
    std::vector<bool> lock_batch(coordinator::Client& client, std::span<const PendingLock> part);

    // EVM settlement: the request's on-chain id and bound signals, into request_chain. False (and
    // the request set aside) when it is malformed or its binding cannot be met by any proof.
    bool read_chain_ref(uint64_t id, const nlohmann::json& request);

    void handle_event(const nlohmann::json& event);

    // Starts a job for each lock of ours that no job holds, if it is still ours to fulfil.
    void adopt_locks(coordinator::Client& client);

    // --- Main loop ------------------------------------------------------------------------

    int run();
};

}  // namespace provernet::node
