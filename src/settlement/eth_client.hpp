// Typed Ethereum node access on top of JsonRpcClient: chain state, eth_call / eth_estimateGas
// with revert decoding, fee suggestion, raw transaction broadcast, receipts and bounded log
// queries. Quantities travel as 0x-hex JSON strings; every malformed answer throws an error
// naming the method and field.
#pragma once

#include "math/u256.hpp"
#include "settlement/address.hpp"
#include "settlement/bytes.hpp"
#include "settlement/json_rpc.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace provernet::settlement {

struct EthLog {
    Address address;
    std::vector<Hash256> topics;
    Bytes data;
    uint64_t block_number = 0;
    Hash256 tx_hash{};
    uint64_t log_index = 0;
};

struct TxReceipt {
    Hash256 tx_hash{};
    uint64_t block_number = 0;
    bool success = false;
    uint64_t gas_used = 0;
    math::U256 effective_gas_price;
    std::optional<Address> contract_address;
    std::vector<EthLog> logs;
};

// A call or gas estimation reverted. data: the revert data (may be empty); reason: the decoded
// Error(string) message, "panic 0x<code>" for Panic(uint256), "custom error 0x<selector>" for
// anything else with a selector, "no reason" for empty data.
struct Revert : std::runtime_error {
    Revert(const std::string& what, Bytes data, std::string reason)
        : std::runtime_error(what), data(std::move(data)), reason(std::move(reason))
    {
    }
    Bytes data;
    std::string reason;
};

// The human-readable reason of revert data (see Revert::reason).
std::string decode_revert_reason(BytesView data);

struct Fees {
    math::U256 max_fee_per_gas;
    math::U256 max_priority_fee_per_gas;
};

class EthClient {
public:
    explicit EthClient(std::string rpc_url, std::chrono::milliseconds timeout = std::chrono::seconds(10));

    uint64_t chain_id();  // cached after the first call
    uint64_t block_number();
    // block: "latest", "pending", "earliest" or a 0x-hex number.
    uint64_t block_timestamp(std::string_view block = "latest");
    math::U256 balance(const Address& account);
    uint64_t nonce(const Address& account, std::string_view block = "pending");
    Bytes code(const Address& account);

    // eth_call against `block` ("latest" or a 0x-hex number, see to_quantity). Throws Revert
    // when the call reverts.
    Bytes call(const Address& to, BytesView data, const std::optional<Address>& from = {},
               const math::U256& value = {}, std::string_view block = "latest");
    // eth_estimateGas (to empty: contract creation). Throws Revert when execution reverts.
    uint64_t estimate_gas(const std::optional<Address>& to, BytesView data, const Address& from,
                          const math::U256& value = {});
    // max_priority = eth_maxPriorityFeePerGas; max_fee = 2 * latest base fee + max_priority.
    Fees suggest_fees();
    math::U256 base_fee(std::string_view block = "latest");

    Hash256 send_raw(BytesView raw);
    // nullopt while the transaction is unknown or pending.
    std::optional<TxReceipt> receipt(const Hash256& tx_hash);

    // eth_getLogs for `contract` over [from_block, to_block], queried in consecutive ranges of at
    // most max_range blocks (nodes cap the range). topics[i] empty: any value at position i.
    std::vector<EthLog> logs(const Address& contract, const std::vector<std::optional<Hash256>>& topics,
                             uint64_t from_block, uint64_t to_block, uint64_t max_range = 2000);

    JsonRpcClient& rpc() { return rpc_; }

private:
    JsonRpcClient rpc_;
    std::optional<uint64_t> chain_id_;
};

// JSON <-> value helpers for RPC quantities and data (errors name `what`).
std::string to_quantity(uint64_t v);
std::string to_quantity(const math::U256& v);
uint64_t parse_quantity_u64(const nlohmann::json& j, std::string_view what);
math::U256 parse_quantity_u256(const nlohmann::json& j, std::string_view what);
EthLog parse_log(const nlohmann::json& j);
TxReceipt parse_receipt(const nlohmann::json& j);

}  // namespace provernet::settlement
