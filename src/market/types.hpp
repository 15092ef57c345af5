// The market's vocabulary: addresses, priority classes, the configuration and a request's
// terms (its offer), with the reverse-Dutch price curve.
//
// Amounts are uint64 base units of one token (choose the unit so that uint64 is ample: gwei
// for ETH, 1e-6 for a 6-decimal stablecoin); times are uint64 milliseconds given by the caller.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace provernet::market {

// "0x" + 40 hex digits (an Ethereum-style address of a secp256k1 key), any case; returns the
// lowercase spelling, which is the only one the market stores, or nullopt.
std::optional<std::string> normalize_address(std::string_view text);
// The same, throwing MarketError(invalid_address) naming `field`.
std::string parse_address(std::string_view text, const char* field);

// Circuit identity: hex digits with an optional 0x prefix (snark::circuit_identity prints 64
// lowercase digits); returns the lowercase digits without prefix, or nullopt.
std::optional<std::string> normalize_circuit_id(std::string_view text);

// Lower value = served first.
enum class Priority : uint8_t { liquidation = 0, margin = 1, pricing = 2, batch = 3 };
constexpr size_t priority_count = 4;
std::string_view to_string(Priority p);
std::optional<Priority> priority_from_string(std::string_view name);

struct Config {
    std::string fee_account = "0x00000000000000000000000000000000000000fe";
    uint64_t fee_bps = 0;                        // protocol fee on each price payment
    uint64_t slash_burn_bps = 5'000;             // share of slashed collateral burned
    uint64_t withdrawal_delay_ms = 86'400'000;   // unstake -> withdrawable
    uint64_t max_pending_unstakes = 16;          // per account
    uint64_t min_fulfiller_stake = 0;            // free stake needed to fulfil without a live lock
    uint64_t invalid_proof_fine = 0;             // burned from a non-holder's stake per invalid proof
    uint64_t min_collateral = 0;                 // lower bound on a request's collateral
    uint64_t max_request_lifetime_ms = 7 * 86'400'000ull;  // final_deadline - submit time
    uint64_t max_inputs_bytes = 4'096;           // inline inputs or a reference
    uint64_t max_capacity = 1'024;               // declared concurrent locks per prover
    uint64_t breaker_failures = 3;               // consecutive failures that pause a prover (0: off)
    // Share of a prover's capacity kept free for higher classes while a request of a higher
    // class waits, per class (liquidation's entry must be 0).
    std::array<uint64_t, priority_count> reserve_bps = {0, 1'000, 2'000, 3'000};
    uint64_t closed_retention_ms = 600'000;      // closed requests (and their idempotency keys) kept

    bool operator==(const Config&) const = default;
};

// Throws MarketError(invalid_config) naming the field; returns the config with fee_account
// normalized.
Config validated(Config config);
nlohmann::json to_json(const Config& config);
Config config_from_json(const nlohmann::json& json);  // invalid_config on error

// What a requester asks for and offers. All times absolute milliseconds.
struct RequestSpec {
    std::string circuit_id;      // normalized hex (see normalize_circuit_id)
    std::string inputs;          // inline inputs or a reference (content hash / URI); opaque
    Priority priority = Priority::batch;
    uint64_t min_price = 0;      // price at and before ramp_start
    uint64_t max_price = 0;      // price from ramp_start + ramp_period on; escrowed at submit
    uint64_t ramp_start = 0;
    uint64_t ramp_period = 0;
    uint64_t lock_deadline = 0;  // locks must happen before; the holder must fulfil before
    uint64_t final_deadline = 0; // anyone may fulfil before; then the request expires
    uint64_t collateral = 0;     // stake a prover locks with the request

    bool operator==(const RequestSpec&) const = default;
};

nlohmann::json to_json(const RequestSpec& spec);
// Reads the fields of `reader`'s object (shared by the command and the snapshot readers).
class JsonReader;
RequestSpec read_request_spec(JsonReader& reader);
// The name of the first field where a and b differ, or "" when equal.
std::string first_difference(const RequestSpec& a, const RequestSpec& b);

// The reverse-Dutch price at time t: min_price until ramp_start, then rising linearly to
// max_price over ramp_period (rounded down, so never above the line), then max_price.
uint64_t price_at(const RequestSpec& spec, uint64_t t);

}  // namespace provernet::market
