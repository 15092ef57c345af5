// The prover market: a deterministic state machine. No I/O, clocks or randomness: the caller
// passes the time of each command, and replaying the same (command, time) log from an empty
// market gives the same state, outcomes and events. docs/market.md gives the rules and the
// reason for each.
//
//   Market m(config);
//   Outcome o = m.apply(Lock{prover, id}, now_ms);
//   if (!o.ok()) ...o.error->code...    // rejected: nothing changed
//   for (const Event& e : o.events) ... // accepted: what happened
#pragma once

#include "market/commands.hpp"
#include "market/errors.hpp"
#include "market/events.hpp"
#include "market/state.hpp"
#include "market/types.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace provernet::market {

// The result of one apply: an error (and then no change at all), or the events.
struct Outcome {
    std::optional<Error> error;
    std::vector<Event> events;
    uint64_t request_id = 0;  // SubmitRequest: the new id, or the existing one for a duplicate
    bool duplicate = false;   // SubmitRequest: same key and content as an existing request
    bool ok() const { return !error.has_value(); }
};
nlohmann::json to_json(const Outcome& outcome);

// Market-wide counters.
struct Ledger {
    uint64_t clock = 0;            // time of the last accepted command
    uint64_t next_request_id = 1;  // ids are sequential from 1
    uint64_t supply = 0;           // total_deposited - total_withdrawn: all funds the market holds
    uint64_t total_deposited = 0;
    uint64_t total_withdrawn = 0;
    uint64_t burned = 0;           // slashed or fined and destroyed (never leaves the market)
    uint64_t fees_collected = 0;   // cumulative; the fees themselves sit in the fee account
    bool operator==(const Ledger&) const = default;
};

// Where the supply is. Conservation: balances + stakes + pending + locked_collateral + escrow
// + held_bounties + burned == supply == total_deposited - total_withdrawn.
struct Totals {
    uint64_t balances = 0;  // includes the fee account's balance (the fees)
    uint64_t stakes = 0;
    uint64_t pending = 0;
    uint64_t locked_collateral = 0;
    uint64_t escrow = 0;
    uint64_t held_bounties = 0;
    uint64_t burned = 0;
    uint64_t supply = 0;
    uint64_t held() const;  // everything but supply, summed (checked)
};

enum class Action : uint8_t { lock, fulfil };
std::string_view to_string(Action a);

// One line of the open_requests view.
struct OpenRequest {
    uint64_t id = 0;
    Priority priority = Priority::batch;
    Action action = Action::lock;
    uint64_t price = 0;       // what the prover is paid (lock: price now; fulfil: what it would get)
    uint64_t collateral = 0;  // to lock (lock action), else 0
    uint64_t bounty = 0;      // slash bounty the fulfiller would also receive
    uint64_t deadline = 0;    // lock deadline (lock, or the holder's own delivery) or final deadline
    bool operator==(const OpenRequest&) const = default;
};

class Transaction;

class Market {
public:
    explicit Market(Config config = {});  // MarketError(invalid_config) naming the field

    // Applies `command` at time `now` (ms, never earlier than the previous accepted command).
    // Rejected: Outcome.error set and the market unchanged (strong guarantee).
    Outcome apply(const Command& command, uint64_t now);

    const Config& config() const { return config_; }
    const Ledger& ledger() const { return ledger_; }
    uint64_t clock() const { return ledger_.clock; }

    // Lookups accept any address case; nullptr when absent.
    const Account* account(std::string_view address) const;
    const Prover* prover(std::string_view address) const;
    const Request* request(uint64_t id) const;
    const std::map<std::string, Account>& accounts() const { return accounts_; }
    const std::map<std::string, Prover>& provers() const { return provers_; }
    // Not yet pruned. Each record is immutable: a change replaces it (see MarketImage).
    const std::map<uint64_t, std::shared_ptr<const Request>>& requests() const { return requests_; }

    // Requests of class p that are open (never locked, not closed): demand no prover has taken.
    uint64_t waiting(Priority p) const { return waiting_[static_cast<size_t>(p)]; }
    // The number of live locks below which `prover` may lock a request of class p now: its
    // capacity, less the reserve for higher classes while a request of a higher class waits.
    uint64_t lock_limit(const Prover& prover, Priority p) const;

    // What can be done now, served-first order: priority class, then deadline, then id. With a
    // prover: only what that prover may do (lock it, or fulfil it: its own live locks, lapsed or
    // forfeited locks, unlocked requests); without: every open request. At most `limit` lines.
    std::vector<OpenRequest> open_requests(uint64_t now, std::string_view prover = {},
                                           size_t limit = SIZE_MAX) const;

    Totals totals() const;
    // Conservation, per-account locked collateral, per-prover live locks, indexes. Throws
    // MarketError(invalid_snapshot) naming the first broken invariant.
    void check_invariants() const;

    // The full state (config included). from_json validates it and checks the invariants.
    nlohmann::json to_json() const;
    static Market from_json(const nlohmann::json& snapshot);
    // The state a snapshot holds, sharing the request records with the market (they never
    // change in place): taking one copies map nodes and pointers, not requests, and it can be
    // serialised on another thread while the market moves on.
    struct Image;
    Image image() const;

    // Same state (config, ledger, records and indexes).
    bool operator==(const Market&) const;

private:
    friend class Transaction;
    void commit(Transaction& tx);
    void index(const Request& r);
    void unindex(const Request& r);
    void index_lifecycle(const Request& r);
    void unindex_lifecycle(const Request& r);
    uint64_t prune_time(const Request& r) const;

    Config config_;
    Ledger ledger_;
    std::map<std::string, Account> accounts_;
    std::map<std::string, Prover> provers_;
    std::map<uint64_t, std::shared_ptr<const Request>> requests_;

    // Derived from requests_ (rebuilt on load, kept in step at commit).
    std::map<std::pair<std::string, std::string>, uint64_t> by_idempotency_key_;  // (requester, key)
    std::set<std::tuple<uint8_t, uint64_t, uint64_t>> not_closed_;               // (priority, lock dl, id)
    std::set<std::pair<uint64_t, uint64_t>> by_final_deadline_;                   // not closed
    std::set<std::pair<uint64_t, uint64_t>> by_prune_time_;                       // closed
    std::array<uint64_t, priority_count> waiting_{};
};

struct Market::Image {
    Config config;
    Ledger ledger;
    std::map<std::string, Account> accounts;
    std::map<std::string, Prover> provers;
    std::map<uint64_t, std::shared_ptr<const Request>> requests;

    nlohmann::json to_json() const;  // what Market::to_json gives for the same state
};

}  // namespace provernet::market
