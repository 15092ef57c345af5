// The routes: reads, circuit registration and the stream (docs/protocol.md).
#include "coordinator/service.hpp"

#include "circuit/registry.hpp"
#include "coordinator/verifier.hpp"
#include "finance/program.hpp"
#include "market/events.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/json_io.hpp"
#include "snark/setup.hpp"
#include "snark/zkey.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <variant>

#include <unistd.h>

namespace provernet::coordinator {

namespace {

std::vector<std::string> split_list(const std::string& text)
{
    std::vector<std::string> items;
    size_t start = 0;
    for (;;) {
        const size_t comma = text.find(',', start);
        items.push_back(text.substr(start, comma - start));
        if (comma == std::string::npos) return items;
        start = comma + 1;
    }
}

template <size_t... I>
bool is_event_name(std::string_view name, std::index_sequence<I...>)
{
    return ((market::event_name(market::Event{std::in_place_index<I>}) == name) || ...);
}

// The channels a /v1/stream connection asks for (docs/protocol.md, "Stream"): with neither
// `events` nor `account`, every event; else the events of the listed types and the events
// naming the listed accounts. Throws HttpError(400) naming a bad value.
std::vector<std::string> stream_channels(const Request& request)
{
    const auto events = request.query_param("events");
    const auto accounts = request.query_param("account");
    if (!events && !accounts) return {"events"};
    std::vector<std::string> channels;
    if (events)
        for (const std::string& type : split_list(*events)) {
            if (!is_event_name(type, std::make_index_sequence<std::variant_size_v<market::Event>>{}))
                throw HttpError(400, "events: \"" + type + "\" is not an event type");
            channels.push_back("event:" + type);
        }
    if (accounts)
        for (const std::string& account : split_list(*accounts)) {
            auto normalized = market::normalize_address(account);
            if (!normalized) throw HttpError(400, "account: '" + account + "' is not 0x + 40 hex digits");
            channels.push_back("account:" + *normalized);
        }
    return channels;
}

// The circuit of a program name: a finance program, else a built-in example circuit (which
// has no input-bound signals).
struct ResolvedProgram {
    circuit::CircuitSpec spec;
    const finance::Program* program = nullptr;
};

std::optional<ResolvedProgram> resolve_program(const std::vector<finance::Program>& extra, const std::string& name)
{
    for (const finance::Program& p : extra)
        if (p.name == name) return ResolvedProgram{finance::circuit_spec(p), &p};
    const finance::Program* program = nullptr;
    try {
        program = finance::finance_programs().find(name);
    } catch (const std::invalid_argument& e) {
        throw HttpError(400, e.what());
    }
    if (program) return ResolvedProgram{finance::circuit_spec(*program), program};
    static const circuit::CircuitRegistry examples = [] {
        circuit::CircuitRegistry r;
        circuit::register_example_circuits(r);
        return r;
    }();
    if (const circuit::CircuitSpec* spec = examples.find(name)) return ResolvedProgram{*spec, nullptr};
    return std::nullopt;
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw HttpError(500, "cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

uint64_t parse_id(std::string_view text, const char* what)
{
    uint64_t v = 0;
    if (text.empty() || text.size() > 19) throw HttpError(400, std::string(what) + " must be a decimal integer");
    for (char c : text) {
        if (c < '0' || c > '9') throw HttpError(400, std::string(what) + " must be a decimal integer");
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v;
}

}  // namespace

nlohmann::json open_request_json(const market::OpenRequest& r)
{
    return {{"request_id", r.id},
            {"priority", market::to_string(r.priority)},
            {"action", market::to_string(r.action)},
            {"price", std::to_string(r.price)},
            {"collateral", std::to_string(r.collateral)},
            {"bounty", std::to_string(r.bounty)},
            {"deadline_ms", r.deadline}};
}

void Service::start()
{
    if (started_) throw std::logic_error("Service::start called twice");
    started_ = true;
    verifier_ = std::make_unique<BatchVerifier>(config_.verify_batch, config_.verify_window, config_.verify_threads);

    HttpServerConfig http;
    http.host = config_.host;
    http.port = config_.port;
    http.threads = config_.threads;
    // The server has one body limit; the circuit upload needs the large one, every other route
    // checks max_action_bytes itself (413).
    http.max_body_bytes = std::max(config_.max_zkey_bytes, config_.max_action_bytes);
    server_ = std::make_unique<HttpServer>(http);

    auto limited = [this](auto handler) {
        return [this, handler](const Request& request) {
            if (request.body.size() > config_.max_action_bytes)
                throw HttpError(413, "body of " + std::to_string(request.body.size()) +
                                         " bytes is larger than the limit of " +
                                         std::to_string(config_.max_action_bytes) + " bytes");
            return (this->*handler)(request);
        };
    };
    server_->route("POST", "/v1/actions", [this](const Request& r) { return handle_action(r); });
    server_->route("GET", "/v1/info", limited(&Service::handle_info));
    server_->route("GET", "/v1/open", limited(&Service::handle_get_open));
    server_->route("GET", "/v1/circuits", limited(&Service::handle_get_circuits));
    server_->route_prefix("GET", "/v1/circuits/", limited(&Service::handle_get_circuit));
    server_->route_prefix("PUT", "/v1/circuits/", [this](const Request& r) { return handle_put_circuit(r); });
    server_->route_prefix("GET", "/v1/requests/", limited(&Service::handle_get_request));
    server_->route_prefix("GET", "/v1/accounts/", limited(&Service::handle_get_account));

    WebSocketRoute stream;
    stream.accept = [](const Request& r) -> std::optional<Response> {
        try {
            stream_channels(r);
            return std::nullopt;
        } catch (const HttpError& e) {
            return Response::json({{"error", e.what()}}, e.status());
        }
    };
    stream.on_open = [this](WebSocketConnection& c) {
        nlohmann::json open = {{"type", "open"}, {"requests", nlohmann::json::array()}};
        nlohmann::json hello;
        {
            // Subscribing under the writer lock orders the hello and the open view before any
            // event committed after them.
            std::lock_guard lock(mutex_);
            const uint64_t now = now_locked();
            hello = {{"type", "hello"}, {"time_ms", now}, {"domain", config_.domain}, {"seq", event_seq_}};
            open["time_ms"] = now;
            for (const market::OpenRequest& r : market_->open_requests(now, {}, config_.open_view_limit))
                open["requests"].push_back(open_request_json(r));
            c.send(hello);
            c.send(open);
            // The periodic open view goes to unfiltered connections and to those that ask for
            // it (open=1): a filtered subscriber asked for specific events, and 100 provers
            // each receiving 100 lines every second is a burst every request then waits behind.
            const std::vector<std::string> channels = stream_channels(c.upgrade_request());
            if (channels == std::vector<std::string>{"events"} || c.upgrade_request().query_param("open") == "1")
                c.subscribe("open");
            for (const std::string& channel : channels) c.subscribe(channel);
        }
    };
    stream.on_message = [](WebSocketConnection& c, const nlohmann::json& message) {
        if (message.is_object() && message.value("type", "") == "ping")
            c.send({{"type", "pong"}});
        else
            c.send({{"type", "error"}, {"error", "unknown message (expected {\"type\": \"ping\"})"}});
    };
    server_->websocket("/v1/stream", std::move(stream));
    server_->start();
    ticker_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "pn-tick");
        tick_loop();
    });
    snapshot_thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "pn-snapshot");
        snapshot_loop();
    });
}

