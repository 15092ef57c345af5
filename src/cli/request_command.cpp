// provernet request / circuit register / key (see request_command.hpp).
#include "cli/request_command.hpp"

#include "coordinator/chain_requests.hpp"
#include "coordinator/client.hpp"
#include "finance/program.hpp"
#include "node/chain_actions.hpp"
#include "settlement/hex.hpp"
#include "settlement/keccak.hpp"
#include "settlement/market_contract.hpp"
#include "settlement/tx_sender.hpp"
#include "snark/groth16_verifier.hpp"
#include "snark/json_io.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>

namespace provernet::cli {

namespace {

using coordinator::Client;

std::string read_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Client signed_client(const std::string& url, const std::string& key_file)
{
    return Client(url, std::make_shared<coordinator::ActionSigner>(coordinator::read_key_file(key_file)));
}

struct Common {
    std::string coordinator = "http://127.0.0.1:8700";
    std::string key;
    // Where requests are settled: auto (the coordinator's GET /v1/info), embedded or evm.
    std::string settlement_mode = "auto";
    std::string rpc, market;  // EVM: override the coordinator's evm.rpc / evm.market
};

void add_coordinator_option(CLI::App* cmd, Common& c)
{
    cmd->add_option("--coordinator", c.coordinator, "coordinator URL")->capture_default_str();
}

// --- EVM settlement: the requester transacts on the market contract itself -----------------

void add_settlement_options(CLI::App* cmd, Common& c)
{
    cmd->add_option("--settlement", c.settlement_mode,
                    "auto (ask the coordinator), embedded (signed action to the coordinator) or evm (transaction "
                    "to the market contract)")
        ->check(CLI::IsMember({"auto", "embedded", "evm"}))
        ->capture_default_str();
    cmd->add_option("--rpc", c.rpc, "EVM: Ethereum JSON-RPC URL (default: the coordinator's, GET /v1/info evm.rpc)");
    cmd->add_option("--market", c.market, "EVM: market contract address (default: the coordinator's)");
}

// The market to transact with, or nullopt under embedded settlement.
std::optional<node::ChainEndpoint> evm_endpoint(const Common& c)
{
    if (c.settlement_mode == "embedded") return std::nullopt;
    const nlohmann::json info = Client(c.coordinator).info();
    const std::string mode = info.value("settlement", std::string("embedded"));
    if (c.settlement_mode == "auto" && mode != "evm") return std::nullopt;
    if (info.contains("evm") && info["evm"].is_object()) {
        node::ChainEndpoint e = node::chain_endpoint(info, c.rpc);
        if (!c.market.empty()) e.market = settlement::Address::parse(c.market, "--market");
        return e;
    }
    if (c.rpc.empty() || c.market.empty())
        throw std::runtime_error("--settlement evm: the coordinator at " + c.coordinator +
                                 " reports no market contract; give --rpc and --market");
    node::ChainEndpoint e;
    e.rpc = c.rpc;
    e.market = settlement::Address::parse(c.market, "--market");
    e.chain_id = settlement::EthClient(c.rpc).chain_id();
    return e;
}

// The requester's connection to the market: a client checked against the chain id, its sender
// (no journal: a CLI call sends at most two transactions and waits for them) and the contract.
struct Market {
    settlement::EthClient client;
    settlement::TxSender sender;
    settlement::MarketContract contract;

    Market(const node::ChainEndpoint& e, settlement::PrivateKey key)
        : client(e.rpc), sender(checked(client, e), std::move(key)), contract(client, e.market)
    {
    }

