// settlement = evm: the coordinator follows the market contract's logs into its market and acts
// as keeper (docs/contracts.md, "The coordinator on an EVM").
//
// Indexing. Logs are read in bounded block ranges and applied in chain order, each as the market
// command it records, at the block's time (seconds * 1000): Deposited -> deposit, Staked ->
// stake, RequestSubmitted -> submit_request (terms read with requestOf at that block), Locked ->
// lock, Fulfilled -> fulfill (valid: the contract verified it), Cancelled -> cancel,
// RequestExpired -> tick (the market expires and slashes what is due, as the contract did).
// Slashes and pauses are consequences the market derives itself. Each command is committed with
// the position of its log (block, log index, item of a batch log), so a restart resumes after the
// last applied log and applies none twice. A command the market refuses is a divergence between
// the mirror and the chain: counted, reported in /v1/info, never silently "fixed".
//
// Keeping. Requests past their final deadline stay locked on chain until somebody calls
// expire(); the keeper key sends it (one transaction for all due requests, journaled by TxSender
// before broadcast, so a restart resumes a pending one instead of sending another).
#include "coordinator/chain_requests.hpp"
#include "coordinator/client.hpp"
#include "coordinator/service.hpp"
#include "coordinator/sha256.hpp"

#include "settlement/abi.hpp"
#include "settlement/hex.hpp"
#include "settlement/keys.hpp"
#include "settlement/market_contract.hpp"
#include "settlement/tx_sender.hpp"


#include <cstdio>
#include <filesystem>
#include <set>
#include <tuple>

