// Internal: the working state of one apply. Rules read and write copies of the records they
// touch; Market::commit writes them back only when the whole command succeeded, so a rejected
// command (any MarketError, including an overflow half-way) leaves the market unchanged.
#pragma once

#include "market/market.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace provernet::market {

class Transaction {
public:
    Transaction(const Market& market, uint64_t now)
        : market(market), config(market.config_), now(now), ledger(market.ledger_) {}

    const Market& market;
    const Config& config;
    const uint64_t now;
    Ledger ledger;
    std::vector<Event> events;
    uint64_t request_id = 0;
    bool duplicate = false;

    // Working copy of an account, created empty if the market has none.
    Account& account(const std::string& address) {
        auto it = accounts_.find(address);
        if (it != accounts_.end()) return it->second;
        auto found = market.accounts_.find(address);
        return accounts_.emplace(address, found != market.accounts_.end() ? found->second : Account{}).first->second;
    }
    // Working copy of a prover, or nullptr when not registered.
    Prover* find_prover(const std::string& address) {
        auto it = provers_.find(address);
        if (it != provers_.end()) return &it->second;
        auto found = market.provers_.find(address);
        if (found == market.provers_.end()) return nullptr;
        return &provers_.emplace(address, found->second).first->second;
    }
    Prover& add_prover(const std::string& address) { return provers_.emplace(address, Prover{}).first->second; }
    // Working copy of a request, or nullptr when absent (or erased in this transaction).
    Request* find_request(uint64_t id) {
        auto it = requests_.find(id);
        if (it != requests_.end()) return it->second ? &*it->second : nullptr;
        auto found = market.requests_.find(id);
        if (found == market.requests_.end()) return nullptr;
        return &*requests_.emplace(id, *found->second).first->second;
    }
    Request& insert_request(Request r) {
        uint64_t id = r.id;
        return *(requests_[id] = std::move(r));
    }
    void erase_request(uint64_t id) { requests_[id] = std::nullopt; }
    void emit(Event e) { events.push_back(std::move(e)); }
    // The request stored under (requester, idempotency key), if any.
    std::optional<uint64_t> find_by_key(const std::string& requester, const std::string& key) const {
        auto it = market.by_idempotency_key_.find({requester, key});
        if (it == market.by_idempotency_key_.end()) return std::nullopt;
        return it->second;
    }

    // Ids of requests not closed whose final deadline is at or before `t`, in deadline order.
    std::vector<uint64_t> due_by(uint64_t t) const {
        std::vector<uint64_t> ids;
        for (auto it = market.by_final_deadline_.begin(); it != market.by_final_deadline_.end() && it->first <= t; ++it)
            ids.push_back(it->second);
        return ids;
    }
    // Ids of closed requests whose retention ends at or before `t`.
    std::vector<uint64_t> prunable_by(uint64_t t) const {
        std::vector<uint64_t> ids;
        for (auto it = market.by_prune_time_.begin(); it != market.by_prune_time_.end() && it->first <= t; ++it)
            ids.push_back(it->second);
        return ids;
    }

private:
    friend class Market;
    std::map<std::string, Account> accounts_;
    std::map<std::string, Prover> provers_;
    std::map<uint64_t, std::optional<Request>> requests_;
};

}  // namespace provernet::market
