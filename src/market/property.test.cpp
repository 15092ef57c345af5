// Invariants over long random histories: tens of thousands of random commands (many of them
// invalid) with random time jumps, several seeds. After every command: conservation, the event
// stream reproduces every account, a rejected command changed nothing; at the end: every request
// settled exactly once, honest provers never slashed, and the log replays (through JSON) to the
// same outcomes and state.
#include "market/market_test_util.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace provernet::market::test {
namespace {

struct Shadow {  // balances rebuilt from events alone
    struct Funds {
        uint64_t balance = 0, stake = 0, pending = 0, locked = 0;
        bool operator==(const Funds&) const = default;
    };
    std::map<std::string, Funds> funds;
    std::map<uint64_t, std::string> requester_of;
    uint64_t burned = 0;

    void apply(const Event& event, const std::string& fee_account) {
        std::visit(
            [&](const auto& e) {
                using E = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<E, Deposited>) funds[e.account].balance += e.amount;
                else if constexpr (std::is_same_v<E, Withdrawn>) funds[e.account].balance -= e.amount;
                else if constexpr (std::is_same_v<E, Staked>) {
                    funds[e.account].balance -= e.amount;
                    funds[e.account].stake += e.amount;
                } else if constexpr (std::is_same_v<E, UnstakeRequested>) {
                    funds[e.account].stake -= e.amount;
                    funds[e.account].pending += e.amount;
                } else if constexpr (std::is_same_v<E, UnstakeCompleted>) {
                    funds[e.account].pending -= e.amount;
                    funds[e.account].balance += e.amount;
                } else if constexpr (std::is_same_v<E, RequestSubmitted>) {
                    requester_of[e.request_id] = e.requester;
                    funds[e.requester].balance -= e.escrow;
                } else if constexpr (std::is_same_v<E, RequestCancelled>) funds[e.requester].balance += e.refund;
                else if constexpr (std::is_same_v<E, RequestLocked>) {
                    funds[e.prover].stake -= e.collateral;
                    funds[e.prover].locked += e.collateral;
                } else if constexpr (std::is_same_v<E, ProverSlashed>) {
                    funds[e.prover].locked -= e.collateral;
                    burned += e.burned;
                } else if constexpr (std::is_same_v<E, ProofRejected>) {
                    funds[e.prover].stake -= e.fine;
                    burned += e.fine;
                } else if constexpr (std::is_same_v<E, RequestFulfilled>) {
                    funds[e.prover].balance += e.price - e.fee + e.bounty;
                    funds[e.prover].stake += e.collateral_returned;
                    funds[e.prover].locked -= e.collateral_returned;
                    funds[fee_account].balance += e.fee;
                    funds[requester_of.at(e.request_id)].balance += e.refund;
                } else if constexpr (std::is_same_v<E, RequestExpired>) {
                    funds[e.requester].balance += e.refund + e.bounty;
                }
            },
            event);
    }
};

class History {
public:
    explicit History(uint32_t seed, bool check_rejections_fully)
        : rng_(seed), full_rejection_check_(check_rejections_fully) {
        for (unsigned i = 0; i < 3; ++i) requesters_.push_back(address(0x1000 + i));
        for (unsigned i = 0; i < 5; ++i) provers_.push_back(address(0x2000 + i));
        honest_ = {provers_[0], provers_[1]};
        everyone_ = requesters_;
        everyone_.insert(everyone_.end(), provers_.begin(), provers_.end());
        everyone_.push_back(address(0x3000));  // never registers
        everyone_.push_back(fee_account);
    }

