// The service's state: opening the data dir, replaying the log, the single-writer commit path
// and the tick thread. Handlers are in service_actions.cpp and service_http.cpp.
#include "coordinator/service.hpp"

#include "coordinator/sqlite_ledger.hpp"
#include "coordinator/verifier.hpp"
#include "settlement/embedded_settlement.hpp"
#include "settlement/evm_settlement.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace provernet::coordinator {

namespace {

constexpr std::string_view schema_v1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE commands(seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, command TEXT NOT NULL,
                      signer TEXT NOT NULL, nonce INTEGER NOT NULL);
CREATE TABLE snapshots(seq INTEGER PRIMARY KEY, event_seq INTEGER NOT NULL, market TEXT NOT NULL);
CREATE TABLE nonces(signer TEXT PRIMARY KEY, nonce INTEGER NOT NULL);
CREATE TABLE inputs(sha256 TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE requests(id INTEGER PRIMARY KEY, requester TEXT NOT NULL, circuit TEXT NOT NULL,
                      inputs_sha256 TEXT NOT NULL, bound TEXT NOT NULL, max_price INTEGER NOT NULL,
                      seq INTEGER NOT NULL);
CREATE TABLE proofs(request_id INTEGER PRIMARY KEY, prover TEXT NOT NULL, proof TEXT NOT NULL,
                    public_signals TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE circuits(identity TEXT PRIMARY KEY, program TEXT NOT NULL, constraints INTEGER NOT NULL,
                      n_public INTEGER NOT NULL, zkey_bytes INTEGER NOT NULL, vk TEXT NOT NULL);
CREATE TABLE settlements(id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, time_ms INTEGER NOT NULL,
                         kind TEXT NOT NULL, request_id INTEGER NOT NULL, account TEXT NOT NULL,
                         amount INTEGER NOT NULL);
CREATE INDEX settlements_account ON settlements(account, kind);
CREATE INDEX settlements_request ON settlements(request_id, kind);
)sql";

// Circuits whose last public signal is the paid prover's address (finance programs).
constexpr std::string_view schema_v2 = R"sql(
ALTER TABLE circuits ADD COLUMN binds_prover INTEGER NOT NULL DEFAULT 0;
)sql";

}  // namespace

int status_for(market::ErrorCode code)
{
    using market::ErrorCode;
    switch (code) {
    case ErrorCode::invalid_command:
    case ErrorCode::invalid_address:
    case ErrorCode::invalid_amount:
    case ErrorCode::invalid_request:
    case ErrorCode::overflow:
        return 400;
    case ErrorCode::unknown_request:
        return 404;
    case ErrorCode::not_requester:
        return 403;
    default:
        return 409;
    }
}

