#include "settlement/eth_client.hpp"

#include "settlement/abi.hpp"
#include "settlement/anvil.hpp"
#include "settlement/anvil_test_support.hpp"
#include "settlement/hex.hpp"
#include "settlement/tx_sender.hpp"

#include <gtest/gtest.h>

namespace provernet::settlement {
namespace {

using math::U256;

Bytes with_prefix(uint8_t first, BytesView rest)
{
    Bytes out;
    out.reserve(1 + rest.size());
    out.push_back(first);
    append(out, rest);
    return out;
}

TEST(RevertReason, DecodesStandardPayloads)
{
    EXPECT_EQ(decode_revert_reason({}), "no reason");
    EXPECT_EQ(decode_revert_reason(abi::encode_call("Error(string)", {abi::Value::string("too late")})), "too late");
    EXPECT_EQ(decode_revert_reason(abi::encode_call("Panic(uint256)", {abi::Value::uint(0x11)})), "panic 0x11");
    EXPECT_EQ(decode_revert_reason(abi::encode_call("NotOwner(address)", {abi::Value::address({})})),
              "custom error " + to_hex(abi::selector("NotOwner(address)")));
    EXPECT_EQ(decode_revert_reason(from_hex("0x0102")), "malformed revert data 0x0102");
    // Error(string) selector with a broken payload is not mis-decoded.
    EXPECT_EQ(decode_revert_reason(from_hex("0x08c379a0ff")), "custom error 0x08c379a0");
}

TEST(Quantities, ParseStrictly)
{
    EXPECT_EQ(parse_quantity_u64("0x0", "q"), 0u);
    EXPECT_EQ(parse_quantity_u64("0xffffffffffffffff", "q"), UINT64_MAX);
    EXPECT_THROW(parse_quantity_u64("0x10000000000000000", "q"), std::runtime_error);
    EXPECT_THROW(parse_quantity_u64("12", "q"), std::runtime_error);
    EXPECT_THROW(parse_quantity_u64("0x", "q"), std::runtime_error);
    EXPECT_THROW(parse_quantity_u64(12, "q"), std::runtime_error);
    EXPECT_EQ(to_quantity(uint64_t(0)), "0x0");
    EXPECT_EQ(to_quantity(uint64_t(255)), "0xff");
}

class EthClientAnvil : public testing::AnvilSuite<EthClientAnvil> {
protected:
    static void SetUpTestSuite()
    {
        AnvilSuite::SetUpTestSuite();
        if (!eth_) return;
        TxSender deployer(*eth_, AnvilProcess::dev_key(0));
        contract_ = deployer.deploy(testing::echo_contract_init_code());
    }