namespace provernet::coordinator {

using settlement::MarketEvent;
using settlement::U256;
namespace me = settlement::market_event;

// One decoded event of the market contract with where and when it happened.
struct ChainLog {
    uint64_t block = 0, log_index = 0, item = 0;  // item: position within a BatchFulfilled log
    uint64_t time_ms = 0;
    MarketEvent event;
    std::optional<settlement::MarketRequest> terms;  // RequestSubmitted: requestOf at the block
    // RequestFulfilled: the proof and public signals (prover address appended) from the
    // fulfilling transaction's call data, as snarkjs JSON; empty if it was not a direct call.
    std::string proof_json, signals_json;
};

namespace {

struct Position {
    uint64_t block = 0, log = 0, item = 0;
    auto operator<=>(const Position&) const = default;
};

std::optional<uint64_t> u64_of(const U256& v)
{
    if (v.bit_length() > 64) return std::nullopt;
    return v.limb[0];
}

std::string lower(const settlement::Address& a) { return a.to_lower_string(); }

// The proof of request `id` in a fulfill or fulfillBatch call (nothing for other calls, e.g.
// through another contract): proof.json and public.json text, with the prover's address
// appended to the signals as the contract did.
std::pair<std::string, std::string> proof_from_call(settlement::BytesView input, const U256& id,
                                                    const settlement::Address& prover)
{
    namespace abi = settlement::abi;
    static const auto single = abi::selector("fulfill(uint256,uint256[8],uint256[],uint32[])");
    static const auto batch = abi::selector("fulfillBatch(bytes32,uint32[],uint256[],uint256[],uint256[])");
    if (input.size() < 4) return {};
    const settlement::BytesView args = input.subspan(4);
    std::vector<U256> words, signals;
    if (std::equal(single.begin(), single.end(), input.begin())) {
        const auto v = abi::decode("uint256,uint256[8],uint256[],uint32[]", args);
        if (v[0].as_uint() != id) return {};
        for (const auto& w : v[1].as_list()) words.push_back(w.as_uint());
        for (const auto& w : v[2].as_list()) signals.push_back(w.as_uint());
    } else if (std::equal(batch.begin(), batch.end(), input.begin())) {
        const auto v = abi::decode("bytes32,uint32[],uint256[],uint256[],uint256[]", args);
        const auto& ids = v[2].as_list();
        const auto& proofs = v[3].as_list();
        const auto& all = v[4].as_list();
        if (ids.empty() || all.size() % ids.size() != 0 || proofs.size() != 8 * ids.size()) return {};
        const size_t width = all.size() / ids.size();
        for (size_t i = 0; i < ids.size(); ++i) {
            if (ids[i].as_uint() != id) continue;
            for (size_t k = 0; k < 8; ++k) words.push_back(proofs[8 * i + k].as_uint());
            for (size_t k = 0; k < width; ++k) signals.push_back(all[width * i + k].as_uint());
            break;
        }
        if (words.empty()) return {};
    } else {
        return {};
    }
    signals.push_back(settlement::address_signal(prover));
    const auto fq = [](const U256& w) { return math::Fq::from_u256_reduce(w); };
    snark::Proof proof;
    proof.a = math::G1Affine{fq(words[0]), fq(words[1])};
    proof.b = math::G2Affine{math::Fq2{fq(words[3]), fq(words[2])}, math::Fq2{fq(words[5]), fq(words[4])}};
    proof.c = math::G1Affine{fq(words[6]), fq(words[7])};
    return {snark::proof_to_json(proof), snark::public_to_json(signals)};
}

void log_line(const std::string& text)
{
    std::fprintf(stderr, "coordinator: chain: %s\n", text.c_str());
    std::fflush(stderr);
}

}  // namespace

market::Config market_config_from_contract(const nlohmann::json& c)
{
    try {
        market::Config m;
        const auto fee = market::normalize_address(c.at("fee_account").get<std::string>());
        if (!fee) throw std::runtime_error("fee_account is not an address");
        m.fee_account = *fee;
        m.fee_bps = c.at("fee_bps").get<uint64_t>();
        m.slash_burn_bps = c.at("slash_burn_bps").get<uint64_t>();
        m.withdrawal_delay_ms = c.at("withdrawal_delay_s").get<uint64_t>() * 1000;
        m.max_pending_unstakes = c.at("max_pending_unstakes").get<uint64_t>();
        const auto amount = [&](const char* field) {
            auto v = U256::from_decimal(c.at(field).get<std::string>());
            if (!v || v->bit_length() > 64)
                throw std::runtime_error(std::string(field) + " is not a decimal amount below 2^64 wei");
            return v->limb[0];
        };
        m.min_fulfiller_stake = amount("min_fulfiller_stake");
        m.min_collateral = amount("min_collateral");
        m.invalid_proof_fine = 0;  // the contract reverts invalid proofs (docs/contracts.md)
        m.max_request_lifetime_ms = c.at("max_request_lifetime_s").get<uint64_t>() * 1000;
        m.max_inputs_bytes = c.at("max_inputs_bytes").get<uint64_t>();
        m.max_capacity = c.at("max_capacity").get<uint64_t>();
        m.breaker_failures = c.at("breaker_failures").get<uint64_t>();
        const auto reserve = c.at("reserve_bps").get<std::vector<uint64_t>>();
        if (reserve.size() != m.reserve_bps.size()) throw std::runtime_error("reserve_bps needs 4 values");
        std::copy(reserve.begin(), reserve.end(), m.reserve_bps.begin());
        return market::validated(m);
    } catch (const std::exception& e) {  // json errors name the missing or mistyped field
        throw std::runtime_error(std::string("market contract config: ") + e.what());
    }
}

struct Service::Chain {
    Chain(const EvmSettlementConfig& c)
        : config(c), client(c.rpc_url), contract(client, settlement::Address::parse(c.market, "market address"))
    {
    }
    EvmSettlementConfig config;
    settlement::EthClient client;
    settlement::MarketContract contract;
    uint64_t chain_id = 0;
    std::unique_ptr<settlement::TxSender> keeper;  // the keeper thread (the tick thread) only

    // Guarded by the service's mutex_.
    uint64_t next_block = 0;  // the first block not completely indexed
    std::optional<Position> applied;  // the last log applied as a command (in next_block or before)
    struct Row {
        std::string chain_id;  // decimal
        std::vector<uint32_t> bound_indices;
        bool binding_ok = false;
    };
    std::map<std::string, uint64_t> by_chain;  // decimal chain id -> market request id
    std::map<uint64_t, Row> by_market;
    uint64_t head = 0;
    uint64_t divergences = 0;
    std::string last_error;

