// The prover node: start, decisions and the main loop (see node.hpp); its jobs are in
// node_jobs.cpp.
#include "node/node_impl.hpp"

#include "circuit/builder.hpp"
#include "coordinator/websocket_client.hpp"
#include "settlement/hex.hpp"

#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>

namespace provernet::node {

namespace {

using coordinator::unix_ms;

}  // namespace

uint64_t Node::Impl::parse_amount(const nlohmann::json& v)
{
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_string()) return std::stoull(v.get<std::string>());
    return 0;
}

double Node::Impl::seconds_since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

void Node::Impl::log(const char* format, ...)
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

uint64_t Node::Impl::coordinator_now()
{
    std::lock_guard lock(mutex);
    return static_cast<uint64_t>(static_cast<int64_t>(unix_ms()) + clock_offset_ms);
}

bool Node::Impl::sleep_interruptible(std::chrono::milliseconds d)
{
    const auto end = Clock::now() + d;
    while (Clock::now() < end) {
        if (stop->load()) return false;
        std::this_thread::sleep_for(std::min<Clock::duration>(end - Clock::now(), std::chrono::milliseconds(50)));
    }
    return true;
}

bool Node::Impl::wait_for_coordinator(coordinator::Client& client)
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

void Node::Impl::start_chain()
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

void Node::Impl::prepare_account(coordinator::Client& client)
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

void Node::Impl::calibrate(coordinator::Client& client)
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

void Node::Impl::consider(coordinator::Client& client, const nlohmann::json& lines)
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

void Node::Impl::choose(coordinator::Client& client, const nlohmann::json& lines, std::vector<PendingLock>& pending)
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

bool Node::Impl::read_chain_ref(uint64_t id, const nlohmann::json& request)
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

void Node::Impl::handle_event(const nlohmann::json& event)
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

void Node::Impl::adopt_locks(coordinator::Client& client)
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

int Node::Impl::run()
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
