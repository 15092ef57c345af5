// A prover node's decisions as pure functions, so they are tested without a network: whether to
// take a request (time, price, load), how long a proof will take (measured speed, EWMA), and the
// circuit breaker that stops taking work after repeated failures.
#pragma once

#include <cstdint>
#include <string>

namespace provernet::node {

// Seconds per constraint (witness + proof) and seconds per zkey byte (download + load +
// validation), measured: the first sample replaces the prior, later ones are averaged with
// weight `alpha` (an exponentially weighted moving average follows a machine whose load changes).
class SpeedModel {
public:
    SpeedModel(double prove_seconds_per_constraint, double load_seconds_per_byte, double alpha = 0.3);
    void record_proof(uint64_t constraints, double seconds);
    void record_load(uint64_t zkey_bytes, double seconds);
    double prove_seconds(uint64_t constraints) const { return static_cast<double>(constraints) * per_constraint_; }
    double load_seconds(uint64_t zkey_bytes) const { return static_cast<double>(zkey_bytes) * per_byte_; }
    double seconds_per_constraint() const { return per_constraint_; }
    bool calibrated() const { return proofs_ > 0; }

private:
    double per_constraint_, per_byte_, alpha_;
    uint64_t proofs_ = 0, loads_ = 0;
};

// The price floor: `price` for a circuit of `constraints` is enough when
// price * 1000 >= min_price_per_kconstraint * constraints (128-bit, no overflow).
bool price_acceptable(uint64_t price, uint64_t constraints, uint64_t min_price_per_kconstraint);

struct LockDecision {
    bool take = false;
    std::string reason;  // why not (or a summary of why yes), for the log
};

struct Candidate {
    uint64_t now_ms = 0;         // coordinator time
    uint64_t deadline_ms = 0;    // lock deadline (to lock) or final deadline (to fulfil unlocked)
    uint64_t price = 0;          // what it pays now
    uint64_t constraints = 0;
    double estimate_seconds = 0; // load (if not cached) + witness + proof
};

struct NodeLoad {
    unsigned capacity = 1;
    unsigned busy = 0;          // proofs in progress
    double queue_wait_seconds = 0;  // until a slot frees (0 when one is free)
    bool breaker_open = false;
    bool paused = false;        // the market paused this prover
};

struct Policy {
    double safety = 1.5;                    // estimate multiplier
    uint64_t margin_ms = 500;               // fixed allowance: signing, network, verification
    uint64_t min_price_per_kconstraint = 0;
};

// Take it only if a slot is free, the breaker is closed, the price is high enough and
//   now + queue wait + estimate * safety + margin < deadline.
LockDecision should_take(const Candidate& c, const NodeLoad& load, const Policy& policy);

// Stops taking new work after `max_failures` consecutive failures (a failed proof, a rejected
// proof, a missed deadline); a success closes it again. 0 disables it. Work already held is still
// delivered while open.
class Breaker {
public:
    explicit Breaker(unsigned max_failures) : max_(max_failures) {}
    void success() { failures_ = 0; }
    void failure() { ++failures_; }
    bool open() const { return max_ != 0 && failures_ >= max_; }
    unsigned failures() const { return failures_; }

private:
    unsigned max_;
    unsigned failures_ = 0;
};

}  // namespace provernet::node
