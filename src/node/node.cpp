// The prover node's loop and jobs (see node.hpp).
#include "node/node.hpp"

#include "circuit/builder.hpp"
#include "coordinator/client.hpp"
#include "coordinator/websocket_client.hpp"
#include "finance/program.hpp"
#include "node/chain_actions.hpp"
#include "node/circuit_cache.hpp"
#include "node/policy.hpp"
#include "settlement/hex.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/json_io.hpp"

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <thread>

namespace provernet::node {

namespace {

using coordinator::unix_ms;
using Clock = std::chrono::steady_clock;

uint64_t parse_amount(const nlohmann::json& v)
{
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_string()) return std::stoull(v.get<std::string>());
    return 0;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

struct Node::Impl {
    NodeConfig config;
    std::shared_ptr<coordinator::ActionSigner> signer;
    std::string me;  // lowercase address
    CircuitCache cache;
    Policy policy;
    nlohmann::json info;                  // GET /v1/info at start
    bool evm = false;                     // settlement on the market contract (info "settlement")
    std::unique_ptr<ChainActions> chain;  // EVM settlement: this node's transactions (else null)

    std::mutex mutex;  // everything below
    SpeedModel speed;
    Breaker breaker;
    bool paused = false;
    int64_t clock_offset_ms = 0;  // coordinator time - local time

    struct Job {
        uint64_t request_id = 0;
        std::thread thread;
        std::atomic<bool> done{false};
    };
    std::list<Job> jobs;
    std::set<uint64_t> active;                 // request ids of jobs in progress
    std::map<uint64_t, uint64_t> skip_until;   // request id -> local ms: do not retry before
    std::set<uint64_t> given_up;               // requests this node failed or was slashed on
    std::set<uint64_t> announced;              // listen-only: logged once
    std::map<uint64_t, std::string> request_circuit;  // request id -> circuit identity (immutable)
    std::map<uint64_t, ChainRequestRef> request_chain;  // EVM: request id -> its on-chain identity
    // Locks of this node that no job holds: a lock whose answer or receipt came too late (the
    // job had given it up as lost). Proved rather than left to be slashed.
    std::set<uint64_t> adopt;
    const std::atomic<bool>* stop = nullptr;

    Impl(NodeConfig c, settlement::PrivateKey key)
        : config(std::move(c)), signer(std::make_shared<coordinator::ActionSigner>(std::move(key))),
          me(signer->address()), cache(config.cache_dir),
          speed(config.initial_seconds_per_constraint, 5e-8), breaker(config.max_consecutive_failures)
    {
        policy.safety = config.safety_factor;
        policy.margin_ms = config.margin_ms;
        policy.min_price_per_kconstraint = config.min_price_per_kconstraint;
    }

    void log(const char* format, ...) __attribute__((format(printf, 2, 3)))
    {
        char text[1024];
        va_list args;
        va_start(args, format);
        std::vsnprintf(text, sizeof text, format, args);
        va_end(args);
        const uint64_t ms = unix_ms();
        const std::time_t s = static_cast<std::time_t>(ms / 1000);
        std::tm tm{};
        gmtime_r(&s, &tm);
        std::fprintf(stderr, "%02d:%02d:%02d.%03d [%s] %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
                     static_cast<int>(ms % 1000), config.name.c_str(), text);
        std::fflush(stderr);
    }

    coordinator::Client new_client() { return coordinator::Client(config.coordinator, signer); }

    uint64_t coordinator_now()
    {
        std::lock_guard lock(mutex);
        return static_cast<uint64_t>(static_cast<int64_t>(unix_ms()) + clock_offset_ms);
    }

    bool sleep_interruptible(std::chrono::milliseconds d)
    {
        const auto end = Clock::now() + d;
        while (Clock::now() < end) {
            if (stop->load()) return false;
            std::this_thread::sleep_for(std::min<Clock::duration>(end - Clock::now(), std::chrono::milliseconds(50)));
        }
        return true;
    }

    // --- Start ----------------------------------------------------------------------------

