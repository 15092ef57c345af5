// Typed errors of the market. Every rejected command yields one Error: a stable code that
// services can switch on (and that the EVM contract mirrors as a custom error) plus a message
// naming what is wrong ("0xab..: balance 5 is less than 10").
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace provernet::market {

enum class ErrorCode {
    invalid_command,            // malformed command: missing field, wrong type, unknown type
    invalid_address,            // not a 0x-prefixed 20-byte hex address
    invalid_amount,             // zero where a positive amount is required
    invalid_request,            // request parameters are inconsistent (prices, deadlines, sizes)
    invalid_config,             // a Config field is out of range
    invalid_snapshot,           // a state snapshot is malformed or breaks an invariant
    overflow,                   // a uint64 amount or time would overflow
    clock_went_backwards,       // `now` is earlier than the last accepted command's time
    insufficient_balance,       // free balance does not cover the amount
    insufficient_stake,         // free stake does not cover the collateral or minimum stake
    nothing_to_withdraw,        // CompleteUnstake with no pending unstake
    withdrawal_not_ready,       // pending unstakes exist but none has passed its delay
    too_many_pending_unstakes,  // the per-account limit of pending unstakes is reached
    unknown_request,            // no request with this id (never existed or pruned)
    idempotency_conflict,       // same idempotency key, different request content
    request_closed,             // the request is already fulfilled, cancelled or expired
    already_locked,             // the request is locked by a prover
    not_requester,              // only the requester may cancel
    not_lock_holder,            // another prover holds the exclusive lock
    lock_deadline_passed,       // too late to lock
    final_deadline_passed,      // too late to fulfil or cancel (a Tick will expire it)
    not_registered,             // the account is not a registered prover
    prover_paused,              // the circuit breaker paused this prover
    not_paused,                 // ResumeProver on a prover that is not paused
    invalid_capacity,           // declared capacity is above the configured maximum
    capacity_exceeded,          // the prover already holds `capacity` live locks
    class_limit_reached,        // slots left are reserved for higher-priority requests
};

std::string_view to_string(ErrorCode code);
// Inverse of to_string; throws MarketError(invalid_command) for an unknown name.
ErrorCode error_code_from_string(std::string_view name);

struct Error {
    ErrorCode code;
    std::string message;
    bool operator==(const Error&) const = default;
};

nlohmann::json to_json(const Error& error);

// Thrown inside the market (and by the JSON parsers); Market::apply turns it into an Error.
class MarketError : public std::runtime_error {
public:
    MarketError(ErrorCode code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    ErrorCode code() const { return code_; }
    Error error() const { return {code_, what()}; }

private:
    ErrorCode code_;
};

}  // namespace provernet::market
