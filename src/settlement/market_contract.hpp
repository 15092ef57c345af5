// A typed client of contracts/ProverMarket.sol: deployment, one method per contract function,
// the views, and the contract's events decoded into structs.
//
// Every transaction is sent from the caller's own key (a TxSender): msg.sender is the market
// account, as with Boundless. Amounts are wei (U256), times are block timestamps in seconds.
// A transaction that would revert throws Revert from gas estimation (nothing is sent);
// MarketContract::error_name(revert.data) names the contract's (or the verifier's) custom error.
#pragma once

#include "math/g1.hpp"
#include "math/g2.hpp"
#include "math/u256.hpp"
#include "settlement/address.hpp"
#include "settlement/bytes.hpp"
#include "settlement/eth_client.hpp"
#include "settlement/tx_sender.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace provernet::settlement {

using math::U256;

// The constructor's Config (see ProverMarket.Config; the market's Config with times in seconds).
struct MarketContractConfig {
    Address owner;
    Address fee_account;
    uint16_t fee_bps = 0;
    uint16_t slash_burn_bps = 5'000;
    uint64_t withdrawal_delay_s = 86'400;
    uint32_t max_pending_unstakes = 16;
    U256 min_fulfiller_stake;
    U256 min_collateral;
    uint64_t max_request_lifetime_s = 7 * 86'400;
    uint32_t max_inputs_bytes = 4'096;
    uint16_t max_capacity = 1'024;
    uint32_t breaker_failures = 3;
    std::array<uint16_t, 4> reserve_bps = {0, 1'000, 2'000, 3'000};
};

// What a requester submits (ProverMarket.RequestTerms). The request id is
// (requester << 96) | key: the key is the requester's idempotency key (< 2^96).
struct MarketRequestTerms {
    U256 key;
    Hash256 circuit_id{};
    Hash256 bound_signals_hash{};  // bound_signals_hash(indices, values)
    uint8_t priority = 3;          // 0 liquidation, 1 margin, 2 pricing, 3 batch
    U256 min_price;
    U256 max_price;
    uint64_t ramp_start = 0;
    uint64_t ramp_period = 0;
    uint64_t lock_deadline = 0;
    uint64_t final_deadline = 0;
    U256 collateral;
    std::string inputs;  // inline inputs or a reference; emitted in RequestSubmitted
};

// keccak256(abi.encode(uint32[] indices, uint256[] values)): the public signals (positions in the
// signals WITHOUT the trailing prover address) that the request's inputs alone fix.
Hash256 bound_signals_hash(const std::vector<uint32_t>& indices, const std::vector<U256>& values);

// A Groth16 proof as the contract takes it: A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y.
using ProofWords = std::array<U256, 8>;
ProofWords proof_words(const math::G1Affine& a, const math::G2Affine& b, const math::G1Affine& c);

// The caller's address as the last public signal of every circuit settled on chain.
U256 address_signal(const Address& a);

// One proof of a fulfillBatch (the bound signal positions are the batch's: one circuit). The call
// sends the items as flat arrays (ids, 8 proof words each, the signals of each), so every item of a
// batch must have the same number of public signals (fulfill_batch_call throws otherwise).
struct FulfilItem {
    U256 request_id;
    ProofWords proof{};
    std::vector<U256> public_signals;  // without the prover address (the contract appends it)
};

// Views.
struct MarketAccount {
    U256 balance;  // free balance
    U256 stake;    // free stake
    U256 locked;   // collateral of live locks
    U256 pending;  // pending unstakes
    uint64_t pending_count = 0;
    bool operator==(const MarketAccount&) const = default;
};
struct MarketProver {
    bool registered = false;
    bool paused = false;
    uint64_t capacity = 0;
    uint64_t active_locks = 0;
    uint64_t consecutive_failures = 0;
};
// closed: fulfilled, cancelled or expired (a closed request keeps only its binding hash; its
// events tell which).
enum class ContractRequestStatus : uint8_t { none, open, locked, closed };
// Of a closed request only status, requester and bound_signals_hash remain (the rest is zero).
struct MarketRequest {
    ContractRequestStatus status = ContractRequestStatus::none;
    uint8_t priority = 0;
    Address requester;
    Hash256 circuit_id{};
    Hash256 bound_signals_hash{};
    U256 min_price, max_price;
    uint64_t ramp_start = 0, ramp_period = 0, lock_deadline = 0, final_deadline = 0;
    U256 collateral;
    Address holder;  // zero while never locked
    U256 lock_price;
    U256 escrow;     // max_price while open or locked, then 0
};

// Events (same names as the market's; amounts in wei, times in seconds).
namespace market_event {
struct Deposited { Address account; U256 amount; };
struct Withdrawn { Address account; U256 amount; };
struct Staked { Address account; U256 amount; };
struct UnstakeRequested { Address account; U256 amount; uint64_t unlock_at = 0; };
struct UnstakeCompleted { Address account; U256 amount; };
struct ProverRegistered { Address prover; uint64_t capacity = 0; };
struct ProverPaused { Address prover; uint64_t consecutive_failures = 0; };
struct ProverResumed { Address prover; };
struct CircuitRegistered { Hash256 circuit_id{}; Address verifier; uint64_t public_input_count = 0; };
struct RequestSubmitted {
    U256 request_id; Address requester; Hash256 circuit_id{}; uint8_t priority = 0; U256 escrow;
    Hash256 inputs_hash{}; std::string inputs;
};
struct RequestCancelled { U256 request_id; Address requester; U256 refund; };
struct RequestLocked { U256 request_id; Address prover; U256 price; U256 collateral; };
struct ProverSlashed {
    U256 request_id; Address prover; uint8_t reason = 0; U256 collateral; U256 burned; U256 bounty; Address bounty_to;
};
struct RequestFulfilled {
    U256 request_id; Address prover; U256 price; U256 fee; U256 bounty; U256 refund; U256 collateral_returned;
    bool secondary = false;
};
struct RequestExpired { U256 request_id; Address requester; U256 refund; U256 bounty; };
// fulfillBatch: an item that did not settle.
enum class SkipReason : uint8_t {
    invalid_proof = 1, unknown_request, closed, final_deadline_passed, not_lock_holder, insufficient_stake,
    wrong_circuit, public_signal_count, bound_signals_mismatch,
};
struct FulfilmentSkipped { U256 request_id; Address prover; SkipReason reason = SkipReason::invalid_proof; };
}  // namespace market_event

using MarketEvent = std::variant<market_event::Deposited, market_event::Withdrawn, market_event::Staked,
                                 market_event::UnstakeRequested, market_event::UnstakeCompleted,
                                 market_event::ProverRegistered, market_event::ProverPaused,
                                 market_event::ProverResumed, market_event::CircuitRegistered,
                                 market_event::RequestSubmitted, market_event::RequestCancelled,
                                 market_event::RequestLocked, market_event::ProverSlashed,
                                 market_event::RequestFulfilled, market_event::RequestExpired,
                                 market_event::FulfilmentSkipped>;

// The contract's Solidity sources (file name -> text) for compile_solidity: ProverMarket.sol,
// ProverMarketSettlement.sol, ProverMarketState.sol and IGroth16Verifier.sol from
// <source dir>/contracts, or from $PROVERNET_CONTRACTS_DIR when set. Throws
// std::runtime_error naming the file when it cannot be read.
std::map<std::string, std::string> prover_market_sources();

class MarketContract {
public:
    MarketContract(EthClient& client, Address address);