    // The tick thread only.
    std::chrono::steady_clock::time_point last_poll{};
    std::vector<settlement::Hash256> keeper_pending;
    std::map<uint64_t, std::chrono::steady_clock::time_point> expire_sent;  // market id -> when
};

constexpr std::string_view chain_schema = R"sql(
CREATE TABLE IF NOT EXISTS chain_requests(chain_id TEXT PRIMARY KEY, request_id INTEGER NOT NULL UNIQUE,
                                          bound_indices TEXT NOT NULL, binding_ok INTEGER NOT NULL);
)sql";

void Service::ChainDeleter::operator()(Chain* c) const { delete c; }

namespace {

// meta 'chain_cursor': the next block to read and the last log applied in it or before.
void write_chain_cursor(Database& db, uint64_t next_block, const std::optional<Position>& applied)
{
    nlohmann::json cursor = {{"next_block", next_block}};
    if (applied) {
        cursor["block"] = applied->block;
        cursor["log"] = applied->log;
        cursor["item"] = applied->item;
    }
    db.run("INSERT INTO meta(key, value) VALUES ('chain_cursor', ?1) "
           "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
           cursor.dump());
}

}  // namespace

void Service::open_chain()
{
    chain_.reset(new Chain(*config_.evm));
    Chain& c = *chain_;
    db_->run(chain_schema);
    try {
        c.chain_id = c.client.chain_id();
        if (c.client.code(c.contract.address()).empty())
            throw std::runtime_error("no contract at " + c.contract.address().to_checksum_string());
    } catch (const std::exception& e) {
        throw std::runtime_error("coordinator: settlement evm: " + config_.evm->rpc_url + ": " + e.what());
    }
    // A data dir follows one market on one chain.
    const std::string identity = std::to_string(c.chain_id) + ":" + lower(c.contract.address());
    auto stored = db_->query_value<std::string>("SELECT value FROM meta WHERE key = 'chain_market'");
    if (!stored)
        db_->run("INSERT INTO meta(key, value) VALUES ('chain_market', ?1)", identity);
    else if (*stored != identity)
        throw std::runtime_error("coordinator: the data dir " + config_.data_dir + " follows the market " + *stored +
                                 " (chain:address), not " + identity);

    c.next_block = config_.evm->start_block;
    if (auto cursor = db_->query_value<std::string>("SELECT value FROM meta WHERE key = 'chain_cursor'")) {
        const nlohmann::json j = nlohmann::json::parse(*cursor);
        c.next_block = j.at("next_block").get<uint64_t>();
        if (j.contains("block"))
            c.applied = Position{j["block"].get<uint64_t>(), j["log"].get<uint64_t>(), j["item"].get<uint64_t>()};
    }
    Statement stmt = db_->prepare("SELECT chain_id, request_id, bound_indices, binding_ok FROM chain_requests");
    while (stmt.step()) {
        Chain::Row row{stmt.column<std::string>(0),
                       nlohmann::json::parse(stmt.column<std::string>(2)).get<std::vector<uint32_t>>(),
                       stmt.column<uint64_t>(3) != 0};
        c.by_chain[row.chain_id] = stmt.column<uint64_t>(1);
        c.by_market[stmt.column<uint64_t>(1)] = std::move(row);
    }

    if (!config_.evm->keeper_key_file.empty()) {
        c.keeper = std::make_unique<settlement::TxSender>(c.client, read_key_file(config_.evm->keeper_key_file),
                                                          std::filesystem::path(config_.data_dir) / "keeper-txs.jsonl");
        // Transactions journaled before a restart: rebroadcast (never re-signed), then awaited
        // before anything new is sent.
        c.keeper_pending = c.keeper->resume();
        for (const auto& h : c.keeper_pending) log_line("keeper: resuming journaled transaction " + settlement::to_hex(h));
    }
}