    void run(size_t commands) {
        for (const auto& p : provers_) {
            apply(Deposit{p, 5'000});
            apply(Stake{p, 4'000});
            apply(RegisterProver{p, 3});
        }
        for (const auto& r : requesters_) apply(Deposit{r, 50'000});
        while (log_.size() < commands) step();
        // Past every deadline: honest provers deliver, then one tick settles everything.
        advance(std::max(now_, max_deadline_ + 1));
        apply(Tick{});
    }

    Market market{test_config()};
    std::vector<std::pair<Command, uint64_t>> log_;
    std::vector<Outcome> outcomes_;
    std::map<uint64_t, int> fulfilled_, terminal_;
    std::set<uint64_t> submitted_;
    std::vector<std::string> honest_;
    Shadow shadow_;
    uint64_t deposited_ = 0, withdrawn_ = 0;

private:
    uint64_t uniform(uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    template <class T>
    const T& pick(const std::vector<T>& v) { return v[uniform(0, v.size() - 1)]; }
    bool is_honest(const std::string& a) const { return std::find(honest_.begin(), honest_.end(), a) != honest_.end(); }

    uint64_t some_request() {
        if (next_id_ == 1 || chance(0.05)) return uniform(0, next_id_ + 2);  // often unknown
        return uniform(std::max<uint64_t>(1, next_id_ > 40 ? next_id_ - 40 : 1), next_id_ - 1);
    }

    RequestSpec random_spec() {
        RequestSpec s;
        s.circuit_id = chance(0.02) ? "not-hex" : "0xC0DE";
        s.inputs = "in" + std::to_string(uniform(0, 3));
        s.priority = static_cast<Priority>(uniform(0, 3));
        s.min_price = uniform(0, 100);
        s.max_price = chance(0.02) ? 0 : s.min_price + uniform(0, 200);
        s.ramp_start = now_ + uniform(0, 2'000) - std::min<uint64_t>(now_, uniform(0, 500));
        s.ramp_period = uniform(0, 2'000);
        s.lock_deadline = s.ramp_start + s.ramp_period + uniform(chance(0.03) ? 0 : 1, 3'000);
        if (chance(0.02)) s.lock_deadline = now_;  // invalid
        s.final_deadline = s.lock_deadline + uniform(0, 5'000);
        s.collateral = uniform(0, 400);
        return s;
    }

    Command random_command() {
        const std::string& anyone = pick(everyone_);
        const std::string& prover = pick(provers_);
        switch (uniform(0, 15)) {
            case 0: return Deposit{anyone, chance(0.05) ? 0 : uniform(1, 3'000)};
            case 1: return Withdraw{anyone, uniform(0, 3'000)};
            case 2: return Stake{anyone, uniform(0, 1'500)};
            case 3: return RequestUnstake{anyone, uniform(0, 800)};
            case 4: return CompleteUnstake{anyone};
            case 5: return RegisterProver{chance(0.1) ? anyone : prover, uniform(0, 6) + (chance(0.02) ? 200 : 0)};
            case 6: return ResumeProver{chance(0.8) ? prover : anyone};
            case 7:
            case 8: {
                const std::string& requester = chance(0.9) ? pick(requesters_) : anyone;
                if (!keys_.empty() && chance(0.1)) {  // a retry: same content, or a conflicting one
                    auto [key, spec] = *std::next(keys_.begin(), static_cast<long>(uniform(0, keys_.size() - 1)));
                    if (chance(0.3)) spec.max_price += 1;
                    return SubmitRequest{key.first, key.second, spec};
                }
                SubmitRequest c{requester, "key-" + std::to_string(key_counter_++), random_spec()};
                keys_[{requester, c.idempotency_key}] = c.spec;
                return c;
            }
            case 9: return Cancel{chance(0.8) ? pick(requesters_) : anyone, some_request()};
            case 10:
            case 11: {
                // Mostly locks that the view offers, so many succeed.
                auto view = market.open_requests(now_, prover, 8);
                for (const auto& line : view)
                    if (line.action == Action::lock && chance(0.7)) return Lock{prover, line.id};
                return Lock{prover, some_request()};
            }
            case 12:
            case 13: {
                // Dishonest provers send valid or invalid proofs at any time; honest ones only
                // valid proofs (and deliver their locks in time, see advance()).
                bool valid = is_honest(prover) || chance(0.6);
                auto view = market.open_requests(now_, prover, 8);
                for (const auto& line : view)
                    if (line.action == Action::fulfil && chance(0.5)) return Fulfill{prover, line.id, valid};
                return Fulfill{prover, some_request(), valid};
            }
            case 14: return Tick{};
            default: return Tick{};  // the time jump happens in step()
        }
    }

    void step() {
        if (chance(0.15)) {
            uint64_t jump = chance(0.02) ? uniform(5'000, 20'000) : uniform(0, 800);
            advance(now_ + jump);
            if (chance(0.5)) apply(Tick{});
            return;
        }
        apply(random_command());
    }

    // Moves time to t; first, every honest holder delivers each lock that would lapse by then.
    void advance(uint64_t t) {
        std::vector<std::pair<uint64_t, std::string>> due;
        for (const auto& [id, r] : market.requests())
            if (r->live_lock() && is_honest(r->holder) && r->spec.lock_deadline <= t) due.emplace_back(id, r->holder);
        for (const auto& [id, holder] : due) {
            Outcome o = apply(Fulfill{holder, id, true});
            EXPECT_TRUE(o.ok()) << "honest delivery of " << id << ": " << (o.error ? o.error->message : "");
        }
        now_ = t;
    }

    Outcome apply(const Command& c) {
        std::optional<Market> before;
        Totals totals_before = market.totals();
        Ledger ledger_before = market.ledger();
        if (full_rejection_check_) before = market;
        Outcome o = market.apply(c, now_);
        log_.emplace_back(c, now_);
        outcomes_.push_back(o);
        if (!o.ok()) {
            EXPECT_TRUE(o.events.empty());
            EXPECT_EQ(market.ledger(), ledger_before);
            EXPECT_EQ(market.totals().held(), totals_before.held());
            if (full_rejection_check_) {
                EXPECT_TRUE(market == *before) << command_name(c) << " rejected but changed state";
            }
            return o;
        }
        if (auto d = std::get_if<Deposit>(&c)) deposited_ += d->amount;
        if (auto w = std::get_if<Withdraw>(&c)) withdrawn_ += w->amount;
        if (auto s = std::get_if<SubmitRequest>(&c); s && !o.duplicate) {
            next_id_ = o.request_id + 1;
            submitted_.insert(o.request_id);
            max_deadline_ = std::max(max_deadline_, s->spec.final_deadline);
        }
        for (const auto& e : o.events) {
            shadow_.apply(e, fee_account);
            if (auto f = std::get_if<RequestFulfilled>(&e)) {
                EXPECT_EQ(++fulfilled_[f->request_id], 1) << "request " << f->request_id << " paid twice";
                ++terminal_[f->request_id];
            }
            if (auto x = std::get_if<RequestCancelled>(&e)) ++terminal_[x->request_id];
            if (auto x = std::get_if<RequestExpired>(&e)) ++terminal_[x->request_id];
            if (auto s = std::get_if<ProverSlashed>(&e)) {
                EXPECT_FALSE(is_honest(s->prover)) << "honest prover slashed";
            }
            if (auto r = std::get_if<ProofRejected>(&e)) {
                EXPECT_FALSE(is_honest(r->prover)) << "honest prover fined";
            }
        }
        check_after_each();
        return o;
    }

    void check_after_each() {
        Totals t = market.totals();
        ASSERT_EQ(t.held(), t.supply) << "conservation broken after command " << log_.size();
        ASSERT_EQ(t.supply, deposited_ - withdrawn_);
        ASSERT_EQ(t.burned, shadow_.burned);
        for (const auto& who : everyone_) {
            const Account* a = market.account(who);
            Shadow::Funds actual = a ? Shadow::Funds{a->balance, a->stake, a->pending_total(), a->locked} : Shadow::Funds{};
            Shadow::Funds expected = shadow_.funds.count(who) ? shadow_.funds.at(who) : Shadow::Funds{};
            ASSERT_EQ(actual, expected) << who << " differs from the event stream after command " << log_.size();
        }
        if (log_.size() % 64 == 0) market.check_invariants();
    }

    std::mt19937_64 rng_;
    bool full_rejection_check_;
    uint64_t now_ = 0, next_id_ = 1, max_deadline_ = 0, key_counter_ = 0;
    std::vector<std::string> requesters_, provers_, everyone_;
    std::map<std::pair<std::string, std::string>, RequestSpec> keys_;
};

void check_final_state(const History& h) {
    const Market& m = h.market;
    for (uint64_t id : h.submitted_) {
        auto it = h.terminal_.find(id);
        ASSERT_TRUE(it != h.terminal_.end()) << "request " << id << " never settled";
        EXPECT_EQ(it->second, 1) << "request " << id << " settled more than once";
    }
    for (const auto& [id, r] : m.requests()) EXPECT_TRUE(r->closed()) << "request " << id << " still open";
    Totals t = m.totals();
    EXPECT_EQ(t.escrow, 0u);
    EXPECT_EQ(t.locked_collateral, 0u);
    EXPECT_EQ(t.held_bounties, 0u);
    for (Priority p : {Priority::liquidation, Priority::margin, Priority::pricing, Priority::batch})
        EXPECT_EQ(m.waiting(p), 0u);
    for (const auto& who : h.honest_) {
        const Prover* p = m.prover(who);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(p->record.slashed_total, 0u);
        EXPECT_EQ(p->record.missed, 0u);
        EXPECT_EQ(p->record.invalid, 0u);
        EXPECT_FALSE(p->paused);
    }
    m.check_invariants();
}

// Replays the log, through its JSON form, on a fresh market.
void check_replay(const History& h) {
    Market replay(test_config());
    for (size_t i = 0; i < h.log_.size(); ++i) {
        const auto& [command, now] = h.log_[i];
        Command parsed = command_from_json(nlohmann::json::parse(to_json(command).dump()));
        Outcome o = replay.apply(parsed, now);
        ASSERT_EQ(to_json(o), to_json(h.outcomes_[i])) << "replay diverged at command " << i;
    }
    EXPECT_EQ(replay.to_json(), h.market.to_json());
}

class MarketProperty : public ::testing::TestWithParam<uint32_t> {};

TEST_P(MarketProperty, RandomHistoryKeepsEveryInvariant) {
    History h(GetParam(), false);
    h.run(20'000);
    check_final_state(h);
    check_replay(h);
    // The history exercised the interesting paths, not just rejections.
    size_t accepted = 0, slashes = 0, fulfilments = 0, expiries = 0;
    std::map<std::string, int> seen;
    for (const auto& o : h.outcomes_) {
        accepted += o.ok();
        seen[o.error ? std::string(to_string(o.error->code)) : "ok"]++;
        for (const auto& e : o.events) {
            seen[std::string(event_name(e))]++;
            slashes += std::holds_alternative<ProverSlashed>(e);
            fulfilments += std::holds_alternative<RequestFulfilled>(e);
            expiries += std::holds_alternative<RequestExpired>(e);
        }
    }
    EXPECT_GT(accepted, h.outcomes_.size() / 4);
    EXPECT_GT(slashes, 20u);
    EXPECT_GT(fulfilments, 100u);
    EXPECT_GT(expiries, 20u);
    if (getenv("MARKET_STATS")) for (auto& [k, v] : seen) printf("%s %d\n", k.c_str(), v);
}

INSTANTIATE_TEST_SUITE_P(Seeds, MarketProperty, ::testing::Values(1u, 2u, 3u, 0xdecafu));

TEST(MarketPropertyStrict, RejectedCommandsChangeNothingAtAll) {
    History h(77, true);  // compares the full state before and after every rejection
    h.run(10'000);
    check_final_state(h);
}

TEST(MarketPropertyStrict, SnapshotMidHistoryResumesIdentically) {
    History h(5, false);
    h.run(6'000);
    Market resumed(test_config());
    size_t half = h.log_.size() / 2;
    for (size_t i = 0; i < half; ++i) resumed.apply(h.log_[i].first, h.log_[i].second);
    resumed = Market::from_json(nlohmann::json::parse(resumed.to_json().dump()));
    for (size_t i = half; i < h.log_.size(); ++i) {
        Outcome o = resumed.apply(h.log_[i].first, h.log_[i].second);
        ASSERT_EQ(to_json(o), to_json(h.outcomes_[i])) << "diverged after restore at command " << i;
    }
    EXPECT_EQ(resumed.to_json(), h.market.to_json());
}

}  // namespace
}  // namespace provernet::market::test
