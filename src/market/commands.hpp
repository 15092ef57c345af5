// The commands: every state change of the market is one of these, applied with the time at
// which the coordinator accepted it (Market::apply). The coordinator authenticates commands
// (the signer must be the account a command names); the market trusts the caller on that and
// checks everything else. Addresses may be given in any case; the market stores lowercase.
//
// JSON: {"type": "<name>", ...fields}; amounts as decimal strings (integers accepted), times
// and ids as integers. Unknown types and unknown fields are rejected.
#pragma once

#include "market/types.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace provernet::market {

// Funds observed arriving from outside (e.g. an on-chain deposit the coordinator saw).
struct Deposit {
    std::string account;
    uint64_t amount = 0;
    bool operator==(const Deposit&) const = default;
};
// Funds leaving to outside: free balance only.
struct Withdraw {
    std::string account;
    uint64_t amount = 0;
    bool operator==(const Withdraw&) const = default;
};
// Free balance -> free stake (collateral for locks comes only from free stake).
struct Stake {
    std::string account;
    uint64_t amount = 0;
    bool operator==(const Stake&) const = default;
};
// Free stake -> a pending unstake that matures after Config::withdrawal_delay_ms.
struct RequestUnstake {
    std::string account;
    uint64_t amount = 0;
    bool operator==(const RequestUnstake&) const = default;
};
// Every matured pending unstake -> free balance.
struct CompleteUnstake {
    std::string account;
    bool operator==(const CompleteUnstake&) const = default;
};
// Registers a prover or changes its declared capacity (max live locks; 0 drains it).
struct RegisterProver {
    std::string prover;
    uint64_t capacity = 0;
    bool operator==(const RegisterProver&) const = default;
};
// Clears a circuit-breaker pause (the operator says the pipeline is fixed).
struct ResumeProver {
    std::string prover;
    bool operator==(const ResumeProver&) const = default;
};
// A proof request; escrows spec.max_price from the requester's balance. (requester,
// idempotency_key) identifies it: resubmitting the same content returns the same id.
struct SubmitRequest {
    std::string requester;
    std::string idempotency_key;
    RequestSpec spec;
    bool operator==(const SubmitRequest&) const = default;
};
// Withdraws an unlocked, unfulfilled request before its final deadline: full refund.
struct Cancel {
    std::string requester;
    uint64_t request_id = 0;
    bool operator==(const Cancel&) const = default;
};
// Takes the exclusive lock at the current auction price, locking spec.collateral of stake.
struct Lock {
    std::string prover;
    uint64_t request_id = 0;
    bool operator==(const Lock&) const = default;
};
// A proof delivered by `prover`; the coordinator verified it and passes the verdict.
struct Fulfill {
    std::string prover;
    uint64_t request_id = 0;
    bool proof_valid = false;
    bool operator==(const Fulfill&) const = default;
};
// Processes deadlines at the apply time: expires requests past their final deadline (slashing
// lock holders that never delivered) and prunes closed requests past retention.
struct Tick {
    bool operator==(const Tick&) const = default;
};

using Command = std::variant<Deposit, Withdraw, Stake, RequestUnstake, CompleteUnstake, RegisterProver,
                             ResumeProver, SubmitRequest, Cancel, Lock, Fulfill, Tick>;

std::string_view command_name(const Command& command);  // the JSON "type"
nlohmann::json to_json(const Command& command);
// Throws MarketError(invalid_command) naming the command type and field.
Command command_from_json(const nlohmann::json& json);

}  // namespace provernet::market