uint64_t Service::chain_next_block() const
{
    std::lock_guard lock(mutex_);
    return chain_ ? chain_->next_block : 0;
}

void Service::follow_chain_once()
{
    Chain& c = *chain_;
    const auto now = std::chrono::steady_clock::now();
    if (now - c.last_poll < c.config.poll_interval) return;
    c.last_poll = now;

    uint64_t from = 0;
    {
        std::lock_guard lock(mutex_);
        from = c.next_block;
    }
    std::vector<ChainLog> logs;
    std::optional<uint64_t> to;  // the last block read, when a range was read
    try {
        const uint64_t latest = c.client.block_number();
        const uint64_t head = latest >= c.config.confirmations ? latest - c.config.confirmations : 0;
        {
            std::lock_guard lock(mutex_);
            c.head = head;
        }
        if (latest >= c.config.confirmations && head >= from) {
            to = std::min(head, from + c.config.max_log_range - 1);
            std::map<uint64_t, uint64_t> times;  // block -> ms
            for (const settlement::EthLog& log : c.client.logs(c.contract.address(), {}, from, *to, c.config.max_log_range)) {
                std::vector<MarketEvent> events = c.contract.events(log);
                if (events.empty()) continue;
                auto t = times.find(log.block_number);
                if (t == times.end())
                    t = times.emplace(log.block_number,
                                      c.client.block_timestamp(settlement::to_quantity(log.block_number)) * 1000).first;
                std::optional<settlement::Bytes> input;  // the transaction's call data, read once
                for (size_t i = 0; i < events.size(); ++i) {
                    ChainLog l{log.block_number, log.log_index, i, t->second, std::move(events[i]), std::nullopt, {}, {}};
                    if (const auto* s = std::get_if<me::RequestSubmitted>(&l.event))
                        l.terms = c.contract.request_at(s->request_id, log.block_number);
                    if (const auto* f = std::get_if<me::RequestFulfilled>(&l.event)) {
                        if (!input) {
                            const nlohmann::json tx =
                                c.client.rpc().call("eth_getTransactionByHash", {settlement::to_hex(log.tx_hash)});
                            input = tx.is_object() ? settlement::from_hex(tx.value("input", "0x"), "transaction input")
                                                   : settlement::Bytes{};
                        }
                        try {
                            std::tie(l.proof_json, l.signals_json) = proof_from_call(*input, f->request_id, f->prover);
                        } catch (const std::exception& e) {
                            log_line("block " + std::to_string(log.block_number) + ": fulfilling call not decoded: " +
                                     e.what());
                        }
                    }
                    logs.push_back(std::move(l));
                }
            }
        }
    } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        if (c.last_error != e.what()) log_line(std::string("indexing paused: ") + e.what());
        c.last_error = e.what();
        return;  // the next poll retries the same range
    }
    for (const ChainLog& log : logs) {
        std::lock_guard lock(mutex_);
        if (c.applied && Position{log.block, log.log_index, log.item} <= *c.applied) continue;
        if (!apply_chain_event(log)) return;  // not committed: the next poll retries from here
    }
    if (to) {
        std::lock_guard lock(mutex_);
        if (*to + 1 > c.next_block) {
            c.next_block = *to + 1;
            try {
                write_chain_cursor(*db_, c.next_block, c.applied);
            } catch (const std::exception&) {
                // Not persisted: a restart re-reads these blocks and skips what was applied.
            }
        }
        c.last_error.clear();
    }
    keep_deadlines();
}

