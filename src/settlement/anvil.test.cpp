#include "settlement/anvil.hpp"

#include "settlement/anvil_test_support.hpp"
#include "settlement/eth_client.hpp"

#include <gtest/gtest.h>

#include <signal.h>

namespace provernet::settlement {
namespace {

TEST(AnvilProcess, MissingBinaryIsAClearError)
{
    AnvilProcess::Options options;
    options.binary = "/nonexistent/anvil-binary";
    try {
        AnvilProcess anvil(options);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/anvil-binary"), std::string::npos) << e.what();
    }
}

TEST(AnvilProcess, BinaryThatExitsEarlyIsReportedWithItsOutput)
{
    AnvilProcess::Options options;
    options.binary = "/bin/false";
    try {
        AnvilProcess anvil(options);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("exited with status 1"), std::string::npos) << e.what();
    }
}

TEST(AnvilProcess, DevKeysAreTheNodesAccounts)
{
    PROVERNET_REQUIRE_ANVIL();
    AnvilProcess anvil;
    const auto accounts = anvil.rpc().call("eth_accounts");
    ASSERT_EQ(accounts.size(), 10u);
    for (size_t i = 0; i < 10; ++i)
        EXPECT_EQ(AnvilProcess::dev_key(i).address(), Address::parse(accounts[i].get<std::string>())) << i;
    EXPECT_THROW(AnvilProcess::dev_key(10), std::out_of_range);
}

TEST(AnvilProcess, ChainIdTimeAndMiningControls)
{
    PROVERNET_REQUIRE_ANVIL();
    AnvilProcess::Options options;
    options.chain_id = 4242;
    options.automine = false;
    AnvilProcess anvil(options);
    EthClient eth(anvil.url());
    EXPECT_EQ(eth.chain_id(), 4242u);

    const uint64_t b0 = eth.block_number();
    anvil.mine(3);
    EXPECT_EQ(eth.block_number(), b0 + 3);

    const uint64_t t = eth.block_timestamp() + 1000;
    anvil.set_next_block_timestamp(t);
    anvil.mine();
    EXPECT_EQ(eth.block_timestamp(), t);
    anvil.increase_time(3600);
    anvil.mine();
    EXPECT_GE(eth.block_timestamp(), t + 3600);

    anvil.set_automine(true);
    EXPECT_EQ(anvil.rpc().call("anvil_getAutomine"), true);
}

TEST(AnvilProcess, DestructionStopsTheNode)
{
    PROVERNET_REQUIRE_ANVIL();
    std::string url;
    pid_t pid = -1;
    {
        AnvilProcess anvil;
        url = anvil.url();
        pid = anvil.pid();
        EXPECT_EQ(::kill(pid, 0), 0);
    }
    EXPECT_NE(::kill(pid, 0), 0);   // reaped
    EXPECT_NE(::kill(-pid, 0), 0);  // and nothing of its process group is left
    JsonRpcClient client(url, std::chrono::milliseconds(1000));
    EXPECT_THROW(client.call("eth_chainId"), RpcTransportError);
}

}  // namespace
}  // namespace provernet::settlement
