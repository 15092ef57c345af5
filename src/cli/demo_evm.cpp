// provernet demo --evm: the demo settled on a local anvil (see demo_driver.hpp). The demo starts
// anvil, deploys the market and a verifier per demo circuit from dev key 0 (also the
// coordinator's keeper), gives the provers dev keys 1..8 (they deposit, stake, lock and fulfil on
// chain themselves), submits the requests on chain from dev key 9 and follows them through the
// coordinator's mirror of the chain. At the end it compares the chain with the mirror: accounts,
// payments, slashes, and the gas every kind of transaction used.
#include "cli/contracts_command.hpp"
#include "cli/demo_driver.hpp"

#include "coordinator/chain_requests.hpp"
#include "coordinator/http_client.hpp"
#include "settlement/abi.hpp"
#include "settlement/anvil.hpp"
#include "settlement/eth_client.hpp"
#include "settlement/hex.hpp"
#include "settlement/market_contract.hpp"
#include "settlement/tx_sender.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <variant>

#include <unistd.h>

namespace provernet::cli::demo {

namespace me = settlement::market_event;
using settlement::Address;
using settlement::AnvilProcess;
using settlement::MarketContract;
using settlement::U256;

struct EvmChain {
    std::unique_ptr<AnvilProcess> anvil;
    std::unique_ptr<settlement::EthClient> client;
    std::unique_ptr<MarketContract> market;
    std::unique_ptr<settlement::TxSender> requester;
    json deployment;
    fs::path deployment_path, keeper_key;
    Address keeper;