// Under mutex_. False when the command could not be committed (retry later).
bool Service::apply_chain_event(const ChainLog& log)
{
    Chain& c = *chain_;
    const Position at{log.block, log.log_index, log.item};
    const std::string where = "block " + std::to_string(log.block) + " log " + std::to_string(log.log_index);
    const auto diverged = [&](const std::string& why) {
        ++c.divergences;
        log_line("DIVERGENCE at " + where + ": " + why);
    };
    const auto market_id = [&](const U256& chain_id) -> std::optional<uint64_t> {
        auto it = c.by_chain.find(chain_id.to_decimal());
        if (it == c.by_chain.end()) return std::nullopt;
        return it->second;
    };
    const auto amount = [&](const U256& v) -> std::optional<uint64_t> {
        auto a = u64_of(v);
        if (!a) diverged("amount " + v.to_decimal() + " wei does not fit the market's 64-bit amounts");
        return a;
    };
    const auto cursor_writes = [&](uint64_t, const market::Outcome&) { write_chain_cursor(*db_, c.next_block, at); };

    std::optional<market::Command> command;
    ExtraWrites extra = cursor_writes;
    std::optional<Chain::Row> new_row;  // RequestSubmitted: the chain view, once committed
    std::visit(
        [&](const auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, me::Deposited>) {
                if (auto a = amount(e.amount)) command = market::Deposit{lower(e.account), *a};
            } else if constexpr (std::is_same_v<E, me::Withdrawn>) {
                if (auto a = amount(e.amount)) command = market::Withdraw{lower(e.account), *a};
            } else if constexpr (std::is_same_v<E, me::Staked>) {
                if (auto a = amount(e.amount)) command = market::Stake{lower(e.account), *a};
            } else if constexpr (std::is_same_v<E, me::UnstakeRequested>) {
                if (auto a = amount(e.amount)) command = market::RequestUnstake{lower(e.account), *a};
            } else if constexpr (std::is_same_v<E, me::UnstakeCompleted>) {
                command = market::CompleteUnstake{lower(e.account)};
            } else if constexpr (std::is_same_v<E, me::ProverRegistered>) {
                command = market::RegisterProver{lower(e.prover), e.capacity};
            } else if constexpr (std::is_same_v<E, me::ProverResumed>) {
                command = market::ResumeProver{lower(e.prover)};
            } else if constexpr (std::is_same_v<E, me::RequestCancelled>) {
                if (auto id = market_id(e.request_id)) command = market::Cancel{lower(e.requester), *id};
                else diverged("cancel of unknown request " + e.request_id.to_decimal());
            } else if constexpr (std::is_same_v<E, me::RequestLocked>) {
                if (auto id = market_id(e.request_id)) command = market::Lock{lower(e.prover), *id};
                else diverged("lock of unknown request " + e.request_id.to_decimal());
            } else if constexpr (std::is_same_v<E, me::RequestFulfilled>) {
                if (auto id = market_id(e.request_id)) {
                    command = market::Fulfill{lower(e.prover), *id, true};
                    if (!log.proof_json.empty())
                        extra = [&, id = *id, cursor_writes](uint64_t seq, const market::Outcome& outcome) {
                            cursor_writes(seq, outcome);
                            db_->run("INSERT OR REPLACE INTO proofs(request_id, prover, proof, public_signals, seq) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5)",
                                     id, lower(e.prover), log.proof_json, log.signals_json, seq);
                        };
                } else {
                    diverged("fulfilment of unknown request " + e.request_id.to_decimal());
                }
            } else if constexpr (std::is_same_v<E, me::RequestExpired>) {
                command = market::Tick{};
            } else if constexpr (std::is_same_v<E, me::RequestSubmitted>) {
                const std::string chain_id = e.request_id.to_decimal();
                if (c.by_chain.count(chain_id)) return;  // an idempotent resubmission
                const settlement::MarketRequest& t = *log.terms;
                market::RequestSpec spec;
                spec.circuit_id = market::normalize_circuit_id(settlement::to_hex(t.circuit_id)).value_or("");
                spec.priority = market::Priority(t.priority);
                auto min_price = amount(t.min_price), max_price = amount(t.max_price), coll = amount(t.collateral);
                if (!min_price || !max_price || !coll) return;
                spec.min_price = *min_price;
                spec.max_price = *max_price;
                spec.ramp_start = t.ramp_start * 1000;
                spec.ramp_period = t.ramp_period * 1000;
                spec.lock_deadline = t.lock_deadline * 1000;
                spec.final_deadline = t.final_deadline * 1000;
                spec.collateral = *coll;
                // Inline JSON inputs are kept like an embedded request's; anything else is a
                // reference the market keeps as given.
                nlohmann::json inputs = nlohmann::json::parse(e.inputs, nullptr, false);
                std::string inputs_hash;
                if (inputs.is_object()) {
                    inputs_hash = sha256_hex(inputs.dump());
                    spec.inputs = "sha256:" + inputs_hash;
                } else {
                    spec.inputs = e.inputs;
                }
                // The input-bound signals the requester committed to must be the ones its
                // inputs give, or no valid proof can settle the request: provers are told.
                Chain::Row row{chain_id, {}, false};
                nlohmann::json bound = nlohmann::json::array();
                auto circuit = circuits_.find(spec.circuit_id);
                if (circuit != circuits_.end() && circuit->second->finance_program && inputs.is_object()) {
                    try {
                        const BoundSignals b = bound_signals(*circuit->second->finance_program, inputs);
                        row.bound_indices = b.indices;
                        row.binding_ok = settlement::bound_signals_hash(b.indices, b.values) == t.bound_signals_hash;
                        for (size_t i = 0; i < b.indices.size(); ++i)
                            bound.push_back({b.indices[i], b.values[i].to_decimal()});
                    } catch (const std::exception& ex) {
                        log_line("request " + chain_id + ": inputs refused by " + circuit->second->program + ": " +
                                 ex.what());
                    }
                }
                command = market::SubmitRequest{lower(e.requester), chain_id, spec};
                extra = [&, row, bound, inputs, inputs_hash, spec, cursor_writes](uint64_t seq,
                                                                                 const market::Outcome& outcome) {
                    cursor_writes(seq, outcome);
                    if (!inputs_hash.empty())
                        db_->run("INSERT OR IGNORE INTO inputs(sha256, body) VALUES (?1, ?2)", inputs_hash, inputs.dump());
                    db_->run("INSERT INTO requests(id, requester, circuit, inputs_sha256, bound, max_price, seq) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                             outcome.request_id, lower(e.requester), spec.circuit_id, inputs_hash, bound.dump(),
                             spec.max_price, seq);
                    db_->run("INSERT INTO chain_requests(chain_id, request_id, bound_indices, binding_ok) "
                             "VALUES (?1, ?2, ?3, ?4)",
                             row.chain_id, outcome.request_id, nlohmann::json(row.bound_indices).dump(),
                             uint64_t{row.binding_ok ? 1u : 0u});
                };
                new_row = row;
            }
            // ProverSlashed, ProverPaused: derived by the market from the command that caused
            // them. CircuitRegistered, FulfilmentSkipped: nothing to mirror.
        },
        log.event);
    if (!command) return true;
    try {
        Committed committed = apply_locked(*command, "", 0, extra, log.time_ms);
        c.applied = at;
        if (new_row) {
            c.by_chain[new_row->chain_id] = committed.outcome.request_id;
            c.by_market[committed.outcome.request_id] = std::move(*new_row);
        }
        // The market's own arithmetic must give what the contract did.
        for (const market::Event& ev : committed.outcome.events) {
            if (const auto* l = std::get_if<market::RequestLocked>(&ev)) {
                if (const auto* chain = std::get_if<me::RequestLocked>(&log.event); chain && U256(l->price) != chain->price)
                    diverged("lock price " + std::to_string(l->price) + " in the mirror, " + chain->price.to_decimal() +
                             " on chain");
            } else if (const auto* f = std::get_if<market::RequestFulfilled>(&ev)) {
                if (const auto* chain = std::get_if<me::RequestFulfilled>(&log.event);
                    chain && (U256(f->price) != chain->price || U256(f->fee) != chain->fee))
                    diverged("payment " + std::to_string(f->price) + "+" + std::to_string(f->fee) + " in the mirror, " +
                             chain->price.to_decimal() + "+" + chain->fee.to_decimal() + " on chain");
            }
        }
    } catch (const HttpError& e) {
        if (e.status() >= 500) {  // the database, not the market: nothing was applied
            log_line(std::string("indexing paused at ") + where + ": " + e.what());
            c.last_error = e.what();
            return false;
        }
        diverged(std::string(market::command_name(*command)) + " refused by the mirror: " + e.what());
        c.applied = at;  // skipped for good: re-reading it would fail the same way
    }
    return true;
}

