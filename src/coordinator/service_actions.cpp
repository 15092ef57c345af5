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


#include <atomic>
#include <cstdio>
#include <optional>

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
    settlement::SignedAction action;
    try {
        action = settlement::signed_action_from_json(request.json());
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
    if (action.action == "batch") return handle_batch(request, action.body, signer, action.nonce);
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
    if (action == "fulfill") return fulfill(body, signer, nonce);
    Prepared p = prepare_action(action, body, signer);
    return p.result(apply_and_commit(p.command, signer, nonce, p.extra));
}

Service::Prepared Service::prepare_action(const std::string& action, const nlohmann::json& body,
                                          const std::string& signer)
{
    if (action == "submit_request") return prepare_submit(body, signer);

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
                                 "register_prover, resume_prover, submit_request, cancel, lock, fulfill, batch)");
    }
    r.finish();
    const std::optional<uint64_t> lock_id =
        std::holds_alternative<market::Lock>(command) ? std::optional(std::get<market::Lock>(command).request_id)
                                                      : std::nullopt;
    return {std::move(command), {}, [lock_id](const Committed& c) {
                nlohmann::json result = {{"seq", c.seq}, {"events", events_json(c.outcome.events)}};
                if (lock_id) result["request_id"] = *lock_id;
                return result;
            }};
}

Service::Prepared Service::prepare_submit(const nlohmann::json& body, const std::string& signer)
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
    auto inputs_text = std::make_shared<const std::string>(inputs.dump());
    // A single action's bound (settlement/envelope.hpp), kept for the inputs of a batch's item.
    if (inputs_text->size() > settlement::max_body_bytes)
        throw HttpError(413, "submit_request: inputs of " + std::to_string(inputs_text->size()) +
                                 " bytes are larger than the limit of " +
                                 std::to_string(settlement::max_body_bytes) + " bytes");
    const std::string inputs_hash = sha256_hex(*inputs_text);
    spec.inputs = "sha256:" + inputs_hash;
    const std::string inputs_ref = spec.inputs;
    const uint64_t max_price = spec.max_price;

    ExtraWrites extra = [this, inputs_text, inputs_hash, signer, circuit_id = spec.circuit_id, bound = bound.dump(),
                         max_price](uint64_t seq, const market::Outcome& outcome) {
        db_->run("INSERT OR IGNORE INTO inputs(sha256, body) VALUES (?1, ?2)", inputs_hash, *inputs_text);
        if (!outcome.duplicate)
            db_->run("INSERT INTO requests(id, requester, circuit, inputs_sha256, bound, max_price, seq) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     outcome.request_id, signer, circuit_id, inputs_hash, bound, max_price, seq);
    };
    return {market::SubmitRequest{signer, key, std::move(spec)}, std::move(extra), [inputs_ref](const Committed& c) {
                return nlohmann::json{{"seq", c.seq},
                                      {"request_id", c.outcome.request_id},
                                      {"duplicate", c.outcome.duplicate},
                                      {"inputs", inputs_ref},
                                      {"events", events_json(c.outcome.events)}};
            }};
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

Service::Prepared Service::prepare_verdict(std::shared_ptr<const FulfilCheck> c, bool valid, std::string why)
{
    ExtraWrites proof_rows = [this, c](uint64_t seq, const market::Outcome& outcome) {
        for (const market::Event& e : outcome.events)
            if (std::holds_alternative<market::RequestFulfilled>(e))
                db_->run("INSERT INTO proofs(request_id, prover, proof, public_signals, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                         c->request_id, c->signer, c->proof_text, c->signals_text, seq);
    };
    return {market::Fulfill{c->signer, c->request_id, valid}, std::move(proof_rows),
            [c, valid, why = std::move(why)](const Committed& committed) {
                nlohmann::json result = {{"seq", committed.seq},
                                         {"request_id", c->request_id},
                                         {"valid", valid},
                                         {"events", events_json(committed.outcome.events)}};
                if (!valid) result["reason"] = why;
                return result;
            }};
}

nlohmann::json Service::finish_fulfil(std::shared_ptr<const FulfilCheck> c, bool valid, std::string why)
{
    Prepared p = prepare_verdict(c, valid, std::move(why));
    return p.result(apply_and_commit(p.command, c->signer, c->nonce, p.extra));
}

nlohmann::json Service::fulfill(const nlohmann::json& body, const std::string& signer, uint64_t nonce)
{
    auto c = std::make_shared<const FulfilCheck>(check_fulfil(body, signer, nonce));
    if (!c->why.empty()) return finish_fulfil(c, false, c->why);
    const bool valid = verifier_->submit(c->circuit->vk, c->signals, c->proof).get();
    return finish_fulfil(c, valid, valid ? "" : "the proof does not verify");
}

Response Service::handle_fulfil_deferred(const Request& request, const nlohmann::json& body, const std::string& signer,
                                         uint64_t nonce)
{
    auto c = std::make_shared<const FulfilCheck>(check_fulfil(body, signer, nonce));
    if (!c->why.empty()) return action_response([&] { return finish_fulfil(c, false, c->why); });
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
                return finish_fulfil(c, valid, valid ? "" : "the proof does not verify");
            }));
        });
    });
    return Response::deferred();
}


