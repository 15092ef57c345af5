// End-to-end throughput and added latency of the coordinator with proving replaced by an
// instantly available precomputed proof (verification still runs, batched): 100 provers
// connected to the stream, requester threads submitting, each request locked and fulfilled by
// the prover it falls to. The load generator runs in the same process and shares the machine's
// cores with the coordinator. So that it takes as little of them as it can, the 100 streams are
// read by one thread (one epoll set), which hands each new request to the thread of the prover
// it falls to: an event wakes two load-generator threads, not 100. The coordinator's side is
// unchanged: 100 WebSocket connections, each written every event.
//
//   coordinator_bench --benchmark_filter=ServiceEndToEnd
// Counters: requests_per_s (settled requests per wall second), p50_ms / p99_ms (submit sent ->
// fulfil acknowledged, i.e. the full path: submit, stream delivery, lock, verify, settle). With
// many requests in flight the latency is mostly queueing (Little's law); the 1-in-flight run
// gives the latency the coordinator adds per request. Also: submit/stream/lock/fulfil p50 (the
// phases), mean_batch (proofs per batch verification), cpu_ms_per_request (whole process) and
// coordinator_cpu_ms_per_request (the coordinator's own threads only).
#include "coordinator/service.hpp"

#include "coordinator/service_test_support.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fstream>
#include <sstream>
#include <string_view>

#include <sys/resource.h>
#include <unistd.h>

