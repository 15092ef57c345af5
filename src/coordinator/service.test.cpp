// The coordinator service over loopback: every action, the authentication and replay checks,
// proof verification (valid, invalid, bound to other inputs), restart from the log, the stream.
#include "coordinator/service.hpp"

#include "coordinator/service_test_support.hpp"
#include "coordinator/websocket_client.hpp"
#include "settlement/envelope.hpp"

#include <gtest/gtest.h>

#include <map>
#include <thread>

namespace provernet::coordinator::test {
namespace {

class ServiceTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        zk();  // set up the circuit before the clock-sensitive parts
        dir_ = fresh_dir("service");
        start();
    }
    void TearDown() override
    {
        clients_.clear();
        service_.reset();
        fs::remove_all(dir_);
    }
    void start(std::function<void(ServiceConfig&)> tweak = {})
    {
        ServiceConfig c = test_service_config(dir_, op_);
        if (tweak) tweak(c);
        service_ = std::make_unique<Service>(c);
        service_->start();
    }
    void restart(std::function<void(ServiceConfig&)> tweak = {})
    {
        clients_.clear();
        service_.reset();
        start(std::move(tweak));
    }
    // One client per key, so that its nonces keep increasing across the test.
    ActionClient& client(const settlement::PrivateKey& key)
    {
        auto& c = clients_[key.address().to_lower_string()];
        if (!c) c = std::make_unique<ActionClient>("127.0.0.1", service_->port(), key);
        return *c;
    }
    HttpClient http() { return HttpClient("127.0.0.1", service_->port()); }

    std::string register_circuit(const std::string& program, const std::string& bytes)
    {
        HttpResponse r = http().request("PUT", "/v1/circuits/" + program, bytes, "application/octet-stream");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json().at("circuit").get<std::string>();
    }
    // Funds alice (requester) and bob (prover, staked and registered).
    void fund()
    {
        ActionClient& o = client(op_);
        o.act("deposit", {{"account", alice_.address().to_lower_string()}, {"amount", "100000"}});
        o.act("deposit", {{"account", bob_.address().to_lower_string()}, {"amount", "100000"}});
        o.act("deposit", {{"account", carol_.address().to_lower_string()}, {"amount", "100000"}});
        ActionClient& b = client(bob_);
        b.act("stake", {{"amount", "50000"}});
        b.act("register_prover", {{"capacity", 10}});
        ActionClient& c = client(carol_);
        c.act("stake", {{"amount", "50000"}});
        c.act("register_prover", {{"capacity", 10}});
    }
    nlohmann::json account(const settlement::PrivateKey& key)
    {
        return http().get_json("/v1/accounts/" + key.address().to_lower_string());
    }
    static std::string balance(const nlohmann::json& account) { return account["account"]["balance"].dump(); }

    fs::path dir_;
    std::unique_ptr<Service> service_;
    std::map<std::string, std::unique_ptr<ActionClient>> clients_;
    settlement::PrivateKey op_ = test_key(0x0b);
    settlement::PrivateKey alice_ = test_key(0xa11ce);
    settlement::PrivateKey bob_ = test_key(0xb0b);
    settlement::PrivateKey carol_ = test_key(0xca201);
};