Service::Service(ServiceConfig config) : config_(std::move(config))
{
    if (config_.data_dir.empty()) throw std::runtime_error("coordinator: --data-dir is required");
    std::filesystem::create_directories(std::filesystem::path(config_.data_dir) / "circuits");
    if (!config_.operator_address.empty()) {
        auto op = market::normalize_address(config_.operator_address);
        if (!op) throw std::runtime_error("coordinator: operator address '" + config_.operator_address +
                                          "' is not 0x + 40 hex digits");
        config_.operator_address = *op;
    }
    config_.market = market::validated(config_.market);

    DatabaseOptions options;
    options.full_sync = config_.full_sync;
    // Checkpoints run in the tick thread on a connection of their own (checkpoint_db_), not
    // inside the commit that crossed the WAL's threshold, whose fsync made the latency tail. A
    // commit still checkpoints at 16,384 pages (64 MiB at 4 KiB), should the passive checkpoints
    // fall behind a sustained load.
    options.wal_autocheckpoint_pages = 16'384;
    db_path_ = (std::filesystem::path(config_.data_dir) / "coordinator.db").string();
    db_ = std::make_unique<Database>(db_path_, options);
    db_->migrate({schema_v1, schema_v2});
    checkpoint_db_ = std::make_unique<Database>(db_path_, DatabaseOptions{});
    snapshot_db_ = std::make_unique<Database>(db_path_, DatabaseOptions{});

    // The market configuration is fixed when the data dir is created: replaying the log under
    // another configuration would give other outcomes.
    const std::string config_text = market::to_json(config_.market).dump();
    auto stored = db_->query_value<std::string>("SELECT value FROM meta WHERE key = 'market_config'");
    if (!stored) {
        db_->run("INSERT INTO meta(key, value) VALUES ('market_config', ?1)", config_text);
    } else if (*stored != config_text) {
        throw std::runtime_error("coordinator: the data dir " + config_.data_dir +
                                 " was created with another market configuration: " + *stored +
                                 " (given: " + config_text + ")");
    }

    // The settlement is fixed with the data dir too: a log of chain events does not replay as
    // an embedded ledger, nor the reverse.
    const std::string kind = config_.evm ? "evm" : "embedded";
    auto stored_kind = db_->query_value<std::string>("SELECT value FROM meta WHERE key = 'settlement'");
    if (!stored_kind) {
        db_->run("INSERT INTO meta(key, value) VALUES ('settlement', ?1)", kind);
    } else if (*stored_kind != kind) {
        throw std::runtime_error("coordinator: the data dir " + config_.data_dir + " was created with settlement " +
                                 *stored_kind + ", not " + kind);
    }
    ledger_store_ = std::make_unique<SqliteLedger>(*db_);
    if (config_.evm)
        settlement_ = std::make_unique<settlement::EvmSettlement>(*ledger_store_, config_.market.fee_account);
    else
        settlement_ = std::make_unique<settlement::EmbeddedSettlement>(*ledger_store_, config_.market.fee_account);

    {
        Statement stmt = db_->prepare("SELECT signer, nonce FROM nonces");
        while (stmt.step()) nonces_[stmt.column<std::string>(0)] = stmt.column<uint64_t>(1);
    }
    load_circuits();
    rebuild_market();
    if (config_.evm) open_chain();
}

Service::~Service() { stop(); }