uint16_t Service::port() const { return server_ ? server_->port() : 0; }

Response Service::handle_info(const Request&)
{
    const auto [proofs, batches] = verifier_stats();  // one consistent reading
    // The database and its write-ahead log on disk (0 when absent): the WAL grows when
    // checkpoints fall behind the writer, up to the bound at which a commit checkpoints itself.
    auto bytes_of = [](const std::filesystem::path& path) {
        std::error_code ec;
        const auto n = std::filesystem::file_size(path, ec);
        return ec ? uint64_t{0} : static_cast<uint64_t>(n);
    };
    const nlohmann::json storage = {{"db_bytes", bytes_of(db_path_)},
                                    {"wal_bytes", bytes_of(db_path_ + "-wal")},
                                    {"snapshot_seq", written_snapshot_seq_.load()}};
    std::lock_guard lock(mutex_);
    nlohmann::json out = {{"domain", config_.domain},
                          {"operator", config_.operator_address},
                          {"settlement", std::string(settlement_->kind())},
                          {"time_ms", now_locked()},
                          {"seq", seq_},
                          {"event_seq", event_seq_},
                          {"max_expiry_ahead_ms", config_.max_expiry_ahead_ms},
                          {"verifier", {{"proofs", proofs}, {"batches", batches}}},
                          {"storage", storage},
                          {"config", market::to_json(config_.market)}};
    if (chain_) out["evm"] = chain_info_locked();
    return Response::json(out);
}

