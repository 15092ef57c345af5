#include "market/state.hpp"

#include "market/amount.hpp"
#include "market/json_fields.hpp"

namespace provernet::market {

uint64_t Account::pending_total() const {
    uint64_t total = 0;
    for (const auto& p : pending) total = checked_add(total, p.amount, "pending unstakes");
    return total;
}

std::string_view to_string(RequestStatus s) {
    switch (s) {
        case RequestStatus::open: return "open";
        case RequestStatus::locked: return "locked";
        case RequestStatus::fulfilled: return "fulfilled";
        case RequestStatus::cancelled: return "cancelled";
        case RequestStatus::expired: return "expired";
    }
    return "?";
}

nlohmann::json to_json(const Account& a) {
    nlohmann::json pending = nlohmann::json::array();
    for (const auto& p : a.pending) pending.push_back({{"amount", amount_json(p.amount)}, {"unlock_at", p.unlock_at}});
    return {{"balance", amount_json(a.balance)},
            {"stake", amount_json(a.stake)},
            {"locked", amount_json(a.locked)},
            {"pending", pending}};
}

Account account_from_json(const nlohmann::json& j, const std::string& context) {
    JsonReader r(j, context, ErrorCode::invalid_snapshot);
    Account a;
    a.balance = r.u64("balance");
    a.stake = r.u64("stake");
    a.locked = r.u64("locked");
    for (const auto& p : r.array("pending")) {
        JsonReader pr(p, context + ": pending", ErrorCode::invalid_snapshot);
        a.pending.push_back({pr.u64("amount"), pr.u64("unlock_at")});
        pr.finish();
    }
    r.finish();
    return a;
}

nlohmann::json to_json(const Prover& p) {
    return {{"capacity", p.capacity},
            {"active_locks", p.active_locks},
            {"consecutive_failures", p.consecutive_failures},
            {"paused", p.paused},
            {"fulfilled", p.record.fulfilled},
            {"missed", p.record.missed},
            {"invalid", p.record.invalid},
            {"slashed_total", amount_json(p.record.slashed_total)},
            {"earned_total", amount_json(p.record.earned_total)}};
}

Prover prover_from_json(const nlohmann::json& j, const std::string& context) {
    JsonReader r(j, context, ErrorCode::invalid_snapshot);
    Prover p;
    p.capacity = r.u64("capacity");
    p.active_locks = r.u64("active_locks");
    p.consecutive_failures = r.u64("consecutive_failures");
    p.paused = r.boolean("paused");
    p.record.fulfilled = r.u64("fulfilled");
    p.record.missed = r.u64("missed");
    p.record.invalid = r.u64("invalid");
    p.record.slashed_total = r.u64("slashed_total");
    p.record.earned_total = r.u64("earned_total");
    r.finish();
    return p;
}

nlohmann::json to_json(const Request& q) {
    return {{"id", q.id},
            {"requester", q.requester},
            {"idempotency_key", q.idempotency_key},
            {"spec", to_json(q.spec)},
            {"submitted_at", q.submitted_at},
            {"status", to_string(q.status)},
            {"escrow", amount_json(q.escrow)},
            {"holder", q.holder},
            {"lock_price", amount_json(q.lock_price)},
            {"locked_at", q.locked_at},
            {"collateral", amount_json(q.collateral)},
            {"forfeited", q.forfeited},
            {"bounty", amount_json(q.bounty)},
            {"fulfilled_by", q.fulfilled_by},
            {"paid_price", amount_json(q.paid_price)},
            {"closed_at", q.closed_at}};
}

Request request_from_json(const nlohmann::json& j) {
    std::string context = "snapshot: request";
    if (j.is_object() && j.contains("id")) context.append(" ").append(j["id"].dump());
    JsonReader r(j, context, ErrorCode::invalid_snapshot);
    Request q;
    q.id = r.u64("id");
    q.requester = r.string("requester");
    q.idempotency_key = r.string("idempotency_key");
    JsonReader spec(r.object("spec"), context + ": spec", ErrorCode::invalid_snapshot);
    q.spec = read_request_spec(spec);
    spec.finish();
    q.submitted_at = r.u64("submitted_at");
    std::string status = r.string("status");
    bool known = false;
    for (auto s : {RequestStatus::open, RequestStatus::locked, RequestStatus::fulfilled, RequestStatus::cancelled,
                   RequestStatus::expired})
        if (to_string(s) == status) q.status = s, known = true;
    if (!known) r.fail("status", "not a request status: " + status);
    q.escrow = r.u64("escrow");
    q.holder = r.string("holder");
    q.lock_price = r.u64("lock_price");
    q.locked_at = r.u64("locked_at");
    q.collateral = r.u64("collateral");
    q.forfeited = r.boolean("forfeited");
    q.bounty = r.u64("bounty");
    q.fulfilled_by = r.string("fulfilled_by");
    q.paid_price = r.u64("paid_price");
    q.closed_at = r.u64("closed_at");
    r.finish();
    return q;
}

}  // namespace provernet::market
