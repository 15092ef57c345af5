// The records the market keeps: accounts (funds), provers (capacity, breaker, track record) and
// requests (terms, escrow, lock, settlement). Plain values: the Market owns them and exposes
// them read-only; snapshots serialise them.
#pragma once

#include "market/types.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace provernet::market {

struct PendingUnstake {
    uint64_t amount = 0;
    uint64_t unlock_at = 0;
    bool operator==(const PendingUnstake&) const = default;
};

struct Account {
    uint64_t balance = 0;  // free: withdrawable, pays escrows
    uint64_t stake = 0;    // free stake: collateral for new locks
    uint64_t locked = 0;   // stake held as collateral by live locks (also counted on the requests)
    std::vector<PendingUnstake> pending;  // in unlock order

    uint64_t pending_total() const;
    bool operator==(const Account&) const = default;
};

struct ProverRecord {
    uint64_t fulfilled = 0;      // requests settled with this prover's valid proof
    uint64_t missed = 0;         // locks that lost exclusivity without an on-time proof
    uint64_t invalid = 0;        // invalid proofs (as lock holder or not)
    uint64_t slashed_total = 0;  // collateral slashed + fines
    uint64_t earned_total = 0;   // prices net of fees + bounties received
    bool operator==(const ProverRecord&) const = default;
};

struct Prover {
    uint64_t capacity = 0;               // declared max live locks
    uint64_t active_locks = 0;           // locks holding collateral (until settled or slashed)
    uint64_t consecutive_failures = 0;   // missed or invalid since the last on-time fulfilment
    bool paused = false;                 // circuit breaker: may not lock until resumed
    ProverRecord record;
    bool operator==(const Prover&) const = default;
};

enum class RequestStatus : uint8_t { open, locked, fulfilled, cancelled, expired };
std::string_view to_string(RequestStatus s);

struct Request {
    uint64_t id = 0;
    std::string requester;
    std::string idempotency_key;
    RequestSpec spec;
    uint64_t submitted_at = 0;

    RequestStatus status = RequestStatus::open;
    uint64_t escrow = 0;       // requester funds held: max_price until settlement, then 0
    std::string holder;        // lock holder once locked ("" while never locked)
    uint64_t lock_price = 0;   // the auction price at lock time
    uint64_t locked_at = 0;
    uint64_t collateral = 0;   // holder's collateral still held (0 once returned or slashed)
    bool forfeited = false;    // the holder was slashed (invalid proof, or missed): its lock is dead
    uint64_t bounty = 0;       // slashed share held for the fulfiller, or the requester at expiry

    std::string fulfilled_by;  // set when fulfilled
    uint64_t paid_price = 0;   // price paid to the fulfiller (fee included)
    uint64_t closed_at = 0;    // when it became fulfilled, cancelled or expired

    bool closed() const { return status >= RequestStatus::fulfilled; }
    // A live lock: held, not forfeited (the holder's collateral is still at stake).
    bool live_lock() const { return status == RequestStatus::locked && !forfeited; }
    // Exclusive to the holder at time t.
    bool exclusive_at(uint64_t t) const { return live_lock() && t < spec.lock_deadline; }
    bool operator==(const Request&) const = default;
};

nlohmann::json to_json(const Account& a);
nlohmann::json to_json(const Prover& p);
nlohmann::json to_json(const Request& r);
// Snapshot readers: MarketError(invalid_snapshot) naming the record and field.
Account account_from_json(const nlohmann::json& j, const std::string& context);
Prover prover_from_json(const nlohmann::json& j, const std::string& context);
Request request_from_json(const nlohmann::json& j);

}  // namespace provernet::market