    // Deploys init_code (the compiled ProverMarket) with the config as constructor argument.
    static MarketContract deploy(TxSender& deployer, EthClient& client, const MarketContractConfig& config,
                                 const Bytes& init_code);
    // The constructor argument: abi.encode(Config).
    static Bytes constructor_args(const MarketContractConfig& config);

    const Address& address() const { return address_; }

    // Transactions, from `from`'s key. Each returns the receipt (Revert from estimation when the
    // call would revert; TxFailed if it was mined and reverted).
    TxReceipt deposit(TxSender& from, const U256& amount);
    TxReceipt withdraw(TxSender& from, const U256& amount);
    TxReceipt stake(TxSender& from, const U256& amount);
    TxReceipt request_unstake(TxSender& from, const U256& amount);
    TxReceipt complete_unstake(TxSender& from);
    TxReceipt register_prover(TxSender& from, uint64_t capacity);
    TxReceipt resume_prover(TxSender& from, const Address& prover);
    TxReceipt register_circuit(TxSender& from, const Hash256& circuit_id, const Address& verifier,
                               uint32_t public_input_count);
    // value: deposited first in the same transaction.
    TxReceipt submit_request(TxSender& from, const MarketRequestTerms& terms, const U256& value = {});
    TxReceipt cancel(TxSender& from, const U256& request_id);
    TxReceipt lock(TxSender& from, const U256& request_id);
    TxReceipt fulfill(TxSender& from, const U256& request_id, const ProofWords& proof,
                      const std::vector<U256>& public_signals, const std::vector<uint32_t>& bound_indices);
    // The settled items come back as one BatchFulfilled log, which events() expands into one
    // RequestFulfilled per settled request (in the batch's order).
    TxReceipt fulfill_batch(TxSender& from, const Hash256& circuit_id, const std::vector<uint32_t>& bound_indices,
                            const std::vector<FulfilItem>& items);
    TxReceipt expire(TxSender& from, const std::vector<U256>& request_ids);

