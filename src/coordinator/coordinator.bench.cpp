// What the coordinator's infrastructure can carry: HTTP JSON requests/s and latency through the
// server (2 worker threads), WebSocket broadcast deliveries/s to 100 subscribers, and SQLite
// write transactions/s in WAL mode. Clients run on the same machine as the server, so on a
// small machine these numbers are lower bounds for the server alone.
#include "coordinator/database.hpp"
#include "coordinator/http_client.hpp"
#include "coordinator/http_server.hpp"
#include "coordinator/websocket_client.hpp"

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace provernet::coordinator {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// One server for all HTTP benchmark runs: a trivial JSON route like the coordinator's cheapest.
HttpServer& http_server() {
    static HttpServer* server = [] {
        HttpServerConfig config;
        config.threads = 2;
        auto* s = new HttpServer(config);
        s->route("POST", "/v1/echo", [](const Request& request) {
            auto body = request.json();
            return Response::json({{"id", body.at("id")}, {"status", "open"}, {"price", "1000000"}});
        });
        s->start();
        return s;
    }();
    return *server;
}

// CPU seconds used so far by the server's worker threads (named "pn-http"), from /proc: the
// server's own cost, apart from the clients that share the machine in these benchmarks.
double server_cpu_seconds() {
    double ticks = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream comm(task.path() / "comm");
        std::string name;
        std::getline(comm, name);
        if (name != "pn-http") continue;
        std::ifstream stat(task.path() / "stat");
        std::string line;
        std::getline(stat, line);
        // Fields after the ")" closing the name: state is field 3, utime 14, stime 15.
        std::istringstream fields(line.substr(line.rfind(')') + 2));
        std::string field;
        for (int i = 3; i <= 15 && fields >> field; ++i) {
            if (i >= 14) ticks += std::stod(field);
        }
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Server CPU microseconds per request over one benchmark run (measured by thread 0).
class ServerCpuMeter {
public:
    explicit ServerCpuMeter(const benchmark::State& state) : active_(state.thread_index() == 0) {
        if (active_) start_ = server_cpu_seconds();
    }
    void report(benchmark::State& state) const {
        if (!active_) return;
        double total_requests = static_cast<double>(state.iterations()) * state.threads();
        state.counters["server_cpu_us/req"] = (server_cpu_seconds() - start_) * 1e6 / total_requests;
    }

private:
    bool active_;
    double start_ = 0;
};

double percentile(std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    size_t index = std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())));
    return sorted[index];
}

