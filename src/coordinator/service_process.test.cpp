// Crash safety with real processes: the coordinator runs in a child process on loopback; a
// burst of signed submits, locks and fulfils runs against it from client threads; the child is
// killed with SIGKILL in the middle; a new child on the same data dir must hold every
// acknowledged request exactly once, with every acknowledged fulfilment, and nothing paid twice.
#include "coordinator/service.hpp"

#include "coordinator/service_test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

namespace provernet::coordinator::test {
namespace {

// Forks a coordinator on `dir`; returns (pid, port). The child never returns.
std::pair<pid_t, uint16_t> spawn(const fs::path& dir, const settlement::PrivateKey& op)
{
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::close(fds[0]);
        try {
            ServiceConfig c = test_service_config(dir, op);
            c.snapshot_every = 50;  // exercise snapshot + log replay
            Service service(c);
            service.start();
            const uint16_t port = service.port();
            if (::write(fds[1], &port, sizeof port) != sizeof port) ::_exit(3);
            for (;;) ::pause();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child coordinator: %s\n", e.what());
            ::_exit(2);
        }
    }
    ::close(fds[1]);
    uint16_t port = 0;
    const ssize_t n = ::read(fds[0], &port, sizeof port);
    ::close(fds[0]);
    if (n != sizeof port) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        throw std::runtime_error("the child coordinator did not start");
    }
    return {pid, port};
}

void kill9(pid_t pid)
{
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
}

