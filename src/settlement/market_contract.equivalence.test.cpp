// The same market scenario run through market::Market (times in ms) and through ProverMarket on
// anvil (times in s, ms = s * 1000): every command is accepted or rejected alike (with the same
// error), and every account ends with the same free balance, stake, locked collateral and
// pending unstakes, with the same burned total.
#include "market/market.hpp"
#include "settlement/market_contract.test_util.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <map>

namespace provernet::settlement {
namespace {

using testing::Chain;
using testing::revert_of;

constexpr size_t kR1 = 1, kR2 = 5, kP1 = 2, kP2 = 3, kP3 = 6, kFee = 9;

// "already_locked" -> "AlreadyLocked": the contract's custom error for a market error code.
std::string contract_error(market::ErrorCode code)
{
    if (code == market::ErrorCode::prover_paused) return "ProverIsPaused";
    std::string out;
    bool upper = true;
    for (char ch : market::to_string(code)) {
        if (ch == '_') {
            upper = true;
            continue;
        }
        out += upper ? char(std::toupper(static_cast<unsigned char>(ch))) : ch;
        upper = false;
    }
    return out;
}

class Equivalence {
public:
    Equivalence(Chain& c, const market::Config& mc, const MarketContractConfig& cc)
        : c_(c), market_(mc), contract_(c.deploy(cc)), t_(c.now() + 10)
    {
    }

    std::string who(size_t k) { return c_.address(k).to_lower_string(); }

    void deposit(size_t k, uint64_t amount)
    {
        step(market::Deposit{who(k), amount}, [&] { contract_.deposit(c_.key(k), U256(amount)); });
    }
    void withdraw(size_t k, uint64_t amount)
    {
        step(market::Withdraw{who(k), amount}, [&] { contract_.withdraw(c_.key(k), U256(amount)); });
    }
    void stake(size_t k, uint64_t amount)
    {
        step(market::Stake{who(k), amount}, [&] { contract_.stake(c_.key(k), U256(amount)); });
    }
    void request_unstake(size_t k, uint64_t amount)
    {
        step(market::RequestUnstake{who(k), amount}, [&] { contract_.request_unstake(c_.key(k), U256(amount)); });
    }
    void complete_unstake(size_t k)
    {
        step(market::CompleteUnstake{who(k)}, [&] { contract_.complete_unstake(c_.key(k)); });
    }
    void register_prover(size_t k, uint64_t capacity)
    {
        step(market::RegisterProver{who(k), capacity}, [&] { contract_.register_prover(c_.key(k), capacity); });
    }
    void resume(size_t k)
    {
        step(market::ResumeProver{who(k)}, [&] { contract_.resume_prover(c_.key(k), c_.address(k)); });
    }

    struct Terms {
        uint8_t priority;
        uint64_t min_price, max_price;
        int64_t ramp_start, ramp_period, lock_deadline, final_deadline;  // seconds after `base`
        uint64_t collateral;
    };
    // Request `key` proves x = key. Times are relative to the scenario's start.
    void submit(size_t k, uint64_t key, const Terms& t)
    {
        const uint64_t base = start_;
        market::RequestSpec spec;
        spec.circuit_id = to_hex(c_.circuit.id).substr(2);
        spec.inputs = "x=" + std::to_string(key);
        spec.priority = market::Priority(t.priority);
        spec.min_price = t.min_price;
        spec.max_price = t.max_price;
        spec.ramp_start = (base + t.ramp_start) * 1000;
        spec.ramp_period = t.ramp_period * 1000;
        spec.lock_deadline = (base + t.lock_deadline) * 1000;
        spec.final_deadline = (base + t.final_deadline) * 1000;
        spec.collateral = t.collateral;
        MarketRequestTerms terms;
        terms.key = U256(key);
        terms.circuit_id = c_.circuit.id;
        terms.bound_signals_hash = testing::ProductCircuit::binding(key);
        terms.priority = t.priority;
        terms.min_price = U256(t.min_price);
        terms.max_price = U256(t.max_price);
        terms.ramp_start = base + t.ramp_start;
        terms.ramp_period = t.ramp_period;
        terms.lock_deadline = base + t.lock_deadline;
        terms.final_deadline = base + t.final_deadline;
        terms.collateral = U256(t.collateral);
        terms.inputs = spec.inputs;
        auto outcome = step(market::SubmitRequest{who(k), "key-" + std::to_string(key), spec},
                            [&] { contract_.submit_request(c_.key(k), terms); });
        if (outcome.ok()) {
            market_id_[key] = outcome.request_id;
            chain_ids_.push_back(MarketContract::request_id(c_.address(k), terms.key));
            chain_id_[key] = chain_ids_.back();
            requester_[key] = k;
        }
    }
    void cancel(size_t k, uint64_t key)
    {
        step(market::Cancel{who(k), market_id_.at(key)}, [&] { contract_.cancel(c_.key(k), chain_id_.at(key)); });
    }
    void lock(size_t k, uint64_t key)
    {
        step(market::Lock{who(k), market_id_.at(key)}, [&] { contract_.lock(c_.key(k), chain_id_.at(key)); });
    }
    void fulfil(size_t k, uint64_t key)
    {
        const auto proved = c_.circuit.prove(key, 3, c_.address(k));
        step(market::Fulfill{who(k), market_id_.at(key), true}, [&] {
            contract_.fulfill(c_.key(k), chain_id_.at(key), proved.proof, proved.signals,
                              testing::ProductCircuit::bound_indices());
        });
    }
    void tick()
    {
        step(market::Tick{}, [&] { contract_.expire(c_.key(0), chain_ids_); });
    }