uint64_t Service::wall_ms() const
{
    if (config_.clock) return config_.clock();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

uint64_t Service::now_locked() const { return std::max(wall_ms(), market_->clock()); }

void Service::rebuild_market()
{
    auto market = std::make_unique<market::Market>(config_.market);
    uint64_t seq = 0, event_seq = 0;
    if (auto snap = db_->query_row<uint64_t, uint64_t, std::string>(
            "SELECT seq, event_seq, market FROM snapshots ORDER BY seq DESC LIMIT 1")) {
        auto& [snap_seq, snap_events, text] = *snap;
        market = std::make_unique<market::Market>(market::Market::from_json(nlohmann::json::parse(text)));
        seq = snap_seq;
        event_seq = snap_events;
    }
    snapshot_seq_ = seq;
    written_snapshot_seq_ = std::max(written_snapshot_seq_.load(), seq);
    Statement stmt = db_->prepare("SELECT seq, time_ms, command FROM commands WHERE seq > ?1 ORDER BY seq");
    stmt.bind(1, seq);
    while (stmt.step()) {
        const uint64_t row_seq = stmt.column<uint64_t>(0);
        const uint64_t time = stmt.column<uint64_t>(1);
        const market::Command command = market::command_from_json(nlohmann::json::parse(stmt.column<std::string>(2)));
        const market::Outcome outcome = market->apply(command, time);
        if (!outcome.ok())
            throw std::runtime_error("coordinator: command log entry " + std::to_string(row_seq) +
                                     " does not replay: " + outcome.error->message);
        if (row_seq != seq + 1)
            throw std::runtime_error("coordinator: command log has a gap before entry " + std::to_string(row_seq));
        seq = row_seq;
        event_seq += outcome.events.size();
    }
    market_ = std::move(market);
    seq_ = seq;
    event_seq_ = event_seq;
    open_dirty_ = true;
}

void Service::check_nonce_locked(const std::string& signer, uint64_t nonce) const
{
    auto it = nonces_.find(signer);
    if (it != nonces_.end() && nonce <= it->second)
        throw HttpError(409, "stale nonce: " + std::to_string(nonce) + " is not above the last accepted nonce " +
                                 std::to_string(it->second) + " of " + signer);
}

Service::Committed Service::apply_and_commit(const market::Command& command, const std::string& signer,
                                             uint64_t nonce, const ExtraWrites& extra)
{
    std::lock_guard lock(mutex_);
    return apply_locked(command, signer, nonce, extra);
}

Service::Committed Service::apply_locked(const market::Command& command, const std::string& signer,
                                         uint64_t nonce, const ExtraWrites& extra, std::optional<uint64_t> at)
{
    if (!signer.empty()) check_nonce_locked(signer, nonce);
    const uint64_t now = at ? std::max(*at, market_->clock()) : now_locked();
    market::Outcome outcome = market_->apply(command, now);
    if (!outcome.ok()) throw HttpError(status_for(outcome.error->code), outcome.error->message);

    const uint64_t seq = seq_ + 1;
    try {
        db_->transaction([&] {
            write_command_locked(seq, now, command, signer, nonce, extra, outcome);
            write_nonce_locked(signer, nonce);
        });
    } catch (const std::exception& e) {
        // The market already applied the command: put it back to what is committed.
        rebuild_market();
        throw HttpError(500, std::string("could not commit: ") + e.what());
    }
    seq_ = seq;
    schedule_snapshot_if_due_locked(seq, event_seq_ + outcome.events.size());
    if (!signer.empty()) nonces_[signer] = nonce;
    const uint64_t first_event = event_seq_ + 1;
    event_seq_ += outcome.events.size();
    broadcast_events_locked(first_event, outcome.events);
    if (!outcome.events.empty()) open_dirty_ = true;
    return {seq, std::move(outcome)};
}

void Service::write_command_locked(uint64_t seq, uint64_t now, const market::Command& command,
                                   const std::string& signer, uint64_t nonce, const ExtraWrites& extra,
                                   const market::Outcome& outcome)
{
    db_->run("INSERT INTO commands(seq, time_ms, command, signer, nonce) VALUES (?1, ?2, ?3, ?4, ?5)", seq, now,
             market::to_json(command).dump(), signer, nonce);
    if (extra) extra(seq, outcome);
    settlement_->settle(seq, now, outcome.events);
}

void Service::write_nonce_locked(const std::string& signer, uint64_t nonce)
{
    if (signer.empty()) return;
    db_->run("INSERT INTO nonces(signer, nonce) VALUES (?1, ?2) ON CONFLICT(signer) DO UPDATE SET nonce = excluded.nonce",
             signer, nonce);
}

bool Service::snapshot_due_locked(uint64_t seq) const
{
    // A snapshot costs the size of the market (open and retained closed requests): taken every
    // max(snapshot_every, that size) commands, its cost per command stays bounded however large
    // the market grows, and so does the replay after a restart.
    if (config_.snapshot_every == 0) return false;
    return seq - snapshot_seq_ >= std::max<uint64_t>(config_.snapshot_every, market_->requests().size());
}

void Service::schedule_snapshot_if_due_locked(uint64_t seq, uint64_t event_seq)
{
    if (!snapshot_due_locked(seq)) return;
    {
        std::lock_guard lock(snapshot_mutex_);
        // One at a time: while one is being written, a due snapshot waits for the next command.
        if (snapshot_in_flight_ || snapshot_stopping_) return;
        snapshot_in_flight_ = true;
    }
    auto image = std::make_shared<const market::Market::Image>(market_->image());
    snapshot_seq_ = seq;
    {
        std::lock_guard lock(snapshot_mutex_);
        pending_snapshot_ = PendingSnapshot{seq, event_seq, std::move(image)};
    }
    snapshot_cv_.notify_one();
}

void Service::snapshot_loop()
{
    for (;;) {
        PendingSnapshot job;
        {
            std::unique_lock lock(snapshot_mutex_);
            snapshot_cv_.wait(lock, [&] { return snapshot_stopping_ || pending_snapshot_.has_value(); });
            if (snapshot_stopping_) return;  // one not yet written is dropped: the log covers it
            job = std::move(*pending_snapshot_);
            pending_snapshot_.reset();
        }
        try {
            const std::string text = job.market->to_json().dump();
            job.market.reset();
            snapshot_db_->transaction([&] {
                snapshot_db_->run("INSERT OR REPLACE INTO snapshots(seq, event_seq, market) VALUES (?1, ?2, ?3)",
                                  job.seq, job.event_seq, text);
                // Keep the two newest (one is enough to restart; two survive a bug in one).
                snapshot_db_->run(
                    "DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 2)");
            });
            written_snapshot_seq_ = std::max(written_snapshot_seq_.load(), job.seq);
        } catch (const std::exception& e) {
            // Nothing is lost: a restart replays the log from the previous snapshot.
            std::fprintf(stderr, "coordinator: the snapshot at command %llu was not written: %s\n",
                         static_cast<unsigned long long>(job.seq), e.what());
        }
        std::lock_guard lock(snapshot_mutex_);
        snapshot_in_flight_ = false;
    }
}

void Service::broadcast_events_locked(uint64_t first_event_seq, const std::vector<market::Event>& events)
{
    if (!server_) return;
    uint64_t seq = first_event_seq;
    // Consecutive events for the same channels (a batch's submissions, say) leave as one queued
    // text per subscriber.
    std::vector<std::string> run_channels;
    std::vector<nlohmann::json> run;
    auto flush = [&] {
        if (!run.empty()) server_->broadcast(run_channels, run);
        run.clear();
    };
    for (const market::Event& e : events) {
        // Channels (docs/protocol.md, "Stream"): every event, its type, and each account it
        // names; a connection subscribed to several of them gets the event once.
        nlohmann::json event = market::to_json(e);
        std::vector<std::string> channels = {"events", "event:" + std::string(market::event_name(e))};
        for (const char* field : {"account", "requester", "prover", "bounty_to"}) {
            auto it = event.find(field);
            if (it != event.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
                channels.push_back("account:" + it->get<std::string>());
        }
        if (channels != run_channels) {
            flush();
            run_channels = std::move(channels);
        }
        run.push_back({{"type", "event"}, {"seq", seq++}, {"event", std::move(event)}});
    }
    flush();
}

void Service::tick_once()
{
    std::lock_guard lock(mutex_);
    for (const market::Command& deposit : settlement_->poll_deposits()) {
        try {
            apply_locked(deposit, "", 0, {});
        } catch (const std::exception&) {
            // A deposit the market refuses (e.g. an overflow) is dropped; the settlement
            // layer reports it.
        }
    }
    // A tick with neither events nor pruned requests changes only the clock, which the next
    // logged command overwrites with a time at least as late: skipping it in the log replays
    // to the same state. A tick that pruned requests is logged (pruning has no event but
    // changes what a later command sees, e.g. a reused idempotency key).
    const uint64_t now = now_locked();
    const size_t requests_before = market_->requests().size();
    market::Outcome outcome = market_->apply(market::Tick{}, now);
    if (!outcome.ok()) return;
    if (outcome.events.empty() && market_->requests().size() == requests_before) return;
    const uint64_t seq = seq_ + 1;
    try {
        db_->transaction([&] {
            db_->run("INSERT INTO commands(seq, time_ms, command, signer, nonce) VALUES (?1, ?2, ?3, '', 0)", seq, now,
                     market::to_json(market::Command{market::Tick{}}).dump());
            settlement_->settle(seq, now, outcome.events);
        });
    } catch (const std::exception&) {
        rebuild_market();
        return;
    }
    seq_ = seq;
    const uint64_t first_event = event_seq_ + 1;
    event_seq_ += outcome.events.size();
    broadcast_events_locked(first_event, outcome.events);
    open_dirty_ = true;
}

void Service::tick_loop()
{
    std::unique_lock lock(tick_mutex_);
    auto last_open = std::chrono::steady_clock::now() - config_.open_view_interval;
    auto last_checkpoint = std::chrono::steady_clock::now();
    while (!stopping_) {
        tick_cv_.wait_for(lock, config_.tick_interval, [&] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        try {
            // Under EVM settlement time is the chain's: the market moves only with blocks.
            if (chain_) follow_chain_once();
            else tick_once();
            nlohmann::json open;
            {
                std::lock_guard state(mutex_);
                const auto now = std::chrono::steady_clock::now();
                if (open_dirty_ && server_ && now - last_open >= config_.open_view_interval &&
                    server_->subscriber_count("open") > 0) {
                    open_dirty_ = false;
                    last_open = now;
                    open = {{"type", "open"}, {"time_ms", now_locked()}, {"requests", nlohmann::json::array()}};
                    for (const market::OpenRequest& r :
                         market_->open_requests(now_locked(), {}, config_.open_view_limit))
                        open["requests"].push_back(open_request_json(r));
                }
            }
            if (!open.is_null()) server_->broadcast("open", open);
            if (const auto now = std::chrono::steady_clock::now(); now - last_checkpoint >= config_.checkpoint_interval) {
                last_checkpoint = now;
                checkpoint_db_->checkpoint_passive();  // outside mutex_: commits go on meanwhile
            }
        } catch (const std::exception&) {
            // Keep ticking: a failed tick changed nothing (rebuild_market restored the state).
        }
        lock.lock();
    }
}

void Service::stop()
{
    {
        std::lock_guard lock(tick_mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    tick_cv_.notify_all();
    if (ticker_.joinable()) ticker_.join();
    {
        std::lock_guard lock(snapshot_mutex_);
        snapshot_stopping_ = true;
    }
    snapshot_cv_.notify_all();
    if (snapshot_thread_.joinable()) snapshot_thread_.join();  // after a snapshot being written
    if (server_) server_->stop();
    verifier_.reset();
}

nlohmann::json Service::market_snapshot() const
{
    std::lock_guard lock(mutex_);
    return market_->to_json();
}

uint64_t Service::command_count() const
{
    std::lock_guard lock(mutex_);
    return seq_;
}

uint64_t Service::event_seq() const
{
    std::lock_guard lock(mutex_);
    return event_seq_;
}

settlement::LedgerTotals Service::ledger_totals(const std::string& account)
{
    std::lock_guard lock(mutex_);
    return settlement_->totals(market::normalize_address(account).value_or(account));
}

std::pair<uint64_t, uint64_t> Service::verifier_stats() const
{
    if (!verifier_) return {0, 0};
    const BatchVerifier::Stats s = verifier_->stats();
    return {s.proofs, s.batches};
}

LedgerAudit Service::audit()
{
    std::lock_guard lock(mutex_);
    LedgerAudit a;
    a.commands = seq_;
    a.requests_paid_twice =
        db_->query_value<uint64_t>("SELECT COUNT(*) FROM (SELECT request_id FROM settlements WHERE kind = 'payment' "
                                   "GROUP BY request_id HAVING COUNT(*) > 1)")
            .value_or(0);
    a.requests_overpaid =
        db_->query_value<uint64_t>(
               "SELECT COUNT(*) FROM (SELECT s.request_id, SUM(s.amount) AS paid, r.max_price FROM settlements s "
               "JOIN requests r ON r.id = s.request_id WHERE s.kind IN ('payment', 'fee') GROUP BY s.request_id "
               "HAVING paid > r.max_price)")
            .value_or(0);
    return a;
}

}  // namespace provernet::coordinator
