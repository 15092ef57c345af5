// The client library against a real in-process coordinator (Service on an ephemeral port).
#include "coordinator/client.hpp"

#include "coordinator/service.hpp"
#include "settlement/envelope.hpp"

#include "coordinator/service_test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

namespace provernet::coordinator {
namespace {

namespace fs = std::filesystem;

struct ClientFixture : ::testing::Test {
    settlement::PrivateKey operator_key = settlement::PrivateKey::generate();
    settlement::PrivateKey prover_key = settlement::PrivateKey::generate();
    fs::path dir;
    std::unique_ptr<Service> service;

    void SetUp() override
    {
        dir = fs::temp_directory_path() /
              ("provernet-client-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        ServiceConfig config;
        config.data_dir = dir.string();
        config.operator_address = operator_key.address().to_lower_string();
        service = std::make_unique<Service>(config);
        service->start();
    }
    void TearDown() override
    {
        service.reset();
        fs::remove_all(dir);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(service->port()); }
    Client client_for(const settlement::PrivateKey& key) { return Client(url(), std::make_shared<ActionSigner>(key)); }
};

TEST(ClientNonce, StrictlyIncreasingEvenWithinOneMicrosecond)
{
    ActionSigner signer(settlement::PrivateKey::generate());
    uint64_t last = 0;
    for (int i = 0; i < 10'000; ++i) {
        const uint64_t n = signer.next_nonce();
        ASSERT_GT(n, last);
        last = n;
    }
    // Microseconds since 1970: well above 1.6e15 today, below JavaScript's 2^53.
    EXPECT_GT(last, 1'600'000'000'000'000ull);
    EXPECT_LT(last, settlement::max_safe_integer);
}

TEST(ClientSubmitBody, AmountsAreDecimalStringsAndTimesIntegers)
{
    SubmitRequest r;
    r.idempotency_key = "k1";
    r.circuit = std::string(64, 'a');
    r.inputs = {{"x", "1"}};
    r.priority = market::Priority::liquidation;
    r.min_price = 100;
    r.max_price = 18'000'000'000'000'000'000ull;  // above 2^53: must travel as a string
    r.lock_deadline_ms = 1'764'120'030'000;
    const nlohmann::json j = to_json(r);
    EXPECT_EQ(j["max_price"], "18000000000000000000");
    EXPECT_EQ(j["min_price"], "100");
    EXPECT_EQ(j["priority"], "liquidation");
    EXPECT_TRUE(j["lock_deadline_ms"].is_number_unsigned());
    // Signable: the envelope rules accept it.
    const auto signed_action = settlement::sign_action(settlement::PrivateKey::generate(), "submit_request", j, 1,
                                                       unix_ms() + 1000, "provernet-local");
    EXPECT_NO_THROW(settlement::verify_action(signed_action, "provernet-local", unix_ms()));
}

TEST(ClientKeyFile, RoundTripAndRefusals)
{
    const fs::path dir = fs::temp_directory_path() / ("provernet-keyfile-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const auto key = settlement::PrivateKey::generate();
    const std::string path = (dir / "k.hex").string();
    write_key_file(path, key);
    EXPECT_EQ(read_key_file(path).address(), key.address());
    EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_THROW(write_key_file(path, key), std::runtime_error);  // never overwrites a key
    std::ofstream(dir / "bad.hex") << "0x1234\n";
    try {
        read_key_file((dir / "bad.hex").string());
        FAIL() << "a short key was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("bad.hex"), std::string::npos) << e.what();
    }
    fs::remove_all(dir);
}

TEST_F(ClientFixture, SignedActionsMoveTheSignersFunds)
{
    Client op = client_for(operator_key);
    Client prover = client_for(prover_key);
    const std::string prover_address = prover_key.address().to_lower_string();
    EXPECT_EQ(op.domain(), "provernet-local");
    EXPECT_TRUE(op.deposit(prover_address, 1'000).value("ok", false));
    prover.stake(600);
    prover.register_prover(2);
    const nlohmann::json a = prover.account(prover_address);
    EXPECT_EQ(a["account"]["balance"], "400");
    EXPECT_EQ(a["account"]["stake"], "600");
    EXPECT_EQ(a["prover"]["capacity"], 2);
    EXPECT_GT(a["last_nonce"].get<uint64_t>(), 0u);
    prover.withdraw(100);
    EXPECT_EQ(prover.account(prover_address)["account"]["balance"], "300");
}

TEST_F(ClientFixture, RefusalsCarryStatusAndMessage)
{
    Client prover = client_for(prover_key);
    // Only the operator may deposit.
    try {
        prover.deposit(prover_key.address().to_lower_string(), 5);
        FAIL() << "a prover's deposit was accepted";
    } catch (const CoordinatorError& e) {
        EXPECT_EQ(e.status(), 403);
        EXPECT_NE(e.message().find("operator"), std::string::npos) << e.message();
    }
    // A market rule: no balance to stake.
    try {
        prover.stake(10);
        FAIL() << "staking without a balance was accepted";
    } catch (const CoordinatorError& e) {
        EXPECT_EQ(e.status(), 409) << e.what();
    }
    // Unknown circuit.
    SubmitRequest r;
    r.idempotency_key = "x";
    r.circuit = std::string(64, '0');
    r.max_price = 1;
    r.lock_deadline_ms = unix_ms() + 10'000;
    r.final_deadline_ms = unix_ms() + 20'000;
    try {
        prover.submit_request(r);
        FAIL() << "a request for an unknown circuit was accepted";
    } catch (const CoordinatorError& e) {
        EXPECT_EQ(e.status(), 404) << e.what();
    }
    EXPECT_THROW(prover.request(12345), CoordinatorError);
    // Reads need no key, actions do.
    Client reader(url());
    EXPECT_NO_THROW(reader.open());
    EXPECT_THROW(reader.stake(1), std::logic_error);
}

TEST_F(ClientFixture, SubmitRequestsSendsOneBatchAndIsSafeToRepeat)
{
    Client op = client_for(operator_key);
    Client requester = client_for(prover_key);
    const std::string circuit =
        requester.register_circuit("poseidon-preimage", test::zk().zkey_bytes).at("circuit").get<std::string>();
    op.deposit(prover_key.address().to_lower_string(), 10'000);
    std::vector<SubmitRequest> requests(3);
    for (size_t i = 0; i < requests.size(); ++i) {
        SubmitRequest& r = requests[i];
        r.idempotency_key = "many-" + std::to_string(i);
        r.circuit = circuit;
        r.inputs = {{"preimage", {"1", std::to_string(i)}}};
        r.min_price = 10;
        r.max_price = 100;
        r.lock_deadline_ms = unix_ms() + 10'000;
        r.final_deadline_ms = unix_ms() + 20'000;
    }
    requests[2].max_price = 1'000'000;  // more than the balance: refused on its own
    const nlohmann::json first = requester.submit_requests(requests);
    ASSERT_EQ(first.at("results").size(), 3u);
    EXPECT_TRUE(first["results"][0].at("ok").get<bool>());
    EXPECT_TRUE(first["results"][1].at("ok").get<bool>());
    EXPECT_EQ(first["results"][2].at("status"), 409) << first.dump();
    EXPECT_NE(first["results"][0].at("request_id"), first["results"][1].at("request_id"));
    // Again: the same requests (duplicates), nothing escrowed twice.
    const nlohmann::json again = requester.submit_requests(requests);
    EXPECT_EQ(again["results"][0].at("request_id"), first["results"][0].at("request_id"));
    EXPECT_TRUE(again["results"][1].at("duplicate").get<bool>());
    EXPECT_EQ(requester.account(prover_key.address().to_lower_string())["account"]["balance"], "9800");
    // A refused batch as a whole throws.
    EXPECT_THROW(requester.batch({}), CoordinatorError);
}

TEST_F(ClientFixture, ClientsSharingOneSignerNeverReuseANonce)
{
    auto signer = std::make_shared<ActionSigner>(operator_key);
    Client a(url(), signer), b(url(), signer);
    const std::string someone = prover_key.address().to_lower_string();
    std::thread t1([&] { for (int i = 0; i < 20; ++i) a.deposit(someone, 1); });
    std::thread t2([&] { for (int i = 0; i < 20; ++i) b.deposit(someone, 1); });
    t1.join();
    t2.join();  // a stale nonce would have thrown in a thread and terminated the test
    EXPECT_EQ(a.account(someone)["account"]["balance"], "40");
}

TEST(ClientRetry, ConnectionErrorsAreRetriedWithBackoffThenReported)
{
    // A port with nothing listening: bind one, note it, close it.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    ClientOptions options;
    options.attempts = 3;
    options.backoff = std::chrono::milliseconds(50);
    Client c("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), nullptr, options);
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_THROW(c.info(), HttpClientError);
    // Two waits: 50 + 100 ms.
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150));
}

}  // namespace
}  // namespace provernet::coordinator