// --- Batches (docs/protocol.md, "Batches") ----------------------------------------------------

struct Service::BatchItem {
    std::optional<Prepared> prepared;          // ready to apply
    std::shared_ptr<const FulfilCheck> fulfil;  // waiting for its verdict
    nlohmann::json error;                       // refused before the commit: {"ok": false, ...}
};

namespace {

constexpr size_t max_batch_actions = 256;

nlohmann::json item_error(int status, const std::string& message)
{
    return {{"ok", false}, {"status", status}, {"error", message}};
}

}  // namespace

Response Service::handle_batch(const Request& request, const nlohmann::json& body, const std::string& signer,
                               uint64_t nonce)
{
    const nlohmann::json* actions = nullptr;
    try {
        market::JsonReader r = body_reader(body, "batch");
        actions = &r.array("actions");
        r.finish();
    } catch (const market::MarketError& e) {
        throw HttpError(400, e.what());
    }
    const nlohmann::json& list = *actions;
    if (list.empty() || list.size() > max_batch_actions)
        throw HttpError(400, "batch: actions has " + std::to_string(list.size()) + " entries (1 to " +
                                 std::to_string(max_batch_actions) + " allowed)");
    {
        // One nonce for the whole batch: a stale one refuses it before any work.
        std::lock_guard lock(mutex_);
        check_nonce_locked(signer, nonce);
    }
    auto items = std::make_shared<std::vector<BatchItem>>(list.size());
    size_t pending = 0;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string where = "batch actions[" + std::to_string(i) + "]";
        if (!list[i].is_object()) throw HttpError(400, where + " is not an object");
        market::JsonReader item(list[i], where, market::ErrorCode::invalid_command);
        std::string action;
        const nlohmann::json* item_body = nullptr;
        try {
            action = item.string("action");
            item_body = &item.object("body");
            item.finish();
        } catch (const market::MarketError& e) {
            throw HttpError(400, e.what());
        }
        if (action == "batch") throw HttpError(400, where + ": a batch cannot hold a batch");
        BatchItem& out = (*items)[i];
        try {
            if (action == "fulfill") {
                auto check = std::make_shared<const FulfilCheck>(check_fulfil(*item_body, signer, nonce));
                if (check->why.empty()) {
                    out.fulfil = std::move(check);
                    ++pending;
                } else {
                    out.prepared = prepare_verdict(check, false, check->why);
                }
            } else {
                out.prepared = prepare_action(action, *item_body, signer);
            }
        } catch (const HttpError& e) {
            out.error = item_error(e.status(), e.what());
        } catch (const market::MarketError& e) {
            out.error = item_error(coordinator::status_for(e.code()), e.what());
        }
    }
    if (pending == 0) return action_response([&] { return commit_batch(*items, signer, nonce); });

    if (!request.defer || !server_) {
        for (BatchItem& item : *items)
            if (item.fulfil) {
                const bool valid = verifier_->submit(item.fulfil->circuit->vk, item.fulfil->signals, item.fulfil->proof).get();
                item.prepared = prepare_verdict(item.fulfil, valid, valid ? "" : "the proof does not verify");
            }
        return action_response([&] { return commit_batch(*items, signer, nonce); });
    }
    // The proofs join the verifier's batches; the last verdict posts the commit to a worker.
    Responder respond = request.defer();
    auto left = std::make_shared<std::atomic<size_t>>(pending);
    std::vector<BatchVerifier::Job> jobs;
    for (BatchItem& item : *items) {
        if (!item.fulfil) continue;
        jobs.push_back({item.fulfil->circuit->vk, item.fulfil->signals, item.fulfil->proof,
                        [this, items, &item, left, respond, signer, nonce](bool valid, std::exception_ptr error) {
                            if (error)
                                item.error = item_error(500, "verification failed");
                            else
                                item.prepared = prepare_verdict(item.fulfil, valid, valid ? "" : "the proof does not verify");
                            if (left->fetch_sub(1, std::memory_order_acq_rel) != 1) return;
                            server_->post([this, items, respond, signer, nonce] {
                                respond(action_response([&] { return commit_batch(*items, signer, nonce); }));
                            });
                        }});
    }
    verifier_->submit(std::move(jobs));
    return Response::deferred();
}

