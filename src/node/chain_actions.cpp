// A prover node's transactions on the market contract (see chain_actions.hpp).
#include "node/chain_actions.hpp"

#include "coordinator/chain_requests.hpp"
#include "settlement/hex.hpp"

#include <optional>
#include <set>
#include <variant>
#include <stdexcept>

namespace provernet::node {

namespace {

using math::U256;
using settlement::MarketContract;

U256 minus(U256 a, const U256& b)
{
    if (U256::sub(a, a, b) != 0) return U256{};  // saturates at zero
    return a;
}

U256 plus(U256 a, const U256& b)
{
    U256::add(a, a, b);
    return a;
}

std::string error_of(const settlement::Revert& r)
{
    return MarketContract::error_name(r.data).value_or(r.reason);
}

// The address in revert data of the form selector + one address word (AlreadyLocked(holder)).
settlement::Address address_argument(const settlement::Bytes& data)
{
    settlement::Hash256 word{};
    if (data.size() >= 36) std::copy(data.begin() + 4, data.begin() + 36, word.begin());
    return settlement::Address::from_word(word);
}

// A non-negative JSON integer (parsed JSON holds them unsigned, built JSON may hold them signed).
std::optional<uint64_t> natural(const nlohmann::json& j)
{
    if (j.is_number_unsigned()) return j.get<uint64_t>();
    if (j.is_number_integer() && j.get<int64_t>() >= 0) return static_cast<uint64_t>(j.get<int64_t>());
    return std::nullopt;
}

settlement::EthClient& checked(settlement::EthClient& client, const ChainEndpoint& endpoint)
{
    uint64_t id = 0;
    try {
        id = client.chain_id();
    } catch (const std::exception& e) {
        throw std::runtime_error("EVM node " + endpoint.rpc + ": " + e.what());
    }
    if (id != endpoint.chain_id)
        throw std::runtime_error("EVM node " + endpoint.rpc + " is on chain " + std::to_string(id) +
                                 ", but the coordinator's market is on chain " + std::to_string(endpoint.chain_id) +
                                 " (set `rpc` in the node config to a node of that chain)");
    return client;
}

}  // namespace

ChainRequestRef parse_chain_ref(const nlohmann::json& request)
{
    const auto fail = [](const std::string& what) -> std::runtime_error {
        return std::runtime_error("request.chain: " + what + " (is the coordinator in EVM mode?)");
    };
    if (!request.contains("chain") || !request["chain"].is_object()) throw fail("missing");
    const nlohmann::json& c = request["chain"];
    ChainRequestRef ref;
    const auto id = c.contains("id") && c["id"].is_string() ? U256::from_decimal(c["id"].get<std::string>())
                                                             : std::nullopt;
    if (!id) throw fail("id must be a decimal string");
    ref.id = *id;
    if (!c.contains("bound_indices") || !c["bound_indices"].is_array()) throw fail("bound_indices must be an array");
    for (const auto& i : c["bound_indices"]) {
        const auto index = natural(i);
        if (!index || *index > UINT32_MAX) throw fail("bound_indices must hold indices below 2^32");
        ref.bound_indices.push_back(static_cast<uint32_t>(*index));
    }
    if (c.contains("binding_ok") && !c["binding_ok"].is_boolean()) throw fail("binding_ok must be true or false");
    ref.binding_ok = c.value("binding_ok", true);
    return ref;
}

ChainEndpoint chain_endpoint(const nlohmann::json& info, const std::string& rpc_override)
{
    const auto fail = [](const std::string& what) -> std::runtime_error {
        return std::runtime_error("GET /v1/info: evm." + what);
    };
    if (!info.contains("evm") || !info["evm"].is_object())
        throw std::runtime_error("GET /v1/info: \"settlement\" is \"evm\" but there is no \"evm\" object");
    const nlohmann::json& e = info["evm"];
    ChainEndpoint out;
    const auto chain_id = e.contains("chain_id") ? natural(e["chain_id"]) : std::nullopt;
    if (!chain_id) throw fail("chain_id must be a number");
    out.chain_id = *chain_id;
    if (!e.contains("market") || !e["market"].is_string()) throw fail("market must be an address");
    out.market = settlement::Address::parse(e["market"].get<std::string>(), "GET /v1/info: evm.market");
    out.rpc = rpc_override;
    if (out.rpc.empty()) {
        if (!e.contains("rpc") || !e["rpc"].is_string() || e["rpc"].get<std::string>().empty())
            throw fail("rpc is missing: set `rpc` in the node config");
        out.rpc = e["rpc"].get<std::string>();
    }
    return out;
}

std::filesystem::path journal_path(const std::filesystem::path& cache_dir, const settlement::Address& address)
{
    return cache_dir / ("txs-" + address.to_lower_string() + ".jsonl");
}

ChainActions::ChainActions(const ChainEndpoint& endpoint, settlement::PrivateKey key,
                           const std::filesystem::path& journal, Log log, settlement::TxSenderOptions options)
    : client_(endpoint.rpc), address_(key.address()),
      sender_(checked(client_, endpoint), std::move(key), journal, options), contract_(client_, endpoint.market),
      log_(std::move(log))
{
    if (client_.code(endpoint.market).empty())
        throw std::runtime_error("no contract at the market address " + endpoint.market.to_checksum_string() +
                                 " on " + endpoint.rpc);
    const std::vector<settlement::Hash256> pending = sender_.resume();
    for (const settlement::Hash256& hash : pending) {
        log_("waiting for journaled transaction " + settlement::to_hex(hash) + " (sent before a restart)");
        const settlement::TxReceipt r = sender_.wait(hash, std::chrono::minutes(2));
        log_("journaled transaction " + settlement::to_hex(r.tx_hash) + (r.success ? " mined" : " mined and reverted") +
             " in block " + std::to_string(r.block_number));
    }
}

bool ChainActions::prepare_account(uint64_t capacity, uint64_t stake)
{
    std::lock_guard lock(mutex_);
    const settlement::MarketProver p = contract_.prover(address_);
    if (!p.registered || p.capacity != capacity) {
        contract_.register_prover(sender_, capacity);
        log_("registered on chain as a prover with capacity " + std::to_string(capacity));
    }
    const settlement::MarketAccount a = contract_.account(address_);
    const U256 wanted(stake);
    if (a.stake >= wanted) return p.paused;
    const U256 missing = minus(wanted, a.stake);
    U256 deposit = minus(missing, a.balance);
    const U256 eth = client_.balance(address_);
    const U256 spendable = minus(eth, gas_reserve);
    if (deposit > spendable) deposit = spendable;
    if (!deposit.is_zero()) contract_.deposit(sender_, deposit);
    U256 add = plus(a.balance, deposit);
    if (add > missing) add = missing;
    if (!add.is_zero()) contract_.stake(sender_, add);
    log_("staked " + add.to_decimal() + " wei on chain (deposited " + deposit.to_decimal() + " from the key's " +
         eth.to_decimal() + " wei; stake now " + plus(a.stake, add).to_decimal() + " of the " + wanted.to_decimal() +
         " wanted)");
    return p.paused;
}

ChainActions::Result ChainActions::lock(const U256& request_id)
{
    std::lock_guard lock(mutex_);
    Result out;
    try {
        const settlement::TxReceipt receipt = contract_.lock(sender_, request_id);
        out.tx_hash = receipt.tx_hash;
        for (const settlement::MarketEvent& e : contract_.events(receipt))
            if (const auto* locked = std::get_if<settlement::market_event::RequestLocked>(&e)) out.price = locked->price;
    } catch (const settlement::Revert& r) {
        out.reason = error_of(r);
        const bool ours = out.reason == "AlreadyLocked" && address_argument(r.data) == address_;
        out.outcome = ours ? Outcome::done : Outcome::lost_race;
    } catch (const settlement::TxFailed& f) {
        out.outcome = Outcome::lost_race;
        out.reason = std::string("mined and reverted: ") + f.what();
        out.tx_hash = f.receipt.tx_hash;
    }
    return out;
}

ChainActions::Result ChainActions::fulfil(const U256& request_id, const snark::Proof& proof,
                                          const std::vector<U256>& public_signals,
                                          const std::vector<uint32_t>& bound_indices)
{
    Result out;
    coordinator::ChainFulfilArgs args;
    try {
        args = coordinator::chain_fulfil_args(proof, public_signals, address_);
    } catch (const std::invalid_argument& e) {
        out.outcome = Outcome::rejected;
        out.reason = e.what();
        return out;
    }
    // Another prover settled first, or holds the exclusive lock: the request is not this node's.
    static const std::set<std::string> lost = {"RequestClosed", "NotLockHolder", "UnknownRequest"};
    std::lock_guard lock(mutex_);
    try {
        out.tx_hash = contract_.fulfill(sender_, request_id, args.proof, args.signals, bound_indices).tx_hash;
    } catch (const settlement::Revert& r) {
        out.reason = error_of(r);
        out.outcome = lost.count(out.reason) ? Outcome::lost_race : Outcome::rejected;
    } catch (const settlement::TxFailed& f) {
        out.outcome = Outcome::lost_race;
        out.reason = std::string("mined and reverted: ") + f.what();
        out.tx_hash = f.receipt.tx_hash;
    }
    return out;
}

}  // namespace provernet::node