    static settlement::EthClient& checked(settlement::EthClient& client, const node::ChainEndpoint& e)
    {
        if (const uint64_t id = client.chain_id(); id != e.chain_id)
            throw std::runtime_error("--rpc " + e.rpc + " is on chain " + std::to_string(id) + ", the market on chain " +
                                     std::to_string(e.chain_id));
        return client;
    }
};

// A revert of the market, with the field it names where it names one.
std::string explain_revert(const settlement::Revert& r)
{
    const std::string name = settlement::MarketContract::error_name(r.data).value_or(r.reason);
    const auto byte_at = [&](size_t i) -> int { return r.data.size() > i ? r.data[i] : -1; };
    if (name == "InvalidRequest") {
        static const char* fields[] = {"max price is zero", "min price above max price",
                                       "lock deadline not in the future (chain time)", "final deadline before the lock deadline",
                                       "final deadline beyond the market's request lifetime",
                                       "ramp ends after the lock deadline", "collateral below the market's minimum",
                                       "priority", "inputs longer than the market allows", "zero binding hash"};
        const int f = byte_at(35);
        if (f >= 0 && f < 10) return name + ": " + fields[f];
    }
    if (name == "IdempotencyConflict") {
        static const char* fields[] = {"circuit", "inputs (bound signals)", "priority", "min price", "max price",
                                       "ramp start (repeat --at-ms)", "ramp period", "lock deadline (repeat --at-ms)",
                                       "final deadline (repeat --at-ms)", "collateral"};
        const int f = byte_at(67);
        if (f >= 0 && f < 10)
            return name + ": this --key-id names an earlier request with another " + fields[f] +
                   " (an on-chain key is never reusable)";
    }
    return name;
}

// The on-chain request key (uint96): --key-id when given, else the low 96 bits of
// keccak256(idempotency key text), so that resubmitting with the same key names the same request.
settlement::U256 chain_key(const std::string& key_id, const std::string& idempotency_key)
{
    if (!key_id.empty()) {
        const auto k = settlement::U256::from_decimal(key_id);
        if (!k || k->bit_length() > 96) throw std::runtime_error("--key-id: \"" + key_id + "\" is not a decimal below 2^96");
        return *k;
    }
    const settlement::Hash256 h = settlement::keccak256(std::string_view(idempotency_key));
    return settlement::u256_from_be(settlement::BytesView(h).subspan(20));
}

// GET /v1/requests/chain/<decimal>: the coordinator's copy once its indexer has seen the request.
std::optional<nlohmann::json> indexed_request(const std::string& coordinator, const settlement::U256& chain_id,
                                              std::chrono::milliseconds wait)
{
    auto http = coordinator::HttpClient::from_url(coordinator);
    const auto end = std::chrono::steady_clock::now() + wait;
    while (true) {
        try {
            const coordinator::HttpResponse r = http.get("/v1/requests/chain/" + chain_id.to_decimal());
            if (r.ok()) return r.json();
        } catch (const coordinator::HttpClientError&) {
            // coordinator restarting: keep polling until the end
        }
        if (std::chrono::steady_clock::now() >= end) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

// Chain times are whole seconds: the ramp starts at the reference second (rounded down), lasts
// the ramp rounded up but ends by the lock deadline, and each deadline is rounded down (never
// later than asked).
struct ChainTimes {
    uint64_t ramp_start_s = 0, ramp_period_s = 0, lock_deadline_s = 0, final_deadline_s = 0;
};
ChainTimes chain_times(const coordinator::SubmitRequest& r)
{
    ChainTimes t;
    t.ramp_start_s = r.ramp_start_ms / 1000;
    t.lock_deadline_s = r.lock_deadline_ms / 1000;
    t.final_deadline_s = r.final_deadline_ms / 1000;
    if (t.lock_deadline_s <= t.ramp_start_s)
        throw std::runtime_error("--lock-ms: the lock deadline falls in the ramp's first second; on chain deadlines "
                                 "are whole seconds (use at least 1000)");
    t.ramp_period_s = std::min((r.ramp_period_ms + 999) / 1000, t.lock_deadline_s - t.ramp_start_s);
    return t;
}

struct SubmitArgs {
    Common common;
    std::string circuit, inputs, priority = "batch", idempotency_key;
    uint64_t min_price = 0, max_price = 0, collateral = 0;
    uint64_t ramp_ms = 0, lock_ms = 30'000, timeout_ms = 60'000;
    uint64_t at_ms = 0;  // the reference time of the ramp and deadlines; 0: now
    std::string key_id;  // EVM: the on-chain key (uint96, decimal); default derived from idempotency_key
    uint64_t wait_ms = 30'000;  // EVM: how long to wait for the coordinator to index the request
};

// Submits on the market contract; prints the coordinator's request id once it has indexed it.
int submit_on_chain(const SubmitArgs& a, const coordinator::SubmitRequest& r, const node::ChainEndpoint& endpoint)
{
    Client reader(a.common.coordinator);
    std::string program_name;
    for (const nlohmann::json& c : reader.circuits())
        if (c.value("circuit", "") == r.circuit) program_name = c.value("program", "");
    if (program_name.empty())
        throw std::runtime_error("--circuit " + r.circuit + " is not registered with the coordinator at " +
                                 a.common.coordinator);
    const finance::Program* program = finance::finance_programs().find(program_name);
    if (!program)
        throw std::runtime_error("circuit " + r.circuit + " is program \"" + program_name +
                                 "\", which is not a finance program: its bound public signals are unknown here");

    coordinator::ChainRequestSpec spec;
    spec.key = chain_key(a.key_id, r.idempotency_key);
    spec.circuit_identity = r.circuit;
    spec.inputs = r.inputs;
    spec.priority = r.priority;
    spec.min_price = r.min_price;
    spec.max_price = r.max_price;
    spec.collateral = r.collateral;
    const ChainTimes t = chain_times(r);
    spec.ramp_start_s = t.ramp_start_s;
    spec.ramp_period_s = t.ramp_period_s;
    spec.lock_deadline_s = t.lock_deadline_s;
    spec.final_deadline_s = t.final_deadline_s;
    // No ramp: the price is max_price from the start, as in embedded mode (on chain the ramp
    // start's own second would be priced at min_price: the contract counts whole seconds).
    if (spec.ramp_period_s == 0) spec.min_price = spec.max_price;
    const settlement::MarketRequestTerms terms = coordinator::chain_request_terms(*program, spec);

    Market m(endpoint, coordinator::read_key_file(a.common.key));
    const settlement::Address me = m.sender.address();
    const settlement::U256 chain_id = settlement::MarketContract::request_id(me, spec.key);
    // Escrow: what the contract balance lacks of max_price comes with the call (a resubmission
    // of an existing request sends nothing).
    settlement::U256 value;
    const bool exists = m.contract.request(chain_id).status != settlement::ContractRequestStatus::none;
    const settlement::U256 balance = m.contract.account(me).balance;
    if (!exists && balance < terms.max_price) settlement::U256::sub(value, terms.max_price, balance);
    settlement::TxReceipt receipt;
    try {
        receipt = m.contract.submit_request(m.sender, terms, value);
    } catch (const settlement::Revert& e) {
        throw std::runtime_error("the market refused the request: " + explain_revert(e));
    } catch (const settlement::RpcError& e) {  // e.g. the key cannot pay for gas and escrow
        throw std::runtime_error("requester " + me.to_checksum_string() + ": " + e.what());
    }
    std::cerr << "on chain: request " << chain_id.to_decimal() << " (key " << spec.key.to_decimal() << ") in "
              << settlement::to_hex(receipt.tx_hash) << ", block " << receipt.block_number
              << (value.is_zero() ? "" : ", deposited " + value.to_decimal() + " wei")
              << (exists ? " (duplicate: the request of this key was already on chain)" : "") << std::endl;
    if (a.wait_ms == 0) {
        std::cout << chain_id.to_decimal() << std::endl;
        return 0;
    }
    const auto indexed = indexed_request(a.common.coordinator, chain_id, std::chrono::milliseconds(a.wait_ms));
    if (!indexed) {
        std::cerr << "the coordinator at " << a.common.coordinator << " has not indexed chain request "
                  << chain_id.to_decimal() << " after " << a.wait_ms << " ms (GET /v1/requests/chain/"
                  << chain_id.to_decimal() << ")" << std::endl;
        return 1;
    }
    std::cout << indexed->at("id").get<uint64_t>() << std::endl;
    return 0;
}

int submit(const SubmitArgs& a)
{
    coordinator::SubmitRequest r;
    r.circuit = a.circuit;
    try {
        r.inputs = nlohmann::json::parse(read_text(a.inputs));
    } catch (const nlohmann::json::parse_error& e) {
        throw std::runtime_error(a.inputs + ": not JSON: " + e.what());
    }
    auto priority = market::priority_from_string(a.priority);
    if (!priority) throw std::runtime_error("--priority: \"" + a.priority + "\" is not liquidation, margin, pricing or batch");
    r.priority = *priority;
    r.min_price = a.min_price;
    r.max_price = a.max_price;
    if (r.min_price > r.max_price) throw std::runtime_error("--min-price is above --max-price");
    r.collateral = a.collateral;
    const uint64_t now = a.at_ms != 0 ? a.at_ms : coordinator::unix_ms();
    r.ramp_start_ms = now;
    r.ramp_period_ms = a.ramp_ms;
    r.lock_deadline_ms = now + a.lock_ms;
    r.final_deadline_ms = now + a.timeout_ms;
    if (a.timeout_ms < a.lock_ms) throw std::runtime_error("--timeout-ms must not be below --lock-ms");
    r.idempotency_key = a.idempotency_key;
    if (r.idempotency_key.empty()) {
        std::random_device rd;
        std::ostringstream s;
        s << "cli-" << now << "-" << std::hex << rd() << rd();
        r.idempotency_key = s.str();
    }
    if (const auto endpoint = evm_endpoint(a.common))
        return submit_on_chain(a, r, *endpoint);
    Client c = signed_client(a.common.coordinator, a.common.key);
    const nlohmann::json answer = c.submit_request(r);
    std::cout << answer.at("request_id").get<uint64_t>() << std::endl;
    if (answer.value("duplicate", false)) std::cerr << "(duplicate: the request of this idempotency key)" << std::endl;
    return 0;
}

// Cancels request `id` (the coordinator's id; or chain_id, decimal, when given) with a signed
// action, or on the market contract under EVM settlement.
int cancel(const Common& c, uint64_t id, const std::string& chain_id_text)
{
    const auto endpoint = evm_endpoint(c);
    if (!endpoint) {
        if (!chain_id_text.empty()) throw std::runtime_error("--chain-id: the request is settled by the coordinator");
        signed_client(c.coordinator, c.key).cancel(id);
        std::cout << "cancelled request " << id << std::endl;
        return 0;
    }
    settlement::U256 chain_id;
    if (!chain_id_text.empty()) {
        const auto parsed = settlement::U256::from_decimal(chain_id_text);
        if (!parsed) throw std::runtime_error("--chain-id: \"" + chain_id_text + "\" is not a decimal number");
        chain_id = *parsed;
    } else {
        chain_id = node::parse_chain_ref(Client(c.coordinator).request(id)).id;
    }
    Market m(*endpoint, coordinator::read_key_file(c.key));
    try {
        const settlement::TxReceipt receipt = m.contract.cancel(m.sender, chain_id);
        std::cout << "cancelled chain request " << chain_id.to_decimal() << " in " << settlement::to_hex(receipt.tx_hash)
                  << std::endl;
    } catch (const settlement::Revert& e) {
        throw std::runtime_error("the market refused to cancel chain request " + chain_id.to_decimal() + ": " +
                                 explain_revert(e));
    }
    return 0;
}

int get(const Common& c, uint64_t id, const std::string& out)
{
    Client client(c.coordinator);
    const nlohmann::json request = client.request(id);
    const nlohmann::json answer = client.proof(id);
    const std::string circuit = request.at("spec").at("circuit_id").get<std::string>();
    const snark::VerificationKey vk = snark::parse_verification_key_json(client.verification_key(circuit), "vk of " + circuit);
    const std::string proof_text = answer.at("proof").dump();
    const std::string signals_text = answer.at("public_signals").dump();
    const snark::Proof proof = snark::parse_proof_json(proof_text, "proof of request " + std::to_string(id));
    const std::vector<math::U256> signals = snark::parse_public_json(signals_text, "public signals of request " + std::to_string(id));
    std::filesystem::create_directories(out);
    snark::write_proof_json((std::filesystem::path(out) / "proof.json").string(), proof);
    snark::write_public_json((std::filesystem::path(out) / "public.json").string(), signals);
    snark::write_verification_key_json((std::filesystem::path(out) / "verification_key.json").string(), vk);
    if (!snark::groth16_verify(vk, signals, proof)) {
        std::cerr << "request " << id << ": the proof does NOT verify against circuit " << circuit << std::endl;
        return 1;
    }
    std::cout << "OK: request " << id << " proved by " << answer.value("prover", "?") << ", verified against circuit "
              << circuit << "; wrote " << out << "/proof.json, public.json, verification_key.json" << std::endl;
    return 0;
}

}  // namespace

void add_request_commands(CLI::App& app)
{
    auto* req = app.add_subcommand("request", "requester and operator calls to a coordinator");
    req->require_subcommand(1);

    auto sa = std::make_shared<SubmitArgs>();
    auto* sub = req->add_subcommand("submit", "submit a proof request; prints its id");
    add_coordinator_option(sub, sa->common);
    sub->add_option("--key", sa->common.key, "requester key file")->required()->check(CLI::ExistingFile);
    sub->add_option("--circuit", sa->circuit, "circuit identity (from provernet circuit register)")->required();
    sub->add_option("--inputs", sa->inputs, "input.json")->required()->check(CLI::ExistingFile);
    sub->add_option("--max-price", sa->max_price, "price reached after the ramp (escrowed)")->required();
    sub->add_option("--min-price", sa->min_price, "price at the start of the ramp");
    sub->add_option("--ramp-ms", sa->ramp_ms, "ramp duration from min to max price");
    sub->add_option("--lock-ms", sa->lock_ms, "lock deadline, from now")->capture_default_str();
    sub->add_option("--timeout-ms", sa->timeout_ms, "final deadline, from now")->capture_default_str();
    sub->add_option("--priority", sa->priority, "liquidation, margin, pricing or batch")->capture_default_str();
    sub->add_option("--collateral", sa->collateral, "stake a prover locks with the request");
    sub->add_option("--idempotency-key", sa->idempotency_key, "resubmitting with it returns the same request");
    sub->add_option("--at-ms", sa->at_ms,
                    "Unix ms the ramp starts and the deadlines count from (default now); a resubmission with the "
                    "same --idempotency-key must repeat it to name the same request");
    add_settlement_options(sub, sa->common);
    sub->add_option("--key-id", sa->key_id,
                    "EVM: the on-chain request key (decimal, below 2^96; default: the low 96 bits of "
                    "keccak256(--idempotency-key)); request id = requester << 96 | key");
    sub->add_option("--wait-ms", sa->wait_ms,
                    "EVM: wait this long for the coordinator to index the request, then print its id (0: print "
                    "the chain request id at once)")
        ->capture_default_str();
    sub->callback([sa] { throw CLI::RuntimeError(submit(*sa)); });

    auto common = std::make_shared<Common>();
    auto id = std::make_shared<uint64_t>(0);
    auto* status = req->add_subcommand("status", "print a request (state, holder, price, ...) as JSON");
    add_coordinator_option(status, *common);
    status->add_option("id", *id, "request id")->required();
    status->callback([common, id] {
        std::cout << Client(common->coordinator).request(*id).dump(1) << std::endl;
        throw CLI::RuntimeError(0);
    });

    auto out = std::make_shared<std::string>();
    auto* getc = req->add_subcommand("get", "fetch a fulfilled request's proof, check it, write proof.json/public.json");
    add_coordinator_option(getc, *common);
    getc->add_option("id", *id, "request id")->required();
    getc->add_option("--out", *out, "output directory")->required();
    getc->callback([common, id, out] { throw CLI::RuntimeError(get(*common, *id, *out)); });

    auto* cancel_cmd = req->add_subcommand("cancel", "withdraw an unlocked request (full refund)");
    auto cancel_common = std::make_shared<Common>();
    auto chain_id = std::make_shared<std::string>();
    add_coordinator_option(cancel_cmd, *cancel_common);
    add_settlement_options(cancel_cmd, *cancel_common);
    auto* id_option = cancel_cmd->add_option("id", *id, "request id (the coordinator's)");
    cancel_cmd->add_option("--chain-id", *chain_id, "EVM: the on-chain request id (decimal) instead of id")
        ->excludes(id_option);
    cancel_cmd->add_option("--key", cancel_common->key, "requester key file")->required()->check(CLI::ExistingFile);
    cancel_cmd->callback([cancel_common, id, chain_id, id_option] {
        if (id_option->count() == 0 && chain_id->empty()) throw CLI::RequiredError("id or --chain-id");
        throw CLI::RuntimeError(cancel(*cancel_common, *id, *chain_id));
    });

    auto account = std::make_shared<std::string>();
    auto amount = std::make_shared<uint64_t>(0);
    auto* dep = req->add_subcommand("deposit", "operator: credit an account (embedded settlement)");
    add_coordinator_option(dep, *common);
    dep->add_option("--account", *account, "0x address")->required();
    dep->add_option("--amount", *amount, "base units")->required();
    dep->add_option("--key", common->key, "operator key file")->required()->check(CLI::ExistingFile);
    dep->callback([common, account, amount] {
        signed_client(common->coordinator, common->key).deposit(*account, *amount);
        std::cout << "deposited " << *amount << " to " << *account << std::endl;
        throw CLI::RuntimeError(0);
    });

    auto* acc = req->add_subcommand("account", "print an account (balance, stake, prover record) as JSON");
    add_coordinator_option(acc, *common);
    acc->add_option("address", *account, "0x address")->required();
    acc->callback([common, account] {
        std::cout << Client(common->coordinator).account(*account).dump(1) << std::endl;
        throw CLI::RuntimeError(0);
    });

    // circuit register
    CLI::App* circ = nullptr;
    try {
        circ = app.get_subcommand("circuit");
    } catch (const CLI::OptionNotFound&) {
        circ = app.add_subcommand("circuit", "circuits");
    }
    auto program = std::make_shared<std::string>();
    auto zkey = std::make_shared<std::string>();
    auto* reg = circ->add_subcommand("register", "upload a program's proving key to a coordinator; prints its identity");
    add_coordinator_option(reg, *common);
    reg->add_option("program", *program, "program name")->required();
    reg->add_option("--zkey", *zkey, "the program's .zkey (provernet setup)")->required()->check(CLI::ExistingFile);
    reg->callback([common, program, zkey] {
        const nlohmann::json r = Client(common->coordinator).register_circuit(*program, read_text(*zkey));
        std::cout << r.at("circuit").get<std::string>() << std::endl;
        std::cerr << *program << ": " << r.value("constraints", uint64_t{0}) << " constraints" << std::endl;
        throw CLI::RuntimeError(0);
    });

    // key new | address
    auto* key = app.add_subcommand("key", "secp256k1 account keys");
    key->require_subcommand(1);
    auto path = std::make_shared<std::string>();
    auto* knew = key->add_subcommand("new", "write a fresh key file (mode 0600); prints its address");
    knew->add_option("file", *path, "key file to create (never overwritten)")->required();
    knew->callback([path] {
        const auto k = settlement::PrivateKey::generate();
        coordinator::write_key_file(*path, k);
        std::cout << k.address().to_lower_string() << std::endl;
        throw CLI::RuntimeError(0);
    });
    auto* kaddr = key->add_subcommand("address", "print the address of a key file");
    kaddr->add_option("file", *path, "key file")->required()->check(CLI::ExistingFile);
    kaddr->callback([path] {
        std::cout << coordinator::read_key_file(*path).address().to_lower_string() << std::endl;
        throw CLI::RuntimeError(0);
    });
}

}  // namespace provernet::cli