nlohmann::json Service::commit_batch(std::vector<BatchItem>& items, const std::string& signer, uint64_t nonce)
{
    std::lock_guard lock(mutex_);
    check_nonce_locked(signer, nonce);
    const uint64_t now = now_locked();
    std::vector<std::pair<size_t, Committed>> applied;
    uint64_t seq = seq_, event_seq = event_seq_;
    try {
        db_->transaction([&] {
            for (size_t i = 0; i < items.size(); ++i) {
                BatchItem& item = items[i];
                if (!item.prepared) continue;
                market::Outcome outcome = market_->apply(item.prepared->command, now);
                if (!outcome.ok()) {
                    item.error = item_error(coordinator::status_for(outcome.error->code), outcome.error->message);
                    continue;
                }
                write_command_locked(++seq, now, item.prepared->command, signer, nonce, item.prepared->extra, outcome);
                event_seq += outcome.events.size();
                applied.emplace_back(i, Committed{seq, std::move(outcome)});
            }
            // The nonce is used once something is applied (as a refused single action leaves it).
            if (!applied.empty()) write_nonce_locked(signer, nonce);
        });
    } catch (const std::exception& e) {
        rebuild_market();  // the market applied what the database did not keep
        throw HttpError(500, std::string("batch: could not commit: ") + e.what());
    }
    if (!applied.empty()) {
        seq_ = seq;
        schedule_snapshot_if_due_locked(seq, event_seq);
        nonces_[signer] = nonce;
    }
    // The batch's events in commit order, in one broadcast (runs for the same subscribers leave
    // together).
    std::vector<market::Event> events;
    for (const auto& [index, c] : applied) events.insert(events.end(), c.outcome.events.begin(), c.outcome.events.end());
    const uint64_t first_event = event_seq_ + 1;
    event_seq_ += events.size();
    broadcast_events_locked(first_event, events);
    if (!events.empty()) open_dirty_ = true;

    nlohmann::json results = nlohmann::json::array();
    size_t next = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        if (next < applied.size() && applied[next].first == i) {
            const Committed& c = applied[next++].second;
            nlohmann::json result = items[i].prepared->result(c);
            result["ok"] = true;
            results.push_back(std::move(result));
        } else {
            results.push_back(items[i].error.is_null() ? item_error(500, "not applied") : items[i].error);
        }
    }
    return {{"seq", seq_}, {"applied", applied.size()}, {"results", std::move(results)}};
}

}  // namespace provernet::coordinator