    bool wait_for_coordinator(coordinator::Client& client)
    {
        coordinator::Backoff backoff(std::chrono::milliseconds(200), std::chrono::milliseconds(5'000));
        while (!stop->load()) {
            try {
                info = client.info();
                std::lock_guard lock(mutex);
                clock_offset_ms = static_cast<int64_t>(info.at("time_ms").get<uint64_t>()) - static_cast<int64_t>(unix_ms());
                return true;
            } catch (const std::exception& e) {
                log("coordinator %s not reachable (%s); retrying", config.coordinator.c_str(), e.what());
                if (!sleep_interruptible(backoff.next_delay())) return false;
            }
        }
        return false;
    }

    // EVM settlement: the market contract of GET /v1/info, through this node's own key.
    void start_chain()
    {
        const ChainEndpoint endpoint = chain_endpoint(info, config.rpc);
        log("EVM settlement: market %s on chain %llu via %s", endpoint.market.to_checksum_string().c_str(),
            static_cast<unsigned long long>(endpoint.chain_id), endpoint.rpc.c_str());
        if (config.listen_only) return;  // sends nothing
        std::filesystem::create_directories(config.cache_dir);
        chain = std::make_unique<ChainActions>(endpoint, signer->key(),
                                               journal_path(config.cache_dir, signer->key().address()),
                                               [this](const std::string& line) { log("%s", line.c_str()); });
    }

    void prepare_account(coordinator::Client& client)
    {
        if (chain) {
            const bool market_paused = chain->prepare_account(config.capacity, config.stake);
            std::lock_guard lock(mutex);
            paused = market_paused;
            return;
        }
        nlohmann::json a = client.account(me);
        const bool registered = a.contains("prover") && a["prover"].is_object();
        if (!registered || a["prover"].value("capacity", uint64_t{0}) != config.capacity) {
            client.register_prover(config.capacity);
            log("registered as a prover with capacity %u", config.capacity);
        }
        if (registered) paused = a["prover"].value("paused", false);
        const uint64_t stake = parse_amount(a["account"]["stake"]);
        const uint64_t balance = parse_amount(a["account"]["balance"]);
        if (stake < config.stake) {
            const uint64_t add = std::min(config.stake - stake, balance);
            if (add > 0) client.stake(add);
            log("staked %llu (stake now %llu of the %llu wanted; balance was %llu)", static_cast<unsigned long long>(add),
                static_cast<unsigned long long>(stake + add), static_cast<unsigned long long>(config.stake),
                static_cast<unsigned long long>(balance));
        }
    }

    // One real proof of the smallest registered circuit with its example inputs.
    void calibrate(coordinator::Client& client)
    {
        const nlohmann::json list = client.circuits();
        const nlohmann::json* smallest = nullptr;
        for (const auto& c : list)
            if (!smallest || c.value("constraints", uint64_t{0}) < (*smallest).value("constraints", uint64_t{0}))
                smallest = &c;
        if (!smallest) {
            log("no circuit registered yet: estimating %.2g s per constraint until the first proof",
                config.initial_seconds_per_constraint);
            return;
        }
        const std::string id = smallest->at("circuit").get<std::string>();
        try {
            auto loaded = cache.load(client, id, speed, mutex);
            const auto t0 = Clock::now();
            circuit::Builder b = circuit::build_circuit(
                loaded->spec, circuit::Inputs(loaded->spec.example_input, "example input"), circuit::Mode::witness_only);
            snark::groth16_prove(*loaded->zkey, b.witness_file());
            const double s = seconds_since(t0);
            std::lock_guard lock(mutex);
            speed.record_proof(loaded->info.constraints, s);
            log("calibrated on %s (%llu constraints): %.3f s, %.3g s per constraint", loaded->info.program.c_str(),
                static_cast<unsigned long long>(loaded->info.constraints), s, speed.seconds_per_constraint());
        } catch (const std::exception& e) {
            log("calibration on circuit %s failed: %s", id.c_str(), e.what());
        }
    }

    // --- Jobs -----------------------------------------------------------------------------

    enum class Outcome { delivered, lost_race, failed, abandoned };

    void finish_job(uint64_t id, Outcome outcome)
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

    // The state of a request after an ambiguous action: did our lock/proof land?
    nlohmann::json reread(coordinator::Client& client, uint64_t id)
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

    // The lock through the coordinator (embedded settlement): true when this node holds it.
    bool lock_with_coordinator(coordinator::Client& client, uint64_t id)
    {
        const auto id_ull = static_cast<unsigned long long>(id);
        try {
            const nlohmann::json r = client.lock(id);
            uint64_t price = 0;
            for (const auto& e : r.value("events", nlohmann::json::array()))
                if (e.value("type", "") == "request_locked") price = parse_amount(e["price"]);
            log("locked request %llu at price %llu", id_ull, static_cast<unsigned long long>(price));
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

    // The lock on the market contract (EVM settlement): true when this node holds it.
    bool lock_on_chain(uint64_t id, const ChainRequestRef& ref)
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

    // Witness and Groth16 proof of request `id` for this prover; nullopt when it cannot be proved.
    std::optional<snark::ProveResult> prove(coordinator::Client& client, uint64_t id)
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

    // What a job does about the lock: take it first, already hold it (locked in a batch), or
    // fulfil without one (the lock deadline has passed: anyone may fulfil).
    enum class LockStep { take, held, none };

    // chain_ref: the request's on-chain identity under EVM settlement, nullopt under embedded.
    Outcome run_job(uint64_t id, LockStep step, uint64_t deadline, const std::optional<ChainRequestRef>& chain_ref)
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

    // fulfill, resent on connection errors until the deadline.
    Outcome deliver(coordinator::Client& client, uint64_t id, uint64_t deadline, const nlohmann::json& proof,
                    const nlohmann::json& signals)
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

    // fulfill on the market contract (the contract verifies the proof), resent on RPC errors
    // until the deadline. A refusal of ours after an earlier copy landed counts as delivered.
    Outcome deliver_on_chain(coordinator::Client& client, uint64_t id, uint64_t deadline,
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

    void start_job(uint64_t id, LockStep step, uint64_t deadline, std::optional<ChainRequestRef> chain_ref)
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

    void reap_jobs(bool all)
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

    // --- Decisions ------------------------------------------------------------------------

    // A lock chosen in consider(), sent with the others of the same view in one signed batch.
    struct PendingLock {
        uint64_t id = 0;
        uint64_t deadline_ms = 0;
    };

    void consider(coordinator::Client& client, const nlohmann::json& lines)
    {
        std::vector<PendingLock> pending;
        std::exception_ptr error;
        try {
            choose(client, lines, pending);
        } catch (...) {
            error = std::current_exception();  // what was chosen before still gets its locks
        }
        lock_and_start(client, pending);
        if (error) std::rethrow_exception(error);
    }

    // Decides which requests of the open view to take. Jobs that lock on their own (EVM
    // settlement) or need no lock start at once; locks through the coordinator go to `pending`
    // (their ids already marked active).
    void choose(coordinator::Client& client, const nlohmann::json& lines, std::vector<PendingLock>& pending)
    {
        for (const nlohmann::json& line : lines) {
            const uint64_t id = line.at("request_id").get<uint64_t>();
            const std::string action = line.value("action", "lock");
            {
                std::lock_guard lock(mutex);
                if (active.count(id) || given_up.count(id)) continue;
                if (auto it = skip_until.find(id); it != skip_until.end() && unix_ms() < it->second) continue;
            }
            try {
                std::string circuit_id;
                if (auto it = request_circuit.find(id); it != request_circuit.end()) {
                    circuit_id = it->second;
                } else {
                    const nlohmann::json r = client.request(id);
                    if (r.value("holder", "") == me && r.value("state", "") != "open") {
                        std::lock_guard lock(mutex);
                        given_up.insert(id);  // our own earlier lock (e.g. before a restart): not ours to redo
                        continue;
                    }
                    circuit_id = r.at("spec").at("circuit_id").get<std::string>();
                    if (evm && !read_chain_ref(id, r)) continue;
                    request_circuit[id] = circuit_id;
                }
                const CircuitInfo info = cache.info(client, circuit_id);
                Candidate c;
                c.now_ms = coordinator_now();
                c.deadline_ms = line.at("deadline_ms").get<uint64_t>();
                c.price = parse_amount(line.at("price"));
                c.constraints = info.constraints;
                NodeLoad load;
                {
                    std::lock_guard lock(mutex);
                    c.estimate_seconds = speed.prove_seconds(info.constraints) +
                                         (cache.loaded(circuit_id) ? 0.0 : speed.load_seconds(info.zkey_bytes));
                    load.capacity = config.capacity;
                    load.busy = static_cast<unsigned>(active.size());  // pending locks included
                    load.breaker_open = breaker.open();
                    load.paused = paused;
                }
                const LockDecision d = should_take(c, load, policy);
                if (!d.take) {
                    if (load.busy >= load.capacity) return;  // nothing else fits either
                    continue;
                }
                if (config.listen_only) {
                    if (announced.insert(id).second)
                        log("listen-only: would %s request %llu (%s, %s)", action == "lock" ? "lock" : "fulfil",
                            static_cast<unsigned long long>(id), info.program.c_str(), d.reason.c_str());
                    continue;
                }
                log("taking request %llu to %s (%s, %s)", static_cast<unsigned long long>(id), action.c_str(),
                    info.program.c_str(), d.reason.c_str());
                std::optional<ChainRequestRef> chain_ref;
                if (chain) chain_ref = request_chain.at(id);
                std::lock_guard lock(mutex);
                if (action == "lock" && !chain) {
                    active.insert(id);
                    pending.push_back({id, c.deadline_ms});
                } else {
                    start_job(id, action == "lock" ? LockStep::take : LockStep::none, c.deadline_ms,
                              std::move(chain_ref));
                }
            } catch (const coordinator::CoordinatorError& e) {
                std::lock_guard lock(mutex);
                skip_until[id] = unix_ms() + 5'000;
            }
        }
    }

    // Locks `pending` through the coordinator and starts a job for each lock this node holds.
    // Several locks go in one signed batch (up to 256 each): a spike of new requests costs the
    // node one signature and one round trip, and the coordinator one commit, not one per request.
    void lock_and_start(coordinator::Client& client, const std::vector<PendingLock>& pending)
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

    // One signed batch of locks; which of them this node holds.
    std::vector<bool> lock_batch(coordinator::Client& client, std::span<const PendingLock> part)
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
                uint64_t price = 0;
                for (const auto& e : r.value("events", nlohmann::json::array()))
                    if (e.value("type", "") == "request_locked") price = parse_amount(e["price"]);
                log("locked request %llu at price %llu (in a batch of %zu)", id_ull, static_cast<unsigned long long>(price),
                    part.size());
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
                if (held[i]) log("locked request %llu (confirmed after a lost answer)", static_cast<unsigned long long>(part[i].id));
            }
        }
        return held;
    }

    // EVM settlement: the request's on-chain id and bound signals, into request_chain. False (and
    // the request set aside) when it is malformed or its binding cannot be met by any proof.
    bool read_chain_ref(uint64_t id, const nlohmann::json& request)
    {
        const auto id_ull = static_cast<unsigned long long>(id);
        try {
            ChainRequestRef ref = parse_chain_ref(request);
            if (!ref.binding_ok) {
                log("skipping request %llu: its bound signals hash does not match its inputs (no proof can settle it)",
                    id_ull);
                std::lock_guard lock(mutex);
                given_up.insert(id);
                return false;
            }
            request_chain[id] = std::move(ref);
            return true;
        } catch (const std::exception& e) {
            log("skipping request %llu for now: %s", id_ull, e.what());
            std::lock_guard lock(mutex);
            skip_until[id] = unix_ms() + 5'000;
            return false;
        }
    }

    void handle_event(const nlohmann::json& event)
    {
        const std::string type = event.value("type", "");
        if (event.value("prover", "") != me) return;
        std::lock_guard lock(mutex);
        const uint64_t id = event.value("request_id", uint64_t{0});
        if (type == "prover_slashed") {
            given_up.insert(id);
            log("SLASHED on request %llu (%s): collateral %s", static_cast<unsigned long long>(id),
                event.value("reason", "").c_str(), event.value("collateral", "").c_str());
        } else if (type == "prover_paused") {
            paused = true;
            log("the market paused this prover after %llu failures",
                static_cast<unsigned long long>(event.value("consecutive_failures", uint64_t{0})));
        } else if (type == "prover_resumed") {
            paused = false;
            log("the market resumed this prover");
        } else if (type == "request_fulfilled") {
            log("paid for request %llu: price %s, bounty %s", static_cast<unsigned long long>(id),
                event.value("price", "").c_str(), event.value("bounty", "").c_str());
        } else if (type == "request_locked" && !active.count(id) && !given_up.count(id) && !config.listen_only) {
            adopt.insert(id);
        }
    }

    // Starts a job for each lock of ours that no job holds, if it is still ours to fulfil.
    void adopt_locks(coordinator::Client& client)
    {
        std::set<uint64_t> ids;
        {
            std::lock_guard lock(mutex);
            ids.swap(adopt);
        }
        for (uint64_t id : ids) {
            try {
                const nlohmann::json r = client.request(id);
                if (r.value("holder", "") != me || r.value("state", "") != "locked") continue;
                if (evm && !read_chain_ref(id, r)) continue;
                std::optional<ChainRequestRef> chain_ref;
                if (chain) chain_ref = request_chain.at(id);
                const uint64_t deadline = r.at("spec").at("final_deadline").get<uint64_t>();
                std::lock_guard lock(mutex);
                if (active.count(id) || given_up.count(id)) continue;
                skip_until.erase(id);
                log("request %llu: our lock landed after it was given up; proving it now",
                    static_cast<unsigned long long>(id));
                start_job(id, LockStep::held, deadline, std::move(chain_ref));
            } catch (const std::exception& e) {
                log("request %llu: cannot take up our late lock: %s", static_cast<unsigned long long>(id), e.what());
            }
        }
    }

    // --- Main loop ------------------------------------------------------------------------

    int run()
    {
        coordinator::Client client = new_client();
        log("prover %s, coordinator %s, capacity %u%s%s", signer->key().address().to_checksum_string().c_str(),
            config.coordinator.c_str(), config.capacity, config.listen_only ? ", LISTEN-ONLY" : "",
            config.fault == Fault::none ? "" : config.fault == Fault::stall ? ", FAULT stall" : ", FAULT invalid-proof");
        if (!wait_for_coordinator(client)) return 0;
        evm = info.value("settlement", "embedded") == "evm";
        if (evm) start_chain();
        if (!config.listen_only) prepare_account(client);
        if (config.calibrate) calibrate(client);

        coordinator::Backoff backoff(std::chrono::milliseconds(200), std::chrono::milliseconds(5'000));
        coordinator::WebSocketClient stream;
        bool connected = false;
        auto last_poll = Clock::now() - std::chrono::seconds(10);
        bool view_changed = true;
        while (!stop->load()) {
            reap_jobs(false);
            if (!connected) {
                try {
                    // New requests (work to look at now) and the events naming this prover.
                    stream.connect(client.host(), client.port(), "/v1/stream?events=request_submitted&account=" + me);
                    connected = true;
                    backoff.reset();
                    log("connected to the coordinator stream");
                    view_changed = true;
                } catch (const std::exception& e) {
                    log("stream: %s; reconnecting", e.what());
                    sleep_interruptible(backoff.next_delay());
                    continue;
                }
            }
            try {
                if (auto message = stream.read_json(std::chrono::milliseconds(view_changed ? 20 : 200))) {
                    const std::string type = message->value("type", "");
                    if (type == "open") view_changed = true;
                    else if (type == "event" && message->contains("event")) {
                        const nlohmann::json& event = (*message)["event"];
                        if (event.value("type", "") == "request_submitted") view_changed = true;
                        handle_event(event);
                    }
                    else if (type == "hello") {
                        std::lock_guard lock(mutex);
                        clock_offset_ms = static_cast<int64_t>(message->value("time_ms", unix_ms())) -
                                          static_cast<int64_t>(unix_ms());
                    }
                }
            } catch (const std::exception& e) {
                log("coordinator stream lost (%s); reconnecting", e.what());
                connected = false;
                continue;
            }
            adopt_locks(client);
            // A burst of new requests is read with one poll per 50 ms, not one per request.
            const auto since_poll = Clock::now() - last_poll;
            if ((view_changed && since_poll >= std::chrono::milliseconds(50)) || since_poll >= std::chrono::seconds(1)) {
                view_changed = false;
                last_poll = Clock::now();
                try {
                    // The view for this prover (its reserves); a listen-only node may not be
                    // registered, and the coordinator shows an unknown prover nothing: it reads
                    // the general view.
                    const nlohmann::json open = client.open(config.listen_only ? "" : me, 100);
                    consider(client, open.at("requests"));
                } catch (const std::exception& e) {
                    log("reading open requests failed: %s", e.what());
                }
            }
        }
        log("stopping: waiting for %zu job(s) in progress", jobs.size());
        reap_jobs(true);
        return 0;
    }
};

Node::Node(NodeConfig config)
{
    settlement::PrivateKey key = coordinator::read_key_file(config.key_file);
    impl_ = std::make_unique<Impl>(std::move(config), std::move(key));
}

Node::~Node() = default;

int Node::run(const std::atomic<bool>& stop)
{
    impl_->stop = &stop;
    return impl_->run();
}

}  // namespace provernet::node
