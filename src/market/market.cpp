#include "market/market.hpp"

#include "market/amount.hpp"
#include "market/rules.hpp"
#include "market/transaction.hpp"

#include <algorithm>

namespace provernet::market {

nlohmann::json to_json(const Outcome& o) {
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : o.events) events.push_back(to_json(e));
    nlohmann::json j = {{"ok", o.ok()}, {"events", events}};
    if (o.error) j["error"] = to_json(*o.error);
    if (o.request_id != 0) j["request_id"] = o.request_id;
    if (o.duplicate) j["duplicate"] = true;
    return j;
}

std::string_view to_string(Action a) { return a == Action::lock ? "lock" : "fulfil"; }

Market::Market(Config config) : config_(validated(std::move(config))) {}

Outcome Market::apply(const Command& command, uint64_t now) {
    Outcome out;
    try {
        if (now < ledger_.clock)
            throw MarketError(ErrorCode::clock_went_backwards, "now " + std::to_string(now) +
                                                                   " is before the last command's time " +
                                                                   std::to_string(ledger_.clock));
        Transaction tx(*this, now);
        std::visit([&](const auto& c) { rules::apply(tx, c); }, command);
        tx.ledger.clock = now;
        commit(tx);
        out.events = std::move(tx.events);
        out.request_id = tx.request_id;
        out.duplicate = tx.duplicate;
    } catch (const MarketError& e) {
        out.error = e.error();
    }
    return out;
}

uint64_t Market::prune_time(const Request& r) const {
    uint64_t t;
    if (__builtin_add_overflow(r.closed_at, config_.closed_retention_ms, &t)) return UINT64_MAX;
    return t;
}

void Market::index(const Request& r) {
    by_idempotency_key_[{r.requester, r.idempotency_key}] = r.id;
    index_lifecycle(r);
}

void Market::unindex(const Request& r) {
    by_idempotency_key_.erase({r.requester, r.idempotency_key});
    unindex_lifecycle(r);
}

void Market::index_lifecycle(const Request& r) {
    if (r.closed()) {
        by_prune_time_.emplace(prune_time(r), r.id);
        return;
    }
    not_closed_.emplace(static_cast<uint8_t>(r.spec.priority), r.spec.lock_deadline, r.id);
    by_final_deadline_.emplace(r.spec.final_deadline, r.id);
    if (r.status == RequestStatus::open) ++waiting_[static_cast<size_t>(r.spec.priority)];
}

void Market::unindex_lifecycle(const Request& r) {
    if (r.closed()) {
        by_prune_time_.erase({prune_time(r), r.id});
        return;
    }
    not_closed_.erase({static_cast<uint8_t>(r.spec.priority), r.spec.lock_deadline, r.id});
    by_final_deadline_.erase({r.spec.final_deadline, r.id});
    if (r.status == RequestStatus::open) --waiting_[static_cast<size_t>(r.spec.priority)];
}

// Only assignments and container inserts from here on: nothing rejects a command after the
// rules accepted it.
void Market::commit(Transaction& tx) {
    ledger_ = tx.ledger;
    for (auto& [address, account] : tx.accounts_) {
        auto it = accounts_.find(address);
        if (it != accounts_.end()) it->second = std::move(account);
        else if (account != Account{}) accounts_.emplace(address, std::move(account));
    }
    for (auto& [address, prover] : tx.provers_) provers_[address] = std::move(prover);
    for (auto& [id, request] : tx.requests_) {
        auto it = requests_.find(id);
        if (it == requests_.end()) {
            if (request) {
                index(*request);
                requests_.emplace(id, std::make_shared<const Request>(std::move(*request)));
            }
        } else if (!request) {
            unindex(*it->second);
            requests_.erase(it);
        } else {
            // A request's requester, key and terms never change: only its lifecycle indexes
            // move, and only when its status or closing time did.
            if (it->second->status != request->status || it->second->closed_at != request->closed_at) {
                unindex_lifecycle(*it->second);
                index_lifecycle(*request);
            }
            // A new record: an image taken earlier keeps the old one.
            it->second = std::make_shared<const Request>(std::move(*request));
        }
    }
}

const Account* Market::account(std::string_view address) const {
    auto a = normalize_address(address);
    if (!a) return nullptr;
    auto it = accounts_.find(*a);
    return it == accounts_.end() ? nullptr : &it->second;
}