void Service::keep_deadlines()
{
    Chain& c = *chain_;
    if (!c.keeper) return;
    // A transaction in flight first: nothing new until it is mined (or it was replaced).
    while (!c.keeper_pending.empty()) {
        try {
            const settlement::TxReceipt r = c.keeper->wait(c.keeper_pending.front(), std::chrono::milliseconds(0));
            if (!r.success) log_line("keeper: expire transaction " + settlement::to_hex(r.tx_hash) + " reverted");
            c.keeper_pending.erase(c.keeper_pending.begin());
        } catch (const settlement::TxTimeout&) {
            return;
        } catch (const std::exception& e) {
            log_line(std::string("keeper: ") + e.what());
            return;
        }
    }
    std::vector<U256> ids;
    std::vector<uint64_t> market_ids;
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        // Retry times of requests that have closed (or were pruned) are no longer needed.
        std::erase_if(c.expire_sent, [&](const auto& sent) {
            const market::Request* r = market_->request(sent.first);
            return r == nullptr || r->closed();
        });
        const uint64_t wall = wall_ms();
        for (const auto& [id, r] : market_->requests()) {
            if (r->closed() || r->spec.final_deadline + c.config.expire_after_ms > wall) continue;
            auto row = c.by_market.find(id);
            if (row == c.by_market.end()) continue;
            auto sent = c.expire_sent.find(id);
            if (sent != c.expire_sent.end() && now - sent->second < std::chrono::seconds(5)) continue;
            ids.push_back(*U256::from_decimal(row->second.chain_id));
            market_ids.push_back(id);
            if (ids.size() == 64) break;
        }
    }
    if (ids.empty()) return;
    try {
        const settlement::Hash256 h =
            c.keeper->send(c.contract.address(), settlement::MarketContract::expire_call(ids));
        c.keeper_pending.push_back(h);
        for (uint64_t id : market_ids) c.expire_sent[id] = now;
        log_line("keeper: expire(" + std::to_string(ids.size()) + " request(s)) sent in " + settlement::to_hex(h));
    } catch (const std::exception& e) {
        log_line(std::string("keeper: expire not sent: ") + e.what());
        for (uint64_t id : market_ids) c.expire_sent[id] = now;  // retry later, not every poll
    }
}