TEST_F(ServiceTest, FullFlowPaysOnceAndServesTheProof)
{
    const std::string circuit = register_circuit("poseidon-preimage", zk().zkey_bytes);
    EXPECT_EQ(register_circuit("poseidon-preimage", zk().zkey_bytes), circuit);  // idempotent
    fund();
    ActionClient &a = client(alice_), &b = client(bob_), &c = client(carol_);
    const nlohmann::json body = request_body(circuit, "job-1", {{"preimage", {"1", "2"}}});
    const nlohmann::json submitted = a.act("submit_request", body);
    const uint64_t id = submitted.at("request_id");
    EXPECT_FALSE(submitted.at("duplicate").get<bool>());
    // Same key and content: the same request.
    const nlohmann::json again = a.act("submit_request", body);
    EXPECT_EQ(again.at("request_id"), id);
    EXPECT_TRUE(again.at("duplicate").get<bool>());
    nlohmann::json changed = body;
    changed["max_price"] = "999";
    EXPECT_EQ(a.send("submit_request", changed).status, 409);

    const nlohmann::json open = http().get_json("/v1/open?prover=" + bob_.address().to_lower_string());
    ASSERT_FALSE(open.at("requests").empty());
    EXPECT_EQ(open["requests"][0]["request_id"], id);

    b.act("lock", {{"request_id", id}});
    EXPECT_EQ(c.send("lock", {{"request_id", id}}).status, 409);  // already locked
    const nlohmann::json done = b.act("fulfill", {{"request_id", id},
                                                 {"proof", zk().proof12.proof},
                                                 {"public_signals", zk().proof12.public_signals}});
    EXPECT_TRUE(done.at("valid").get<bool>());
    bool fulfilled = false;
    for (const auto& e : done.at("events")) fulfilled |= e.at("type") == "request_fulfilled";
    EXPECT_TRUE(fulfilled) << done.dump();

    // A second delivery (by anyone) pays nothing.
    HttpResponse second = c.send("fulfill", {{"request_id", id},
                                            {"proof", zk().proof12.proof},
                                            {"public_signals", zk().proof12.public_signals}});
    EXPECT_EQ(second.status, 409) << second.body;

    const nlohmann::json proof = http().get_json("/v1/requests/" + std::to_string(id) + "/proof");
    EXPECT_EQ(proof.at("public_signals"), zk().proof12.public_signals);
    EXPECT_EQ(proof.at("prover"), bob_.address().to_lower_string());
    const nlohmann::json request = http().get_json("/v1/requests/" + std::to_string(id));
    EXPECT_EQ(request.at("state"), "fulfilled");
    EXPECT_EQ(request.at("inputs"), (nlohmann::json{{"preimage", {"1", "2"}}}));

    // The database and its write-ahead log, as on disk.
    const nlohmann::json storage = http().get_json("/v1/info").at("storage");
    const fs::path db_path = fs::path(dir_) / "coordinator.db";
    EXPECT_GT(storage.at("db_bytes").get<uint64_t>(), 0u);
    EXPECT_GT(storage.at("wal_bytes").get<uint64_t>(), 0u);
    EXPECT_LE(storage.at("db_bytes").get<uint64_t>(), fs::file_size(db_path));

    const settlement::LedgerTotals bob_totals = service_->ledger_totals(bob_.address().to_lower_string());
    EXPECT_GT(bob_totals.earned, 0u);
    EXPECT_LE(bob_totals.earned, 1000u);
    const LedgerAudit audit = service_->audit();
    EXPECT_EQ(audit.requests_paid_twice, 0u);
    EXPECT_EQ(audit.requests_overpaid, 0u);
    EXPECT_NO_THROW(market::Market::from_json(service_->market_snapshot()).check_invariants());
}

