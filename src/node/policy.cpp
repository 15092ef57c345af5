// A prover node's decisions (see policy.hpp).
#include "node/policy.hpp"

#include <cmath>
#include <cstdio>

namespace provernet::node {

SpeedModel::SpeedModel(double prove_seconds_per_constraint, double load_seconds_per_byte, double alpha)
    : per_constraint_(prove_seconds_per_constraint), per_byte_(load_seconds_per_byte), alpha_(alpha)
{
}

void SpeedModel::record_proof(uint64_t constraints, double seconds)
{
    if (constraints == 0 || !(seconds >= 0)) return;
    const double sample = seconds / static_cast<double>(constraints);
    per_constraint_ = proofs_++ == 0 ? sample : alpha_ * sample + (1 - alpha_) * per_constraint_;
}

void SpeedModel::record_load(uint64_t zkey_bytes, double seconds)
{
    if (zkey_bytes == 0 || !(seconds >= 0)) return;
    const double sample = seconds / static_cast<double>(zkey_bytes);
    per_byte_ = loads_++ == 0 ? sample : alpha_ * sample + (1 - alpha_) * per_byte_;
}

bool price_acceptable(uint64_t price, uint64_t constraints, uint64_t min_price_per_kconstraint)
{
    return static_cast<unsigned __int128>(price) * 1000 >=
           static_cast<unsigned __int128>(min_price_per_kconstraint) * constraints;
}

LockDecision should_take(const Candidate& c, const NodeLoad& load, const Policy& policy)
{
    char buf[160];
    if (load.paused) return {false, "the market paused this prover"};
    if (load.breaker_open) return {false, "circuit breaker open (repeated failures)"};
    if (load.busy >= load.capacity) return {false, "no free slot"};
    if (!price_acceptable(c.price, c.constraints, policy.min_price_per_kconstraint)) {
        std::snprintf(buf, sizeof buf, "price %llu below the floor of %llu per 1000 constraints",
                      static_cast<unsigned long long>(c.price),
                      static_cast<unsigned long long>(policy.min_price_per_kconstraint));
        return {false, buf};
    }
    const double need_ms = (load.queue_wait_seconds + c.estimate_seconds * policy.safety) * 1000.0 +
                           static_cast<double>(policy.margin_ms);
    const double finish = static_cast<double>(c.now_ms) + std::ceil(need_ms);
    if (c.deadline_ms <= c.now_ms || finish >= static_cast<double>(c.deadline_ms)) {
        std::snprintf(buf, sizeof buf, "cannot finish in time: needs %.0f ms, %lld ms left", need_ms,
                      static_cast<long long>(c.deadline_ms) - static_cast<long long>(c.now_ms));
        return {false, buf};
    }
    std::snprintf(buf, sizeof buf, "estimate %.2f s, %llu ms left", c.estimate_seconds,
                  static_cast<unsigned long long>(c.deadline_ms - c.now_ms));
    return {true, buf};
}

}  // namespace provernet::node
