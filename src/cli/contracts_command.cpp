// provernet contracts deploy | show (see contracts_command.hpp).
#include "cli/contracts_command.hpp"

#include "coordinator/client.hpp"
#include "settlement/abi.hpp"
#include "settlement/eth_client.hpp"
#include "settlement/hex.hpp"
#include "settlement/keccak.hpp"
#include "settlement/market_contract.hpp"
#include "settlement/rlp.hpp"
#include "settlement/solc.hpp"
#include "settlement/tx_sender.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/setup.hpp"
#include "snark/solidity_verifier.hpp"
#include "snark/zkey.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace provernet::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using settlement::Address;
using settlement::EthClient;
using settlement::Hash256;
using settlement::MarketContract;
using settlement::MarketContractConfig;
using settlement::TxReceipt;
using settlement::TxSender;
using settlement::U256;

struct DeployArgs {
    std::string rpc, key, out;
    std::vector<std::string> circuits;  // PROGRAM=ZKEY
    std::string owner, fee_account;     // default: the deployer
    std::string min_fulfiller_stake = "0", min_collateral = "0";
    MarketContractConfig config;
    std::vector<uint16_t> reserve_bps{config.reserve_bps.begin(), config.reserve_bps.end()};
    uint64_t wait_s = 300;
    std::string config_file;
};

