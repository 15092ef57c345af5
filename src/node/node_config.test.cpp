// node.toml parsing: defaults, paths, and errors that name the key.
#include "node/node_config.hpp"

#include <gtest/gtest.h>

namespace provernet::node {
namespace {

std::string error_of(const std::string& text)
{
    try {
        parse_node_config(text, "node.toml", "/etc/pn");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(NodeConfig, ReadsEveryKeyAndResolvesPathsAgainstTheConfigFolder)
{
    const NodeConfig c = parse_node_config(R"(
key_file = "keys/prover.key"
coordinator = "http://127.0.0.1:9000"
capacity = 2
cache_dir = "/var/cache/pn"
stake = "18000000000000000000"
min_price_per_kconstraint = 7
listen_only = true
max_consecutive_failures = 5
safety_factor = 2.0
margin_ms = 250
initial_seconds_per_constraint = 0.001
calibrate = false
name = "n1"
rpc = "http://127.0.0.1:8545"
)",
                                           "node.toml", "/etc/pn");
    EXPECT_EQ(c.key_file, "/etc/pn/keys/prover.key");
    EXPECT_EQ(c.coordinator, "http://127.0.0.1:9000");
    EXPECT_EQ(c.capacity, 2u);
    EXPECT_EQ(c.cache_dir, "/var/cache/pn");
    EXPECT_EQ(c.stake, 18'000'000'000'000'000'000ull);
    EXPECT_EQ(c.min_price_per_kconstraint, 7u);
    EXPECT_TRUE(c.listen_only);
    EXPECT_EQ(c.max_consecutive_failures, 5u);
    EXPECT_DOUBLE_EQ(c.safety_factor, 2.0);
    EXPECT_EQ(c.margin_ms, 250u);
    EXPECT_DOUBLE_EQ(c.initial_seconds_per_constraint, 0.001);
    EXPECT_FALSE(c.calibrate);
    EXPECT_EQ(c.name, "n1");
    EXPECT_EQ(c.rpc, "http://127.0.0.1:8545");
}

TEST(NodeConfig, Defaults)
{
    const NodeConfig c = parse_node_config("key_file = \"k\"\n", "node.toml", "");
    EXPECT_EQ(c.capacity, 1u);
    EXPECT_FALSE(c.listen_only);
    EXPECT_EQ(c.max_consecutive_failures, 3u);
    EXPECT_EQ(c.fault, Fault::none);
    EXPECT_TRUE(c.rpc.empty());  // the coordinator's RPC (EVM settlement)
}

TEST(NodeConfig, ErrorsNameTheKey)
{
    EXPECT_NE(error_of("coordinator = \"http://x:1\"\n").find("key_file"), std::string::npos);
    EXPECT_NE(error_of("key_file = \"k\"\ncapacity = 0\n").find("capacity"), std::string::npos);
    EXPECT_NE(error_of("key_file = \"k\"\ncapacity = \"two\"\n").find("capacity"), std::string::npos);
    EXPECT_NE(error_of("key_file = \"k\"\nstake = -1\n").find("stake"), std::string::npos);
    EXPECT_NE(error_of("key_file = \"k\"\nstake = \"99999999999999999999\"\n").find("stake"), std::string::npos);
    EXPECT_NE(error_of("key_file = \"k\"\ncapacty = 2\n").find("unknown key \"capacty\""), std::string::npos);
    EXPECT_NE(error_of("key_file = \"k\"\ncoordinator = \"ftp://x\"\n").find("coordinator"), std::string::npos);
    EXPECT_NE(error_of("key_file = \"k\"\nsafety_factor = 0.5\n").find("safety_factor"), std::string::npos);
    EXPECT_NE(error_of("key_file = \"k\"\nlisten_only = \"yes\"\n").find("listen_only"), std::string::npos);
    EXPECT_NE(error_of("key_file = \"k\"\nrpc = \"ws://x:8545\"\n").find("rpc"), std::string::npos);
    EXPECT_NE(error_of("key_file = \"k\"\nrpc = 8545\n").find("rpc: must be a string"), std::string::npos);
    EXPECT_NE(error_of("key_file = [\n").find("node.toml:"), std::string::npos);
    EXPECT_EQ(fault_from_string("invalid-proof"), Fault::invalid_proof);
    EXPECT_EQ(fault_from_string("stall"), Fault::stall);
    EXPECT_THROW(fault_from_string("crash"), std::runtime_error);
}

}  // namespace
}  // namespace provernet::node