    // Moves to `offset` seconds after the start (strictly increasing).
    Equivalence& at(int64_t offset)
    {
        const uint64_t t = start_ + offset;
        EXPECT_GE(t, t_) << "the scenario's clock must advance";
        t_ = t;
        return *this;
    }

    void expect_same_funds(const std::vector<size_t>& actors)
    {
        for (size_t k : actors) {
            const market::Account* a = market_.account(who(k));
            const market::Account none;
            if (!a) a = &none;
            const MarketAccount on_chain = contract_.account(c_.address(k));
            EXPECT_EQ(on_chain.balance.to_decimal(), std::to_string(a->balance)) << "balance of actor " << k;
            EXPECT_EQ(on_chain.stake.to_decimal(), std::to_string(a->stake)) << "stake of actor " << k;
            EXPECT_EQ(on_chain.locked.to_decimal(), std::to_string(a->locked)) << "locked of actor " << k;
            EXPECT_EQ(on_chain.pending.to_decimal(), std::to_string(a->pending_total())) << "pending of actor " << k;
        }
        EXPECT_EQ(contract_.burned().to_decimal(), std::to_string(market_.ledger().burned));
        for (const auto& [key, id] : market_id_) {
            const market::Request* r = market_.request(id);
            ASSERT_NE(r, nullptr);
            const ContractRequestStatus expected = r->closed()                            ? ContractRequestStatus::closed
                                                   : r->status == market::RequestStatus::locked ? ContractRequestStatus::locked
                                                                                                : ContractRequestStatus::open;
            EXPECT_EQ(int(contract_.request(chain_id_.at(key)).status), int(expected)) << "request " << key;
        }
    }

    const market::Market& market() const { return market_; }
    uint64_t steps() const { return steps_; }
    uint64_t rejected() const { return rejected_; }

private:
    template <class F>
    market::Outcome step(const market::Command& command, F&& on_chain)
    {
        ++steps_;
        c_.at(t_);
        market::Outcome outcome = market_.apply(command, t_ * 1000);
        const std::string chain_error = revert_of(on_chain);
        const std::string name(market::command_name(command));
        if (outcome.ok()) {
            EXPECT_EQ(chain_error, "") << name << " at +" << t_ - start_ << ": the market accepted it";
        } else {
            ++rejected_;
            EXPECT_EQ(chain_error, contract_error(outcome.error->code))
                << name << " at +" << t_ - start_ << ": the market said " << outcome.error->message;
        }
        ++t_;  // the next step, unless at() moves further
        return outcome;
    }