// The market config file: TOML `flag = value` lines with the deploy flags' names (fee-bps = 100,
// min-collateral = "1000", reserve-bps = [0, 1000, 2000, 3000]). A flag on the command line wins
// over the file. Each value goes through the flag's own conversion, so errors read the same.
void apply_config_file(CLI::App& cmd, const std::string& path)
{
    if (!fs::is_regular_file(path)) throw std::runtime_error("--config: " + path + " not found");
    std::vector<CLI::ConfigItem> items;
    try {
        items = CLI::ConfigTOML().from_file(path);
    } catch (const CLI::Error& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    for (const CLI::ConfigItem& item : items) {
        if (item.name == "++" || item.name == "--") continue;  // section markers
        if (!item.parents.empty())
            throw std::runtime_error(path + ": " + item.fullname() + ": sections are not used; write `" + item.name +
                                     " = ...` at the top level");
        CLI::Option* opt = cmd.get_option_no_throw("--" + item.name);
        if (opt == nullptr || item.name == "config")
            throw std::runtime_error(path + ": unknown key \"" + item.name +
                                     "\" (the keys are deploy's flag names, e.g. fee-bps)");
        if (opt->count() > 0) continue;
        try {
            opt->add_result(item.inputs);
            opt->run_callback();
        } catch (const CLI::Error& e) {
            throw std::runtime_error(path + ": " + item.name + ": " + e.what());
        }
    }
}

// One --circuit, read and checked before anything is sent.
struct CircuitSpec {
    std::string program, zkey_path, identity;
    snark::VerificationKey vk;
};

CircuitSpec read_circuit_spec(const std::string& spec)
{
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw std::runtime_error("--circuit \"" + spec + "\": expected PROGRAM=ZKEY");
    CircuitSpec c{spec.substr(0, eq), spec.substr(eq + 1), {}, {}};
    if (!fs::is_regular_file(c.zkey_path))
        throw std::runtime_error("--circuit " + c.program + ": zkey " + c.zkey_path + " not found");
    // read_zkey validates the whole file: a FormatError names it and what is wrong.
    c.vk = snark::verification_key_from_zkey(snark::read_zkey(c.zkey_path));
    c.identity = snark::circuit_identity(c.vk);
    if (c.vk.n_public == 0 || c.vk.n_public > snark::kMaxSolidityPublicInputs)
        throw std::runtime_error("--circuit " + c.program + ": " + std::to_string(c.vk.n_public) +
                                 " public signals; an on-chain verifier takes 1.." +
                                 std::to_string(snark::kMaxSolidityPublicInputs));
    return c;
}

U256 parse_wei(const std::string& text, const std::string& flag)
{
    auto v = U256::from_decimal(text);
    if (!v) throw std::runtime_error(flag + ": \"" + text + "\" is not a decimal amount of wei");
    return *v;
}

// The command line's market flags, parsed (before anything is read or sent).
DeployOptions deploy_options(const DeployArgs& a)
{
    DeployOptions o;
    o.rpc = a.rpc;
    o.key_file = a.key;
    o.out = a.out;
    o.circuits = a.circuits;
    o.config = a.config;
    if (!a.owner.empty()) o.owner = Address::parse(a.owner, "--owner");
    if (!a.fee_account.empty()) o.fee_account = Address::parse(a.fee_account, "--fee-account");
    o.config.min_fulfiller_stake = parse_wei(a.min_fulfiller_stake, "--min-fulfiller-stake");
    o.config.min_collateral = parse_wei(a.min_collateral, "--min-collateral");
    if (a.reserve_bps.size() != o.config.reserve_bps.size())
        throw std::runtime_error("--reserve-bps: expected 4 values (one per priority class), got " +
                                 std::to_string(a.reserve_bps.size()));
    std::copy(a.reserve_bps.begin(), a.reserve_bps.end(), o.config.reserve_bps.begin());
    o.wait = std::chrono::seconds(a.wait_s);
    return o;
}

json config_json(const MarketContractConfig& c)
{
    return {{"owner", c.owner.to_checksum_string()},
            {"fee_account", c.fee_account.to_checksum_string()},
            {"fee_bps", c.fee_bps},
            {"slash_burn_bps", c.slash_burn_bps},
            {"withdrawal_delay_s", c.withdrawal_delay_s},
            {"max_pending_unstakes", c.max_pending_unstakes},
            {"min_fulfiller_stake", c.min_fulfiller_stake.to_decimal()},
            {"min_collateral", c.min_collateral.to_decimal()},
            {"max_request_lifetime_s", c.max_request_lifetime_s},
            {"max_inputs_bytes", c.max_inputs_bytes},
            {"max_capacity", c.max_capacity},
            {"breaker_failures", c.breaker_failures},
            {"reserve_bps", c.reserve_bps}};
}

std::string hex(const Hash256& h) { return settlement::to_hex(h); }
Hash256 identity_word(const std::string& identity) { return settlement::from_hex_array<32>("0x" + identity, "identity"); }

// An exception's message; for a node's JSON-RPC error, the node's own message and code.
std::string describe(const std::exception& e)
{
    if (const auto* rpc = dynamic_cast<const settlement::RpcError*>(&e))
        return rpc->message + " (JSON-RPC error " + std::to_string(rpc->code) + ")";
    return e.what();
}

// The address of the contract that `sender` creates with `nonce`: keccak256(rlp([sender, nonce]))[12..].
Address create_address(const Address& sender, uint64_t nonce)
{
    using settlement::rlp::Item;
    return Address::from_word(settlement::keccak256(
        settlement::rlp::encode(Item::list({Item::string(settlement::BytesView(sender.bytes)), Item::uint(nonce)}))));
}

// The first block in which `a` has code (code never disappears here), by bisection over
// historical eth_getCode; 0 (scan from genesis) when the node keeps no history.
uint64_t creation_block(EthClient& client, const Address& a, std::ostream& progress)
{
    try {
        uint64_t lo = 0, hi = client.block_number();
        const auto has_code = [&](uint64_t b) {
            const json r = client.rpc().call("eth_getCode", json::array({a.to_lower_string(), settlement::to_quantity(b)}));
            return r.is_string() && r.get<std::string>().size() > 2;
        };
        while (lo < hi) {
            const uint64_t mid = lo + (hi - lo) / 2;
            if (has_code(mid)) hi = mid; else lo = mid + 1;
        }
        return lo;
    } catch (const std::exception& e) {
        progress << "warning: cannot find the market's creation block (" << e.what() << "); block 0 recorded\n";
        return 0;
    }
}

// deployment.json, rewritten atomically after every confirmed step.
class DeploymentFile {
public:
    explicit DeploymentFile(fs::path path) : path_(std::move(path))
    {
        if (!fs::exists(path_)) return;
        std::ifstream in(path_);
        try {
            doc_ = json::parse(in);
        } catch (const json::parse_error& e) {
            throw std::runtime_error(path_.string() + ": not a deployment file (" + e.what() +
                                     "); remove it or choose another --out");
        }
        if (!doc_.is_object()) throw std::runtime_error(path_.string() + ": not a deployment file");
    }
    json& doc() { return doc_; }
    bool has(const char* key) const { return doc_.contains(key); }

    json* circuit(const std::string& identity)
    {
        for (json& c : doc_["circuits"])
            if (c.value("identity", "") == identity) return &c;
        return nullptr;
    }

    void save()
    {
        const fs::path tmp = path_.string() + ".tmp";
        {
            std::ofstream out(tmp, std::ios::trunc);
            out << doc_.dump(2) << "\n";
            if (!out.flush()) throw std::runtime_error(tmp.string() + ": cannot write");
        }
        fs::rename(tmp, path_);
    }

private:
    fs::path path_;
    json doc_ = json::object();
};

class Deployer {
public:
    Deployer(EthClient& client, TxSender& sender, DeploymentFile& file, std::chrono::seconds wait, std::ostream& progress)
        : client_(client), sender_(sender), file_(file), wait_(wait), progress_(progress)
    {
    }

    std::ostream& progress() { return progress_; }

    // Sends the creation of `init_code` and waits for it. The predicted address and nonce are
    // recorded under pending[key] first, so a crash before the receipt is recovered by adopt().
    TxReceipt create(const std::string& key, const std::string& label, settlement::Bytes init_code)
    {
        const uint64_t nonce = sender_.next_nonce();
        file_.doc()["pending"][key] = {{"address", create_address(sender_.address(), nonce).to_checksum_string()},
                                       {"nonce", nonce}};
        file_.save();
        const TxReceipt r = send(std::nullopt, std::move(init_code), label);
        if (!r.contract_address) throw std::runtime_error(label + ": the receipt names no created contract");
        progress_ << label << ": " << r.contract_address->to_checksum_string() << "  gas " << r.gas_used << "  tx "
                  << hex(r.tx_hash) << "\n";
        return r;
    }

    // The contract of an interrupted create(key) if it exists on chain.
    std::optional<Address> adopt(const std::string& key)
    {
        const json& doc = file_.doc();
        if (!doc.contains("pending") || !doc["pending"].contains(key)) return std::nullopt;
        const Address a = Address::parse(doc["pending"][key].at("address").get<std::string>(), "pending address");
        if (client_.code(a).empty()) return std::nullopt;
        return a;
    }

    void done(const std::string& key)
    {
        json& doc = file_.doc();
        if (doc.contains("pending")) {
            doc["pending"].erase(key);
            if (doc["pending"].empty()) doc.erase("pending");
        }
        file_.save();
    }

    TxReceipt send(const std::optional<Address>& to, settlement::Bytes data, const std::string& label)
    {
        try {
            const Hash256 h = sender_.send(to, std::move(data));
            const TxReceipt r = sender_.wait(h, wait_);
            if (!r.success) throw std::runtime_error("transaction " + hex(h) + " reverted (gas used " +
                                                     std::to_string(r.gas_used) + ")");
            return r;
        } catch (const settlement::Revert& e) {
            const auto name = MarketContract::error_name(e.data);
            throw std::runtime_error(label + ": would revert: " + (name ? *name : e.reason));
        } catch (const std::exception& e) {
            // Node errors (e.g. "insufficient funds for gas * price + value") come through as sent.
            throw std::runtime_error(label + " from " + sender_.address().to_checksum_string() + ": " + describe(e));
        }
    }

private:
    EthClient& client_;
    TxSender& sender_;
    DeploymentFile& file_;
    std::chrono::seconds wait_;
    std::ostream& progress_;
};

// Connects and checks the endpoint answers; every failure names the URL.
uint64_t connect(EthClient& client, const std::string& url)
{
    try {
        return client.chain_id();
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot reach the RPC endpoint " + url + ": " + describe(e));
    }
}

std::unique_ptr<EthClient> make_client(const std::string& url)
{
    try {
        return std::make_unique<EthClient>(url);
    } catch (const std::exception& e) {
        throw std::runtime_error("--rpc " + url + ": " + e.what());
    }
}

void deploy_market(Deployer& d, EthClient& client, DeploymentFile& file, const MarketContractConfig& config)
{
    json& doc = file.doc();
    if (doc.contains("market")) {
        const Address market = Address::parse(doc["market"].get<std::string>(), "deployment market");
        if (!client.code(market).empty()) {
            if (doc.value("config", json()) != config_json(config))
                throw std::runtime_error("the market " + market.to_checksum_string() +
                                         " was deployed with another config (its config is immutable): " +
                                         doc.value("config", json()).dump() + "; to deploy a new market use another --out");
            d.progress() << "ProverMarket: " << market.to_checksum_string() << " (already deployed)\n";
            return;
        }
        d.progress() << "warning: the recorded market " << market.to_checksum_string()
                     << " has no code on this chain: deploying a new one\n";
        doc.erase("market");
        doc.erase("pending");  // predictions for that chain's history, not this one's
        doc["circuits"] = json::array();
    }
    if (auto adopted = d.adopt("market")) {
        d.progress() << "ProverMarket: " << adopted->to_checksum_string() << " (created before the interruption)\n";
        doc["market"] = adopted->to_checksum_string();
        doc["block"] = creation_block(client, *adopted, d.progress());
        doc["config"] = config_json(config);
        d.done("market");
        return;
    }
    const auto compiled = settlement::compile_solidity_contract(settlement::prover_market_sources(), "ProverMarket");
    settlement::Bytes init_code = compiled.init_code;
    settlement::append(init_code, MarketContract::constructor_args(config));
    const TxReceipt r = d.create("market", "ProverMarket", std::move(init_code));
    doc["market"] = r.contract_address->to_checksum_string();
    doc["block"] = r.block_number;
    doc["market_tx"] = hex(r.tx_hash);
    doc["config"] = config_json(config);
    d.done("market");
}

void deploy_circuit(Deployer& d, EthClient& client, DeploymentFile& file, const CircuitSpec& c)
{
    MarketContract market(client, Address::parse(file.doc()["market"].get<std::string>(), "market"));
    const Hash256 id = identity_word(c.identity);
    const uint32_t public_inputs = c.vk.n_public;
    const auto [registered, registered_inputs] = market.circuit(id);
    const std::string label = c.program + " (" + c.identity.substr(0, 16) + "..)";
    if (!registered.is_zero()) {
        json* entry = file.circuit(c.identity);
        if (entry != nullptr && entry->value("verifier", "") == registered.to_checksum_string()) {
            d.progress() << label << ": verifier " << registered.to_checksum_string() << " (already registered)\n";
            return;
        }
        d.progress() << label << ": already registered in the market with verifier " << registered.to_checksum_string()
                     << "; recorded as is\n";
        if (entry == nullptr) entry = &file.doc()["circuits"].emplace_back(json::object());
        *entry = {{"program", c.program}, {"identity", c.identity}, {"verifier", registered.to_checksum_string()},
                  {"public_inputs", registered_inputs}};
        d.done("verifier " + c.identity);
        return;
    }
    const std::string key = "verifier " + c.identity;
    json entry = {{"program", c.program}, {"identity", c.identity}, {"public_inputs", public_inputs}};
    Address verifier;
    if (auto adopted = d.adopt(key)) {
        verifier = *adopted;
        d.progress() << label << " verifier: " << verifier.to_checksum_string() << " (created before the interruption)\n";
    } else {
        const auto compiled = settlement::compile_solidity_contract(
            {{"Groth16Verifier.sol", snark::solidity_verifier(c.vk, "Groth16Verifier")}}, "Groth16Verifier");
        const TxReceipt r = d.create(key, label + " verifier", compiled.init_code);
        verifier = *r.contract_address;
        entry["verifier_tx"] = hex(r.tx_hash);
    }
    entry["verifier"] = verifier.to_checksum_string();
    const TxReceipt reg = d.send(market.address(),
                                 settlement::abi::encode_call("registerCircuit(bytes32,address,uint32)",
                                                              {settlement::abi::Value::bytes(id),
                                                               settlement::abi::Value::address(verifier),
                                                               settlement::abi::Value::uint(uint64_t(public_inputs))}),
                                 label + " registration");
    d.progress() << label << " registered: id 0x" << c.identity << "  gas " << reg.gas_used << "  tx " << hex(reg.tx_hash)
                 << "\n";
    entry["register_tx"] = hex(reg.tx_hash);
    file.doc()["circuits"].push_back(std::move(entry));
    d.done(key);
}

}  // namespace