Response Service::handle_get_open(const Request& request)
{
    std::string prover;
    if (auto p = request.query_param("prover")) {
        auto normalized = market::normalize_address(*p);
        if (!normalized) throw HttpError(400, "prover: '" + *p + "' is not 0x + 40 hex digits");
        prover = *normalized;
    }
    size_t limit = 100;
    if (auto l = request.query_param("limit")) limit = std::min<uint64_t>(parse_id(*l, "limit"), 10'000);
    std::lock_guard lock(mutex_);
    const uint64_t now = now_locked();
    nlohmann::json lines = nlohmann::json::array();
    for (const market::OpenRequest& r : market_->open_requests(now, prover, limit)) lines.push_back(open_request_json(r));
    return Response::json({{"time_ms", now}, {"requests", lines}});
}

Response Service::handle_get_request(const Request& request)
{
    std::string_view suffix = request.route_suffix;
    bool want_proof = false;
    if (suffix.size() > 6 && suffix.substr(suffix.size() - 6) == "/proof") {
        want_proof = true;
        suffix.remove_suffix(6);
    }
    uint64_t id = 0;
    std::unique_lock lock(mutex_, std::defer_lock);
    if (suffix.rfind("chain/", 0) == 0) {
        // GET /v1/requests/chain/<decimal on-chain id>: the same view, found by its chain id.
        const std::string_view chain_text = suffix.substr(6);
        const auto chain_id = math::U256::from_decimal(chain_text);
        if (!chain_id) throw HttpError(400, "chain request id: '" + std::string(chain_text) + "' is not a decimal number");
        lock.lock();
        if (!chain_) throw HttpError(404, "this coordinator settles on its embedded ledger: there are no chain ids");
        auto found = request_for_chain_id(chain_id->to_decimal());
        if (!found) throw HttpError(404, "chain request " + chain_id->to_decimal() + " is not indexed (yet)");
        id = *found;
    } else {
        id = parse_id(suffix, "request id");
        lock.lock();
    }
    if (want_proof) {
        auto row = db_->query_row<std::string, std::string, std::string>(
            "SELECT prover, proof, public_signals FROM proofs WHERE request_id = ?1", id);
        if (!row) throw HttpError(404, "request " + std::to_string(id) + " has no proof (not fulfilled, or unknown)");
        auto& [prover, proof, signals] = *row;
        return Response::json({{"request_id", id},
                               {"prover", prover},
                               {"proof", nlohmann::json::parse(proof)},
                               {"public_signals", nlohmann::json::parse(signals)}});
    }
    const market::Request* r = market_->request(id);
    if (!r) throw HttpError(404, "request " + std::to_string(id) + " does not exist (or was pruned)");
    nlohmann::json out = market::to_json(*r);
    out["state"] = market::to_string(r->status);
    if (r->spec.inputs.rfind("sha256:", 0) == 0)
        if (auto body = db_->query_value<std::string>("SELECT body FROM inputs WHERE sha256 = ?1", r->spec.inputs.substr(7)))
            out["inputs"] = nlohmann::json::parse(*body);
    add_chain_view_locked(id, out);
    return Response::json(out);
}

Response Service::handle_get_account(const Request& request)
{
    auto address = market::normalize_address(request.route_suffix);
    if (!address) throw HttpError(400, "account: '" + request.route_suffix + "' is not 0x + 40 hex digits");
    std::lock_guard lock(mutex_);
    nlohmann::json out = {{"address", *address}};
    const market::Account* a = market_->account(*address);
    out["account"] = a ? market::to_json(*a) : market::to_json(market::Account{});
    if (const market::Prover* p = market_->prover(*address)) out["prover"] = market::to_json(*p);
    const settlement::LedgerTotals t = settlement_->totals(*address);
    out["ledger"] = {{"deposited", std::to_string(t.deposited)}, {"withdrawn", std::to_string(t.withdrawn)},
                     {"earned", std::to_string(t.earned)},       {"fees", std::to_string(t.fees)},
                     {"slashed", std::to_string(t.slashed)},     {"refunded", std::to_string(t.refunded)}};
    auto it = nonces_.find(*address);
    out["last_nonce"] = it == nonces_.end() ? 0 : it->second;
    return Response::json(out);
}

// --- Circuits ------------------------------------------------------------------------------

std::shared_ptr<const Service::Circuit> Service::find_circuit(const std::string& identity) const
{
    std::lock_guard lock(mutex_);
    auto it = circuits_.find(identity);
    return it == circuits_.end() ? nullptr : it->second;
}

void Service::load_circuits()
{
    Statement stmt =
        db_->prepare("SELECT identity, program, constraints, n_public, zkey_bytes, vk, binds_prover FROM circuits");
    while (stmt.step()) {
        auto c = std::make_shared<Circuit>();
        c->identity = stmt.column<std::string>(0);
        c->program = stmt.column<std::string>(1);
        c->constraints = stmt.column<uint64_t>(2);
        c->n_public = static_cast<uint32_t>(stmt.column<uint64_t>(3));
        c->zkey_bytes = stmt.column<uint64_t>(4);
        c->vk = std::make_shared<snark::PreparedVerificationKey>(
            snark::parse_verification_key_json(stmt.column<std::string>(5), "stored vk of " + c->identity));
        c->binds_prover = stmt.column<uint64_t>(6) != 0;
        if (auto resolved = resolve_program(config_.programs, c->program)) c->finance_program = resolved->program;
        circuits_[c->identity] = std::move(c);
    }
}

Response Service::handle_put_circuit(const Request& request)
{
    const std::string name = request.route_suffix;
    if (name.empty() || name.find('/') != std::string::npos)
        throw HttpError(400, "PUT /v1/circuits/<program>: program name missing");
    if (request.body.size() > config_.max_zkey_bytes)
        throw HttpError(413, "zkey of " + std::to_string(request.body.size()) + " bytes is larger than the limit");
    auto resolved = resolve_program(config_.programs, name);
    if (!resolved) throw HttpError(404, "unknown program \"" + name + "\" (see `provernet programs`)");

    namespace fs = std::filesystem;
    static std::atomic<uint64_t> upload_counter{0};
    const fs::path dir = fs::path(config_.data_dir) / "circuits";
    const fs::path tmp = dir / ("upload-" + std::to_string(::getpid()) + "-" + std::to_string(upload_counter++) + ".tmp");
    struct Cleanup {
        fs::path path;
        ~Cleanup() { std::error_code ec; fs::remove(path, ec); }
    } cleanup{tmp};
    {
        std::ofstream out(tmp, std::ios::binary);
        out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
        if (!out) throw HttpError(500, "cannot write " + tmp.string());
    }
    snark::ZKey zkey;
    try {
        zkey = snark::read_zkey(tmp.string());
    } catch (const std::exception& e) {
        throw HttpError(400, "zkey for " + name + ": " + e.what());
    }
    const circuit::Builder builder = circuit::build_constraint_system(resolved->spec);
    const snark::R1cs r1cs = builder.r1cs();
    if (zkey.header.n_vars != r1cs.header.n_wires || zkey.header.n_public != r1cs.header.n_public())
        throw HttpError(400, "zkey for " + name + " does not fit its circuit: the key has " +
                                 std::to_string(zkey.header.n_vars) + " wires and " +
                                 std::to_string(zkey.header.n_public) + " public signals, the circuit " +
                                 std::to_string(r1cs.header.n_wires) + " and " +
                                 std::to_string(r1cs.header.n_public()));
    auto c = std::make_shared<Circuit>();
    // Checked and prepared once here (PreparedVerificationKey's constructor): verification
    // skips the key's subgroup checks and its fixed pairing work (verifier.cpp).
    std::shared_ptr<const snark::PreparedVerificationKey> vk;
    try {
        vk = std::make_shared<const snark::PreparedVerificationKey>(snark::verification_key_from_zkey(zkey));
    } catch (const snark::VerifyError& e) {
        throw HttpError(400, "zkey for " + name + ": " + e.what());
    }
    c->identity = snark::circuit_identity(vk->key);
    c->program = name;
    c->constraints = builder.constraint_count();
    c->n_public = zkey.header.n_public;
    c->zkey_bytes = request.body.size();
    c->vk = vk;
    c->finance_program = resolved->program;
    const std::vector<std::string> public_names = builder.public_names();
    c->binds_prover = !public_names.empty() && public_names.back() == finance::prover_input;

    std::lock_guard lock(mutex_);
    if (auto it = circuits_.find(c->identity); it != circuits_.end()) {
        if (it->second->program != name)
            throw HttpError(409, "this key is already registered for program " + it->second->program);
    } else {
        const fs::path final_path = dir / (c->identity + ".zkey");
        fs::rename(tmp, final_path);
        try {
            db_->run("INSERT INTO circuits(identity, program, constraints, n_public, zkey_bytes, vk, binds_prover) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     c->identity, name, c->constraints, uint64_t{c->n_public}, c->zkey_bytes,
                     snark::verification_key_to_json(vk->key), uint64_t{c->binds_prover ? 1u : 0u});
        } catch (...) {
            std::error_code ec;
            fs::remove(final_path, ec);
            throw;
        }
        circuits_[c->identity] = c;
    }
    return Response::json(
        {{"ok", true}, {"circuit", c->identity}, {"program", name}, {"constraints", c->constraints},
         {"n_public", c->n_public}});
}

Response Service::handle_get_circuits(const Request&)
{
    std::lock_guard lock(mutex_);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [id, c] : circuits_)
        out.push_back({{"circuit", id}, {"program", c->program}, {"constraints", c->constraints},
                       {"n_public", c->n_public}, {"zkey_bytes", c->zkey_bytes}});
    return Response::json(out);
}

Response Service::handle_get_circuit(const Request& request)
{
    const std::string& suffix = request.route_suffix;
    const size_t slash = suffix.find('/');
    const std::string what = slash == std::string::npos ? "" : suffix.substr(slash + 1);
    auto id = market::normalize_circuit_id(suffix.substr(0, slash));
    if (!id) throw HttpError(400, "circuit identity '" + suffix.substr(0, slash) + "' is not hex");
    auto c = find_circuit(*id);
    if (!c) throw HttpError(404, "unknown circuit " + *id);
    if (what == "vk") return Response::text(snark::verification_key_to_json(c->vk->key), 200, "application/json");
    if (what == "zkey") {
        const std::string path = (std::filesystem::path(config_.data_dir) / "circuits" / (*id + ".zkey")).string();
        return Response::text(read_file(path), 200, "application/octet-stream");
    }
    if (what.empty())
        return Response::json({{"circuit", *id}, {"program", c->program}, {"constraints", c->constraints},
                               {"n_public", c->n_public}, {"zkey_bytes", c->zkey_bytes}});
    throw HttpError(404, "unknown circuit resource '" + what + "' (expected vk or zkey)");
}

}  // namespace provernet::coordinator