const Prover* Market::prover(std::string_view address) const {
    auto a = normalize_address(address);
    if (!a) return nullptr;
    auto it = provers_.find(*a);
    return it == provers_.end() ? nullptr : &it->second;
}

const Request* Market::request(uint64_t id) const {
    auto it = requests_.find(id);
    return it == requests_.end() ? nullptr : it->second.get();
}

bool Market::operator==(const Market& o) const {
    const bool same_requests =
        std::equal(requests_.begin(), requests_.end(), o.requests_.begin(), o.requests_.end(),
                   [](const auto& a, const auto& b) { return a.first == b.first && *a.second == *b.second; });
    return same_requests && config_ == o.config_ && ledger_ == o.ledger_ && accounts_ == o.accounts_ &&
           provers_ == o.provers_ && by_idempotency_key_ == o.by_idempotency_key_ && not_closed_ == o.not_closed_ &&
           by_final_deadline_ == o.by_final_deadline_ && by_prune_time_ == o.by_prune_time_ && waiting_ == o.waiting_;
}

Market::Image Market::image() const { return {config_, ledger_, accounts_, provers_, requests_}; }

uint64_t Market::lock_limit(const Prover& prover, Priority p) const {
    size_t cls = static_cast<size_t>(p);
    bool higher_waiting = false;
    for (size_t j = 0; j < cls; ++j) higher_waiting = higher_waiting || waiting_[j] > 0;
    if (!higher_waiting) return prover.capacity;
    // The reserve rounds down: a prover with few slots keeps them usable for every class.
    return prover.capacity - bps_of(prover.capacity, config_.reserve_bps[cls], "capacity reserve");
}

std::vector<OpenRequest> Market::open_requests(uint64_t now, std::string_view prover_address, size_t limit) const {
    std::optional<std::string> address;
    const Prover* p = nullptr;
    const Account* a = nullptr;
    static const Account no_account;
    if (!prover_address.empty()) {
        address = normalize_address(prover_address);
        if (!address || !(p = prover(*address))) return {};
        a = account(*address);
        if (!a) a = &no_account;
    }
    std::vector<OpenRequest> out;
    for (const auto& [priority, lock_deadline, id] : not_closed_) {
        const Request& r = *requests_.at(id);
        if (now >= r.spec.final_deadline) continue;  // expiring: only a tick applies
        OpenRequest line{id, r.spec.priority};
        bool own = r.live_lock() && address && r.holder == *address;
        if (r.exclusive_at(now)) {
            if (p && !own) continue;
            line.action = Action::fulfil;
            line.price = r.lock_price;
            line.deadline = r.spec.lock_deadline;
        } else if (r.status == RequestStatus::locked) {
            // Lapsed or forfeited: anyone may fulfil for the agreed price and the bounty.
            if (p && !own && a->stake < config_.min_fulfiller_stake) continue;
            line.action = Action::fulfil;
            line.price = r.lock_price;
            uint64_t slashable = r.live_lock() ? r.collateral - bps_of(r.collateral, config_.slash_burn_bps, "view") : 0;
            line.bounty = r.bounty + slashable;
            line.deadline = r.spec.final_deadline;
        } else {
            line.price = price_at(r.spec, now);
            bool lockable = now < r.spec.lock_deadline &&
                            (!p || (!p->paused && p->active_locks < p->capacity &&
                                    p->active_locks < lock_limit(*p, r.spec.priority) && a->stake >= r.spec.collateral));
            if (lockable) {
                line.action = Action::lock;
                line.collateral = r.spec.collateral;
                line.deadline = r.spec.lock_deadline;
            } else {
                if (p && a->stake < config_.min_fulfiller_stake) continue;
                line.action = Action::fulfil;
                line.deadline = r.spec.final_deadline;
            }
        }
        out.push_back(line);
    }
    auto order = [](const OpenRequest& x, const OpenRequest& y) {
        return std::tie(x.priority, x.deadline, x.id) < std::tie(y.priority, y.deadline, y.id);
    };
    if (limit < out.size()) {
        std::partial_sort(out.begin(), out.begin() + static_cast<ptrdiff_t>(limit), out.end(), order);
        out.resize(limit);
    } else {
        std::sort(out.begin(), out.end(), order);
    }
    return out;
}

}  // namespace provernet::market