json deploy_contracts(const DeployOptions& a)
{
    std::ostream& progress = *a.progress;
    // Everything local first: nothing is sent when an input is bad.
    if (!fs::exists(a.key_file)) throw std::runtime_error("--key: key file " + a.key_file + " not found");
    const settlement::PrivateKey key = coordinator::read_key_file(a.key_file);
    std::vector<CircuitSpec> circuits;
    for (const std::string& spec : a.circuits) {
        circuits.push_back(read_circuit_spec(spec));
        for (size_t i = 0; i + 1 < circuits.size(); ++i)
            if (circuits[i].identity == circuits.back().identity)
                throw std::runtime_error("--circuit " + circuits.back().program + " and " + circuits[i].program +
                                         " have the same verification key (identity " + circuits[i].identity + ")");
    }
    MarketContractConfig config = a.config;
    config.owner = a.owner.value_or(key.address());
    config.fee_account = a.fee_account.value_or(key.address());
    DeploymentFile file(a.out);

    auto client = make_client(a.rpc);
    const uint64_t chain_id = connect(*client, a.rpc);
    json& doc = file.doc();
    if (doc.contains("chain_id") && doc["chain_id"].get<uint64_t>() != chain_id)
        throw std::runtime_error(a.out + " is a deployment on chain " + std::to_string(doc["chain_id"].get<uint64_t>()) +
                                 ", but " + a.rpc + " serves chain " + std::to_string(chain_id) + "; use another --out");
    if (doc.contains("deployer") && doc["deployer"].get<std::string>() != key.address().to_checksum_string())
        throw std::runtime_error(a.out + " was deployed by " + doc["deployer"].get<std::string>() + ", not by " +
                                 a.key_file + " (" + key.address().to_checksum_string() + ")");
    doc["chain_id"] = chain_id;
    doc["rpc"] = a.rpc;
    doc["deployer"] = key.address().to_checksum_string();
    if (!doc.contains("circuits")) doc["circuits"] = json::array();

    TxSender sender(*client, key, a.out + ".txs");
    progress << "deployer " << key.address().to_checksum_string() << " on chain " << chain_id << " (" << a.rpc
             << "), balance " << client->balance(key.address()).to_decimal() << " wei\n";
    // Transactions journaled by an interrupted run: rebroadcast and wait, never re-signed.
    for (const Hash256& h : sender.resume()) {
        progress << "resuming journaled transaction " << hex(h) << "\n";
        sender.wait(h, a.wait);
    }

    Deployer d(*client, sender, file, a.wait, progress);
    deploy_market(d, *client, file, config);
    for (const CircuitSpec& c : circuits) deploy_circuit(d, *client, file, c);
    file.save();
    progress << "wrote " << a.out << "\n";
    return doc;
}