    // Call data of each (for gas estimation or other senders).
    static Bytes submit_request_call(const MarketRequestTerms& terms);
    static Bytes fulfill_call(const U256& request_id, const ProofWords& proof, const std::vector<U256>& public_signals,
                              const std::vector<uint32_t>& bound_indices);
    static Bytes fulfill_batch_call(const Hash256& circuit_id, const std::vector<uint32_t>& bound_indices,
                                    const std::vector<FulfilItem>& items);
    static Bytes expire_call(const std::vector<U256>& request_ids);

    // Views (eth_call against the latest block).
    MarketAccount account(const Address& a);
    MarketProver prover(const Address& p);
    MarketRequest request(const U256& request_id);
    // The request as it was after block `block` (eth_call at that block: an indexer reading a
    // RequestSubmitted log gets the terms even if the request has closed since).
    MarketRequest request_at(const U256& request_id, uint64_t block);
    std::pair<Address, uint64_t> circuit(const Hash256& circuit_id);  // verifier (zero if none), inputs
    U256 burned();
    uint64_t waiting(uint8_t priority);
    uint64_t lock_limit(const Address& prover, uint8_t priority);
    U256 price_at(const U256& request_id, uint64_t t);
    std::pair<U256, uint64_t> pending_unstake(const Address& a, uint64_t i);  // amount, unlock_at

    // (requester << 96) | key, as the contract computes it.
    static U256 request_id(const Address& requester, const U256& key);

    // The events this contract emitted in `receipt`, in log order (other contracts' logs and
    // unknown topics are skipped); a BatchFulfilled log becomes its RequestFulfilled events.
    std::vector<MarketEvent> events(const TxReceipt& receipt) const;
    // The events of one log (none when it is another contract's or of an unknown topic; several
    // for a BatchFulfilled log). Throws std::runtime_error for a malformed market log.
    std::vector<MarketEvent> events(const EthLog& log) const;
    // The name of the custom error in revert data (the market's or the verifier's), e.g.
    // "NotLockHolder"; nullopt when the selector is not one of them.
    static std::optional<std::string> error_name(BytesView revert_data);

private:
    TxReceipt send(TxSender& from, Bytes data, const U256& value = {});
    std::vector<uint8_t> call(Bytes data, std::string_view block = "latest");

    EthClient* client_;
    Address address_;
};

}  // namespace provernet::settlement