    static inline Address contract_;
};

TEST_F(EthClientAnvil, ChainState)
{
    EXPECT_EQ(eth_->chain_id(), 31337u);
    EXPECT_GE(eth_->block_number(), 1u);  // the deployment
    EXPECT_GT(eth_->block_timestamp(), 1'600'000'000u);
    // Anvil funds its dev accounts with 10000 ether.
    const U256 ten_thousand_ether = *U256::from_decimal("10000000000000000000000");
    EXPECT_EQ(eth_->balance(AnvilProcess::dev_key(9).address()), ten_thousand_ether);
    EXPECT_EQ(eth_->balance(Address::parse("0x000000000000000000000000000000000000dEaD")), U256());
    EXPECT_EQ(eth_->nonce(AnvilProcess::dev_key(9).address()), 0u);
    EXPECT_EQ(eth_->nonce(AnvilProcess::dev_key(0).address(), "latest"), 1u);
    EXPECT_EQ(eth_->code(contract_).size(), 45u);
    EXPECT_TRUE(eth_->code(AnvilProcess::dev_key(9).address()).empty());
}

TEST_F(EthClientAnvil, CallReturnsData)
{
    const Bytes data = abi::encode_call("f(uint256)", {abi::Value::uint(7)});
    EXPECT_EQ(eth_->call(contract_, data), data);
    EXPECT_EQ(eth_->call(contract_, data, AnvilProcess::dev_key(3).address(), U256(5)), data);
}

TEST_F(EthClientAnvil, CallDecodesReverts)
{
    const auto expect_revert = [&](const Bytes& payload, const std::string& reason) {
        try {
            eth_->call(contract_, with_prefix(0x01, payload));
            ADD_FAILURE() << "no revert for " << reason;
        } catch (const Revert& e) {
            EXPECT_EQ(e.data, payload);
            EXPECT_EQ(e.reason, reason);
        }
    };
    expect_revert(abi::encode_call("Error(string)", {abi::Value::string("order expired")}), "order expired");
    expect_revert(abi::encode_call("Panic(uint256)", {abi::Value::uint(0x32)}), "panic 0x32");
    const Bytes custom = abi::encode_call("InsufficientBond(uint256,uint256)", {abi::Value::uint(1), abi::Value::uint(2)});
    expect_revert(custom, "custom error " + to_hex(abi::selector("InsufficientBond(uint256,uint256)")));
    expect_revert({}, "no reason");
}

TEST_F(EthClientAnvil, EstimateGas)
{
    const Address from = AnvilProcess::dev_key(3).address();
    EXPECT_EQ(eth_->estimate_gas(AnvilProcess::dev_key(4).address(), {}, from, U256(1)), 21'000u);
    const Hash256 topic = abi::event_topic("Ping(uint256)");
    Bytes log_call = with_prefix(0x02, topic);
    append(log_call, Bytes(64, 0xab));
    const uint64_t log_gas = eth_->estimate_gas(contract_, log_call, from);
    EXPECT_GT(log_gas, 21'000u + 375 + 375);  // base + LOG + one topic
    EXPECT_LT(log_gas, 40'000u);
    try {
        eth_->estimate_gas(contract_, with_prefix(0x01, abi::encode_call("Error(string)", {abi::Value::string("no")})),
                           from);
        FAIL();
    } catch (const Revert& e) {
        EXPECT_EQ(e.reason, "no");
    }
    // Creation estimates work too.
    EXPECT_GT(eth_->estimate_gas(std::nullopt, testing::echo_contract_init_code(), from), 53'000u);
}

TEST_F(EthClientAnvil, SuggestFeesLeavesHeadroom)
{
    const Fees fees = eth_->suggest_fees();
    const U256 base = eth_->base_fee();
    EXPECT_FALSE(fees.max_priority_fee_per_gas.is_zero());
    U256 expected;
    U256::add(expected, base, base);
    U256::add(expected, expected, fees.max_priority_fee_per_gas);
    EXPECT_EQ(fees.max_fee_per_gas, expected);
}

TEST_F(EthClientAnvil, LogsOverSplitRanges)
{
    TxSender sender(*eth_, AnvilProcess::dev_key(5));
    const Hash256 ping = abi::event_topic("Ping(uint256)");
    const Hash256 pong = abi::event_topic("Pong(uint256)");
    const uint64_t first = eth_->block_number() + 1;
    std::vector<Hash256> tx_hashes;
    for (uint64_t i = 0; i < 7; ++i) {
        Bytes data = with_prefix(0x02, i % 2 == 0 ? ping : pong);
        append(data, to_be_bytes(U256(i)));
        tx_hashes.push_back(sender.transact(contract_, data).tx_hash);
    }
    const uint64_t last = eth_->block_number();
    ASSERT_EQ(last - first + 1, 7u);  // automine: one block per transaction

    for (const uint64_t max_range : {1u, 2u, 3u, 2000u}) {
        const auto all = eth_->logs(contract_, {}, first, last, max_range);
        ASSERT_EQ(all.size(), 7u) << max_range;
        for (uint64_t i = 0; i < 7; ++i) {
            EXPECT_EQ(all[i].address, contract_);
            EXPECT_EQ(all[i].block_number, first + i);
            EXPECT_EQ(all[i].tx_hash, tx_hashes[i]);
            EXPECT_EQ(all[i].log_index, 0u);
            ASSERT_EQ(all[i].topics.size(), 1u);
            EXPECT_EQ(all[i].topics[0], i % 2 == 0 ? ping : pong);
            EXPECT_EQ(u256_from_be(all[i].data), U256(i));
        }
    }
    const auto pings = eth_->logs(contract_, {ping}, first, last, 2);
    ASSERT_EQ(pings.size(), 4u);
    EXPECT_EQ(u256_from_be(pings[3].data), U256(6));
    EXPECT_EQ(eth_->logs(contract_, {pong}, first + 1, first + 1, 5).size(), 1u);
    EXPECT_TRUE(eth_->logs(AnvilProcess::dev_key(5).address(), {}, first, last).empty());
    EXPECT_THROW(eth_->logs(contract_, {}, last, first), std::invalid_argument);
    EXPECT_THROW(eth_->logs(contract_, {}, first, last, 0), std::invalid_argument);
}

TEST_F(EthClientAnvil, ReceiptOfUnknownTransactionIsEmpty)
{
    EXPECT_FALSE(eth_->receipt(Hash256{1, 2, 3}).has_value());
}

}  // namespace
}  // namespace provernet::settlement
