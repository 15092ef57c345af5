#include "market/errors.hpp"

#include <array>
#include <utility>

namespace provernet::market {

namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, 27> error_names = {{
    {ErrorCode::invalid_command, "invalid_command"},
    {ErrorCode::invalid_address, "invalid_address"},
    {ErrorCode::invalid_amount, "invalid_amount"},
    {ErrorCode::invalid_request, "invalid_request"},
    {ErrorCode::invalid_config, "invalid_config"},
    {ErrorCode::invalid_snapshot, "invalid_snapshot"},
    {ErrorCode::overflow, "overflow"},
    {ErrorCode::clock_went_backwards, "clock_went_backwards"},
    {ErrorCode::insufficient_balance, "insufficient_balance"},
    {ErrorCode::insufficient_stake, "insufficient_stake"},
    {ErrorCode::nothing_to_withdraw, "nothing_to_withdraw"},
    {ErrorCode::withdrawal_not_ready, "withdrawal_not_ready"},
    {ErrorCode::too_many_pending_unstakes, "too_many_pending_unstakes"},
    {ErrorCode::unknown_request, "unknown_request"},
    {ErrorCode::idempotency_conflict, "idempotency_conflict"},
    {ErrorCode::request_closed, "request_closed"},
    {ErrorCode::already_locked, "already_locked"},
    {ErrorCode::not_requester, "not_requester"},
    {ErrorCode::not_lock_holder, "not_lock_holder"},
    {ErrorCode::lock_deadline_passed, "lock_deadline_passed"},
    {ErrorCode::final_deadline_passed, "final_deadline_passed"},
    {ErrorCode::not_registered, "not_registered"},
    {ErrorCode::prover_paused, "prover_paused"},
    {ErrorCode::not_paused, "not_paused"},
    {ErrorCode::invalid_capacity, "invalid_capacity"},
    {ErrorCode::capacity_exceeded, "capacity_exceeded"},
    {ErrorCode::class_limit_reached, "class_limit_reached"},
}};

}  // namespace

std::string_view to_string(ErrorCode code) {
    for (const auto& [c, name] : error_names)
        if (c == code) return name;
    return "unknown_error";
}

ErrorCode error_code_from_string(std::string_view name) {
    for (const auto& [c, n] : error_names)
        if (n == name) return c;
    throw MarketError(ErrorCode::invalid_command, "unknown error code \"" + std::string(name) + "\"");
}

nlohmann::json to_json(const Error& error) {
    return {{"code", to_string(error.code)}, {"message", error.message}};
}

}  // namespace provernet::market