    // Every event of the market since its deployment, with the transaction that emitted it.
    std::vector<std::pair<settlement::MarketEvent, settlement::Hash256>> events()
    {
        std::vector<std::pair<settlement::MarketEvent, settlement::Hash256>> out;
        for (const settlement::EthLog& log :
             client->logs(market->address(), {}, deployment.value("block", uint64_t{0}), client->block_number()))
            for (settlement::MarketEvent& e : market->events(log)) out.emplace_back(std::move(e), log.tx_hash);
        return out;
    }
};

// Here, where EvmChain is complete.
Demo::Demo(const DemoArgs& args) : args_(args) {}
Demo::~Demo() = default;

namespace {

constexpr size_t kRequesterDevKey = 9;  // provers take dev keys 1..8, the deployer and keeper 0

std::string eth(const U256& wei)  // whole ether, for the dev accounts' gas money
{
    const std::string d = wei.to_decimal();
    return (d.size() > 18 ? d.substr(0, d.size() - 18) : "0") + " ETH";
}

U256 plus(const U256& a, const U256& b)
{
    U256 sum;
    if (U256::add(sum, a, b) != 0) throw std::runtime_error("demo: wei sum overflows 256 bits");
    return sum;
}

// (requester << 96) | key in hex, shortened to the requester's first digits and the key's last.
std::string short_chain_id(const U256& id)
{
    const std::string h = id.to_hex();
    return h.size() > 16 ? h.substr(0, 6) + ".." + h.substr(h.size() - 8) : h;
}

uint64_t u64(const U256& v)
{
    if (v.bit_length() > 64) throw std::runtime_error("demo: amount " + v.to_decimal() + " wei exceeds 64 bits");
    return v.limb[0];
}

std::string thousands(uint64_t v)
{
    const std::string digits = std::to_string(v);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

std::string short_hash(const settlement::Hash256& h) { return settlement::to_hex(h).substr(0, 12) + ".."; }

}  // namespace

void Demo::require_anvil()
{
    const std::string anvil = AnvilProcess::default_binary();
    if (::access(anvil.c_str(), X_OK) != 0)
        throw std::runtime_error("demo --evm: anvil not found at " + anvil +
                                 " (scripts/setup.sh runs npm ci in tools/; or set PROVERNET_ANVIL to its path)");
}

void Demo::start_chain()
{
    chain_ = std::make_unique<EvmChain>();
    EvmChain& c = *chain_;
    c.anvil = std::make_unique<AnvilProcess>();  // a free port, chain 31337, a block per transaction
    c.client = std::make_unique<settlement::EthClient>(c.anvil->url());
    c.keeper_key = dir_ / "keeper.key";
    coordinator::write_key_file(c.keeper_key.string(), AnvilProcess::dev_key(0));
    c.keeper = AnvilProcess::dev_key(0).address();
    say("anvil at " + c.anvil->url() + " (chain " + std::to_string(c.client->chain_id()) +
        ", a block per transaction); its dev keys are the actors, each with " + eth(c.client->balance(c.keeper)));

    DeployOptions d;
    d.rpc = c.anvil->url();
    d.key_file = c.keeper_key.string();
    d.out = (dir_ / "deployment.json").string();
    for (const auto& w : kWorkloads) d.circuits.push_back(w.program + "=" + zkeys_[w.program]);
    std::ofstream progress(dir_ / "deploy.log");
    d.progress = &progress;
    const auto t = Clock::now();
    c.deployment = deploy_contracts(d);
    c.deployment_path = d.out;
    c.market = std::make_unique<MarketContract>(*c.client, Address::parse(c.deployment.at("market").get<std::string>(), "market"));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(Clock::now() - t).count());
    say("deployed ProverMarket " + c.deployment["market"].get<std::string>() + " from dev key 0 " +
        short_address(c.keeper.to_checksum_string()) + " in " + buf + " (deploy.log):");
    for (const json& circuit : c.deployment["circuits"])
        say("  " + circuit.value("program", "?") + ": verifier " + circuit.value("verifier", "?") + ", circuit id 0x" +
            circuit.value("identity", "").substr(0, 12) + "..");
    const settlement::PrivateKey requester = AnvilProcess::dev_key(kRequesterDevKey);
    requester_ = std::make_shared<coordinator::ActionSigner>(requester);
    c.requester = std::make_unique<settlement::TxSender>(*c.client, requester, dir_ / "requester.txs");
}

std::vector<std::string> Demo::coordinator_evm_args() const
{
    return {"--settlement", "evm", "--rpc", chain_->anvil->url(), "--deployment", chain_->deployment_path.string(),
            "--keeper-key", chain_->keeper_key.string()};
}

void Demo::make_evm_nodes()
{
    // The coordinator and the chain must name each circuit alike: both come from the same zkey.
    for (const auto& w : kWorkloads) {
        bool on_chain = false;
        for (const json& c : chain_->deployment["circuits"])
            on_chain |= c.value("identity", "") == circuits_[w.program];
        if (!on_chain) throw std::runtime_error("demo: circuit " + circuits_[w.program] + " of " + w.program +
                                                " is registered with the coordinator but not on chain");
    }
    for (unsigned i = 0; i < args_.nodes; ++i) {
        Node n;
        n.name = "node-" + std::to_string(i + 1);
        const settlement::PrivateKey key = AnvilProcess::dev_key(i + 1);
        coordinator::write_key_file((dir_ / (n.name + ".key")).string(), key);
        n.address = key.address().to_lower_string();
        n.log = dir_ / (n.name + ".log");
        nodes_.push_back(n);
    }
    say("provers: dev keys 1.." + std::to_string(args_.nodes) + "; each deposits and stakes " +
        std::to_string(kProverStake) + " wei on chain itself. Requester: dev key " + std::to_string(kRequesterDevKey) + " " +
        short_address(requester_->address()));
}

void Demo::submit_on_chain(const Workload& w, const finance::Program& p, unsigned /*copy*/)
{
    EvmChain& c = *chain_;
    // Chain time is the latest block's (anvil follows the wall clock, a second per block at least).
    const uint64_t now_s = std::max(coordinator::unix_ms() / 1000, c.client->block_timestamp());
    coordinator::ChainRequestSpec spec;
    spec.key = U256(requests_.size() + 1);  // the requester's own numbering (a fresh chain and requester)
    spec.circuit_identity = circuits_[w.program];
    spec.inputs = example_input(p);
    spec.priority = w.priority;
    spec.max_price = w.max_price;
    spec.min_price = w.max_price / 4;
    spec.ramp_start_s = now_s;
    spec.ramp_period_s = 4;
    spec.lock_deadline_s = now_s + (lock_ms_ + 999) / 1000;
    spec.final_deadline_s = now_s + (timeout_ms_ + 999) / 1000;
    spec.collateral = w.collateral;
    const settlement::MarketRequestTerms terms = coordinator::chain_request_terms(p, spec);
    settlement::TxReceipt r;
    try {
        r = c.market->submit_request(*c.requester, terms, U256(w.max_price));  // the escrow, deposited with it
    } catch (const settlement::Revert& e) {
        const auto name = MarketContract::error_name(e.data);
        throw std::runtime_error("demo: submitRequest of " + w.program + " would revert: " + (name ? *name : e.reason));
    }
    Tracked t;
    t.work = &w;
    t.chain_id = MarketContract::request_id(c.requester->address(), spec.key).to_decimal();
    t.escrow = w.max_price;
    requests_.push_back(t);
    say("submitted on chain: " + w.program + ", " + std::string(market::to_string(w.priority)) + ", price " +
        std::to_string(spec.min_price) + ".." + std::to_string(spec.max_price) + " wei, collateral " +
        std::to_string(w.collateral) + " (block " + std::to_string(r.block_number) + ", gas " + thousands(r.gas_used) + ")");
}

bool Demo::resolve_chain_id(Tracked& t)
{
    try {
        coordinator::HttpClient http = coordinator::HttpClient::from_url(url_);
        const coordinator::HttpResponse r = http.get("/v1/requests/chain/" + t.chain_id);
        if (!r.ok()) return false;  // 404 until the coordinator has indexed the block
        t.id = r.json().at("id").get<uint64_t>();
    } catch (const std::exception&) {
        return false;
    }
    say("request " + std::to_string(t.id) + " (" + t.work->program + ") indexed by the coordinator: chain id " +
        short_chain_id(*U256::from_decimal(t.chain_id)));
    return true;
}

std::optional<json> Demo::proof_from_chain(const Tracked& t)
{
    EvmChain& c = *chain_;
    const U256 id = *U256::from_decimal(t.chain_id);
    std::optional<std::pair<settlement::Hash256, Address>> found;  // tx, prover
    for (const auto& [event, tx] : c.events())
        if (const auto* f = std::get_if<me::RequestFulfilled>(&event); f && f->request_id == id) found.emplace(tx, f->prover);
    if (!found) return std::nullopt;
    const json tx = c.client->rpc().call("eth_getTransactionByHash", json::array({settlement::to_hex(found->first)}));
    const settlement::Bytes input = settlement::from_hex(tx.at("input").get<std::string>(), "transaction input");
    if (input.size() < 4) return std::nullopt;
    const settlement::BytesView args = settlement::BytesView(input).subspan(4);
    const auto selector = settlement::abi::selector;
    std::vector<U256> words, signals;
    if (std::equal(input.begin(), input.begin() + 4, selector("fulfill(uint256,uint256[8],uint256[],uint32[])").begin())) {
        const auto v = settlement::abi::decode("uint256,uint256[8],uint256[],uint32[]", args);
        for (const auto& x : v[1].as_list()) words.push_back(x.as_uint());
        for (const auto& x : v[2].as_list()) signals.push_back(x.as_uint());
    } else if (std::equal(input.begin(), input.begin() + 4,
                          selector("fulfillBatch(bytes32,uint32[],uint256[],uint256[],uint256[])").begin())) {
        // Flat arrays: 8 proof words and n signals per item.
        const auto v = settlement::abi::decode("bytes32,uint32[],uint256[],uint256[],uint256[]", args);
        const auto& ids = v[2].as_list();
        const auto& all_words = v[3].as_list();
        const auto& all_signals = v[4].as_list();
        const size_t n = ids.empty() ? 0 : all_signals.size() / ids.size();
        for (size_t k = 0; k < ids.size(); ++k) {
            if (ids[k].as_uint() != id) continue;
            for (size_t i = 0; i < 8; ++i) words.push_back(all_words.at(8 * k + i).as_uint());
            for (size_t i = 0; i < n; ++i) signals.push_back(all_signals.at(n * k + i).as_uint());
        }
    }
    if (words.size() != 8) return std::nullopt;
    // The contract appends its caller as the last public signal; A, B (c1 before c0), C.
    signals.push_back(settlement::address_signal(found->second));
    const auto d = [&](size_t i) { return words[i].to_decimal(); };
    // (json::array: a braced pair of strings would make an object.)
    const json proof = {{"pi_a", json::array({d(0), d(1), "1"})},
                        {"pi_b", json::array({json::array({d(3), d(2)}), json::array({d(5), d(4)}), json::array({"1", "0"})})},
                        {"pi_c", json::array({d(6), d(7), "1"})},
                  {"protocol", "groth16"},
                  {"curve", "bn128"}};
    json public_signals = json::array();
    for (const U256& s : signals) public_signals.push_back(s.to_decimal());
    return json{{"proof", proof},
                {"public_signals", public_signals},
                {"prover", found->second.to_lower_string()},
                {"tx", short_hash(found->first)}};
}

bool Demo::chain_checks(const Settled& s)
{
    EvmChain& c = *chain_;
    coordinator::Client reader(url_);
    std::cout << "\nOn chain (ProverMarket " << c.market->address().to_checksum_string() << ", block "
              << c.client->block_number() << "; balances in wei)\n";
    std::cout << pad("account", 10) << pad("address", 14) << pad("balance", 10, true) << pad("stake", 9, true)
              << pad("locked", 8, true) << pad("pending", 9, true) << "  coordinator's mirror\n";
    struct Row {
        std::string name;
        Address address;
    };
    std::vector<Row> rows;
    for (const Node& n : nodes_) rows.push_back({n.name + (n.killed ? "*" : ""), Address::parse(n.address, n.name)});
    rows.push_back({"requester", c.requester->address()});
    rows.push_back({"keeper", c.keeper});  // the deployer: fee account and owner
    U256 held;
    bool mirror_agrees = true;
    uint64_t requester_balance = 0;
    for (const Row& r : rows) {
        const settlement::MarketAccount a = c.market->account(r.address);
        held = plus(plus(held, a.balance), plus(plus(a.stake, a.locked), a.pending));
        if (r.name == "requester") requester_balance = u64(a.balance);
        json m = reader.account(r.address.to_lower_string())["account"];
        uint64_t m_pending = 0;
        for (const auto& p : m.value("pending", json::array())) m_pending += amount(p["amount"]);
        const bool same = amount(m["balance"]) == u64(a.balance) && amount(m["stake"]) == u64(a.stake) &&
                          amount(m["locked"]) == u64(a.locked) && m_pending == u64(a.pending);
        mirror_agrees &= same;
        std::cout << pad(r.name, 10) << pad(short_address(r.address.to_checksum_string()), 14)
                  << pad(a.balance.to_decimal(), 10, true) << pad(a.stake.to_decimal(), 9, true)
                  << pad(a.locked.to_decimal(), 8, true) << pad(a.pending.to_decimal(), 9, true) << "  "
                  << (same ? "same" : "DIFFERS: " + m.dump()) << "\n";
    }

    // The events tell what the accounts cannot: who was slashed, and what the provers earned.
    uint64_t fulfilments = 0, earned = 0, requester_bounties = 0;
    bool killed_slashed_on_chain = false;
    for (const auto& [event, tx] : c.events()) {
        if (const auto* f = std::get_if<me::RequestFulfilled>(&event)) {
            ++fulfilments;
            earned += u64(f->price) - u64(f->fee);
        } else if (const auto* sl = std::get_if<me::ProverSlashed>(&event)) {
            const bool to_requester = sl->bounty_to == c.requester->address();
            if (to_requester) requester_bounties += u64(sl->bounty);
            else earned += u64(sl->bounty);
            const std::string who = name_of(sl->prover.to_lower_string());
            if (killed_node_ && who == nodes_[*killed_node_].name) killed_slashed_on_chain = true;
            std::string request = "chain request " + short_chain_id(sl->request_id);
            for (const Tracked& t : requests_)
                if (t.chain_id == sl->request_id.to_decimal() && t.id != 0) request = "request " + std::to_string(t.id);
            std::cout << "ProverSlashed: " << who << " on " << request << ": collateral " << sl->collateral.to_decimal() << ", burned " << sl->burned.to_decimal()
                      << ", bounty " << sl->bounty.to_decimal() << " to "
                      << (to_requester ? "the requester" : name_of(sl->bounty_to.to_lower_string())) << " (tx "
                      << short_hash(tx) << ")\n";
        }
    }

    // Every wei the market holds is in an account, in an open request's escrow, or burned.
    U256 escrow;
    for (const Tracked& t : requests_) escrow = plus(escrow, c.market->request(*U256::from_decimal(t.chain_id)).escrow);
    const U256 burned = c.market->burned(), contract = c.client->balance(c.market->address());
    const bool conserved = contract == plus(plus(held, escrow), burned);
    uint64_t sent = 0;
    for (const Tracked& t : requests_) sent += t.escrow;
    // Escrow sent = prices paid + what came back (refunds, and bounties when a request expired).
    const bool requester_paid = sent + requester_bounties == s.paid + requester_balance;
    const int64_t paid_by_requester = int64_t(sent) - int64_t(requester_balance);
    const bool earned_once = earned == s.earned && fulfilments == s.fulfilled && s.fulfilment_records == s.fulfilled;
    const json evm = reader.info().value("evm", json::object());
    const uint64_t divergences = evm.value("divergences", uint64_t{0});
    std::cout << "\ncheck: the market holds " << contract.to_decimal() << " = accounts " << held.to_decimal() << " + escrow "
              << escrow.to_decimal() << " + burned " << burned.to_decimal() << (conserved ? " (conserved)" : " MISMATCH")
              << "; requester paid " << paid_by_requester << " = prices " << s.paid
              << (requester_bounties ? " - bounties " + std::to_string(requester_bounties) : "")
              << (requester_paid ? "" : " MISMATCH") << "; provers earned " << earned << " on chain, " << s.earned
              << " in the mirror, " << fulfilments << " fulfilments for " << s.fulfilled << " fulfilled requests"
              << (earned_once ? " (no request paid twice)" : " MISMATCH") << "; mirror accounts "
              << (mirror_agrees ? "= chain" : "DIFFER from the chain") << ", " << divergences << " divergences\n";
    if (killed_node_ && !killed_slashed_on_chain)
        std::cout << "no ProverSlashed event names the killed node " << nodes_[*killed_node_].name << "\n";
    print_gas();
    return conserved && requester_paid && earned_once && mirror_agrees && divergences == 0 &&
           (!killed_node_ || killed_slashed_on_chain);
}

// Every transaction since genesis, by market function (the contract creations are the deployment).
void Demo::print_gas()
{
    EvmChain& c = *chain_;
    std::map<std::string, std::string> by_selector;
    for (const char* sig : {"deposit()", "withdraw(uint256)", "stake(uint256)", "requestUnstake(uint256)",
                            "completeUnstake()", "registerProver(uint256)", "resumeProver(address)",
                            "registerCircuit(bytes32,address,uint32)", "cancel(uint256)", "lock(uint256)",
                            "fulfill(uint256,uint256[8],uint256[],uint32[])",
                            "fulfillBatch(bytes32,uint32[],uint256[],uint256[],uint256[])", "expire(uint256[])"}) {
        const auto s = settlement::abi::selector(sig);
        by_selector[settlement::to_hex(settlement::BytesView(s))] = std::string(sig).substr(0, std::string(sig).find('('));
    }
    // submitRequest takes a tuple: its selector from the call data the client builds.
    by_selector[settlement::to_hex(settlement::BytesView(MarketContract::submit_request_call({})).first(4))] = "submitRequest";
    struct Use {
        uint64_t txs = 0, gas = 0, reverted = 0;
    };
    std::map<std::string, Use> uses;
    uint64_t total = 0, txs = 0;
    const uint64_t head = c.client->block_number();
    for (uint64_t b = 1; b <= head; ++b) {
        const json block = c.client->rpc().call("eth_getBlockByNumber", json::array({settlement::to_quantity(b), true}));
        for (const json& tx : block.value("transactions", json::array())) {
            const std::string input = tx.value("input", "0x");
            std::string name = "create";
            if (tx.contains("to") && !tx["to"].is_null()) {
                auto it = by_selector.find(input.substr(0, 10));
                name = it == by_selector.end() ? "other" : it->second;
            }
            const auto receipt =
                c.client->receipt(settlement::from_hex_array<32>(tx.at("hash").get<std::string>(), "transaction hash"));
            if (!receipt) continue;
            Use& u = uses[name];
            ++u.txs;
            u.gas += receipt->gas_used;
            u.reverted += receipt->success ? 0 : 1;
            total += receipt->gas_used;
            ++txs;
        }
    }
    std::cout << "\nanvil: block " << head << ", " << txs << " transactions, " << thousands(total) << " gas in all\n";
    std::cout << pad("function", 16) << pad("txs", 5, true) << pad("gas", 13, true) << pad("per tx", 11, true) << "\n";
    for (const auto& [name, u] : uses)
        std::cout << pad(name, 16) << pad(std::to_string(u.txs), 5, true) << pad(thousands(u.gas), 13, true)
                  << pad(thousands(u.gas / u.txs), 11, true)
                  << (u.reverted ? "  (" + std::to_string(u.reverted) + " reverted)" : "") << "\n";
}

}  // namespace provernet::cli::demo