TEST(ServiceProcessTest, SigkillDuringABurstLosesNothingAndPaysNothingTwice)
{
    const Zk& z = zk();
    const fs::path dir = fresh_dir("process");
    const settlement::PrivateKey op = test_key(0x0b);
    const std::vector<settlement::PrivateKey> requesters = {test_key(0x1001), test_key(0x1002)};
    const settlement::PrivateKey prover = test_key(0x2001);

    auto [pid, port] = spawn(dir, op);
    std::string circuit;
    {
        HttpClient h("127.0.0.1", port);
        HttpResponse r = h.request("PUT", "/v1/circuits/poseidon-preimage", z.zkey_bytes, "application/octet-stream");
        ASSERT_EQ(r.status, 200) << r.body;
        circuit = r.json().at("circuit");
        ActionClient o("127.0.0.1", port, op);
        for (const auto& k : requesters) o.act("deposit", {{"account", k.address().to_lower_string()}, {"amount", "100000000"}});
        o.act("deposit", {{"account", prover.address().to_lower_string()}, {"amount", "100000000"}});
        ActionClient p("127.0.0.1", port, prover);
        p.act("stake", {{"amount", "50000000"}});
        p.act("register_prover", {{"capacity", 1000}});
    }

    // Acknowledged results, recorded by the client threads.
    std::mutex mutex;
    std::map<std::string, uint64_t> acked_requests;  // idempotency key -> id
    std::map<std::string, nlohmann::json> bodies;    // idempotency key -> body (for resubmission)
    std::map<std::string, std::string> owner;        // idempotency key -> requester address
    std::vector<uint64_t> acked_fulfils;
    std::vector<uint64_t> to_fulfil;
    std::atomic<bool> stop{false};

    // ActionClient nonces start at the current time in microseconds: a new client of the
    // prover's key must not start in the millisecond of the setup client's last nonce.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::vector<std::thread> threads;
    for (size_t t = 0; t < requesters.size(); ++t) {
        threads.emplace_back([&, t] {
            ActionClient c("127.0.0.1", port, requesters[t]);
            for (int i = 0; !stop; ++i) {
                const std::string key = "burst-" + std::to_string(t) + "-" + std::to_string(i);
                const nlohmann::json body = request_body(circuit, key, {{"preimage", {"1", "2"}}});
                {
                    std::lock_guard lock(mutex);
                    bodies[key] = body;
                    owner[key] = c.address();
                }
                try {
                    HttpResponse r = c.send("submit_request", body);
                    if (!r.ok()) continue;
                    const uint64_t id = r.json().at("request_id");
                    std::lock_guard lock(mutex);
                    acked_requests[key] = id;
                    to_fulfil.push_back(id);
                } catch (const std::exception&) {
                    return;  // the coordinator is gone
                }
            }
        });
    }
    threads.emplace_back([&] {
        ActionClient c("127.0.0.1", port, prover);
        while (!stop) {
            uint64_t id = 0;
            {
                std::lock_guard lock(mutex);
                if (!to_fulfil.empty()) {
                    id = to_fulfil.back();
                    to_fulfil.pop_back();
                }
            }
            if (id == 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                continue;
            }
            try {
                if (!c.send("lock", {{"request_id", id}}).ok()) continue;
                HttpResponse r = c.send("fulfill", {{"request_id", id}, {"proof", z.proof12.proof},
                                                    {"public_signals", z.proof12.public_signals}});
                if (r.ok() && r.json().at("valid").get<bool>()) {
                    std::lock_guard lock(mutex);
                    acked_fulfils.push_back(id);
                }
            } catch (const std::exception&) {
                return;
            }
        }
    });

    // Let the burst run, then kill the coordinator in the middle of it.
    for (int i = 0; i < 200; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::lock_guard lock(mutex);
        if (acked_requests.size() >= 60 && acked_fulfils.size() >= 10) break;
    }
    kill9(pid);
    stop = true;
    for (std::thread& t : threads) t.join();
    ASSERT_GT(acked_requests.size(), 0u);

    // Restart on the same data dir.
    auto [pid2, port2] = spawn(dir, op);
    {
        HttpClient h("127.0.0.1", port2);
        for (const auto& [key, id] : acked_requests) {
            HttpResponse r = h.get("/v1/requests/" + std::to_string(id));
            ASSERT_EQ(r.status, 200) << "acknowledged request " << id << " lost: " << r.body;
            EXPECT_EQ(r.json().at("idempotency_key"), key);
        }
        for (uint64_t id : acked_fulfils) {
            EXPECT_EQ(h.get_json("/v1/requests/" + std::to_string(id)).at("state"), "fulfilled") << id;
            EXPECT_EQ(h.get("/v1/requests/" + std::to_string(id) + "/proof").status, 200) << id;
        }
        // Resubmitting an acknowledged request finds it (exactly once): same id, duplicate.
        std::map<std::string, std::unique_ptr<ActionClient>> clients;
        for (const auto& k : requesters)
            clients[k.address().to_lower_string()] = std::make_unique<ActionClient>("127.0.0.1", port2, k);
        int checked = 0;
        for (const auto& [key, id] : acked_requests) {
            if (++checked > 20) break;
            const nlohmann::json r = clients[owner[key]]->act("submit_request", bodies[key]);
            EXPECT_EQ(r.at("request_id"), id);
            EXPECT_TRUE(r.at("duplicate").get<bool>());
        }
        // The prover may not be paid again for an acknowledged fulfilment.
        ActionClient p("127.0.0.1", port2, prover);
        if (!acked_fulfils.empty()) {
            HttpResponse again = p.send("fulfill", {{"request_id", acked_fulfils.front()}, {"proof", z.proof12.proof},
                                                    {"public_signals", z.proof12.public_signals}});
            EXPECT_EQ(again.status, 409) << again.body;
        }
    }
    kill9(pid2);

    // Audit the data dir in-process: the log replays, invariants hold, nothing paid twice.
    {
        ServiceConfig c = test_service_config(dir, op);
        Service audit_service(c);
        EXPECT_NO_THROW(market::Market::from_json(audit_service.market_snapshot()).check_invariants());
        const LedgerAudit audit = audit_service.audit();
        EXPECT_EQ(audit.requests_paid_twice, 0u);
        EXPECT_EQ(audit.requests_overpaid, 0u);
        std::printf("burst: %zu requests and %zu fulfilments acknowledged before SIGKILL; %llu commands replayed\n",
                    acked_requests.size(), acked_fulfils.size(), static_cast<unsigned long long>(audit.commands));
    }
    fs::remove_all(dir);
}

}  // namespace
}  // namespace provernet::coordinator::test
