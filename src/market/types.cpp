#include "market/types.hpp"

#include "market/amount.hpp"
#include "market/errors.hpp"
#include "market/json_fields.hpp"

namespace provernet::market {

namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char lower(char c) { return (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<std::string> normalize_address(std::string_view text) {
    if (text.size() != 42 || text[0] != '0' || text[1] != 'x') return std::nullopt;
    std::string out = "0x";
    for (char c : text.substr(2)) {
        if (!is_hex(c)) return std::nullopt;
        out += lower(c);
    }
    return out;
}

std::string parse_address(std::string_view text, const char* field) {
    if (auto a = normalize_address(text)) return *a;
    throw MarketError(ErrorCode::invalid_address,
                      std::string(field) + ": \"" + std::string(text.substr(0, 64)) +
                          "\" is not a 0x-prefixed 20-byte hex address");
}

std::optional<std::string> normalize_circuit_id(std::string_view text) {
    if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
    if (text.empty() || text.size() > 128) return std::nullopt;
    std::string out;
    for (char c : text) {
        if (!is_hex(c)) return std::nullopt;
        out += lower(c);
    }
    return out;
}

std::string_view to_string(Priority p) {
    switch (p) {
        case Priority::liquidation: return "liquidation";
        case Priority::margin: return "margin";
        case Priority::pricing: return "pricing";
        case Priority::batch: return "batch";
    }
    return "?";
}

std::optional<Priority> priority_from_string(std::string_view name) {
    for (size_t i = 0; i < priority_count; ++i)
        if (to_string(static_cast<Priority>(i)) == name) return static_cast<Priority>(i);
    return std::nullopt;
}

Config validated(Config c) {
    auto fail = [](const std::string& field, const std::string& problem) {
        throw MarketError(ErrorCode::invalid_config, "config: " + field + ": " + problem);
    };
    auto fee_account = normalize_address(c.fee_account);
    if (!fee_account) fail("fee_account", "\"" + c.fee_account + "\" is not a 0x-prefixed 20-byte hex address");
    c.fee_account = *fee_account;
    if (c.fee_bps > bps_denominator) fail("fee_bps", std::to_string(c.fee_bps) + " exceeds 10000");
    if (c.slash_burn_bps > bps_denominator) fail("slash_burn_bps", std::to_string(c.slash_burn_bps) + " exceeds 10000");
    if (c.max_pending_unstakes == 0) fail("max_pending_unstakes", "must be at least 1");
    if (c.max_capacity == 0 || c.max_capacity > UINT32_MAX) fail("max_capacity", "must be in 1..2^32-1");
    if (c.max_request_lifetime_ms == 0) fail("max_request_lifetime_ms", "must be positive");
    if (c.reserve_bps[0] != 0) fail("reserve_bps.liquidation", "must be 0 (nothing ranks above liquidation)");
    for (size_t i = 1; i < priority_count; ++i)
        if (c.reserve_bps[i] > bps_denominator)
            fail("reserve_bps." + std::string(to_string(static_cast<Priority>(i))), "exceeds 10000");
    return c;
}

nlohmann::json to_json(const Config& c) {
    nlohmann::json reserve;
    for (size_t i = 0; i < priority_count; ++i) reserve[std::string(to_string(static_cast<Priority>(i)))] = c.reserve_bps[i];
    return {
        {"fee_account", c.fee_account},
        {"fee_bps", c.fee_bps},
        {"slash_burn_bps", c.slash_burn_bps},
        {"withdrawal_delay_ms", c.withdrawal_delay_ms},
        {"max_pending_unstakes", c.max_pending_unstakes},
        {"min_fulfiller_stake", amount_json(c.min_fulfiller_stake)},
        {"invalid_proof_fine", amount_json(c.invalid_proof_fine)},
        {"min_collateral", amount_json(c.min_collateral)},
        {"max_request_lifetime_ms", c.max_request_lifetime_ms},
        {"max_inputs_bytes", c.max_inputs_bytes},
        {"max_capacity", c.max_capacity},
        {"breaker_failures", c.breaker_failures},
        {"reserve_bps", reserve},
        {"closed_retention_ms", c.closed_retention_ms},
    };
}

Config config_from_json(const nlohmann::json& json) {
    JsonReader r(json, "config", ErrorCode::invalid_config);
    Config c;
    c.fee_account = r.string("fee_account");
    c.fee_bps = r.u64("fee_bps");
    c.slash_burn_bps = r.u64("slash_burn_bps");
    c.withdrawal_delay_ms = r.u64("withdrawal_delay_ms");
    c.max_pending_unstakes = r.u64("max_pending_unstakes");
    c.min_fulfiller_stake = r.u64("min_fulfiller_stake");
    c.invalid_proof_fine = r.u64("invalid_proof_fine");
    c.min_collateral = r.u64("min_collateral");
    c.max_request_lifetime_ms = r.u64("max_request_lifetime_ms");
    c.max_inputs_bytes = r.u64("max_inputs_bytes");
    c.max_capacity = r.u64("max_capacity");
    c.breaker_failures = r.u64("breaker_failures");
    JsonReader reserve(r.object("reserve_bps"), "config: reserve_bps", ErrorCode::invalid_config);
    for (size_t i = 0; i < priority_count; ++i)
        c.reserve_bps[i] = reserve.u64(std::string(to_string(static_cast<Priority>(i))).c_str());
    reserve.finish();
    c.closed_retention_ms = r.u64("closed_retention_ms");
    r.finish();
    return validated(std::move(c));
}

nlohmann::json to_json(const RequestSpec& s) {
    return {
        {"circuit_id", s.circuit_id},
        {"inputs", s.inputs},
        {"priority", to_string(s.priority)},
        {"min_price", amount_json(s.min_price)},
        {"max_price", amount_json(s.max_price)},
        {"ramp_start", s.ramp_start},
        {"ramp_period", s.ramp_period},
        {"lock_deadline", s.lock_deadline},
        {"final_deadline", s.final_deadline},
        {"collateral", amount_json(s.collateral)},
    };
}

RequestSpec read_request_spec(JsonReader& r) {
    RequestSpec s;
    s.circuit_id = r.string("circuit_id");
    s.inputs = r.string("inputs");
    std::string priority = r.string("priority");
    auto p = priority_from_string(priority);
    if (!p) r.fail("priority", "\"" + priority + "\" is not one of liquidation, margin, pricing, batch");
    s.priority = *p;
    s.min_price = r.u64("min_price");
    s.max_price = r.u64("max_price");
    s.ramp_start = r.u64("ramp_start");
    s.ramp_period = r.u64("ramp_period");
    s.lock_deadline = r.u64("lock_deadline");
    s.final_deadline = r.u64("final_deadline");
    s.collateral = r.u64("collateral");
    return s;
}

std::string first_difference(const RequestSpec& a, const RequestSpec& b) {
    if (a.circuit_id != b.circuit_id) return "circuit_id";
    if (a.inputs != b.inputs) return "inputs";
    if (a.priority != b.priority) return "priority";
    if (a.min_price != b.min_price) return "min_price";
    if (a.max_price != b.max_price) return "max_price";
    if (a.ramp_start != b.ramp_start) return "ramp_start";
    if (a.ramp_period != b.ramp_period) return "ramp_period";
    if (a.lock_deadline != b.lock_deadline) return "lock_deadline";
    if (a.final_deadline != b.final_deadline) return "final_deadline";
    if (a.collateral != b.collateral) return "collateral";
    return "";
}

uint64_t price_at(const RequestSpec& s, uint64_t t) {
    if (t <= s.ramp_start || s.max_price <= s.min_price) return s.min_price;
    uint64_t elapsed = t - s.ramp_start;
    if (elapsed >= s.ramp_period) return s.max_price;
    return s.min_price + mul_div_floor(s.max_price - s.min_price, elapsed, s.ramp_period, "price_at");
}

}  // namespace provernet::market
