// A prover node's own transactions on the market contract (settlement = evm, docs/node.md "EVM
// settlement"): the coordinator only indexes the chain, so the node registers, stakes, locks and
// fulfils with its own key, as in Boundless.
//
// One TxSender for the node's key, journaled at <cache_dir>/txs-<address>.jsonl: at start the
// journal's transactions not yet mined are rebroadcast and waited for, so a restart never reuses
// a nonce. TxSender and the RPC connection are not thread-safe and jobs run on threads: every
// call here holds one mutex from estimation to receipt (a node's transactions go out one at a
// time, in nonce order).
//
// Outcomes follow the contract's answers: a call that would revert throws Revert from gas
// estimation (nothing is sent), named with MarketContract::error_name.
//   lock:   done; lost_race for any revert (AlreadyLocked, RequestClosed, LockDeadlinePassed,
//           CapacityExceeded, ...: the market refused this node the lock, as a 409 does in
//           embedded mode) and for a lock mined but reverted (another lock landed first). An
//           AlreadyLocked naming this node is done (an earlier copy of the lock landed).
//   fulfil: done; lost_race when the request is closed (fulfilled, cancelled or expired),
//           locked by another prover in its exclusive window, or the transaction was mined but
//           reverted; rejected for everything else (ProofInvalid, BoundSignalsMismatch,
//           FinalDeadlinePassed, a proof that pays another address...): the proof cannot settle.
// Transport errors and transactions not mined in time propagate as exceptions (the node retries
// until the deadline).
#pragma once

#include "math/u256.hpp"
#include "settlement/address.hpp"
#include "settlement/eth_client.hpp"
#include "settlement/keys.hpp"
#include "settlement/market_contract.hpp"
#include "settlement/tx_sender.hpp"
#include "snark/json_io.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace provernet::node {

// The on-chain identity of a coordinator request (GET /v1/requests/<id>'s "chain" object).
struct ChainRequestRef {
    math::U256 id;                       // (requester << 96) | key
    std::vector<uint32_t> bound_indices;  // the public signals the request's inputs fix
    bool binding_ok = true;              // false: no valid proof can settle it (skip)
};
// Throws std::runtime_error naming the field when "chain" is missing or malformed.
ChainRequestRef parse_chain_ref(const nlohmann::json& request);

// The coordinator's market on chain (GET /v1/info's "evm" object), with the RPC URL to use.
struct ChainEndpoint {
    std::string rpc;
    settlement::Address market;
    uint64_t chain_id = 0;
};
// From GET /v1/info: rpc_override when not empty, else info.evm.rpc. Throws std::runtime_error
// naming the field when info has no usable "evm" object.
ChainEndpoint chain_endpoint(const nlohmann::json& info, const std::string& rpc_override);

// <cache_dir>/txs-<lowercase address>.jsonl
std::filesystem::path journal_path(const std::filesystem::path& cache_dir, const settlement::Address& address);

class ChainActions {
public:
    using Log = std::function<void(const std::string&)>;

    // Connects to endpoint.rpc, checks its chain id against endpoint.chain_id (throws
    // std::runtime_error saying both), opens the journal (empty: in memory only), rebroadcasts
    // the journaled transactions not yet mined and waits for them.
    ChainActions(const ChainEndpoint& endpoint, settlement::PrivateKey key, const std::filesystem::path& journal,
                 Log log, settlement::TxSenderOptions options = {});

    const settlement::Address& address() const { return address_; }
    const settlement::Address& market() const { return contract_.address(); }

    // Registers as a prover with `capacity` unless already registered with it; tops the free
    // stake up to `stake` wei from the free contract balance, depositing from the key's ETH what
    // the balance lacks (keeping gas_reserve wei of ETH for transactions). Logs what it sends.
    // Returns whether the market has paused this prover (its circuit breaker).
    bool prepare_account(uint64_t capacity, uint64_t stake);

    enum class Outcome { done, lost_race, rejected };
    struct Result {
        Outcome outcome = Outcome::done;
        std::string reason;  // the contract error's name, or what went wrong; empty when done
        settlement::Hash256 tx_hash{};  // of the mined transaction, when one was
        math::U256 price;                // lock: the price it locked at (from RequestLocked)
    };

    Result lock(const math::U256& request_id);
    // public_signals: the proof's signals, the prover address last (as the prover computes them).
    Result fulfil(const math::U256& request_id, const snark::Proof& proof,
                  const std::vector<math::U256>& public_signals, const std::vector<uint32_t>& bound_indices);

    // ETH kept back from deposits for gas (default 0.01 ETH).
    math::U256 gas_reserve{10'000'000'000'000'000ull};

private:
    settlement::EthClient client_;
    settlement::Address address_;
    std::mutex mutex_;  // client_, sender_ and contract_ (they share the connection)
    settlement::TxSender sender_;
    settlement::MarketContract contract_;
    Log log_;
};

}  // namespace provernet::node
