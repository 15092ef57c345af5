#include "market/commands.hpp"

#include "market/json_fields.hpp"
#include "market/overloaded.hpp"

namespace provernet::market {

namespace {

nlohmann::json account_amount(const char* type, const std::string& account, uint64_t amount) {
    return {{"type", type}, {"account", account}, {"amount", amount_json(amount)}};
}

}  // namespace

std::string_view command_name(const Command& command) {
    return std::visit(overloaded{
                          [](const Deposit&) { return "deposit"; },
                          [](const Withdraw&) { return "withdraw"; },
                          [](const Stake&) { return "stake"; },
                          [](const RequestUnstake&) { return "request_unstake"; },
                          [](const CompleteUnstake&) { return "complete_unstake"; },
                          [](const RegisterProver&) { return "register_prover"; },
                          [](const ResumeProver&) { return "resume_prover"; },
                          [](const SubmitRequest&) { return "submit_request"; },
                          [](const Cancel&) { return "cancel"; },
                          [](const Lock&) { return "lock"; },
                          [](const Fulfill&) { return "fulfill"; },
                          [](const Tick&) { return "tick"; },
                      },
                      command);
}

nlohmann::json to_json(const Command& command) {
    return std::visit(
        overloaded{
            [](const Deposit& c) { return account_amount("deposit", c.account, c.amount); },
            [](const Withdraw& c) { return account_amount("withdraw", c.account, c.amount); },
            [](const Stake& c) { return account_amount("stake", c.account, c.amount); },
            [](const RequestUnstake& c) { return account_amount("request_unstake", c.account, c.amount); },
            [](const CompleteUnstake& c) { return nlohmann::json{{"type", "complete_unstake"}, {"account", c.account}}; },
            [](const RegisterProver& c) {
                return nlohmann::json{{"type", "register_prover"}, {"prover", c.prover}, {"capacity", c.capacity}};
            },
            [](const ResumeProver& c) { return nlohmann::json{{"type", "resume_prover"}, {"prover", c.prover}}; },
            [](const SubmitRequest& c) {
                nlohmann::json j = to_json(c.spec);
                j["type"] = "submit_request";
                j["requester"] = c.requester;
                j["idempotency_key"] = c.idempotency_key;
                return j;
            },
            [](const Cancel& c) {
                return nlohmann::json{{"type", "cancel"}, {"requester", c.requester}, {"request_id", c.request_id}};
            },
            [](const Lock& c) {
                return nlohmann::json{{"type", "lock"}, {"prover", c.prover}, {"request_id", c.request_id}};
            },
            [](const Fulfill& c) {
                return nlohmann::json{{"type", "fulfill"},
                                      {"prover", c.prover},
                                      {"request_id", c.request_id},
                                      {"proof_valid", c.proof_valid}};
            },
            [](const Tick&) { return nlohmann::json{{"type", "tick"}}; },
        },
        command);
}

Command command_from_json(const nlohmann::json& json) {
    if (!json.is_object()) throw MarketError(ErrorCode::invalid_command, "command: must be a JSON object");
    auto type_it = json.find("type");
    if (type_it == json.end() || !type_it->is_string())
        throw MarketError(ErrorCode::invalid_command, "command: field \"type\": missing or not a string");
    const std::string type = type_it->get<std::string>();
    JsonReader r(json, "command \"" + type + "\"", ErrorCode::invalid_command);
    r.string("type");
    Command command;
    if (type == "deposit") command = Deposit{r.string("account"), r.u64("amount")};
    else if (type == "withdraw") command = Withdraw{r.string("account"), r.u64("amount")};
    else if (type == "stake") command = Stake{r.string("account"), r.u64("amount")};
    else if (type == "request_unstake") command = RequestUnstake{r.string("account"), r.u64("amount")};
    else if (type == "complete_unstake") command = CompleteUnstake{r.string("account")};
    else if (type == "register_prover") command = RegisterProver{r.string("prover"), r.u64("capacity")};
    else if (type == "resume_prover") command = ResumeProver{r.string("prover")};
    else if (type == "submit_request") {
        SubmitRequest c;
        c.requester = r.string("requester");
        c.idempotency_key = r.string("idempotency_key");
        c.spec = read_request_spec(r);
        command = std::move(c);
    } else if (type == "cancel") command = Cancel{r.string("requester"), r.u64("request_id")};
    else if (type == "lock") command = Lock{r.string("prover"), r.u64("request_id")};
    else if (type == "fulfill") {
        Fulfill c;
        c.prover = r.string("prover");
        c.request_id = r.u64("request_id");
        c.proof_valid = r.boolean("proof_valid");
        command = std::move(c);
    } else if (type == "tick") command = Tick{};
    else
        throw MarketError(ErrorCode::invalid_command, "command: unknown type \"" + type + "\"");
    r.finish();
    return command;
}

}  // namespace provernet::market
