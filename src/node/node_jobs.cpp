// The prover node's jobs (see node.hpp): the lock, alone or in a signed batch with others, the
// witness and the Groth16 proof, and the delivery, through the coordinator or on chain.
#include "node/node_impl.hpp"

#include "circuit/builder.hpp"
#include "finance/program.hpp"
#include "settlement/hex.hpp"
#include "snark/json_io.hpp"

#include <algorithm>
#include <exception>

namespace provernet::node {

namespace {

using coordinator::unix_ms;

// The price in a lock's answer (its request_locked event); 0 if absent.
uint64_t lock_price(const nlohmann::json& answer)
{
    uint64_t price = 0;
    for (const auto& e : answer.value("events", nlohmann::json::array()))
        if (e.value("type", "") == "request_locked") price = Node::Impl::parse_amount(e["price"]);
    return price;
}

}  // namespace

void Node::Impl::finish_job(uint64_t id, Outcome outcome)
{
    std::lock_guard lock(mutex);
    active.erase(id);
    if (outcome == Outcome::delivered) breaker.success();
    if (outcome == Outcome::failed) {
        breaker.failure();
        given_up.insert(id);
        if (breaker.open())
            log("circuit breaker open after %u consecutive failures: taking no new work", breaker.failures());
    }
    if (outcome == Outcome::lost_race) skip_until[id] = unix_ms() + 2'000;
    if (outcome == Outcome::abandoned) given_up.insert(id);
}

nlohmann::json Node::Impl::reread(coordinator::Client& client, uint64_t id)
{
    for (int i = 0; i < 20 && !stop->load(); ++i) {
        try {
            return client.request(id);
        } catch (const coordinator::HttpClientError&) {
            sleep_interruptible(std::chrono::milliseconds(250));
        }
    }
    return nlohmann::json::object();
}

bool Node::Impl::lock_with_coordinator(coordinator::Client& client, uint64_t id)
{
    const auto id_ull = static_cast<unsigned long long>(id);
    try {
        const nlohmann::json r = client.lock(id);
        log("locked request %llu at price %llu", id_ull, static_cast<unsigned long long>(lock_price(r)));
        return true;
    } catch (const coordinator::CoordinatorError& e) {
        log("lock of request %llu refused: %s", id_ull, e.message().c_str());
        return false;
    } catch (const coordinator::AmbiguousActionError&) {
        if (reread(client, id).value("holder", "") != me) return false;
        log("locked request %llu (confirmed after a lost answer)", id_ull);
        return true;
    }
}

bool Node::Impl::lock_on_chain(uint64_t id, const ChainRequestRef& ref)
{
    const auto id_ull = static_cast<unsigned long long>(id);
    try {
        const ChainActions::Result r = chain->lock(ref.id);
        if (r.outcome == ChainActions::Outcome::done) {
            log("locked request %llu on chain at price %s (%s)", id_ull, r.price.to_decimal().c_str(),
                r.reason.empty() ? settlement::to_hex(r.tx_hash).c_str() : "an earlier lock of ours");
            return true;
        }
        log("lock of request %llu refused on chain: %s", id_ull, r.reason.c_str());
    } catch (const std::exception& e) {
        log("lock of request %llu on chain not confirmed: %s", id_ull, e.what());
    }
    return false;
}

std::optional<snark::ProveResult> Node::Impl::prove(coordinator::Client& client, uint64_t id)
{
    const auto id_ull = static_cast<unsigned long long>(id);
    try {
        const nlohmann::json request = client.request(id);
        const std::string circuit_id = request.at("spec").at("circuit_id").get<std::string>();
        auto loaded = cache.load(client, circuit_id, speed, mutex);
        log("proving request %llu (%s, %llu constraints)", id_ull, loaded->info.program.c_str(),
            static_cast<unsigned long long>(loaded->info.constraints));
        const auto t0 = Clock::now();
        // The proof names this prover as the one it pays (finance programs' last public
        // signal), so nobody else can settle it.
        nlohmann::json inputs = request.at("inputs");
        if (inputs.is_object()) inputs[finance::prover_input] = me;
        circuit::Builder b = circuit::build_circuit(
            loaded->spec, circuit::Inputs(std::move(inputs), "request " + std::to_string(id) + " inputs"),
            circuit::Mode::witness_only);
        snark::ProveResult proved = snark::groth16_prove(*loaded->zkey, b.witness_file());
        const double s = seconds_since(t0);
        {
            std::lock_guard lock(mutex);
            speed.record_proof(loaded->info.constraints, s);
        }
        log("proved request %llu in %.2f s (now %.3g s per constraint)", id_ull, s, speed.seconds_per_constraint());
        if (config.fault == Fault::invalid_proof) {
            proved.proof.c = proved.proof.a;  // on the curve, so it parses, but not a proof
            log("FAULT invalid-proof: tampering with the proof of request %llu", id_ull);
        }
        return proved;
    } catch (const std::exception& e) {
        log("request %llu: cannot prove: %s", id_ull, e.what());
        return std::nullopt;
    }
}

Node::Impl::Outcome Node::Impl::run_job(uint64_t id, LockStep step, uint64_t deadline,
                                        const std::optional<ChainRequestRef>& chain_ref)
{
    coordinator::Client client = new_client();
    if (step == LockStep::take &&
        !(chain_ref ? lock_on_chain(id, *chain_ref) : lock_with_coordinator(client, id)))
        return Outcome::lost_race;
    if (step != LockStep::none) {
        if (config.fault == Fault::stall) {
            log("FAULT stall: holding request %llu and never delivering", static_cast<unsigned long long>(id));
            while (coordinator_now() < deadline + 1'000 && sleep_interruptible(std::chrono::milliseconds(200))) {
            }
            return Outcome::abandoned;
        }
    }
    const std::optional<snark::ProveResult> proved = prove(client, id);
    if (!proved) return Outcome::failed;
    if (chain_ref) return deliver_on_chain(client, id, deadline, *proved, *chain_ref);
    return deliver(client, id, deadline, nlohmann::json::parse(snark::proof_to_json(proved->proof)),
                   nlohmann::json::parse(snark::public_to_json(proved->public_signals)));
}

Node::Impl::Outcome Node::Impl::deliver(coordinator::Client& client, uint64_t id, uint64_t deadline,
                                        const nlohmann::json& proof, const nlohmann::json& signals)
{
    const auto id_ull = static_cast<unsigned long long>(id);
    while (!stop->load()) {
        try {
            const nlohmann::json r = client.fulfill(id, proof, signals);
            if (r.value("valid", false)) {
                log("fulfilled request %llu", id_ull);
                return Outcome::delivered;
            }
            log("proof for request %llu REJECTED: %s", id_ull, r.value("reason", std::string("invalid")).c_str());
            return Outcome::failed;
        } catch (const coordinator::CoordinatorError& e) {
            // Already fulfilled by us (an earlier copy landed) counts as delivered.
            const nlohmann::json state = reread(client, id);
            if (state.value("fulfilled_by", "") == me) return Outcome::delivered;
            log("fulfil of request %llu refused: %s", id_ull, e.message().c_str());
            return e.status() == 409 && state.value("state", "") == "fulfilled" ? Outcome::lost_race : Outcome::failed;
        } catch (const coordinator::AmbiguousActionError&) {
            if (reread(client, id).value("fulfilled_by", "") == me) return Outcome::delivered;
        } catch (const std::exception& e) {
            if (coordinator_now() >= deadline) {
                log("request %llu: coordinator unreachable until the deadline (%s)", id_ull, e.what());
                return Outcome::failed;
            }
            log("request %llu: fulfil not delivered (%s); retrying", id_ull, e.what());
            sleep_interruptible(std::chrono::milliseconds(500));
        }
    }
    return Outcome::abandoned;
}

Node::Impl::Outcome Node::Impl::deliver_on_chain(coordinator::Client& client, uint64_t id, uint64_t deadline,
                                                 const snark::ProveResult& proved, const ChainRequestRef& ref)
{
    const auto id_ull = static_cast<unsigned long long>(id);
    while (!stop->load()) {
        try {
            const ChainActions::Result r =
                chain->fulfil(ref.id, proved.proof, proved.public_signals, ref.bound_indices);
            switch (r.outcome) {
            case ChainActions::Outcome::done:
                log("fulfilled request %llu on chain (%s)", id_ull, settlement::to_hex(r.tx_hash).c_str());
                return Outcome::delivered;
            case ChainActions::Outcome::rejected:
                log("proof for request %llu REJECTED on chain: %s", id_ull, r.reason.c_str());
                return Outcome::failed;
            case ChainActions::Outcome::lost_race:
                if (reread(client, id).value("fulfilled_by", "") == me) return Outcome::delivered;
                log("fulfil of request %llu refused on chain: %s", id_ull, r.reason.c_str());
                return Outcome::lost_race;
            }
        } catch (const std::exception& e) {
            if (coordinator_now() >= deadline) {
                log("request %llu: fulfil not sent before the deadline (%s)", id_ull, e.what());
                return Outcome::failed;
            }
            log("request %llu: fulfil not sent (%s); retrying", id_ull, e.what());
            sleep_interruptible(std::chrono::milliseconds(500));
        }
    }
    return Outcome::abandoned;
}

void Node::Impl::start_job(uint64_t id, LockStep step, uint64_t deadline, std::optional<ChainRequestRef> chain_ref)
{
    active.insert(id);
    Job& job = jobs.emplace_back();
    job.request_id = id;
    job.thread = std::thread([this, id, step, deadline, chain_ref = std::move(chain_ref), &job] {
        Outcome outcome = Outcome::failed;
        try {
            outcome = run_job(id, step, deadline, chain_ref);
        } catch (const std::exception& e) {
            log("request %llu: job failed: %s", static_cast<unsigned long long>(id), e.what());
        }
        finish_job(id, outcome);
        job.done = true;
    });
}

void Node::Impl::reap_jobs(bool all)
{
    for (auto it = jobs.begin(); it != jobs.end();) {
        if (all || it->done.load()) {
            it->thread.join();
            it = jobs.erase(it);
        } else {
            ++it;
        }
    }
}

void Node::Impl::lock_and_start(coordinator::Client& client, const std::vector<PendingLock>& pending)
{
    constexpr size_t max_batch = 256;  // the coordinator's limit (docs/protocol.md, "Batches")
    for (size_t first = 0; first < pending.size(); first += max_batch) {
        const std::span<const PendingLock> part(pending.data() + first, std::min(max_batch, pending.size() - first));
        std::vector<bool> held(part.size(), false);
        try {
            held = part.size() == 1 ? std::vector<bool>{lock_with_coordinator(client, part[0].id)}
                                    : lock_batch(client, part);
        } catch (const std::exception& e) {
            log("lock of request %llu not sent: %s", static_cast<unsigned long long>(part[0].id), e.what());
        }
        for (size_t i = 0; i < part.size(); ++i) {
            if (!held[i]) {
                finish_job(part[i].id, Outcome::lost_race);
                continue;
            }
            std::lock_guard lock(mutex);
            start_job(part[i].id, LockStep::held, part[i].deadline_ms, std::nullopt);
        }
    }
}

std::vector<bool> Node::Impl::lock_batch(coordinator::Client& client, std::span<const PendingLock> part)
{
    std::vector<coordinator::Client::BatchAction> actions;
    for (const PendingLock& p : part) actions.push_back({"lock", {{"request_id", p.id}}});
    std::vector<bool> held(part.size(), false);
    try {
        const nlohmann::json results = client.batch(actions).at("results");
        for (size_t i = 0; i < part.size(); ++i) {
            const auto id_ull = static_cast<unsigned long long>(part[i].id);
            const nlohmann::json& r = results.at(i);
            if (!r.value("ok", false)) {
                log("lock of request %llu refused: %s", id_ull, r.value("error", std::string("?")).c_str());
                continue;
            }
            held[i] = true;
            log("locked request %llu at price %llu (in a batch of %zu)", id_ull,
                static_cast<unsigned long long>(lock_price(r)), part.size());
        }
    } catch (const coordinator::CoordinatorError& e) {
        log("batch of %zu locks refused: %s", part.size(), e.message().c_str());
    } catch (const std::exception& e) {
        // The answer was lost: whichever locks landed show in the requests' state. If the
        // coordinator cannot be read either, the rest count as not held.
        log("batch of %zu locks not confirmed (%s): reading the requests", part.size(), e.what());
        for (size_t i = 0; i < part.size() && !stop->load(); ++i) {
            const nlohmann::json state = reread(client, part[i].id);
            if (state.empty()) break;
            held[i] = state.value("holder", "") == me;
            if (held[i])
                log("locked request %llu (confirmed after a lost answer)", static_cast<unsigned long long>(part[i].id));
        }
    }
    return held;
}

}  // namespace provernet::node