// Each benchmark thread is one keep-alive client connection sending requests back to back.
void BM_HttpJsonRoute(benchmark::State& state) {
    HttpClient client("127.0.0.1", http_server().port());
    const std::string body = R"({"id":"0x1234","circuit":"black_scholes","max_price":"1000000"})";
    std::vector<double> latencies_us;
    latencies_us.reserve(1 << 16);
    ServerCpuMeter cpu(state);
    for (auto _ : state) {
        auto start = Clock::now();
        auto response = client.post("/v1/echo", body);
        latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
        if (response.status != 200) state.SkipWithError("unexpected status");
    }
    std::sort(latencies_us.begin(), latencies_us.end());
    // Per-thread percentiles, averaged over the threads.
    state.counters["p50_us"] = benchmark::Counter(percentile(latencies_us, 0.50), benchmark::Counter::kAvgThreads);
    state.counters["p99_us"] = benchmark::Counter(percentile(latencies_us, 0.99), benchmark::Counter::kAvgThreads);
    state.counters["req/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    cpu.report(state);
}
BENCHMARK(BM_HttpJsonRoute)->Threads(1)->Threads(4)->Threads(8)->UseRealTime()->MinTime(2.0);

// The coordinator's hot path in miniature: every request is parsed and broadcast to 100
// WebSocket subscribers (each on its own reader thread, as 100 prover nodes would be) before
// the answer goes back; with ws_flush_interval 0 (a write per message per subscriber) and 5 ms
// (coalesced). The servers and their readers are created once and leaked on purpose (the
// reader threads run until the process exits).
struct BroadcastFixture {
    HttpServer* server = nullptr;
    std::atomic<int64_t> received{0};
};

BroadcastFixture& broadcast_fixture(int flush_interval_ms) {
    static std::mutex mutex;
    static std::map<int, BroadcastFixture*> fixtures;
    std::lock_guard lock(mutex);
    auto& fixture = fixtures[flush_interval_ms];
    if (!fixture) {
        auto* f = new BroadcastFixture;
        HttpServerConfig config;
        config.threads = 2;
        config.ws_flush_interval = std::chrono::milliseconds(flush_interval_ms);
        f->server = new HttpServer(config);
        WebSocketRoute route;
        route.on_open = [](WebSocketConnection& connection) { connection.subscribe("requests"); };
        f->server->websocket("/v1/stream", route);
        f->server->route("POST", "/v1/requests", [f](const Request& request) {
            auto body = request.json();
            nlohmann::json event = {{"type", "request"}, {"id", body.at("id")}, {"circuit", body.at("circuit")},
                                    {"max_price", body.at("max_price")}};
            size_t delivered = f->server->broadcast("requests", event);
            return Response::json({{"id", body.at("id")}, {"status", "open"}, {"notified", delivered}});
        });
        f->server->start();
        for (int i = 0; i < 100; ++i) {
            auto* client = new WebSocketClient();
            client->connect("127.0.0.1", f->server->port(), "/v1/stream");
            std::thread([f, client] {
                try {
                    for (;;) {
                        if (client->read(1000ms)) ++f->received;
                    }
                } catch (const std::exception&) {
                }
            }).detach();
        }
        while (f->server->subscriber_count("requests") < 100) std::this_thread::sleep_for(1ms);
        fixture = f;
    }
    return *fixture;
}

void BM_HttpPostBroadcastTo100(benchmark::State& state) {
    auto& fixture = broadcast_fixture(static_cast<int>(state.range(0)));
    HttpClient client("127.0.0.1", fixture.server->port());
    const std::string body = R"({"id":"0x1234","circuit":"black_scholes","max_price":"1000000"})";
    std::vector<double> latencies_us;
    latencies_us.reserve(1 << 16);
    ServerCpuMeter cpu(state);
    for (auto _ : state) {
        auto start = Clock::now();
        auto response = client.post("/v1/requests", body);
        latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
        if (response.status != 200) state.SkipWithError("unexpected status");
    }
    std::sort(latencies_us.begin(), latencies_us.end());
    state.counters["p50_us"] = benchmark::Counter(percentile(latencies_us, 0.50), benchmark::Counter::kAvgThreads);
    state.counters["p99_us"] = benchmark::Counter(percentile(latencies_us, 0.99), benchmark::Counter::kAvgThreads);
    state.counters["req/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    cpu.report(state);
}
BENCHMARK(BM_HttpPostBroadcastTo100)->ArgName("flush_ms")->Arg(0)->Arg(5)->Threads(4)->UseRealTime()->MinTime(3.0);

// 100 subscribers, each on its own reader thread (as 100 prover nodes would be); every
// iteration broadcasts one ~200-byte message; the last iteration waits until every subscriber
// has received every message. deliveries/s = subscribers x messages / time.
void BM_WebSocketBroadcast(benchmark::State& state) {
    const int subscribers = static_cast<int>(state.range(0));
    HttpServerConfig config;
    config.threads = 2;
    config.ws_max_queued_messages = 1 << 20;  // measure throughput, not the slow-consumer policy
    config.ws_max_queued_bytes = size_t{1} << 30;
    HttpServer server(config);
    WebSocketRoute route;
    route.on_open = [](WebSocketConnection& connection) { connection.subscribe("requests"); };
    server.websocket("/v1/stream", route);
    server.start();

    std::vector<std::unique_ptr<WebSocketClient>> clients;
    for (int i = 0; i < subscribers; ++i) {
        clients.push_back(std::make_unique<WebSocketClient>());
        clients.back()->connect("127.0.0.1", server.port(), "/v1/stream");
    }
    while (server.subscriber_count("requests") < static_cast<size_t>(subscribers)) std::this_thread::sleep_for(1ms);

    std::atomic<int64_t> received{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> readers;
    for (auto& client : clients) {
        readers.emplace_back([&, c = client.get()] {
            try {
                while (!stop) {
                    if (c->read(100ms)) ++received;
                }
            } catch (const std::exception&) {
            }
        });
    }
    const nlohmann::json message = {{"type", "request"},      {"id", "0x00000000000000000000000000000000000000000000000000000000deadbeef"},
                                    {"circuit", "black_scholes"}, {"max_price", "1000000"},
                                    {"deadline", 1700000000},     {"collateral", "5000000"}};
    const int64_t iterations = state.max_iterations;
    int64_t sent = 0;
    const double cpu_start = server_cpu_seconds();
    for (auto _ : state) {
        server.broadcast("requests", message);
        if (++sent == iterations) {
            while (received < sent * subscribers) std::this_thread::sleep_for(100us);
        }
    }
    stop = true;
    for (auto& reader : readers) reader.join();
    state.counters["deliveries/s"] = benchmark::Counter(static_cast<double>(sent * subscribers), benchmark::Counter::kIsRate);
    state.counters["messages/s"] = benchmark::Counter(static_cast<double>(sent), benchmark::Counter::kIsRate);
    state.counters["server_cpu_us/delivery"] = (server_cpu_seconds() - cpu_start) * 1e6 / static_cast<double>(sent * subscribers);
}
BENCHMARK(BM_WebSocketBroadcast)->Arg(100)->Iterations(5000)->UseRealTime()->Unit(benchmark::kMillisecond);

// A small write transaction like the coordinator's: insert a request row and update a balance.
void BM_SqliteInsertUpdateTransaction(benchmark::State& state) {
    const bool full_sync = state.range(0) != 0;
    const auto dir = std::filesystem::temp_directory_path() / ("provernet-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "bench.db").string();
    {
        Database db(path, {.full_sync = full_sync});
        db.migrate({"CREATE TABLE requests(id INTEGER PRIMARY KEY, requester TEXT NOT NULL, payload TEXT NOT NULL,"
                    " state INTEGER NOT NULL);"
                    "CREATE TABLE accounts(address TEXT PRIMARY KEY, balance INTEGER NOT NULL);"
                    "INSERT INTO accounts VALUES ('0xaaaa', 1000000000000);"});
        const std::string payload(300, 'p');
        int64_t id = 0;
        for (auto _ : state) {
            db.transaction([&] {
                db.run("INSERT INTO requests(id, requester, payload, state) VALUES (?1, ?2, ?3, 0)", ++id, "0xaaaa",
                       payload);
                db.run("UPDATE accounts SET balance = balance - ?1 WHERE address = ?2", 1000, "0xaaaa");
            });
        }
        state.counters["tx/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    }
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SqliteInsertUpdateTransaction)->ArgName("full_sync")->Arg(0)->Arg(1)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace provernet::coordinator
