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
}
BENCHMARK(BM_HttpJsonRoute)->Threads(1)->Threads(4)->Threads(8)->UseRealTime()->MinTime(2.0);

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
