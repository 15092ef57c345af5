#include "market/events.hpp"

#include "market/json_fields.hpp"
#include "market/overloaded.hpp"

namespace provernet::market {

namespace {

using nlohmann::json;

SlashReason slash_reason(JsonReader& r) {
    std::string s = r.string("reason");
    if (s == "missed") return SlashReason::missed;
    if (s == "invalid") return SlashReason::invalid;
    r.fail("reason", "\"" + s + "\" is not missed or invalid");
}

Priority priority(JsonReader& r) {
    std::string s = r.string("priority");
    if (auto p = priority_from_string(s)) return *p;
    r.fail("priority", "\"" + s + "\" is not one of liquidation, margin, pricing, batch");
}

}  // namespace

std::string_view to_string(SlashReason r) { return r == SlashReason::missed ? "missed" : "invalid"; }

std::string_view event_name(const Event& event) {
    return std::visit(overloaded{
                          [](const Deposited&) { return "deposited"; },
                          [](const Withdrawn&) { return "withdrawn"; },
                          [](const Staked&) { return "staked"; },
                          [](const UnstakeRequested&) { return "unstake_requested"; },
                          [](const UnstakeCompleted&) { return "unstake_completed"; },
                          [](const ProverRegistered&) { return "prover_registered"; },
                          [](const ProverPaused&) { return "prover_paused"; },
                          [](const ProverResumed&) { return "prover_resumed"; },
                          [](const RequestSubmitted&) { return "request_submitted"; },
                          [](const RequestCancelled&) { return "request_cancelled"; },
                          [](const RequestLocked&) { return "request_locked"; },
                          [](const ProverSlashed&) { return "prover_slashed"; },
                          [](const ProofRejected&) { return "proof_rejected"; },
                          [](const RequestFulfilled&) { return "request_fulfilled"; },
                          [](const RequestExpired&) { return "request_expired"; },
                      },
                      event);
}

nlohmann::json to_json(const Event& event) {
    json j = std::visit(
        overloaded{
            [](const Deposited& e) { return json{{"account", e.account}, {"amount", amount_json(e.amount)}}; },
            [](const Withdrawn& e) { return json{{"account", e.account}, {"amount", amount_json(e.amount)}}; },
            [](const Staked& e) { return json{{"account", e.account}, {"amount", amount_json(e.amount)}}; },
            [](const UnstakeRequested& e) {
                return json{{"account", e.account}, {"amount", amount_json(e.amount)}, {"unlock_at", e.unlock_at}};
            },
            [](const UnstakeCompleted& e) { return json{{"account", e.account}, {"amount", amount_json(e.amount)}}; },
            [](const ProverRegistered& e) { return json{{"prover", e.prover}, {"capacity", e.capacity}}; },
            [](const ProverPaused& e) {
                return json{{"prover", e.prover}, {"consecutive_failures", e.consecutive_failures}};
            },
            [](const ProverResumed& e) { return json{{"prover", e.prover}}; },
            [](const RequestSubmitted& e) {
                return json{{"request_id", e.request_id},
                            {"requester", e.requester},
                            {"priority", to_string(e.priority)},
                            {"escrow", amount_json(e.escrow)}};
            },
            [](const RequestCancelled& e) {
                return json{{"request_id", e.request_id}, {"requester", e.requester}, {"refund", amount_json(e.refund)}};
            },
            [](const RequestLocked& e) {
                return json{{"request_id", e.request_id},
                            {"prover", e.prover},
                            {"price", amount_json(e.price)},
                            {"collateral", amount_json(e.collateral)}};
            },
            [](const ProverSlashed& e) {
                return json{{"request_id", e.request_id},       {"prover", e.prover},
                            {"reason", to_string(e.reason)},    {"collateral", amount_json(e.collateral)},
                            {"burned", amount_json(e.burned)}, {"bounty", amount_json(e.bounty)},
                            {"bounty_to", e.bounty_to}};
            },
            [](const ProofRejected& e) {
                return json{{"request_id", e.request_id}, {"prover", e.prover}, {"fine", amount_json(e.fine)}};
            },
            [](const RequestFulfilled& e) {
                return json{{"request_id", e.request_id},
                            {"prover", e.prover},
                            {"price", amount_json(e.price)},
                            {"fee", amount_json(e.fee)},
                            {"bounty", amount_json(e.bounty)},
                            {"refund", amount_json(e.refund)},
                            {"collateral_returned", amount_json(e.collateral_returned)},
                            {"secondary", e.secondary}};
            },
            [](const RequestExpired& e) {
                return json{{"request_id", e.request_id},
                            {"requester", e.requester},
                            {"refund", amount_json(e.refund)},
                            {"bounty", amount_json(e.bounty)}};
            },
        },
        event);
    j["type"] = event_name(event);
    return j;
}

Event event_from_json(const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        throw MarketError(ErrorCode::invalid_command, "event: must be an object with a string \"type\"");
    const std::string type = j["type"].get<std::string>();
    JsonReader r(j, "event \"" + type + "\"", ErrorCode::invalid_command);
    r.string("type");
    Event e;
    if (type == "deposited") e = Deposited{r.string("account"), r.u64("amount")};
    else if (type == "withdrawn") e = Withdrawn{r.string("account"), r.u64("amount")};
    else if (type == "staked") e = Staked{r.string("account"), r.u64("amount")};
    else if (type == "unstake_requested") e = UnstakeRequested{r.string("account"), r.u64("amount"), r.u64("unlock_at")};
    else if (type == "unstake_completed") e = UnstakeCompleted{r.string("account"), r.u64("amount")};
    else if (type == "prover_registered") e = ProverRegistered{r.string("prover"), r.u64("capacity")};
    else if (type == "prover_paused") e = ProverPaused{r.string("prover"), r.u64("consecutive_failures")};
    else if (type == "prover_resumed") e = ProverResumed{r.string("prover")};
    else if (type == "request_submitted") {
        RequestSubmitted s;
        s.request_id = r.u64("request_id");
        s.requester = r.string("requester");
        s.priority = priority(r);
        s.escrow = r.u64("escrow");
        e = s;
    } else if (type == "request_cancelled") e = RequestCancelled{r.u64("request_id"), r.string("requester"), r.u64("refund")};
    else if (type == "request_locked")
        e = RequestLocked{r.u64("request_id"), r.string("prover"), r.u64("price"), r.u64("collateral")};
    else if (type == "prover_slashed") {
        ProverSlashed s;
        s.request_id = r.u64("request_id");
        s.prover = r.string("prover");
        s.reason = slash_reason(r);
        s.collateral = r.u64("collateral");
        s.burned = r.u64("burned");
        s.bounty = r.u64("bounty");
        s.bounty_to = r.string("bounty_to");
        e = s;
    } else if (type == "proof_rejected") e = ProofRejected{r.u64("request_id"), r.string("prover"), r.u64("fine")};
    else if (type == "request_fulfilled") {
        RequestFulfilled f;
        f.request_id = r.u64("request_id");
        f.prover = r.string("prover");
        f.price = r.u64("price");
        f.fee = r.u64("fee");
        f.bounty = r.u64("bounty");
        f.refund = r.u64("refund");
        f.collateral_returned = r.u64("collateral_returned");
        f.secondary = r.boolean("secondary");
        e = f;
    } else if (type == "request_expired")
        e = RequestExpired{r.u64("request_id"), r.string("requester"), r.u64("refund"), r.u64("bounty")};
    else
        throw MarketError(ErrorCode::invalid_command, "event: unknown type \"" + type + "\"");
    r.finish();
    return e;
}

}  // namespace provernet::market
