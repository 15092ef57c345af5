// Events: what each accepted command did, in order. Services stream them; settlement mirrors
// balances from them. They are complete: every balance, stake, escrow and burn change is in an
// event, so a ledger updated only from events matches the market's accounts (a property test
// checks this).
#pragma once

#include "market/types.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace provernet::market {

struct Deposited {
    std::string account;
    uint64_t amount = 0;  // balance +amount
    bool operator==(const Deposited&) const = default;
};
struct Withdrawn {
    std::string account;
    uint64_t amount = 0;  // balance -amount
    bool operator==(const Withdrawn&) const = default;
};
struct Staked {
    std::string account;
    uint64_t amount = 0;  // balance -amount, stake +amount
    bool operator==(const Staked&) const = default;
};
struct UnstakeRequested {
    std::string account;
    uint64_t amount = 0;  // stake -amount, pending +amount
    uint64_t unlock_at = 0;
    bool operator==(const UnstakeRequested&) const = default;
};
struct UnstakeCompleted {
    std::string account;
    uint64_t amount = 0;  // pending -amount, balance +amount
    bool operator==(const UnstakeCompleted&) const = default;
};
struct ProverRegistered {
    std::string prover;
    uint64_t capacity = 0;
    bool operator==(const ProverRegistered&) const = default;
};
struct ProverPaused {
    std::string prover;
    uint64_t consecutive_failures = 0;
    bool operator==(const ProverPaused&) const = default;
};
struct ProverResumed {
    std::string prover;
    bool operator==(const ProverResumed&) const = default;
};
struct RequestSubmitted {
    uint64_t request_id = 0;
    std::string requester;
    Priority priority = Priority::batch;
    uint64_t escrow = 0;  // requester balance -escrow (the max price)
    bool operator==(const RequestSubmitted&) const = default;
};
struct RequestCancelled {
    uint64_t request_id = 0;
    std::string requester;
    uint64_t refund = 0;  // requester balance +refund (escrow and any held bounty)
    bool operator==(const RequestCancelled&) const = default;
};
struct RequestLocked {
    uint64_t request_id = 0;
    std::string prover;
    uint64_t price = 0;       // the auction price at lock time, paid on fulfilment
    uint64_t collateral = 0;  // prover stake -collateral (held by the request)
    bool operator==(const RequestLocked&) const = default;
};

enum class SlashReason : uint8_t { missed, invalid };
std::string_view to_string(SlashReason r);

// The lock holder's collateral is taken: `burned` is destroyed, `bounty` is held by the request
// and paid out when it settles (RequestFulfilled.bounty or RequestExpired.bounty).
// `bounty_to` names that recipient when it is already known in this command, else "".
struct ProverSlashed {
    uint64_t request_id = 0;
    std::string prover;
    SlashReason reason = SlashReason::missed;
    uint64_t collateral = 0;  // = burned + bounty
    uint64_t burned = 0;
    uint64_t bounty = 0;
    std::string bounty_to;
    bool operator==(const ProverSlashed&) const = default;
};
// An invalid proof from a prover without a live lock: rejected, `fine` burned from its stake.
struct ProofRejected {
    uint64_t request_id = 0;
    std::string prover;
    uint64_t fine = 0;
    bool operator==(const ProofRejected&) const = default;
};
// The request is settled: prover balance +(price - fee + bounty), fee account +fee, requester
// +refund (the unused escrow), prover stake +collateral_returned (an on-time lock holder).
struct RequestFulfilled {
    uint64_t request_id = 0;
    std::string prover;
    uint64_t price = 0;
    uint64_t fee = 0;
    uint64_t bounty = 0;
    uint64_t refund = 0;
    uint64_t collateral_returned = 0;
    bool secondary = false;  // fulfilled without a live lock (open request or lapsed lock)
    bool operator==(const RequestFulfilled&) const = default;
};
// Final deadline passed unfulfilled: requester balance +(refund + bounty).
struct RequestExpired {
    uint64_t request_id = 0;
    std::string requester;
    uint64_t refund = 0;  // the whole escrow
    uint64_t bounty = 0;  // the held slash bounty
    bool operator==(const RequestExpired&) const = default;
};

using Event = std::variant<Deposited, Withdrawn, Staked, UnstakeRequested, UnstakeCompleted, ProverRegistered,
                           ProverPaused, ProverResumed, RequestSubmitted, RequestCancelled, RequestLocked,
                           ProverSlashed, ProofRejected, RequestFulfilled, RequestExpired>;

std::string_view event_name(const Event& event);  // the JSON "type"
nlohmann::json to_json(const Event& event);
// Throws MarketError(invalid_command) naming the event type and field.
Event event_from_json(const nlohmann::json& json);

}  // namespace provernet::market
