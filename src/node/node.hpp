// The prover node (`provernet node --config node.toml`), see docs/node.md.
//
// Start: reads its key, waits for the coordinator, registers as a prover with its capacity and
// stakes from its balance up to the configured stake; calibrates its speed with one real proof
// of the smallest registered circuit (example inputs).
// Loop: follows the coordinator's WebSocket stream (reconnecting with backoff when it goes away,
// e.g. a restart) and re-reads GET /v1/open?prover=<me> on every view change and every second.
// Candidates are taken in the coordinator's served-first order; for each, the circuit is looked
// up (GET /v1/circuits/<id>, zkey cached by identity), the proving time estimated as
// constraints x measured seconds per constraint (+ the key's load time when not in memory), and
// the request is taken only if a slot is free, the breaker is closed, the price clears the floor
// and now + estimate x safety + margin is before the deadline (policy.hpp). A "lock" line is
// locked first, then proved: the locks chosen from one reading of the view go to the
// coordinator in one signed batch (a spike costs one signature and one round trip); a "fulfil"
// line (open to anyone: a lapsed lock or a slashed holder) is proved and delivered without a
// lock, before its final deadline.
// A job: lock (409: someone else won, not a failure) -> witness (witness_only) -> Groth16 proof
// -> fulfill, resent on connection errors until the deadline. Each proof updates the speed
// model (EWMA). A failed proof, a rejected proof or a missed deadline counts toward the breaker;
// while it is open the node takes nothing new but still delivers what it holds.
// Listen-only: decides the same way but only logs what it would take.
// EVM settlement (GET /v1/info "settlement": "evm"): the coordinator only indexes the market
// contract, so the node sends its own transactions (chain_actions.hpp): registration and stake at
// start, lock and fulfil per job; it skips requests whose binding cannot be met. Reads, the
// stream and the decisions are the same.
// Fault injection (TEST ONLY): invalid-proof tampers with the proof before delivering it;
// stall locks and never delivers.
#pragma once

#include "node/node_config.hpp"

#include <atomic>
#include <memory>

namespace provernet::node {

class Node {
public:
    explicit Node(NodeConfig config);  // reads the key file (throws naming it)
    ~Node();
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    // Runs until `stop` becomes true, then waits for the jobs in progress. Returns the exit code.
    int run(const std::atomic<bool>& stop);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace provernet::node