namespace {

// --- show --------------------------------------------------------------------------------

int show(const std::string& rpc, const std::string& deployment_path)
{
    if (!fs::exists(deployment_path)) throw std::runtime_error("--deployment: " + deployment_path + " not found");
    DeploymentFile file(deployment_path);
    if (!file.has("market")) throw std::runtime_error(deployment_path + ": no market recorded (deploy did not finish)");
    auto client = make_client(rpc);
    const uint64_t chain_id = connect(*client, rpc);
    const Address market = Address::parse(file.doc()["market"].get<std::string>(), deployment_path + " market");
    if (client->code(market).empty())
        throw std::runtime_error("no contract at " + market.to_checksum_string() + " on chain " +
                                 std::to_string(chain_id) + " (" + rpc + ")");
    const auto view = [&](const char* getter, const char* type) {
        return settlement::abi::decode(type, client->call(market, settlement::abi::encode_call(getter, {})))[0];
    };
    std::cout << "market:               " << market.to_checksum_string() << " (chain " << chain_id << ")\n";
    std::cout << "owner:                " << view("owner()", "address").as_address().to_checksum_string() << "\n";
    std::cout << "fee account:          " << view("feeAccount()", "address").as_address().to_checksum_string() << "\n";
    for (const auto& [label, getter] : std::vector<std::pair<const char*, const char*>>{
             {"fee bps:              ", "feeBps()"},
             {"slash burn bps:       ", "slashBurnBps()"},
             {"withdrawal delay s:   ", "withdrawalDelay()"},
             {"max pending unstakes: ", "maxPendingUnstakes()"},
             {"min fulfiller stake:  ", "minFulfillerStake()"},
             {"min collateral:       ", "minCollateral()"},
             {"max request lifetime: ", "maxRequestLifetime()"},
             {"max inputs bytes:     ", "maxInputsBytes()"},
             {"max capacity:         ", "maxCapacity()"},
             {"breaker failures:     ", "breakerFailures()"},
             {"burned:               ", "burned()"}})
        std::cout << label << view(getter, "uint256").as_uint().to_decimal() << "\n";
    MarketContract contract(*client, market);
    for (const json& c : file.doc().value("circuits", json::array())) {
        const std::string identity = c.value("identity", "");
        const auto [verifier, inputs] = contract.circuit(identity_word(identity));
        std::cout << "circuit " << c.value("program", "?") << ": id 0x" << identity << "  ";
        if (verifier.is_zero())
            std::cout << "NOT REGISTERED\n";
        else
            std::cout << "verifier " << verifier.to_checksum_string() << "  public inputs " << inputs << "\n";
    }
    return 0;
}

}  // namespace

