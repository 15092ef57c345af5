// Test helpers shared by the market tests: addresses, a small configuration, a fixture that
// checks every rejected command left the state unchanged.
#pragma once

#include "market/market.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace provernet::market::test {

inline std::string address(unsigned n) {
    char buf[43];
    std::snprintf(buf, sizeof buf, "0x%040x", n);
    return buf;
}

inline const std::string fee_account = address(0xfee);
inline const std::string alice = address(0xa11ce);  // requester
inline const std::string bob = address(0xb0b);      // prover
inline const std::string carol = address(0xca201);  // prover
inline const std::string dave = address(0xda4e);    // prover

inline Config test_config() {
    Config c;
    c.fee_account = fee_account;
    c.fee_bps = 100;  // 1%
    c.slash_burn_bps = 5'000;
    c.withdrawal_delay_ms = 1'000;
    c.max_pending_unstakes = 4;
    c.min_fulfiller_stake = 10;
    c.invalid_proof_fine = 5;
    c.min_collateral = 0;
    c.max_request_lifetime_ms = 1'000'000;
    c.max_inputs_bytes = 64;
    c.max_capacity = 100;
    c.breaker_failures = 3;
    c.reserve_bps = {0, 1'000, 2'000, 5'000};
    c.closed_retention_ms = 10'000;
    return c;
}

// min 100, max 200, ramp 1000..2000, lock deadline 5000, final 10000, collateral 1000.
inline RequestSpec test_spec(Priority priority = Priority::batch) {
    RequestSpec s;
    s.circuit_id = "ab12";
    s.inputs = "{\"x\":1}";
    s.priority = priority;
    s.min_price = 100;
    s.max_price = 200;
    s.ramp_start = 1'000;
    s.ramp_period = 1'000;
    s.lock_deadline = 5'000;
    s.final_deadline = 10'000;
    s.collateral = 1'000;
    return s;
}

class MarketFixture : public ::testing::Test {
protected:
    Market m{test_config()};
    uint64_t now = 0;

    Outcome must(const Command& c) {
        Outcome o = m.apply(c, now);
        EXPECT_TRUE(o.ok()) << command_name(c) << ": " << (o.error ? o.error->message : "");
        return o;
    }
    // Applies c, expects a rejection with `code`, and checks that nothing changed.
    Error fails(const Command& c, ErrorCode code) {
        nlohmann::json before = m.to_json();
        Outcome o = m.apply(c, now);
        EXPECT_FALSE(o.ok()) << command_name(c) << " was accepted";
        EXPECT_TRUE(o.events.empty());
        EXPECT_EQ(m.to_json(), before) << "a rejected " << command_name(c) << " changed the state";
        if (!o.error) return {};
        EXPECT_EQ(o.error->code, code) << o.error->message;
        return *o.error;
    }
    void fund(const std::string& who, uint64_t amount) { must(Deposit{who, amount}); }
    void make_prover(const std::string& who, uint64_t stake, uint64_t capacity = 4) {
        fund(who, stake);
        must(Stake{who, stake});
        must(RegisterProver{who, capacity});
    }
    uint64_t submit(const RequestSpec& spec, const std::string& key, const std::string& requester = alice) {
        Outcome o = must(SubmitRequest{requester, key, spec});
        return o.request_id;
    }
    const Account& acct(const std::string& who) {
        static const Account none;
        const Account* a = m.account(who);
        return a ? *a : none;
    }
    const Prover& prover(const std::string& who) { return *m.prover(who); }
    const Request& req(uint64_t id) { return *m.request(id); }
    void conserved() {
        Totals t = m.totals();
        EXPECT_EQ(t.held(), t.supply);
        EXPECT_NO_THROW(m.check_invariants());
    }
};

template <class E>
const E* find_event(const Outcome& o) {
    for (const auto& e : o.events)
        if (auto p = std::get_if<E>(&e)) return p;
    return nullptr;
}

}  // namespace provernet::market::test
