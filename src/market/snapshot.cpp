// Totals, invariants and the full-state snapshot.
#include "market/amount.hpp"
#include "market/json_fields.hpp"
#include "market/market.hpp"

namespace provernet::market {

namespace {

constexpr uint64_t snapshot_version = 1;

[[noreturn]] void broken(const std::string& what) {
    throw MarketError(ErrorCode::invalid_snapshot, "invariant: " + what);
}

std::string text(uint64_t v) { return std::to_string(v); }

}  // namespace

uint64_t Totals::held() const {
    uint64_t sum = 0;
    for (uint64_t part : {balances, stakes, pending, locked_collateral, escrow, held_bounties, burned})
        sum = checked_add(sum, part, "market totals");
    return sum;
}

Totals Market::totals() const {
    Totals t;
    for (const auto& [address, a] : accounts_) {
        t.balances = checked_add(t.balances, a.balance, "total balances");
        t.stakes = checked_add(t.stakes, a.stake, "total stakes");
        t.pending = checked_add(t.pending, a.pending_total(), "total pending");
    }
    for (const auto& [id, record] : requests_) {
        const Request& r = *record;
        t.locked_collateral = checked_add(t.locked_collateral, r.collateral, "total collateral");
        t.escrow = checked_add(t.escrow, r.escrow, "total escrow");
        t.held_bounties = checked_add(t.held_bounties, r.bounty, "total bounties");
    }
    t.burned = ledger_.burned;
    t.supply = ledger_.supply;
    return t;
}

void Market::check_invariants() const {
    if (ledger_.total_withdrawn > ledger_.total_deposited ||
        ledger_.supply != ledger_.total_deposited - ledger_.total_withdrawn)
        broken("supply " + text(ledger_.supply) + " != deposited " + text(ledger_.total_deposited) + " - withdrawn " +
               text(ledger_.total_withdrawn));
    Totals t;
    try {
        t = totals();
    } catch (const MarketError& e) {
        broken(std::string("conservation: ") + e.what());
    }
    if (t.held() != t.supply) broken("conservation: funds held " + text(t.held()) + " != supply " + text(t.supply));

    std::map<std::string, uint64_t> locked, live_locks;
    std::array<uint64_t, priority_count> waiting{};
    for (const auto& [id, record] : requests_) {
        const Request& r = *record;
        std::string name = "request " + text(id);
        if (r.id != id || id == 0 || id >= ledger_.next_request_id) broken(name + ": id out of sequence");
        if (r.closed()) {
            if (r.escrow || r.collateral || r.bounty) broken(name + ": closed but still holds funds");
            continue;
        }
        if (r.escrow != r.spec.max_price) broken(name + ": escrow is not max_price");
        if (r.status == RequestStatus::open) {
            ++waiting[static_cast<size_t>(r.spec.priority)];
            if (!r.holder.empty() || r.collateral || r.bounty) broken(name + ": open but has a lock");
        } else if (r.live_lock()) {
            if (r.collateral != r.spec.collateral) broken(name + ": live lock without its collateral");
            if (!provers_.count(r.holder)) broken(name + ": held by unregistered " + r.holder);
            locked[r.holder] += r.collateral;
            ++live_locks[r.holder];
        } else if (r.collateral) {
            broken(name + ": forfeited lock still holds collateral");
        }
    }
    for (const auto& [address, a] : accounts_) {
        if (a.locked != (locked.count(address) ? locked[address] : 0))
            broken(address + ": locked " + text(a.locked) + " != collateral of its live locks");
        for (size_t i = 1; i < a.pending.size(); ++i)
            if (a.pending[i].unlock_at < a.pending[i - 1].unlock_at) broken(address + ": pending unstakes out of order");
    }
    for (const auto& [address, n] : locked)
        if (!accounts_.count(address) && n) broken(address + ": has locked collateral but no account");
    for (const auto& [address, p] : provers_)
        if (p.active_locks != (live_locks.count(address) ? live_locks[address] : 0))
            broken(address + ": active_locks " + text(p.active_locks) + " != its live locks");
    if (waiting != waiting_) broken("waiting counters out of step");
    if (by_idempotency_key_.size() != requests_.size()) broken("idempotency keys are not unique");
    if (not_closed_.size() != by_final_deadline_.size() ||
        not_closed_.size() + by_prune_time_.size() != requests_.size())
        broken("request indexes out of step");
}

nlohmann::json Market::to_json() const { return image().to_json(); }

nlohmann::json Market::Image::to_json() const {
    nlohmann::json accounts_json = nlohmann::json::object(), provers_json = nlohmann::json::object();
    for (const auto& [address, a] : accounts) accounts_json[address] = market::to_json(a);
    for (const auto& [address, p] : provers) provers_json[address] = market::to_json(p);
    nlohmann::json requests_json = nlohmann::json::array();
    for (const auto& [id, r] : requests) requests_json.push_back(market::to_json(*r));
    return {{"version", snapshot_version},
            {"config", market::to_json(config)},
            {"ledger",
             {{"clock", ledger.clock},
              {"next_request_id", ledger.next_request_id},
              {"supply", amount_json(ledger.supply)},
              {"total_deposited", amount_json(ledger.total_deposited)},
              {"total_withdrawn", amount_json(ledger.total_withdrawn)},
              {"burned", amount_json(ledger.burned)},
              {"fees_collected", amount_json(ledger.fees_collected)}}},
            {"accounts", accounts_json},
            {"provers", provers_json},
            {"requests", requests_json}};
}

Market Market::from_json(const nlohmann::json& snapshot) {
    JsonReader r(snapshot, "snapshot", ErrorCode::invalid_snapshot);
    if (r.u64("version") != snapshot_version) r.fail("version", "unsupported (this build reads version 1)");
    Config config;
    try {
        config = config_from_json(r.object("config"));
    } catch (const MarketError& e) {
        throw MarketError(ErrorCode::invalid_snapshot, std::string("snapshot: ") + e.what());
    }
    Market m(config);
    JsonReader l(r.object("ledger"), "snapshot: ledger", ErrorCode::invalid_snapshot);
    m.ledger_.clock = l.u64("clock");
    m.ledger_.next_request_id = l.u64("next_request_id");
    m.ledger_.supply = l.u64("supply");
    m.ledger_.total_deposited = l.u64("total_deposited");
    m.ledger_.total_withdrawn = l.u64("total_withdrawn");
    m.ledger_.burned = l.u64("burned");
    m.ledger_.fees_collected = l.u64("fees_collected");
    l.finish();

    auto address_key = [](const std::string& key, const char* what) {
        auto a = normalize_address(key);
        if (!a || *a != key)
            throw MarketError(ErrorCode::invalid_snapshot,
                              std::string("snapshot: ") + what + " \"" + key + "\" is not a lowercase 0x address");
        return key;
    };
    const auto& accounts = r.object("accounts");
    for (auto it = accounts.begin(); it != accounts.end(); ++it)
        m.accounts_.emplace(address_key(it.key(), "account"),
                            account_from_json(it.value(), "snapshot: account " + it.key()));
    const auto& provers = r.object("provers");
    for (auto it = provers.begin(); it != provers.end(); ++it)
        m.provers_.emplace(address_key(it.key(), "prover"), prover_from_json(it.value(), "snapshot: prover " + it.key()));
    for (const auto& j : r.array("requests")) {
        Request q = request_from_json(j);
        uint64_t id = q.id;
        if (!m.requests_.emplace(id, std::make_shared<const Request>(std::move(q))).second)
            throw MarketError(ErrorCode::invalid_snapshot, "snapshot: request " + text(id) + " appears twice");
        m.index(*m.requests_.at(id));
    }
    r.finish();
    m.check_invariants();
    return m;
}

}  // namespace provernet::market
