// POST /v1/actions: signed actions mapped to market commands (docs/protocol.md, "Actions").
#include "coordinator/service.hpp"
#include "coordinator/sha256.hpp"

#include "coordinator/verifier.hpp"
#include "circuit/inputs.hpp"
#include "finance/program.hpp"
#include "market/json_fields.hpp"
#include "settlement/envelope.hpp"
#include "snark/errors.hpp"
#include "snark/json_io.hpp"


#include <cstdio>

namespace provernet::coordinator {

namespace {

constexpr size_t max_idempotency_key = 128;

nlohmann::json events_json(const std::vector<market::Event>& events)
{
    nlohmann::json out = nlohmann::json::array();
    for (const market::Event& e : events) out.push_back(market::to_json(e));
    return out;
}

int status_for(settlement::ActionErrorCode code)
{
    return code == settlement::ActionErrorCode::malformed ? 400 : 401;
}

// The body of a simple action: exactly the named fields (an extra field such as "account" is
// refused, so an action can never name an account other than its signer).
market::JsonReader body_reader(const nlohmann::json& body, const std::string& action)
{
    return market::JsonReader(body, "action \"" + action + "\" body", market::ErrorCode::invalid_command);
}

// The answer to an action computed by f, errors included (for responses sent later, where no
// handler's caller is left to turn exceptions into responses).
template <class F>
Response action_response(F&& f)
{
    try {
        nlohmann::json result = f();
        result["ok"] = true;
        return Response::json(result);
    } catch (const HttpError& e) {
        return Response::error(e.status() >= 400 && e.status() <= 599 ? e.status() : 500, e.what());
    } catch (const market::MarketError& e) {
        return Response::error(coordinator::status_for(e.code()), e.what());
    } catch (const std::exception& e) {
        return Response::error(500, std::string("internal error: ") + e.what());
    }
}

}  // namespace

Response Service::handle_action(const Request& request)
{
    if (request.body.size() > config_.max_action_bytes)
        throw HttpError(413, "action of " + std::to_string(request.body.size()) + " bytes is larger than the limit of " +
                                 std::to_string(config_.max_action_bytes) + " bytes");
    const nlohmann::json json = request.json();
    settlement::SignedAction action;
    try {
        action = json.get<settlement::SignedAction>();
    } catch (const settlement::ActionError& e) {
        throw HttpError(status_for(e.code), e.what());
    } catch (const nlohmann::json::exception& e) {
        throw HttpError(400, std::string("malformed action: ") + e.what());
    }
    // Under EVM settlement the actors transact with the contract themselves.
    if (config_.evm)
        throw HttpError(409, "settlement is evm: send " + action.action + " to the market contract " +
                                 config_.evm->market + " (this coordinator indexes the chain; it takes no actions)");
    const uint64_t now = wall_ms();
    try {
        settlement::verify_action(action, config_.domain, now);
    } catch (const settlement::ActionError& e) {
        throw HttpError(status_for(e.code), e.what());
    }
    if (action.expires_at_ms > now + config_.max_expiry_ahead_ms)
        throw HttpError(401, "expired: expires_at_ms " + std::to_string(action.expires_at_ms) + " is more than " +
                                 std::to_string(config_.max_expiry_ahead_ms) + " ms ahead");
    const std::string signer = action.signer.to_lower_string();
    if (action.action == "fulfill" && request.defer && server_)
        return handle_fulfil_deferred(request, action.body, signer, action.nonce);
    try {
        nlohmann::json result = act(action.action, action.body, signer, action.nonce);
        result["ok"] = true;
        return Response::json(result);
    } catch (const market::MarketError& e) {
        throw HttpError(status_for(e.code()), e.what());
    }
}

nlohmann::json Service::act(const std::string& action, const nlohmann::json& body, const std::string& signer,
                            uint64_t nonce)
{
    if (action == "submit_request") return submit_request(body, signer, nonce);
    if (action == "fulfill") return fulfill(body, signer, nonce);

    market::Command command;
    market::JsonReader r = body_reader(body, action);
    if (action == "deposit" || action == "resume_prover") {
        if (config_.operator_address.empty() || signer != config_.operator_address)
            throw HttpError(403, action + ": only the operator may sign it (signer " + signer + ")");
        if (action == "deposit") {
            if (!settlement_->operator_deposits())
                throw HttpError(403, "deposit: this coordinator's settlement takes deposits only from outside");
            command = market::Deposit{market::parse_address(r.string("account"), "account"), r.u64("amount")};
        } else {
            command = market::ResumeProver{market::parse_address(r.string("prover"), "prover")};
        }
    } else if (action == "withdraw") {
        command = market::Withdraw{signer, r.u64("amount")};
    } else if (action == "stake") {
        command = market::Stake{signer, r.u64("amount")};
    } else if (action == "request_unstake") {
        command = market::RequestUnstake{signer, r.u64("amount")};
    } else if (action == "complete_unstake") {
        command = market::CompleteUnstake{signer};
    } else if (action == "register_prover") {
        command = market::RegisterProver{signer, r.u64("capacity")};
    } else if (action == "cancel") {
        command = market::Cancel{signer, r.u64("request_id")};
    } else if (action == "lock") {
        command = market::Lock{signer, r.u64("request_id")};
    } else {
        throw HttpError(400, "unknown action \"" + action +
                                 "\" (expected deposit, withdraw, stake, request_unstake, complete_unstake, "
                                 "register_prover, resume_prover, submit_request, cancel, lock, fulfill)");
    }
    r.finish();
    Committed c = apply_and_commit(command, signer, nonce);
    nlohmann::json result = {{"seq", c.seq}, {"events", events_json(c.outcome.events)}};
    if (const auto* lock = std::get_if<market::Lock>(&command)) result["request_id"] = lock->request_id;
    return result;
}

nlohmann::json Service::submit_request(const nlohmann::json& body, const std::string& signer, uint64_t nonce)
{
    market::JsonReader r = body_reader(body, "submit_request");
    const std::string key = r.string("idempotency_key");
    if (key.empty() || key.size() > max_idempotency_key)
        throw HttpError(400, "submit_request: idempotency_key must have 1 to " + std::to_string(max_idempotency_key) +
                                 " characters");
    const std::string circuit_text = r.string("circuit");
    const nlohmann::json& inputs = r.object("inputs");
    if (inputs.contains(finance::prover_input))
        throw HttpError(400, std::string("submit_request: inputs.") + finance::prover_input +
                                 " is set by the prover that fulfils the request, not by the requester");
    const std::string priority_text = r.string("priority");
    market::RequestSpec spec;
    spec.min_price = r.u64("min_price");
    spec.max_price = r.u64("max_price");
    spec.ramp_start = r.u64("ramp_start_ms");
    spec.ramp_period = r.u64("ramp_period_ms");
    spec.lock_deadline = r.u64("lock_deadline_ms");
    spec.final_deadline = r.u64("final_deadline_ms");
    spec.collateral = r.u64("collateral");
    r.finish();
    auto priority = market::priority_from_string(priority_text);
    if (!priority)
        throw HttpError(400, "submit_request: priority \"" + priority_text +
                                 "\" is not one of liquidation, margin, pricing, batch");
    spec.priority = *priority;
    auto circuit_id = market::normalize_circuit_id(circuit_text);
    if (!circuit_id) throw HttpError(400, "submit_request: circuit \"" + circuit_text + "\" is not a hex identity");
    auto circuit = find_circuit(*circuit_id);
    if (!circuit) throw HttpError(404, "submit_request: unknown circuit " + *circuit_id + " (register it first)");
    spec.circuit_id = *circuit_id;

    // The input-bound public signals, computed now: bad inputs are refused at once, and the
    // fulfil check is a comparison.
    nlohmann::json bound = nlohmann::json::array();
    const finance::Program* program = circuit->finance_program;
    if (program && program->bound_public_signals) {
        try {
            for (const auto& [index, value] : program->bound_public_signals(circuit::Inputs(inputs, "inputs")))
                bound.push_back({index, value.to_decimal()});
        } catch (const std::exception& e) {
            throw HttpError(400, std::string("submit_request: inputs for ") + circuit->program + ": " + e.what());
        }
    }
    const std::string inputs_text = inputs.dump();
    const std::string inputs_hash = sha256_hex(inputs_text);
    spec.inputs = "sha256:" + inputs_hash;

    Committed c = apply_and_commit(
        market::SubmitRequest{signer, key, spec}, signer, nonce,
        [&](uint64_t seq, const market::Outcome& outcome) {
            db_->run("INSERT OR IGNORE INTO inputs(sha256, body) VALUES (?1, ?2)", inputs_hash, inputs_text);
            if (!outcome.duplicate)
                db_->run("INSERT INTO requests(id, requester, circuit, inputs_sha256, bound, max_price, seq) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         outcome.request_id, signer, spec.circuit_id, inputs_hash, bound.dump(), spec.max_price, seq);
        });
    return {{"seq", c.seq},
            {"request_id", c.outcome.request_id},
            {"duplicate", c.outcome.duplicate},
            {"inputs", spec.inputs},
            {"events", events_json(c.outcome.events)}};
}

Service::FulfilCheck Service::check_fulfil(const nlohmann::json& body, const std::string& signer, uint64_t nonce)
{
    market::JsonReader r = body_reader(body, "fulfill");
    FulfilCheck c;
    c.signer = signer;
    c.nonce = nonce;
    c.request_id = r.u64("request_id");
    const nlohmann::json& proof_json = r.object("proof");
    const nlohmann::json& signals_json = r.array("public_signals");
    r.finish();

    // Cheap refusals before any verification work.
    std::string circuit_id, bound_text;
    {
        std::lock_guard lock(mutex_);
        check_nonce_locked(signer, nonce);
        const market::Request* request = market_->request(c.request_id);
        if (!request)
            throw HttpError(404, "request " + std::to_string(c.request_id) + " does not exist (or was pruned)");
        if (request->closed())
            throw HttpError(409, "request " + std::to_string(c.request_id) + " is already " +
                                     std::string(market::to_string(request->status)));
        circuit_id = request->spec.circuit_id;
        bound_text = db_->query_value<std::string>("SELECT bound FROM requests WHERE id = ?1", c.request_id).value_or("[]");
    }
    c.circuit = find_circuit(circuit_id);
    if (!c.circuit)
        throw HttpError(500, "request " + std::to_string(c.request_id) + ": circuit " + circuit_id + " is missing");

    c.proof_text = proof_json.dump();
    c.signals_text = signals_json.dump();
    try {
        c.proof = snark::proof_from_json(proof_json, "proof");
        c.signals = snark::public_signals_from_json(signals_json, "public_signals");
    } catch (const std::exception& e) {
        throw HttpError(400, std::string("fulfill: ") + e.what());
    }
    if (c.signals.size() != c.circuit->n_public)
        throw HttpError(400, "fulfill: public_signals has " + std::to_string(c.signals.size()) + " values, circuit " +
                                 circuit_id + " has " + std::to_string(c.circuit->n_public));

    // A proof that pays another prover (finance programs end with the prover's address: a
    // copied proof), or a proof of other inputs, is an invalid proof for this request.
    if (c.circuit->binds_prover && c.signals.back() != *math::U256::from_hex(signer)) {
        c.why = "public signal " + std::to_string(c.signals.size() - 1) + " (prover) is " + c.signals.back().to_hex() +
                ", not the submitter " + signer;
        return c;
    }
    for (const auto& entry : nlohmann::json::parse(bound_text)) {
        const size_t index = entry[0].get<size_t>();
        const std::string expected = entry[1].get<std::string>();
        if (index >= c.signals.size() || c.signals[index].to_decimal() != expected) {
            c.why = "public signal " + std::to_string(index) + " does not match the request's inputs";
            return c;
        }
    }
    return c;
}

nlohmann::json Service::finish_fulfil(const FulfilCheck& c, bool valid, std::string why)
{
    Committed committed = apply_and_commit(
        market::Fulfill{c.signer, c.request_id, valid}, c.signer, c.nonce,
        [&](uint64_t seq, const market::Outcome& outcome) {
            for (const market::Event& e : outcome.events)
                if (std::holds_alternative<market::RequestFulfilled>(e))
                    db_->run("INSERT INTO proofs(request_id, prover, proof, public_signals, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                             c.request_id, c.signer, c.proof_text, c.signals_text, seq);
        });
    nlohmann::json result = {{"seq", committed.seq},
                             {"request_id", c.request_id},
                             {"valid", valid},
                             {"events", events_json(committed.outcome.events)}};
    if (!valid) result["reason"] = std::move(why);
    return result;
}

nlohmann::json Service::fulfill(const nlohmann::json& body, const std::string& signer, uint64_t nonce)
{
    FulfilCheck c = check_fulfil(body, signer, nonce);
    if (!c.why.empty()) return finish_fulfil(c, false, c.why);
    const bool valid = verifier_->submit(c.circuit->vk, c.signals, c.proof).get();
    return finish_fulfil(c, valid, valid ? "" : "the proof does not verify");
}

Response Service::handle_fulfil_deferred(const Request& request, const nlohmann::json& body, const std::string& signer,
                                         uint64_t nonce)
{
    auto c = std::make_shared<FulfilCheck>(check_fulfil(body, signer, nonce));
    if (!c->why.empty()) return action_response([&] { return finish_fulfil(*c, false, c->why); });
    Responder respond = request.defer();
    verifier_->submit(c->circuit->vk, c->signals, c->proof, [this, c, respond](bool valid, std::exception_ptr error) {
        // The commit runs on a worker thread, not on the verifier's: the verifier goes on to
        // the next batch at once.
        server_->post([this, c, respond, valid, error] {
            respond(action_response([&]() -> nlohmann::json {
                if (error) {
                    try {
                        std::rethrow_exception(error);
                    } catch (const std::exception& e) {
                        throw HttpError(500, std::string("verification failed: ") + e.what());
                    }
                }
                return finish_fulfil(*c, valid, valid ? "" : "the proof does not verify");
            }));
        });
    });
    return Response::deferred();
}

}  // namespace provernet::coordinator
