#include "settlement/eth_client.hpp"

#include "settlement/abi.hpp"
#include "settlement/hex.hpp"

#include <algorithm>

namespace provernet::settlement {

namespace {

using nlohmann::json;

const json& field(const json& object, std::string_view name, std::string_view what)
{
    if (!object.is_object())
        throw std::runtime_error(std::string(what) + ": expected a JSON object, got " + object.dump());
    const auto it = object.find(name);
    if (it == object.end())
        throw std::runtime_error(std::string(what) + ": missing field \"" + std::string(name) + "\"");
    return *it;
}

std::string str_of(const json& j, std::string_view what)
{
    if (!j.is_string())
        throw std::runtime_error(std::string(what) + ": expected a hex string, got " + j.dump());
    return j.get<std::string>();
}

Bytes data_of(const json& j, std::string_view what) { return from_hex(str_of(j, what), what); }

Hash256 hash_of(const json& j, std::string_view what) { return from_hex_array<32>(str_of(j, what), what); }

Address address_of(const json& j, std::string_view what) { return Address::parse(str_of(j, what), what); }

json call_object(const std::optional<Address>& to, BytesView data, const std::optional<Address>& from,
                 const math::U256& value)
{
    json tx = json::object();
    if (from)
        tx["from"] = from->to_lower_string();
    if (to)
        tx["to"] = to->to_lower_string();
    // Both spellings: "input" is the current name, older nodes only read "data".
    tx["input"] = to_hex(data);
    tx["data"] = to_hex(data);
    if (!value.is_zero())
        tx["value"] = to_quantity(value);
    return tx;
}

bool is_revert(const RpcError& e)
{
    // Geth and anvil report reverts with code 3 ("execution reverted"); other nodes use -32000
    // or -32015 with "revert" in the message.
    if (e.code == 3)
        return true;
    std::string m = e.message;
    std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return m.find("revert") != std::string::npos;
}

[[noreturn]] void throw_revert(const RpcError& e, std::string_view method)
{
    Bytes data;
    if (e.data.starts_with("0x")) {
        try {
            data = from_hex(e.data, "revert data");
        } catch (const std::exception&) {
            data.clear();
        }
    }
    std::string reason = decode_revert_reason(data);
    if (data.empty() && e.message.find(':') != std::string::npos)
        reason = e.message.substr(e.message.find(':') + 1), reason.erase(0, reason.find_first_not_of(' '));
    throw Revert(std::string(method) + " reverted: " + reason, std::move(data), std::move(reason));
}

}  // namespace

std::string decode_revert_reason(BytesView data)
{
    if (data.empty())
        return "no reason";
    if (data.size() < 4)
        return "malformed revert data " + to_hex(data);
    const auto sel = std::array<uint8_t, 4>{data[0], data[1], data[2], data[3]};
    const BytesView args = data.subspan(4);
    try {
        if (sel == abi::selector("Error(string)"))
            return abi::decode("string", args).at(0).as_string();
        if (sel == abi::selector("Panic(uint256)"))
            return "panic " + abi::decode("uint256", args).at(0).as_uint().to_hex();
    } catch (const std::exception&) {
        // Fall through: a selector that collides with no valid payload is reported as custom.
    }
    return "custom error " + to_hex(BytesView(sel));
}

std::string to_quantity(uint64_t v) { return math::U256(v).to_hex(); }
std::string to_quantity(const math::U256& v) { return v.to_hex(); }

math::U256 parse_quantity_u256(const json& j, std::string_view what)
{
    const std::string s = str_of(j, what);
    if (!s.starts_with("0x") || s.size() < 3)
        throw std::runtime_error(std::string(what) + ": expected a 0x-hex quantity, got \"" + s + "\"");
    const auto v = math::U256::from_hex(s);
    if (!v)
        throw std::runtime_error(std::string(what) + ": invalid quantity \"" + s + "\"");
    return *v;
}

uint64_t parse_quantity_u64(const json& j, std::string_view what)
{
    const math::U256 v = parse_quantity_u256(j, what);
    if (v.limb[1] | v.limb[2] | v.limb[3])
        throw std::runtime_error(std::string(what) + ": quantity " + v.to_hex() + " exceeds 64 bits");
    return v.limb[0];
}

EthLog parse_log(const json& j)
{
    EthLog log;
    log.address = address_of(field(j, "address", "log"), "log.address");
    const json& topics = field(j, "topics", "log");
    if (!topics.is_array())
        throw std::runtime_error("log.topics: expected an array");
    for (const auto& t : topics)
        log.topics.push_back(hash_of(t, "log.topics[]"));
    log.data = data_of(field(j, "data", "log"), "log.data");
    log.block_number = parse_quantity_u64(field(j, "blockNumber", "log"), "log.blockNumber");
    log.tx_hash = hash_of(field(j, "transactionHash", "log"), "log.transactionHash");
    log.log_index = parse_quantity_u64(field(j, "logIndex", "log"), "log.logIndex");
    return log;
}

TxReceipt parse_receipt(const json& j)
{
    TxReceipt r;
    r.tx_hash = hash_of(field(j, "transactionHash", "receipt"), "receipt.transactionHash");
    r.block_number = parse_quantity_u64(field(j, "blockNumber", "receipt"), "receipt.blockNumber");
    r.success = parse_quantity_u64(field(j, "status", "receipt"), "receipt.status") == 1;
    r.gas_used = parse_quantity_u64(field(j, "gasUsed", "receipt"), "receipt.gasUsed");
    if (j.contains("effectiveGasPrice") && !j["effectiveGasPrice"].is_null())
        r.effective_gas_price = parse_quantity_u256(j["effectiveGasPrice"], "receipt.effectiveGasPrice");
    if (j.contains("contractAddress") && !j["contractAddress"].is_null())
        r.contract_address = address_of(j["contractAddress"], "receipt.contractAddress");
    const json& logs = field(j, "logs", "receipt");
    if (!logs.is_array())
        throw std::runtime_error("receipt.logs: expected an array");
    for (const auto& l : logs)
        r.logs.push_back(parse_log(l));
    return r;
}

EthClient::EthClient(std::string rpc_url, std::chrono::milliseconds timeout) : rpc_(std::move(rpc_url), timeout) {}

uint64_t EthClient::chain_id()
{
    if (!chain_id_)
        chain_id_ = parse_quantity_u64(rpc_.call("eth_chainId", json::array()), "eth_chainId");
    return *chain_id_;
}

uint64_t EthClient::block_number()
{
    return parse_quantity_u64(rpc_.call("eth_blockNumber", json::array()), "eth_blockNumber");
}

uint64_t EthClient::block_timestamp(std::string_view block)
{
    const json b = rpc_.call("eth_getBlockByNumber", {block, false});
    if (b.is_null())
        throw std::runtime_error(rpc_.url() + ": block " + std::string(block) + " not found");
    return parse_quantity_u64(field(b, "timestamp", "block"), "block.timestamp");
}

math::U256 EthClient::base_fee(std::string_view block)
{
    const json b = rpc_.call("eth_getBlockByNumber", {block, false});
    if (b.is_null())
        throw std::runtime_error(rpc_.url() + ": block " + std::string(block) + " not found");
    return parse_quantity_u256(field(b, "baseFeePerGas", "block"), "block.baseFeePerGas");
}

math::U256 EthClient::balance(const Address& account)
{
    return parse_quantity_u256(rpc_.call("eth_getBalance", {account.to_lower_string(), "latest"}), "eth_getBalance");
}

uint64_t EthClient::nonce(const Address& account, std::string_view block)
{
    return parse_quantity_u64(rpc_.call("eth_getTransactionCount", {account.to_lower_string(), block}),
                              "eth_getTransactionCount");
}

Bytes EthClient::code(const Address& account)
{
    return data_of(rpc_.call("eth_getCode", {account.to_lower_string(), "latest"}), "eth_getCode");
}

Bytes EthClient::call(const Address& to, BytesView data, const std::optional<Address>& from, const math::U256& value,
                      std::string_view block)
{
    try {
        return data_of(rpc_.call("eth_call", {call_object(to, data, from, value), std::string(block)}), "eth_call");
    } catch (const RpcError& e) {
        if (is_revert(e))
            throw_revert(e, "eth_call to " + to.to_checksum_string());
        throw;
    }
}

uint64_t EthClient::estimate_gas(const std::optional<Address>& to, BytesView data, const Address& from,
                                 const math::U256& value)
{
    try {
        return parse_quantity_u64(rpc_.call("eth_estimateGas", {call_object(to, data, from, value)}),
                                  "eth_estimateGas");
    } catch (const RpcError& e) {
        if (is_revert(e))
            throw_revert(e, to ? "eth_estimateGas to " + to->to_checksum_string() : "eth_estimateGas (creation)");
        throw;
    }
}

Fees EthClient::suggest_fees()
{
    Fees fees;
    fees.max_priority_fee_per_gas =
        parse_quantity_u256(rpc_.call("eth_maxPriorityFeePerGas", json::array()), "eth_maxPriorityFeePerGas");
    const math::U256 base = base_fee("latest");
    // 2x the base fee: stays includable through six consecutive full blocks (+12.5% each).
    math::U256 doubled;
    if (math::U256::add(doubled, base, base) ||
        math::U256::add(fees.max_fee_per_gas, doubled, fees.max_priority_fee_per_gas))
        throw std::runtime_error(rpc_.url() + ": base fee " + base.to_hex() + " overflows");
    return fees;
}

Hash256 EthClient::send_raw(BytesView raw)
{
    return hash_of(rpc_.call("eth_sendRawTransaction", {to_hex(raw)}), "eth_sendRawTransaction");
}

std::optional<TxReceipt> EthClient::receipt(const Hash256& tx_hash)
{
    const json r = rpc_.call("eth_getTransactionReceipt", {to_hex(tx_hash)});
    if (r.is_null())
        return std::nullopt;
    // Some nodes return a receipt without a block for pending transactions.
    if (!r.contains("blockNumber") || r["blockNumber"].is_null())
        return std::nullopt;
    return parse_receipt(r);
}

std::vector<EthLog> EthClient::logs(const Address& contract, const std::vector<std::optional<Hash256>>& topics,
                                    uint64_t from_block, uint64_t to_block, uint64_t max_range)
{
    if (max_range == 0)
        throw std::invalid_argument("EthClient::logs: max_range must be positive");
    if (from_block > to_block)
        throw std::invalid_argument("EthClient::logs: from_block " + std::to_string(from_block) + " > to_block " +
                                    std::to_string(to_block));
    json topic_filter = json::array();
    for (const auto& t : topics)
        topic_filter.push_back(t ? json(to_hex(*t)) : json(nullptr));
    std::vector<EthLog> out;
    for (uint64_t start = from_block;;) {
        const uint64_t end = (to_block - start >= max_range - 1) ? start + max_range - 1 : to_block;
        const json filter = {{"address", contract.to_lower_string()},
                             {"topics", topic_filter},
                             {"fromBlock", to_quantity(start)},
                             {"toBlock", to_quantity(end)}};
        const json result = rpc_.call("eth_getLogs", json::array({filter}));
        if (!result.is_array())
            throw std::runtime_error(rpc_.url() + ": eth_getLogs: expected an array");
        for (const auto& l : result)
            out.push_back(parse_log(l));
        if (end == to_block)
            break;
        start = end + 1;
    }
    return out;
}

}  // namespace provernet::settlement