TEST_F(ServiceTest, ForgedSignatureIsRejected)
{
    fund();
    const std::string victim = alice_.address().to_lower_string();
    // Signed by bob but claiming to be alice.
    settlement::SignedAction forged = settlement::sign_action(bob_, "withdraw", {{"amount", "10"}}, 1, unix_time_ms() + 60'000,
                                                              "provernet-local");
    forged.signer = alice_.address();
    HttpResponse r = http().post("/v1/actions", nlohmann::json(forged).dump());
    EXPECT_EQ(r.status, 401) << r.body;
    // Alice's own signature with the body changed afterwards.
    nlohmann::json tampered = nlohmann::json::parse(
        signed_action_json(alice_, "withdraw", {{"amount", "10"}}, 2, unix_time_ms() + 60'000, "provernet-local"));
    tampered["body"]["amount"] = "90000";
    r = http().post("/v1/actions", tampered.dump());
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(account(alice_)["account"]["balance"], "100000");
}

TEST_F(ServiceTest, ReplayedAndStaleNoncesAreRejected)
{
    fund();
    const std::string text =
        signed_action_json(alice_, "withdraw", {{"amount", "10"}}, 5'000, unix_time_ms() + 60'000, "provernet-local");
    EXPECT_EQ(http().post("/v1/actions", text).status, 200);
    HttpResponse replay = http().post("/v1/actions", text);
    EXPECT_EQ(replay.status, 409) << replay.body;
    EXPECT_NE(replay.body.find("stale nonce"), std::string::npos);
    const std::string older =
        signed_action_json(alice_, "withdraw", {{"amount", "10"}}, 4'999, unix_time_ms() + 60'000, "provernet-local");
    EXPECT_EQ(http().post("/v1/actions", older).status, 409);
    EXPECT_EQ(account(alice_)["account"]["balance"], "99990");  // withdrawn once

    // The nonce survives a restart.
    restart();
    EXPECT_EQ(http().post("/v1/actions", text).status, 409);
    EXPECT_EQ(account(alice_)["account"]["balance"], "99990");
}

TEST_F(ServiceTest, ExpiredFarFutureAndWrongDomainAreRejected)
{
    fund();
    const uint64_t now = unix_time_ms();
    auto post = [&](uint64_t nonce, uint64_t expires, const std::string& domain) {
        return http().post("/v1/actions", signed_action_json(alice_, "withdraw", {{"amount", "1"}}, nonce, expires, domain));
    };
    EXPECT_EQ(post(10, now - 1, "provernet-local").status, 401);
    EXPECT_EQ(post(11, now + 3'600'000, "provernet-local").status, 401);
    HttpResponse wrong = post(12, now + 60'000, "provernet-mainnet");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_NE(wrong.body.find("domain"), std::string::npos) << wrong.body;
    EXPECT_EQ(account(alice_)["account"]["balance"], "100000");
}

TEST_F(ServiceTest, ActionsMoveOnlyTheSignersFunds)
{
    fund();
    const std::string circuit = register_circuit("poseidon-preimage", zk().zkey_bytes);
    ActionClient &a = client(alice_), &b = client(bob_);
    // Naming another account is not part of any action: refused as an unknown field.
    for (const char* action : {"withdraw", "stake", "request_unstake"}) {
        HttpResponse r = b.send(action, {{"account", alice_.address().to_lower_string()}, {"amount", "10"}});
        EXPECT_EQ(r.status, 400) << action << ": " << r.body;
        EXPECT_NE(r.body.find("account"), std::string::npos) << r.body;
    }
    // Only the operator credits accounts.
    EXPECT_EQ(b.send("deposit", {{"account", bob_.address().to_lower_string()}, {"amount", "10"}}).status, 403);
    // Bob's withdraw moves bob's balance.
    b.act("withdraw", {{"amount", "100"}});
    EXPECT_EQ(account(bob_)["account"]["balance"], "49900");
    EXPECT_EQ(account(alice_)["account"]["balance"], "100000");
    // Alice cannot spend more than she has, and bob cannot cancel alice's request.
    EXPECT_EQ(a.send("withdraw", {{"amount", "100001"}}).status, 409);
    const uint64_t id = a.act("submit_request", request_body(circuit, "k", {{"preimage", {"1", "2"}}})).at("request_id");
    EXPECT_EQ(b.send("cancel", {{"request_id", id}}).status, 403);
    a.act("cancel", {{"request_id", id}});
    EXPECT_EQ(account(alice_)["account"]["balance"], "100000");
}

TEST_F(ServiceTest, MalformedAndOversizedInputGetClearErrors)
{
    HttpClient h = http();
    HttpResponse r = h.post("/v1/actions", "{not json");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.json().at("error").get<std::string>(), "");
    EXPECT_EQ(h.post("/v1/actions", "[1,2,3]").status, 400);
    EXPECT_EQ(h.post("/v1/actions", R"({"action":"withdraw"})").status, 400);
    ActionClient& a = client(alice_);
    r = a.send("teleport", {{"amount", "1"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("unknown action"), std::string::npos);
    r = a.send("withdraw", {{"amount", "-5"}});
    EXPECT_EQ(r.status, 400) << r.body;
    r = a.send("withdraw", nlohmann::json::object());
    EXPECT_EQ(r.status, 400) << r.body;
    // Larger than the action limit (256 KiB here) but under the server's (the zkey limit).
    EXPECT_EQ(h.post("/v1/actions", std::string(300 * 1024, 'x')).status, 413);
    // Larger than the server's own limit.
    HttpClient big = http();
    EXPECT_EQ(big.post("/v1/actions", std::string(5 << 20, 'x')).status, 413);
    // Unknown things.
    EXPECT_EQ(http().get("/v1/requests/12345").status, 404);
    EXPECT_EQ(http().get("/v1/requests/abc").status, 400);
    EXPECT_EQ(http().get("/v1/accounts/0x12").status, 400);
    EXPECT_EQ(a.send("cancel", {{"request_id", 777}}).status, 404);
    EXPECT_EQ(http().request("PUT", "/v1/circuits/no-such-program", "x").status, 404);
    EXPECT_EQ(http().request("PUT", "/v1/circuits/poseidon-preimage", "not a zkey").status, 400);
    // A key of another circuit shape.
    HttpResponse wrong = http().request("PUT", "/v1/circuits/merkle-membership-20", zk().zkey_bytes);
    EXPECT_EQ(wrong.status, 400) << wrong.body;
    EXPECT_NE(wrong.body.find("does not fit"), std::string::npos) << wrong.body;
    // Still up.
    EXPECT_EQ(http().get_json("/v1/info").at("domain"), "provernet-local");
}

TEST_F(ServiceTest, InvalidProofSlashesTheLockHolder)
{
    const std::string circuit = register_circuit("poseidon-preimage", zk().zkey_bytes);
    fund();
    ActionClient &a = client(alice_), &b = client(bob_);
    const uint64_t id = a.act("submit_request", request_body(circuit, "j", {{"preimage", {"1", "2"}}})).at("request_id");
    b.act("lock", {{"request_id", id}});
    nlohmann::json signals = zk().proof12.public_signals;
    signals[0] = "12345";  // a valid-looking signal the proof is not for
    const nlohmann::json r = b.act("fulfill", {{"request_id", id}, {"proof", zk().proof12.proof}, {"public_signals", signals}});
    EXPECT_FALSE(r.at("valid").get<bool>());
    bool slashed = false;
    for (const auto& e : r.at("events")) slashed |= e.at("type") == "prover_slashed";
    EXPECT_TRUE(slashed) << r.dump();
    EXPECT_EQ(http().get("/v1/requests/" + std::to_string(id) + "/proof").status, 404);
    // Wrong number of signals: a usage error, not a verdict.
    EXPECT_EQ(b.send("fulfill", {{"request_id", id}, {"proof", zk().proof12.proof}, {"public_signals", {"1", "2"}}}).status,
              400);
    // A malformed proof: 400 naming the problem.
    HttpResponse bad = b.send("fulfill", {{"request_id", id}, {"proof", {{"pi_a", 1}}}, {"public_signals", signals}});
    EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_F(ServiceTest, ProofOfOtherInputsIsInvalidWhenSignalsAreBound)
{
    const std::string circuit = register_circuit("poseidon-preimage-bound", zk().bound_zkey_bytes);
    fund();
    ActionClient &a = client(alice_), &b = client(bob_), &c = client(carol_);
    // Inputs the program refuses: 400 at submit.
    EXPECT_EQ(a.send("submit_request", request_body(circuit, "bad", {{"preimage", {"1"}}})).status, 400);
    const uint64_t id = a.act("submit_request", request_body(circuit, "j", {{"preimage", {"1", "2"}}})).at("request_id");
    b.act("lock", {{"request_id", id}});
    // A valid proof, but of the preimage (3, 4).
    const nlohmann::json r = b.act("fulfill", {{"request_id", id},
                                              {"proof", zk().bound_proof34.proof},
                                              {"public_signals", zk().bound_proof34.public_signals}});
    EXPECT_FALSE(r.at("valid").get<bool>());
    EXPECT_NE(r.at("reason").get<std::string>().find("inputs"), std::string::npos);
    // The right proof, but it pays carol: copied and sent by bob, it is refused (and bob is fined
    // as for any invalid proof).
    const nlohmann::json copied = b.act("fulfill", {{"request_id", id},
                                                   {"proof", zk().bound_proof12.proof},
                                                   {"public_signals", zk().bound_proof12.public_signals}});
    EXPECT_FALSE(copied.at("valid").get<bool>());
    EXPECT_NE(copied.at("reason").get<std::string>().find("(prover)"), std::string::npos) << copied.dump();
    // Nor with the last signal changed to bob's address: Groth16 binds every public input.
    nlohmann::json renamed = zk().bound_proof12.public_signals;
    renamed.back() = math::U256::from_hex(bob_.address().to_lower_string())->to_decimal();
    const nlohmann::json forged =
        b.act("fulfill", {{"request_id", id}, {"proof", zk().bound_proof12.proof}, {"public_signals", renamed}});
    EXPECT_FALSE(forged.at("valid").get<bool>());
    EXPECT_NE(forged.at("reason").get<std::string>().find("does not verify"), std::string::npos) << forged.dump();
    // Requesters cannot name the prover in the inputs.
    EXPECT_EQ(a.send("submit_request", request_body(circuit, "p", {{"preimage", {"1", "2"}}, {"prover", "0x" + std::string(40, '1')}})).status, 400);
    // The right proof from carol settles it.
    const nlohmann::json ok = c.act("fulfill", {{"request_id", id},
                                               {"proof", zk().bound_proof12.proof},
                                               {"public_signals", zk().bound_proof12.public_signals}});
    EXPECT_TRUE(ok.at("valid").get<bool>()) << ok.dump();
    EXPECT_EQ(service_->audit().requests_paid_twice, 0u);
}

TEST_F(ServiceTest, RestartReplaysTheLogWithAndWithoutSnapshots)
{
    const std::string circuit = register_circuit("poseidon-preimage", zk().zkey_bytes);
    fund();
    ActionClient &a = client(alice_), &b = client(bob_);
    for (int i = 0; i < 4; ++i) {
        const uint64_t id =
            a.act("submit_request", request_body(circuit, "k" + std::to_string(i), {{"preimage", {"1", "2"}}})).at("request_id");
        if (i % 2 == 0) {
            b.act("lock", {{"request_id", id}});
            b.act("fulfill", {{"request_id", id}, {"proof", zk().proof12.proof}, {"public_signals", zk().proof12.public_signals}});
        }
    }
    const nlohmann::json before = service_->market_snapshot();
    const uint64_t commands = service_->command_count();
    const uint64_t events = service_->event_seq();
    restart();
    EXPECT_EQ(service_->market_snapshot()["requests"], before["requests"]);
    EXPECT_EQ(service_->market_snapshot()["accounts"], before["accounts"]);
    EXPECT_EQ(service_->command_count(), commands);
    EXPECT_EQ(service_->event_seq(), events);
    EXPECT_EQ(http().get_json("/v1/circuits").size(), 1u);
    // Snapshots every 3 commands: the restart starts from one and replays the rest.
    restart([](ServiceConfig& c) { c.snapshot_every = 3; });
    for (int i = 0; i < 25; ++i) client(alice_).act("withdraw", {{"amount", "1"}});
    const nlohmann::json with_snapshots = service_->market_snapshot();
    // Snapshots are written by their own thread, after the commands' answers: one shows up.
    uint64_t snapshot_seq = 0;
    for (int i = 0; i < 500 && snapshot_seq <= commands; ++i) {
        snapshot_seq = http().get_json("/v1/info").at("storage").at("snapshot_seq").get<uint64_t>();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_GT(snapshot_seq, commands);
    EXPECT_LE(snapshot_seq, commands + 25);
    {
        Database db((fs::path(dir_) / "coordinator.db").string(), DatabaseOptions{.read_only = true});
        EXPECT_LE(db.query_value<int64_t>("SELECT COUNT(*) FROM snapshots").value_or(99), 2);  // the two newest kept
        EXPECT_GE(db.query_value<int64_t>("SELECT MAX(seq) FROM snapshots").value_or(0), static_cast<int64_t>(snapshot_seq));
    }
    restart([](ServiceConfig& c) { c.snapshot_every = 3; });
    EXPECT_EQ(service_->market_snapshot()["accounts"], with_snapshots["accounts"]);
    EXPECT_EQ(service_->command_count(), commands + 25);
    EXPECT_GE(http().get_json("/v1/info").at("storage").at("snapshot_seq").get<uint64_t>(), snapshot_seq);
    // Another market configuration on the same data dir is refused.
    service_.reset();
    ServiceConfig other = test_service_config(dir_, op_);
    other.market.fee_bps = 7;
    EXPECT_THROW(Service{other}, std::runtime_error);
    start();
}

// A batch: one signature and one nonce for many actions, each applied (or refused) on its own,
// all committed together; the log replays it item by item.
TEST_F(ServiceTest, BatchAppliesEachActionOnItsOwnUnderOneSignature)
{
    const std::string circuit = register_circuit("poseidon-preimage", zk().zkey_bytes);
    fund();
    ActionClient &a = client(alice_), &b = client(bob_), &c = client(carol_);
    auto item = [](const std::string& action, nlohmann::json body) {
        return nlohmann::json{{"action", action}, {"body", std::move(body)}};
    };
    const std::string unknown_circuit(64, 'e');
    nlohmann::json submits = nlohmann::json::array();
    for (int i = 0; i < 3; ++i)
        submits.push_back(item("submit_request", request_body(circuit, "bt" + std::to_string(i), {{"preimage", {"1", "2"}}})));
    submits.push_back(item("submit_request", request_body(unknown_circuit, "bt-x", {{"preimage", {"1", "2"}}})));
    submits.push_back(item("withdraw", {{"amount", "1"}, {"account", bob_.address().to_lower_string()}}));
    WebSocketClient stream;
    stream.connect("127.0.0.1", service_->port(), "/v1/stream?events=request_submitted");
    // The hello is sent once the connection is subscribed: events committed after it reach it.
    auto hello = stream.read_json(std::chrono::seconds(5));
    ASSERT_TRUE(hello);
    ASSERT_EQ((*hello)["type"], "hello");
    const uint64_t nonce = a.next_nonce();
    const std::string text =
        signed_action_json(alice_, "batch", {{"actions", submits}}, nonce, unix_time_ms() + 60'000, "provernet-local");
    HttpResponse answer = http().post("/v1/actions", text);
    ASSERT_EQ(answer.status, 200) << answer.body;
    const nlohmann::json submitted = answer.json();
    ASSERT_EQ(submitted.at("results").size(), 5u);
    EXPECT_EQ(submitted.at("applied"), 3);
    std::vector<uint64_t> ids;
    for (int i = 0; i < 3; ++i) {
        const nlohmann::json& r = submitted["results"][i];
        ASSERT_TRUE(r.at("ok").get<bool>()) << r.dump();
        ids.push_back(r.at("request_id"));
    }
    EXPECT_NE(ids[0], ids[1]);
    EXPECT_NE(ids[1], ids[2]);
    // The stream carries the three submissions once each, in order, with consecutive numbers.
    std::vector<nlohmann::json> seen;
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
         seen.size() < 3 && std::chrono::steady_clock::now() < deadline;)
        if (auto m = stream.read(std::chrono::milliseconds(100)))
            if (nlohmann::json j = nlohmann::json::parse(*m); j["type"] == "event") seen.push_back(j);
    ASSERT_EQ(seen.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(seen[i]["event"]["request_id"], ids[i]);
        EXPECT_EQ(seen[i]["seq"], seen[0]["seq"].get<uint64_t>() + i);
    }
    EXPECT_FALSE(stream.read(std::chrono::milliseconds(100)));  // nothing twice
    EXPECT_EQ(submitted["results"][3].at("status"), 404);  // unknown circuit: that item only
    EXPECT_EQ(submitted["results"][4].at("status"), 400);  // names another account
    EXPECT_NE(submitted["results"][4].at("error").get<std::string>().find("account"), std::string::npos);
    // The same bytes again: the batch's one nonce is used.
    EXPECT_EQ(http().post("/v1/actions", text).status, 409);
    EXPECT_EQ(balance(account(alice_)), "\"97000\"");  // three prices escrowed, once

    // Carol takes the third; bob's batch locks the first two and is refused the third.
    c.act("lock", {{"request_id", ids[2]}});
    const nlohmann::json locked = b.act(
        "batch", {{"actions", {item("lock", {{"request_id", ids[0]}}), item("lock", {{"request_id", ids[1]}}),
                               item("lock", {{"request_id", ids[2]}})}}});
    EXPECT_TRUE(locked["results"][0].at("ok").get<bool>());
    EXPECT_TRUE(locked["results"][1].at("ok").get<bool>());
    EXPECT_EQ(locked["results"][2].at("status"), 409);

    // One valid proof, one that does not verify: paid and slashed in one answer.
    nlohmann::json wrong = zk().proof12.public_signals;
    wrong[0] = "12345";
    const nlohmann::json fulfilled = b.act(
        "batch",
        {{"actions", {item("fulfill", {{"request_id", ids[0]}, {"proof", zk().proof12.proof}, {"public_signals", zk().proof12.public_signals}}),
                      item("fulfill", {{"request_id", ids[1]}, {"proof", zk().proof12.proof}, {"public_signals", wrong}}),
                      item("fulfill", {{"request_id", 999999}, {"proof", zk().proof12.proof}, {"public_signals", wrong}})}}});
    EXPECT_TRUE(fulfilled["results"][0].at("valid").get<bool>()) << fulfilled.dump();
    EXPECT_FALSE(fulfilled["results"][1].at("valid").get<bool>());
    EXPECT_EQ(fulfilled["results"][2].at("status"), 404);
    EXPECT_EQ(http().get("/v1/requests/" + std::to_string(ids[0]) + "/proof").status, 200);
    EXPECT_EQ(http().get_json("/v1/requests/" + std::to_string(ids[1]))["request"]["holder"], nlohmann::json());
    bool slashed = false;
    for (const auto& e : fulfilled["results"][1].at("events")) slashed |= e.at("type") == "prover_slashed";
    EXPECT_TRUE(slashed);

    // Each item is its own command in the log: a restart replays to the same state.
    const nlohmann::json before = service_->market_snapshot();
    restart();
    EXPECT_EQ(service_->market_snapshot()["requests"], before["requests"]);
    EXPECT_EQ(service_->market_snapshot()["accounts"], before["accounts"]);
    EXPECT_EQ(http().post("/v1/actions", text).status, 409);
}

TEST_F(ServiceTest, MalformedBatchesAreRefusedWhole)
{
    fund();
    ActionClient& a = client(alice_);
    auto status = [&](const nlohmann::json& body) { return a.send("batch", body).status; };
    EXPECT_EQ(status({{"actions", nlohmann::json::array()}}), 400);
    EXPECT_EQ(status({{"actions", {1}}}), 400);
    EXPECT_EQ(status({{"actions", {{{"action", "withdraw"}}}}}), 400);  // no body
    EXPECT_EQ(status({{"actions", {{{"action", "batch"}, {"body", {{"actions", nlohmann::json::array()}}}}}}}), 400);
    nlohmann::json many = nlohmann::json::array();
    for (int i = 0; i < 257; ++i) many.push_back({{"action", "withdraw"}, {"body", {{"amount", "1"}}}});
    HttpResponse too_many = a.send("batch", {{"actions", many}});
    EXPECT_EQ(too_many.status, 400);
    EXPECT_NE(too_many.body.find("1 to 256"), std::string::npos) << too_many.body;
    EXPECT_EQ(status({{"actions", {{{"action", "withdraw"}, {"body", {{"amount", "1"}}}}}}, {"extra", 1}}), 400);
    EXPECT_EQ(account(alice_)["account"]["balance"], "100000");  // nothing applied
}

TEST_F(ServiceTest, StreamSendsHelloOpenViewAndEventsInOrder)
{
    const std::string circuit = register_circuit("poseidon-preimage", zk().zkey_bytes);
    fund();
    WebSocketClient ws;
    ws.connect("127.0.0.1", service_->port(), "/v1/stream");
    auto hello = ws.read_json(std::chrono::seconds(5));
    ASSERT_TRUE(hello);
    EXPECT_EQ((*hello)["type"], "hello");
    const uint64_t start_seq = (*hello)["seq"];
    auto open = ws.read_json(std::chrono::seconds(5));
    ASSERT_TRUE(open);
    EXPECT_EQ((*open)["type"], "open");
    ActionClient& a = client(alice_);
    const uint64_t id = a.act("submit_request", request_body(circuit, "s", {{"preimage", {"1", "2"}}})).at("request_id");
    bool saw_event = false, saw_open = false;
    for (int i = 0; i < 20 && !(saw_event && saw_open); ++i) {
        auto m = ws.read_json(std::chrono::seconds(2));
        if (!m) break;
        if ((*m)["type"] == "event") {
            EXPECT_EQ((*m)["seq"], start_seq + 1);
            EXPECT_EQ((*m)["event"]["type"], "request_submitted");
            EXPECT_EQ((*m)["event"]["request_id"], id);
            saw_event = true;
        } else if ((*m)["type"] == "open" && !(*m)["requests"].empty()) {
            saw_open = true;
        }
    }
    EXPECT_TRUE(saw_event);
    EXPECT_TRUE(saw_open);
    ws.send({{"type", "ping"}});
    bool pong = false;
    for (int i = 0; i < 10 && !pong; ++i) {
        auto m = ws.read_json(std::chrono::seconds(2));
        if (!m) break;
        pong = (*m)["type"] == "pong";
    }
    EXPECT_TRUE(pong);
}

TEST_F(ServiceTest, StreamFiltersByEventTypeAndAccountAndSendsEachEventOnce)
{
    const std::string circuit = register_circuit("poseidon-preimage", zk().zkey_bytes);
    fund();
    const std::string bob = bob_.address().to_lower_string();
    WebSocketClient new_work, bobs, both;
    new_work.connect("127.0.0.1", service_->port(), "/v1/stream?events=request_submitted");
    bobs.connect("127.0.0.1", service_->port(), "/v1/stream?account=" + bob_.address().to_checksum_string());
    both.connect("127.0.0.1", service_->port(), "/v1/stream?events=request_locked,request_submitted&account=" + bob);
    // Each hello comes once its connection is subscribed: what is committed after reaches it.
    for (WebSocketClient* ws : {&new_work, &bobs, &both}) {
        auto hello = ws->read_json(std::chrono::seconds(5));
        ASSERT_TRUE(hello);
        ASSERT_EQ((*hello)["type"], "hello");
    }
    const uint64_t id = client(alice_).act("submit_request", request_body(circuit, "f", {{"preimage", {"1", "2"}}})).at("request_id");
    client(bob_).act("lock", {{"request_id", id}});
    // The event types each connection received (hello and open views are not events).
    auto types = [](WebSocketClient& ws) {
        std::vector<std::string> seen;
        while (auto m = ws.read_json(std::chrono::milliseconds(700)))
            if ((*m)["type"] == "event") seen.push_back((*m)["event"]["type"]);
        return seen;
    };
    EXPECT_EQ(types(new_work), std::vector<std::string>({"request_submitted"}));
    EXPECT_EQ(types(bobs), std::vector<std::string>({"request_locked"}));  // alice's submit names no bob
    // request_locked matches both the type and the account: delivered once.
    EXPECT_EQ(types(both), std::vector<std::string>({"request_submitted", "request_locked"}));

    WebSocketClient bad;
    EXPECT_THROW(bad.connect("127.0.0.1", service_->port(), "/v1/stream?events=request_bogus"), std::exception);
    EXPECT_THROW(bad.connect("127.0.0.1", service_->port(), "/v1/stream?account=0x12"), std::exception);
    // The service is still up.
    EXPECT_EQ(http().get_json("/v1/info")["domain"], "provernet-local");
}

}  // namespace
}  // namespace provernet::coordinator::test