nlohmann::json Service::chain_info_locked() const
{
    const Chain& c = *chain_;
    nlohmann::json out = {{"chain_id", c.chain_id},
                          {"market", c.contract.address().to_checksum_string()},
                          {"rpc", c.config.rpc_url},
                          {"block", c.next_block == 0 ? 0 : c.next_block - 1},
                          {"head", c.head},
                          {"divergences", c.divergences},
                          {"keeper", c.keeper ? c.keeper->address().to_checksum_string() : std::string()}};
    if (!c.last_error.empty()) out["error"] = c.last_error;
    return out;
}

void Service::add_chain_view_locked(uint64_t request_id, nlohmann::json& out) const
{
    if (!chain_) return;
    auto it = chain_->by_market.find(request_id);
    if (it == chain_->by_market.end()) return;
    out["chain"] = {{"id", it->second.chain_id},
                    {"bound_indices", it->second.bound_indices},
                    {"binding_ok", it->second.binding_ok}};
}

std::optional<uint64_t> Service::request_for_chain_id(const std::string& chain_id) const
{
    if (!chain_) return std::nullopt;
    auto it = chain_->by_chain.find(chain_id);
    if (it == chain_->by_chain.end()) return std::nullopt;
    return it->second;
}

}  // namespace provernet::coordinator
