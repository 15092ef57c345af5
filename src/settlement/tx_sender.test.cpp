#include "settlement/tx_sender.hpp"

#include "settlement/abi.hpp"
#include "settlement/anvil.hpp"
#include "settlement/anvil_test_support.hpp"
#include "settlement/hex.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <thread>

namespace provernet::settlement {
namespace {

using math::U256;
using namespace std::chrono_literals;

U256 sum(const U256& a, const U256& b)
{
    U256 out;
    U256::add(out, a, b);
    return out;
}

U256 difference(const U256& a, const U256& b)
{
    U256 out;
    U256::sub(out, a, b);
    return out;
}

Bytes with_prefix(uint8_t first, BytesView rest)
{
    Bytes out;
    out.reserve(1 + rest.size());
    out.push_back(first);
    append(out, rest);
    return out;
}

uint64_t tx_nonce(EthClient& eth, const Hash256& hash)
{
    const auto tx = eth.rpc().call("eth_getTransactionByHash", {to_hex(hash)});
    return parse_quantity_u64(tx.at("nonce"), "nonce");
}

std::vector<nlohmann::json> journal_records(const std::filesystem::path& path)
{
    std::vector<nlohmann::json> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            out.push_back(nlohmann::json::parse(line));
    return out;
}

struct TempFile {
    std::filesystem::path path;
    explicit TempFile(const std::string& name)
        : path(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".jsonl"))
    {
        std::filesystem::remove(path);
    }
    ~TempFile() { std::filesystem::remove(path); }
};

class TxSenderAnvil : public testing::AnvilSuite<TxSenderAnvil> {};

// Each test uses its own dev account, so that they share one node without sharing nonces.

TEST_F(TxSenderAnvil, TransfersValue)
{
    TxSender sender(*eth_, AnvilProcess::dev_key(1));
    const Address to = Address::parse("0x00000000000000000000000000000000000a11ce");
    const U256 before = eth_->balance(sender.address());
    const U256 amount(1'234'567'890'123ull);
    const TxReceipt receipt = sender.transact(to, {}, amount);
    EXPECT_TRUE(receipt.success);
    EXPECT_EQ(receipt.gas_used, 21'000u);
    EXPECT_FALSE(receipt.contract_address.has_value());
    EXPECT_TRUE(receipt.logs.empty());
    EXPECT_EQ(eth_->balance(to), amount);
    // Sender paid the amount plus gas_used * effective_gas_price.
    U256 fee;
    for (uint64_t i = 0; i < receipt.gas_used; ++i)  // 21000 additions: U256 has no multiply
        U256::add(fee, fee, receipt.effective_gas_price);
    EXPECT_EQ(eth_->balance(sender.address()), difference(before, sum(amount, fee)));
    EXPECT_EQ(tx_nonce(*eth_, receipt.tx_hash), 0u);
}

TEST_F(TxSenderAnvil, DeploysAndCalls)
{
    TxSender sender(*eth_, AnvilProcess::dev_key(2));
    const Address contract = sender.deploy(testing::echo_contract_init_code());
    EXPECT_EQ(eth_->code(contract).size(), 45u);
    const Bytes data = from_hex("0x00c0ffee");
    EXPECT_EQ(eth_->call(contract, data), data);
    // A call that emits an event.
    const Bytes log_call = with_prefix(0x02, abi::event_topic("Ping()"));
    const TxReceipt receipt = sender.transact(contract, log_call);
    ASSERT_EQ(receipt.logs.size(), 1u);
    EXPECT_EQ(receipt.logs[0].address, contract);
    EXPECT_EQ(receipt.logs[0].topics.at(0), abi::event_topic("Ping()"));
    EXPECT_TRUE(receipt.logs[0].data.empty());
}

TEST_F(TxSenderAnvil, AssignsSequentialNonces)
{
    TxSender sender(*eth_, AnvilProcess::dev_key(3));
    const Address to = AnvilProcess::dev_key(4).address();
    std::vector<Hash256> hashes;
    for (int i = 0; i < 20; ++i)
        hashes.push_back(sender.send(to, {}, U256(1), 21'000));
    for (size_t i = 0; i < hashes.size(); ++i) {
        const TxReceipt r = sender.wait(hashes[i], 10s);
        EXPECT_TRUE(r.success);
        EXPECT_EQ(r.tx_hash, hashes[i]);
        EXPECT_EQ(tx_nonce(*eth_, hashes[i]), i);
    }
    EXPECT_EQ(eth_->nonce(sender.address(), "latest"), 20u);
    EXPECT_EQ(sender.next_nonce(), 20u);
}

TEST_F(TxSenderAnvil, RevertingTransactionThrowsTxFailed)
{
    TxSender sender(*eth_, AnvilProcess::dev_key(6));
    const Address contract = sender.deploy(testing::echo_contract_init_code());
    const Bytes reverting = with_prefix(0x01, abi::encode_call("Error(string)", {abi::Value::string("nope")}));

    // Estimation sees the revert: nothing is signed and the nonce is not consumed.
    try {
        sender.send(contract, reverting);
        FAIL();
    } catch (const Revert& e) {
        EXPECT_EQ(e.reason, "nope");
    }
    EXPECT_EQ(sender.next_nonce(), 1u);

    // With an explicit gas limit it is mined, with status 0.
    try {
        sender.transact(contract, reverting, {}, 100'000);
        FAIL();
    } catch (const TxFailed& e) {
        EXPECT_FALSE(e.receipt.success);
        EXPECT_GT(e.receipt.gas_used, 21'000u);
        EXPECT_EQ(tx_nonce(*eth_, e.receipt.tx_hash), 1u);
    }
    EXPECT_EQ(eth_->nonce(sender.address(), "latest"), 2u);
}

TEST_F(TxSenderAnvil, RefusedBroadcastGivesTheNonceBack)
{
    const PrivateKey poor = PrivateKey::from_hex("0x1111111111111111111111111111111111111111111111111111111111111111");
    TxSender sender(*eth_, poor);
    EXPECT_THROW(sender.send(AnvilProcess::dev_key(4).address(), {}, U256(1), 21'000), RpcError);
    EXPECT_EQ(sender.next_nonce(), 0u);
}

TEST(TxSenderFeeBump, ReplacementIsMinedOnce)
{
    PROVERNET_REQUIRE_ANVIL();
    AnvilProcess::Options options;
    options.automine = false;
    AnvilProcess anvil(options);
    EthClient eth(anvil.url());
    TempFile journal("provernet-feebump");
    TxSender sender(eth, AnvilProcess::dev_key(0), journal.path);
    sender.set_bump_after(300ms);
    sender.set_poll_interval(50ms);

    const Address to = Address::parse("0x000000000000000000000000000000000000b0b0");
    const U256 amount(1'000'000);
    const Hash256 original = sender.send(to, {}, amount);

    // Mine only once the replacement has been signed (journaled) and broadcast.
    std::thread miner([&] {
        const auto give_up = std::chrono::steady_clock::now() + 20s;
        while (journal_records(journal.path).size() < 2 && std::chrono::steady_clock::now() < give_up)
            std::this_thread::sleep_for(50ms);
        std::this_thread::sleep_for(200ms);
        anvil.mine();
    });
    const TxReceipt receipt = sender.wait(original, 30s);
    miner.join();

    const auto records = journal_records(journal.path);
    ASSERT_GE(records.size(), 2u);
    EXPECT_EQ(records[0]["nonce"], 0);
    EXPECT_EQ(records[1]["nonce"], 0);
    EXPECT_EQ(from_hex_array<32>(records[0]["hash"].get<std::string>()), original);
    EXPECT_TRUE(receipt.success);
    EXPECT_NE(receipt.tx_hash, original);
    EXPECT_EQ(to_hex(receipt.tx_hash), records.back()["hash"]);
    // The replacement pays at least 12.5% more.
    const auto first = SignedEip1559Transaction::decode(from_hex(records[0]["raw"].get<std::string>()));
    const auto mined = SignedEip1559Transaction::decode(from_hex(records.back()["raw"].get<std::string>()));
    EXPECT_GT(mined.tx.max_priority_fee_per_gas, first.tx.max_priority_fee_per_gas);
    EXPECT_GE(mined.tx.max_fee_per_gas, sum(first.tx.max_fee_per_gas, first.tx.max_fee_per_gas.shr1().shr1().shr1()));
    EXPECT_FALSE(eth.receipt(original).has_value());
    EXPECT_EQ(eth.balance(to), amount);  // one transfer only
    EXPECT_EQ(eth.nonce(sender.address(), "latest"), 1u);
}

TEST(TxSenderResume, RebroadcastsJournaledTransactions)
{
    PROVERNET_REQUIRE_ANVIL();
    AnvilProcess::Options options;
    options.automine = false;
    AnvilProcess anvil(options);
    EthClient eth(anvil.url());
    TempFile journal("provernet-resume");
    const Address to = Address::parse("0x000000000000000000000000000000000000cafe");
    const U256 amount(777);

    Hash256 first;
    {
        TxSender sender(eth, AnvilProcess::dev_key(0), journal.path);
        first = sender.send(to, {}, amount);
    }  // "crash" before it is mined; the node also forgets it (restart, eviction)
    anvil.rpc().call("anvil_dropAllTransactions");
    EXPECT_TRUE(eth.rpc().call("eth_getTransactionByHash", {to_hex(first)}).is_null());

    TxSender sender(eth, AnvilProcess::dev_key(0), journal.path);
    EXPECT_EQ(sender.next_nonce(), 1u);  // from the journal: the node's pending count is 0 now
    const auto resumed = sender.resume();
    ASSERT_EQ(resumed.size(), 1u);
    EXPECT_EQ(resumed[0], first);
    EXPECT_FALSE(eth.rpc().call("eth_getTransactionByHash", {to_hex(first)}).is_null());
    EXPECT_EQ(sender.resume(), resumed);  // rebroadcasting again is harmless
    anvil.mine();
    const TxReceipt r1 = sender.wait(first, 5s);
    EXPECT_TRUE(r1.success);
    EXPECT_TRUE(sender.resume().empty());  // mined: nothing left to resume

    anvil.set_automine(true);
    const TxReceipt r2 = sender.transact(to, {}, amount);
    EXPECT_EQ(tx_nonce(eth, r2.tx_hash), 1u);
    EXPECT_EQ(eth.balance(to), sum(amount, amount));
    EXPECT_EQ(eth.nonce(sender.address(), "latest"), 2u);
    EXPECT_EQ(journal_records(journal.path).size(), 2u);  // never a second signature for nonce 0
}

TEST(TxSenderJournal, RejectsForeignAndTornRecords)
{
    PROVERNET_REQUIRE_ANVIL();
    AnvilProcess anvil;
    EthClient eth(anvil.url());
    TempFile journal("provernet-journal");
    {
        TxSender sender(eth, AnvilProcess::dev_key(1), journal.path);
        sender.transact(AnvilProcess::dev_key(2).address(), {}, U256(1));
    }
    // Another key cannot adopt this journal.
    EXPECT_THROW(TxSender(eth, AnvilProcess::dev_key(2), journal.path), std::runtime_error);
    // A torn last line (crash while appending) is cut off; the record before it stays.
    {
        std::ofstream out(journal.path, std::ios::app);
        out << R"({"nonce":1,"hash":"0x12)";
    }
    {
        TxSender sender(eth, AnvilProcess::dev_key(1), journal.path);
        EXPECT_EQ(sender.next_nonce(), 1u);
        sender.transact(AnvilProcess::dev_key(2).address(), {}, U256(1));
    }
    const auto records = journal_records(journal.path);  // parses: every line is whole
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1]["nonce"], 1);
    // A corrupt record in the middle is an error naming the file and line.
    {
        std::ofstream out(journal.path, std::ios::trunc);
        out << "garbage\n" << records[0].dump() << "\n";
    }
    try {
        TxSender sender(eth, AnvilProcess::dev_key(1), journal.path);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("line 1"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace provernet::settlement