void add_contracts_command(CLI::App& app)
{
    auto* contracts = app.add_subcommand("contracts", "deploy and inspect the on-chain settlement contracts");
    contracts->require_subcommand(1);

    auto a = std::make_shared<DeployArgs>();
    auto* dep = contracts->add_subcommand(
        "deploy", "deploy ProverMarket and the --circuit verifiers; a re-run with the same --out resumes");
    dep->add_option("--config", a->config_file, "market config file (TOML: flag = value, e.g. fee-bps = 100)");
    dep->add_option("--rpc", a->rpc, "JSON-RPC endpoint, http://host:port")->required();
    dep->add_option("--key", a->key, "deployer key file (provernet key new)")->required();
    dep->add_option("--out", a->out, "deployment file to write (its transaction journal: <out>.txs)")->required();
    dep->add_option("--circuit", a->circuits, "PROGRAM=ZKEY: deploy the zkey's verifier and register it (repeatable)");
    MarketContractConfig& c = a->config;
    dep->add_option("--owner", a->owner, "market owner (default: the deployer)");
    dep->add_option("--fee-account", a->fee_account, "fee recipient (default: the deployer)");
    dep->add_option("--fee-bps", c.fee_bps, "market fee, basis points of the price")->capture_default_str();
    dep->add_option("--slash-burn-bps", c.slash_burn_bps, "share of slashed collateral burned")->capture_default_str();
    dep->add_option("--withdrawal-delay-s", c.withdrawal_delay_s, "unstake delay")->capture_default_str();
    dep->add_option("--max-pending-unstakes", c.max_pending_unstakes)->capture_default_str();
    dep->add_option("--min-fulfiller-stake", a->min_fulfiller_stake, "wei")->capture_default_str();
    dep->add_option("--min-collateral", a->min_collateral, "wei")->capture_default_str();
    dep->add_option("--max-request-lifetime-s", c.max_request_lifetime_s)->capture_default_str();
    dep->add_option("--max-inputs-bytes", c.max_inputs_bytes)->capture_default_str();
    dep->add_option("--max-capacity", c.max_capacity)->capture_default_str();
    dep->add_option("--breaker-failures", c.breaker_failures)->capture_default_str();
    dep->add_option("--reserve-bps", a->reserve_bps, "capacity reserved per priority class (4 values)")
        ->delimiter(',')
        ->capture_default_str();
    dep->add_option("--wait-s", a->wait_s, "how long to wait for each transaction")->capture_default_str();
    dep->callback([a, dep] {
        if (!a->config_file.empty()) apply_config_file(*dep, a->config_file);
        const json deployment = deploy_contracts(deploy_options(*a));
        std::cout << deployment["market"].get<std::string>() << "\n";
        throw CLI::RuntimeError(0);
    });

    auto rpc = std::make_shared<std::string>();
    auto deployment = std::make_shared<std::string>();
    auto* sh = contracts->add_subcommand("show", "print a deployed market's config and circuits, read from chain");
    sh->add_option("--rpc", *rpc, "JSON-RPC endpoint")->required();
    sh->add_option("--deployment", *deployment, "deployment.json of contracts deploy")->required();
    sh->callback([rpc, deployment] { throw CLI::RuntimeError(show(*rpc, *deployment)); });
}

}  // namespace provernet::cli