namespace provernet::coordinator::test {
namespace {

using Clock = std::chrono::steady_clock;

// CPU seconds of this process's threads whose name starts with `prefix` ("" : all threads).
// The coordinator's threads are named pn-http, pn-verify and pn-tick; the load generator's are
// not, so the coordinator's own cost per request can be told apart from the load generator's.
double threads_cpu_seconds(std::string_view prefix)
{
    double ticks = 0;
    for (const auto& task : fs::directory_iterator("/proc/self/task")) {
        std::string text;
        try {
            std::ifstream stat(task.path() / "stat");
            text.assign(std::istreambuf_iterator<char>(stat), std::istreambuf_iterator<char>());
        } catch (const std::exception&) {
            continue;  // the thread ended between the listing and the read (ESRCH)
        }
        const size_t open = text.find('('), close = text.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        if (text.compare(open + 1, prefix.size(), prefix) != 0) continue;
        std::istringstream rest(text.substr(close + 2));
        std::string field;
        // After the name: state (3) ... utime (14), stime (15).
        for (int i = 3; i <= 13 && rest >> field; ++i) {}
        double utime = 0, stime = 0;
        rest >> utime >> stime;
        ticks += utime + stime;
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double process_cpu_seconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The "request_id" of a request_submitted stream message (the event's only such field).
uint64_t request_id_of(const std::string& message)
{
    constexpr std::string_view key = "\"request_id\":";
    const size_t at = message.find(key);
    if (at == std::string::npos) throw std::runtime_error("stream message without request_id: " + message);
    return std::stoull(message.substr(at + key.size(), 20));
}

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

// The provers' streams (/v1/stream?events=request_submitted), read by one thread: each new
// request's id goes to on_request(prover, id). A stream the coordinator drops (a slow consumer)
// is reconnected at once and reported to on_dropped(prover), which catches up from /v1/open.
class StreamReader {
public:
    using OnRequest = std::function<void(size_t prover, uint64_t id)>;
    using OnDropped = std::function<void(size_t prover)>;

    StreamReader(uint16_t port, size_t n, OnRequest on_request, OnDropped on_dropped)
        : port_(port), on_request_(std::move(on_request)), on_dropped_(std::move(on_dropped))
    {
        for (size_t p = 0; p < n; ++p) {
            streams_.push_back(std::make_unique<Stream>());
            streams_.back()->prover = p;
            connect(*streams_.back());
        }
        for (auto& stream : streams_) read(*stream);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~StreamReader() { stop(); }
    // Stops reading (before the coordinator stops: its closing the streams is no drop).
    void stop()
    {
        ioc_.stop();
        if (thread_.joinable()) thread_.join();
    }
    size_t reconnects() const { return reconnects_; }

private:
    struct Stream {
        std::optional<websocket::stream<beast::tcp_stream>> ws;
        beast::flat_buffer buffer;
        size_t prover = 0;
    };

    // Blocking: at construction, and in the reader thread after a drop.
    void connect(Stream& s)
    {
        s.ws.emplace(ioc_);
        beast::get_lowest_layer(*s.ws).connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
        beast::get_lowest_layer(*s.ws).socket().set_option(net::ip::tcp::no_delay(true));
        s.ws->handshake("127.0.0.1:" + std::to_string(port_), "/v1/stream?events=request_submitted");
        // The hello comes once the connection is subscribed: no event after it is missed.
        s.buffer.clear();
        s.ws->read(s.buffer);
        const std::string first = beast::buffers_to_string(s.buffer.data());
        s.buffer.clear();
        if (first.find("\"hello\"") == std::string::npos)
            throw std::runtime_error("stream: the first message is not the hello");
        dispatch(s, first);  // events coalesced with it
    }

    // One or more JSON values, one per line (a coalesced write). The id only: parsing every
    // event in full for 100 provers would mostly measure the parser.
    void dispatch(const Stream& s, const std::string& text)
    {
        for (size_t start = 0; start < text.size();) {
            size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            const std::string_view line(text.data() + start, end - start);
            if (line.find("\"request_submitted\"") != std::string_view::npos)
                on_request_(s.prover, request_id_of(std::string(line)));
            start = end + 1;
        }
    }

    void read(Stream& s)
    {
        s.ws->async_read(s.buffer, [this, &s](beast::error_code ec, size_t) {
            if (ec == net::error::operation_aborted) return;
            if (ec) {
                ++reconnects_;
                try {
                    connect(s);
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "stream of prover %zu lost: %s\n", s.prover, e.what());
                    return;
                }
                on_dropped_(s.prover);
                return read(s);
            }
            const std::string text = beast::buffers_to_string(s.buffer.data());
            s.buffer.consume(s.buffer.size());
            dispatch(s, text);
            read(s);
        });
    }

    const uint16_t port_;
    const OnRequest on_request_;
    const OnDropped on_dropped_;
    net::io_context ioc_{1};
    std::vector<std::unique_ptr<Stream>> streams_;
    std::atomic<size_t> reconnects_{0};
    std::thread thread_;
};

void BM_ServiceEndToEnd(benchmark::State& state)
{
    const size_t total = static_cast<size_t>(state.range(0));
    const size_t n_provers = static_cast<size_t>(state.range(1));
    const size_t max_outstanding = static_cast<size_t>(state.range(2));  // requests in flight
    // Requests per signed action: 1, one action per submit, lock and fulfil; more, signed
    // batches of that many submissions, and each prover's locks and fulfils of them batched.
    const size_t batch = static_cast<size_t>(state.range(3));
    const size_t n_requesters = std::min<size_t>(4, std::max<size_t>(1, max_outstanding / batch));
    // One thread per prover, as 100 independent provers would act: each locks and fulfils on its
    // own connection, woken by the stream reader when a request falls to it.
    const Zk& z = zk();

    for (auto _ : state) {
        const fs::path dir = fresh_dir("bench");
        const settlement::PrivateKey op = test_key(0x0b);
        ServiceConfig config = test_service_config(dir, op);
        config.max_zkey_bytes = 8 << 20;
        Service service(config);
        service.start();
        const uint16_t port = service.port();

        HttpClient h("127.0.0.1", port);
        const std::string circuit =
            h.request("PUT", "/v1/circuits/poseidon-preimage", z.zkey_bytes, "application/octet-stream").json().at("circuit");
        std::vector<std::unique_ptr<ActionClient>> provers, requesters;
        ActionClient o("127.0.0.1", port, op);
        for (size_t i = 0; i < n_provers; ++i) {
            provers.push_back(std::make_unique<ActionClient>("127.0.0.1", port, test_key(0x10000 + i)));
            o.act("deposit", {{"account", provers.back()->address()}, {"amount", "1000000000"}});
            provers.back()->act("stake", {{"amount", "500000000"}});
            provers.back()->act("register_prover", {{"capacity", 1000}});
        }
        for (size_t i = 0; i < n_requesters; ++i) {
            requesters.push_back(std::make_unique<ActionClient>("127.0.0.1", port, test_key(0x20000 + i)));
            o.act("deposit", {{"account", requesters.back()->address()}, {"amount", "1000000000000"}});
        }
        // Each prover's inbox: request ids from its stream, or a note to catch up after a drop.
        struct Inbox {
            std::mutex mutex;
            std::condition_variable ready;
            std::vector<uint64_t> ids;
            bool catch_up = false;
        };
        std::vector<Inbox> inboxes(n_provers);
        std::atomic<Clock::rep> last_stream_event{Clock::now().time_since_epoch().count()};
        // The prover a request falls to: whole submission batches go to one prover, as the first
        // prover to see a batch would lock all of it.
        auto owner = [&](uint64_t id) { return static_cast<size_t>((id / batch) % n_provers); };
        StreamReader streams(
            port, n_provers,
            [&](size_t p, uint64_t id) {
                last_stream_event = Clock::now().time_since_epoch().count();
                if (owner(id) != p) return;
                {
                    std::lock_guard lock(inboxes[p].mutex);
                    inboxes[p].ids.push_back(id);
                }
                inboxes[p].ready.notify_one();
            },
            [&](size_t p) {
                {
                    std::lock_guard lock(inboxes[p].mutex);
                    inboxes[p].catch_up = true;
                }
                inboxes[p].ready.notify_one();
            });

        std::mutex mutex;
        std::condition_variable room;
        std::map<uint64_t, Clock::time_point> submitted_at;
        std::vector<double> latencies_ms;
        // Where the time goes, per request: submit round trip, submit answered -> seen on the
        // stream by its prover, lock round trip, fulfil round trip (verification included).
        std::vector<double> submit_ms, stream_ms, lock_ms, fulfil_ms;
        std::map<uint64_t, Clock::time_point> answered_at;
        size_t outstanding = 0;
        std::atomic<size_t> settled{0}, failures{0}, next{0}, finished{0};
        std::atomic<bool> done{false};

        const auto start = Clock::now();
        const double cpu_start = process_cpu_seconds(), coordinator_cpu_start = threads_cpu_seconds("pn-");
        std::vector<std::thread> threads;
        auto item = [](const char* action, nlohmann::json body) {
            return nlohmann::json{{"action", action}, {"body", std::move(body)}};
        };
        for (size_t r = 0; r < n_requesters; ++r) {
            threads.emplace_back([&, r] {
                ActionClient& c = *requesters[r];
                for (size_t first; (first = next.fetch_add(batch)) < total;) {
                    const size_t count = std::min(batch, total - first);
                    {
                        std::unique_lock lock(mutex);
                        room.wait(lock, [&] { return outstanding + count <= max_outstanding || done; });
                        outstanding += count;
                    }
                    const auto t0 = Clock::now();
                    // One action per request, or one signed batch of `count` submissions.
                    std::vector<nlohmann::json> results;
                    if (batch == 1) {
                        HttpResponse r = c.send("submit_request", request_body(circuit, "b" + std::to_string(first),
                                                                               {{"preimage", {"1", "2"}}}, 1000, 10));
                        if (r.ok()) results.push_back(r.json());
                    } else {
                        nlohmann::json actions = nlohmann::json::array();
                        for (size_t i = first; i < first + count; ++i)
                            actions.push_back(item("submit_request", request_body(circuit, "b" + std::to_string(i),
                                                                                  {{"preimage", {"1", "2"}}}, 1000, 10)));
                        HttpResponse r = c.send("batch", {{"actions", std::move(actions)}});
                        if (r.ok()) {
                            const nlohmann::json answer = r.json();
                            for (const auto& result : answer.at("results"))
                                if (result.at("ok").get<bool>()) results.push_back(result);
                        }
                    }
                    const auto t_answer = Clock::now();
                    std::lock_guard lock(mutex);
                    for (size_t lost = results.size(); lost < count; ++lost) {
                        ++failures;
                        --outstanding;
                        if (++finished == total) done = true;
                    }
                    room.notify_all();
                    for (const auto& result : results) {
                        const uint64_t id = result.at("request_id").get<uint64_t>();
                        submitted_at.emplace(id, t0);
                        answered_at.emplace(id, t_answer);
                        submit_ms.push_back(std::chrono::duration<double, std::milli>(t_answer - t0).count());
                    }
                }
            });
        }
        auto wake_all = [&] {
            for (Inbox& inbox : inboxes) {
                std::lock_guard lock(inbox.mutex);
                inbox.ready.notify_one();
            }
        };
        for (size_t p = 0; p < n_provers; ++p) {
            threads.emplace_back([&, p] {
                HttpClient reader("127.0.0.1", port);
                std::set<uint64_t> handled;
                // Locks and fulfils the ids of prover p: one action each, or one batch each.
                auto handle = [&](std::vector<uint64_t> ids) {
                    std::erase_if(ids, [&](uint64_t id) { return !handled.insert(id).second; });
                    if (ids.empty()) return;
                    ActionClient& c = *provers[p];
                    const auto t_seen = Clock::now();
                    std::vector<uint64_t> locked;
                    std::vector<std::pair<uint64_t, Clock::time_point>> settled_at;
                    Clock::time_point t_locked;
                    if (batch == 1) {
                        for (uint64_t id : ids) {
                            const bool ok = c.send("lock", {{"request_id", id}}).ok();
                            t_locked = Clock::now();
                            if (ok && c.send("fulfill", {{"request_id", id}, {"proof", z.proof12.proof},
                                                         {"public_signals", z.proof12.public_signals}})
                                          .ok())
                                settled_at.emplace_back(id, Clock::now());
                        }
                    } else {
                        nlohmann::json locks = nlohmann::json::array();
                        for (uint64_t id : ids) locks.push_back(item("lock", {{"request_id", id}}));
                        HttpResponse l = c.send("batch", {{"actions", std::move(locks)}});
                        t_locked = Clock::now();
                        if (l.ok()) {
                            const nlohmann::json results = l.json().at("results");
                            for (size_t i = 0; i < ids.size(); ++i)
                                if (results[i].at("ok").get<bool>()) locked.push_back(ids[i]);
                        }
                        if (!locked.empty()) {
                            nlohmann::json fulfils = nlohmann::json::array();
                            for (uint64_t id : locked)
                                fulfils.push_back(item("fulfill", {{"request_id", id}, {"proof", z.proof12.proof},
                                                                   {"public_signals", z.proof12.public_signals}}));
                            HttpResponse f = c.send("batch", {{"actions", std::move(fulfils)}});
                            const auto t1 = Clock::now();
                            if (f.ok()) {
                                const nlohmann::json results = f.json().at("results");
                                for (size_t i = 0; i < locked.size(); ++i)
                                    if (results[i].at("ok").get<bool>() && results[i].at("valid").get<bool>())
                                        settled_at.emplace_back(locked[i], t1);
                            }
                        }
                    }
                    std::lock_guard lock(mutex);
                    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
                    for (uint64_t id : ids)
                        if (auto a = answered_at.find(id); a != answered_at.end()) stream_ms.push_back(ms(a->second, t_seen));
                    lock_ms.push_back(ms(t_seen, t_locked));
                    for (const auto& [id, t1] : settled_at) {
                        fulfil_ms.push_back(ms(t_locked, t1));
                        if (auto it = submitted_at.find(id); it != submitted_at.end())
                            latencies_ms.push_back(ms(it->second, t1));
                    }
                    settled += settled_at.size();
                    failures += ids.size() - settled_at.size();
                    outstanding -= ids.size();
                    room.notify_all();
                    if ((finished += ids.size()) == total) done = true;
                };
                Inbox& inbox = inboxes[p];
                auto last_sweep = Clock::now();
                while (!done) {
                    std::vector<uint64_t> mine;
                    bool catch_up = false;
                    {
                        std::unique_lock lock(inbox.mutex);
                        inbox.ready.wait_for(lock, std::chrono::milliseconds(200),
                                             [&] { return done || !inbox.ids.empty() || inbox.catch_up; });
                        mine.swap(inbox.ids);
                        catch_up = std::exchange(inbox.catch_up, false);
                    }
                    if (!mine.empty()) {
                        handle(std::move(mine));
                        continue;
                    }
                    // After a drop, or when the stream has been quiet for a while: re-read the
                    // open view (what a prover does after a gap).
                    const auto now = Clock::now();
                    const auto quiet = now - Clock::time_point(Clock::duration(last_stream_event.load()));
                    if (done || (!catch_up && (quiet < std::chrono::seconds(2) || now - last_sweep < std::chrono::seconds(2))))
                        continue;
                    last_sweep = now;
                    const nlohmann::json open = reader.get_json("/v1/open?limit=10000");
                    std::vector<uint64_t> found;
                    for (const auto& line : open["requests"]) {
                        const uint64_t id = line["request_id"];
                        if (owner(id) == p && line["action"] == "lock") found.push_back(id);
                    }
                    handle(std::move(found));
                }
            });
        }
        while (!done) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            if (Clock::now() - start > std::chrono::seconds(300)) break;
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        const double cpu_seconds = process_cpu_seconds() - cpu_start;
        // Threads that ended during the run are not counted: the coordinator's live for its whole life.
        const double coordinator_cpu_seconds = threads_cpu_seconds("pn-") - coordinator_cpu_start;
        done = true;
        room.notify_all();
        wake_all();
        for (std::thread& t : threads) t.join();

        auto pct = [](std::vector<double>& v, double q) {
            std::sort(v.begin(), v.end());
            return v.empty() ? 0.0 : v[std::min(v.size() - 1, size_t(q * v.size()))];
        };
        state.counters["requests_per_s"] = static_cast<double>(settled) / seconds;
        // CPU of the whole process (coordinator and load generator) per settled request: on a
        // shared machine this is steadier than wall time, and 2 cores / it bounds the rate.
        state.counters["cpu_ms_per_request"] = settled ? 1e3 * cpu_seconds / static_cast<double>(settled) : 0.0;
        // The coordinator's threads alone: 2 cores / this is the rate it could sustain with
        // the load generator on other machines.
        state.counters["coordinator_cpu_ms_per_request"] =
            settled ? 1e3 * coordinator_cpu_seconds / static_cast<double>(settled) : 0.0;
        state.counters["p50_ms"] = pct(latencies_ms, 0.50);
        state.counters["p99_ms"] = pct(latencies_ms, 0.99);
        state.counters["submit_p50_ms"] = pct(submit_ms, 0.50);
        state.counters["stream_p50_ms"] = pct(stream_ms, 0.50);
        state.counters["lock_p50_ms"] = pct(lock_ms, 0.50);
        state.counters["fulfil_p50_ms"] = pct(fulfil_ms, 0.50);
        state.counters["settled"] = static_cast<double>(settled);
        state.counters["failures"] = static_cast<double>(failures);
        state.counters["stream_reconnects"] = static_cast<double>(streams.reconnects());
        streams.stop();
        const auto [proofs, batches] = service.verifier_stats();
        state.counters["mean_batch"] = batches ? static_cast<double>(proofs) / static_cast<double>(batches) : 0.0;
        state.counters["paid_twice"] = static_cast<double>(service.audit().requests_paid_twice);
        service.stop();
        fs::remove_all(dir);
    }
}
// (requests, provers, in flight, requests per signed action): saturation throughput, and the
// path latency at light load, one action per request and in signed batches. The light-load run
// with one prover shows what the fan-out to 100 streams costs the latency.
BENCHMARK(BM_ServiceEndToEnd)
    ->Args({2000, 100, 256, 1})
    ->Args({200, 100, 1, 1})
    ->Args({200, 1, 1, 1})
    ->Args({1000, 100, 1, 1})
    ->Args({400, 100, 8, 1})
    ->Args({20000, 100, 1024, 32})
    ->Args({20000, 100, 2048, 64})
    ->Args({640, 100, 32, 32})
    ->Args({64, 100, 32, 32})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace
}  // namespace provernet::coordinator::test