    Chain& c_;
    market::Market market_;
    MarketContract contract_;
    uint64_t t_;
    uint64_t start_ = t_;
    uint64_t steps_ = 0, rejected_ = 0;
    std::map<uint64_t, uint64_t> market_id_;
    std::map<uint64_t, U256> chain_id_;
    std::map<uint64_t, size_t> requester_;
    std::vector<U256> chain_ids_;
};

TEST(ProverMarketEquivalence, TheMarketAndTheContractEndInTheSameBalances)
{
    Chain& c = Chain::get();
    market::Config mc;
    mc.fee_account = c.address(kFee).to_lower_string();
    mc.fee_bps = 100;
    mc.slash_burn_bps = 5'000;
    mc.withdrawal_delay_ms = 100'000;
    mc.max_pending_unstakes = 4;
    mc.min_fulfiller_stake = 10;
    mc.min_collateral = 5;
    mc.max_request_lifetime_ms = 1'000'000;
    mc.max_capacity = 16;
    mc.breaker_failures = 2;
    mc.closed_retention_ms = 1'000'000'000;
    MarketContractConfig cc;
    cc.owner = c.address(0);
    cc.fee_account = c.address(kFee);
    cc.fee_bps = 100;
    cc.slash_burn_bps = 5'000;
    cc.withdrawal_delay_s = 100;
    cc.max_pending_unstakes = 4;
    cc.min_fulfiller_stake = U256(10);
    cc.min_collateral = U256(5);
    cc.max_request_lifetime_s = 1'000;
    cc.max_capacity = 16;
    cc.breaker_failures = 2;

    Equivalence s(c, mc, cc);
    s.at(1).deposit(kR1, 5'000);
    s.deposit(kR2, 5'000);
    s.deposit(kP1, 2'000);
    s.deposit(kP2, 2'000);
    s.deposit(kP3, 1'000);
    s.stake(kP1, 1'500);
    s.stake(kP2, 1'500);
    s.stake(kP3, 50);
    s.stake(kP3, 5'000);  // rejected: insufficient balance
    s.register_prover(kP1, 2);
    s.register_prover(kP2, 3);
    s.register_prover(kP3, 1);
    s.register_prover(kR1, 17);  // rejected: above max_capacity

    using T = Equivalence::Terms;
    // Each step takes one second; at() jumps ahead. Terms: priority, min and max price, ramp
    // start and period, lock and final deadline (seconds after the start), collateral.
    s.at(20).submit(kR1, 1, T{3, 10, 101, 40, 30, 80, 110, 50});  // batch
    s.submit(kR1, 2, T{0, 50, 50, 0, 0, 60, 90, 300});             // liquidation
    s.submit(kR2, 3, T{2, 0, 61, 35, 10, 65, 65, 20});             // pricing, no secondary window
    s.submit(kR2, 4, T{1, 20, 87, 35, 30, 70, 120, 40});           // margin
    s.submit(kR1, 5, T{3, 1, 10, 36, 0, 70, 80, 5});
    s.submit(kR1, 1, T{3, 10, 101, 40, 30, 80, 110, 50});          // a retry: the same request
    s.submit(kR1, 1, T{3, 10, 102, 40, 30, 80, 110, 50});          // rejected: idempotency conflict
    s.submit(kR1, 9, T{3, 10, 100, 40, 50, 80, 110, 50});          // rejected: ramp past the lock deadline
    s.submit(kR1, 9, T{3, 10, 100, 40, 20, 80, 110, 1});           // rejected: collateral below the minimum
    s.submit(kR2, 9, T{3, 10, 9'000, 40, 20, 80, 110, 50});        // rejected: insufficient balance
    s.cancel(kR2, 5);                                              // rejected: not the requester
    s.cancel(kR1, 5);
    s.cancel(kR1, 5);                                              // rejected: closed
    s.at(40).lock(kP3, 2);                                         // rejected: stake 50 < 300
    s.lock(kP1, 3);                                                // +41: 0 + floor(61 * 6 / 10) = 36
    s.lock(kP1, 1);                                                // +42: 10 + floor(91 * 2 / 30) = 16
    s.lock(kP1, 4);                                                // rejected: capacity 2
    s.lock(kP2, 1);                                                // rejected: already locked
    s.lock(kP2, 2);                                                // liquidation, 50
    s.fulfil(kP2, 1);                                              // rejected: P1 holds it
    s.fulfil(kP3, 4);                                              // +47, never locked: 20 + floor(67 * 12 / 30)
    s.fulfil(kP1, 1);                                              // on time
    s.withdraw(kP3, 100'000);                                      // rejected
    s.request_unstake(kP2, 200);                                   // +50: unlocks at +150
    s.complete_unstake(kP2);                                       // rejected: not ready
    s.request_unstake(kP3, 1'000);                                 // rejected: insufficient stake
    s.at(61).fulfil(kP3, 2);                                       // P2's lock lapsed: slashed
    s.at(66).tick();                                               // request 3 expires, P1 slashed
    s.submit(kR2, 6, T{3, 100, 207, 67, 10, 80, 100, 100});
    s.at(70).lock(kP2, 6);                                         // 100 + floor(107 * 3 / 10) = 132
    s.at(85).fulfil(kP2, 6);                                       // late: slashes itself, paused
    s.submit(kR1, 7, T{2, 10, 10, 0, 0, 110, 140, 10});
    s.lock(kP2, 7);                                                // rejected: paused
    s.resume(kP2);
    s.resume(kP2);                                                 // rejected: not paused
    s.lock(kP2, 7);
    s.fulfil(kP2, 7);
    s.submit(kR1, 8, T{3, 5, 5, 0, 0, 100, 105, 5});
    s.lock(kP1, 8);                                                // and never delivers
    s.at(106).tick();                                              // P1's second miss: paused
    s.fulfil(kP1, 8);                                              // rejected: closed (expired)
    s.lock(kP1, 7);                                                // rejected: paused
    s.at(149).complete_unstake(kP2);                               // rejected: unlocks at +150
    s.at(151).complete_unstake(kP2);
    s.request_unstake(kP1, 1'000);
    s.withdraw(kP1, 500);
    s.withdraw(kR1, 1'000);
    s.withdraw(kR2, 9'999'999);                                    // rejected
    s.tick();

    s.expect_same_funds({kR1, kR2, kP1, kP2, kP3, kFee});
    EXPECT_GT(s.market().ledger().burned, 0u);
    EXPECT_EQ(s.rejected(), 21u);  // the commands marked "rejected" above
    // The scenario covers every outcome: fulfilled on time, late, by a secondary, without a
    // lock; expired with a holder; cancelled.
    std::map<market::RequestStatus, int> statuses;
    for (const auto& [id, r] : s.market().requests()) ++statuses[r->status];
    EXPECT_EQ(statuses[market::RequestStatus::fulfilled], 5);
    EXPECT_EQ(statuses[market::RequestStatus::expired], 2);
    EXPECT_EQ(statuses[market::RequestStatus::cancelled], 1);
}

}  // namespace
}  // namespace provernet::settlement
