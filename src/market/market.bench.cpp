// Market throughput for the coordinator's realistic mix: per request one submit, one lock, one
// fulfil, and a tick every 100 requests, with ~2,000 requests open at any time across 64
// provers. The coordinator must sustain 2,000 requests/s end to end (4+ commands each).
#include "market/market.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <deque>
#include <string>
#include <vector>

namespace provernet::market {
namespace {

// Addresses that differ from their first digits, like real key hashes.
std::string address(unsigned n) {
    std::string a = "0x";
    uint64_t x = n * 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 40; ++i) {
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ull;
        a += "0123456789abcdef"[x >> 60];
    }
    return a;
}

struct Workload {
    Market market;
    std::vector<std::string> requesters, provers;
    std::deque<std::pair<uint64_t, std::string>> in_flight;  // locked, awaiting fulfilment
    uint64_t now = 1;
    uint64_t key = 0;

    explicit Workload(uint64_t closed_retention_ms = 5'000) : market(make_config(closed_retention_ms)) {
        for (unsigned i = 0; i < 16; ++i) requesters.push_back(address(0x1000 + i));
        for (unsigned i = 0; i < 64; ++i) provers.push_back(address(0x2000 + i));
        for (const auto& r : requesters) market.apply(Deposit{r, 1'000'000'000'000}, now);
        for (const auto& p : provers) {
            market.apply(Deposit{p, 1'000'000'000}, now);
            market.apply(Stake{p, 1'000'000'000}, now);
            market.apply(RegisterProver{p, 64}, now);
        }
        // Warm up to a steady state of ~2,000 locked requests.
        for (int i = 0; i < 2'000; ++i) submit_and_lock();
    }

    static Config make_config(uint64_t closed_retention_ms) {
        Config c;
        c.fee_bps = 50;
        c.closed_retention_ms = closed_retention_ms;
        return c;
    }

    SubmitRequest next_submit() {
        RequestSpec s;
        s.circuit_id = "9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
        s.inputs = "sha256:0b7c1e9d";
        s.priority = static_cast<Priority>(key % 4);
        s.min_price = 1'000;
        s.max_price = 5'000;
        s.ramp_start = now;
        s.ramp_period = 2'000;
        s.lock_deadline = now + 30'000;
        s.final_deadline = now + 60'000;
        s.collateral = 50'000;
        return {requesters[key % requesters.size()], "req-" + std::to_string(key++), s};
    }

    // One request through submit and lock; returns the number of commands applied.
    int submit_and_lock() {
        Outcome o = market.apply(next_submit(), now);
        const std::string& prover = provers[key % provers.size()];
        market.apply(Lock{prover, o.request_id}, now);
        in_flight.emplace_back(o.request_id, prover);
        return 2;
    }

    // Steady state: a new request arrives and is locked, the oldest one is fulfilled; time
    // moves 0.5 ms per request (2,000 requests/s) and a tick runs every 100 requests.
    int one_request() {
        int commands = submit_and_lock();
        auto [id, prover] = in_flight.front();
        in_flight.pop_front();
        market.apply(Fulfill{prover, id, true}, now);
        ++commands;
        if (key % 2 == 0) ++now;
        if (key % 100 == 0) {
            market.apply(Tick{}, now);
            ++commands;
        }
        return commands;
    }
};

void BM_MarketRealisticMix(benchmark::State& state) {
    Workload w;
    int64_t commands = 0;
    for (auto _ : state) commands += w.one_request();
    state.counters["commands/s"] = benchmark::Counter(static_cast<double>(commands), benchmark::Counter::kIsRate);
    state.counters["requests/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MarketRealisticMix);

// The same mix with every command parsed from JSON first, as the coordinator receives them.
void BM_MarketRealisticMixFromJson(benchmark::State& state) {
    Workload w;
    int64_t commands = 0;
    for (auto _ : state) {
        std::string submit = to_json(Command{w.next_submit()}).dump();
        Outcome o = w.market.apply(command_from_json(nlohmann::json::parse(submit)), w.now);
        const std::string& prover = w.provers[w.key % w.provers.size()];
        std::string lock = to_json(Command{Lock{prover, o.request_id}}).dump();
        w.market.apply(command_from_json(nlohmann::json::parse(lock)), w.now);
        w.in_flight.emplace_back(o.request_id, prover);
        auto [id, holder] = w.in_flight.front();
        w.in_flight.pop_front();
        std::string fulfil = to_json(Command{Fulfill{holder, id, true}}).dump();
        w.market.apply(command_from_json(nlohmann::json::parse(fulfil)), w.now);
        commands += 3;
        if (w.key % 2 == 0) ++w.now;
        if (w.key % 100 == 0) {
            w.market.apply(Tick{}, w.now);
            ++commands;
        }
    }
    state.counters["commands/s"] = benchmark::Counter(static_cast<double>(commands), benchmark::Counter::kIsRate);
    state.counters["requests/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MarketRealisticMixFromJson);

// The prover's view with ~2,000 open (unlocked) requests: what a polling prover costs.
void BM_MarketOpenRequestsView(benchmark::State& state) {
    Workload w;
    for (int i = 0; i < 2'000; ++i) w.market.apply(w.next_submit(), w.now);
    for (auto _ : state) benchmark::DoNotOptimize(w.market.open_requests(w.now, w.provers[0], 32));
}
BENCHMARK(BM_MarketOpenRequestsView);

// A full snapshot (to_json + dump) of the steady state.
void BM_MarketSnapshot(benchmark::State& state) {
    Workload w;
    for (auto _ : state) benchmark::DoNotOptimize(w.market.to_json().dump());
}
BENCHMARK(BM_MarketSnapshot)->Unit(benchmark::kMillisecond);

// A snapshot with N closed requests retained (the default retention of 10 minutes keeps every
// request of the last 10 minutes: 1.2 million at 2,000 requests/s): what the coordinator's
// writer is stopped for when it takes one.
void BM_MarketSnapshotRetained(benchmark::State& state) {
    Workload w(600'000);
    for (int64_t i = 0; i < state.range(0); ++i) w.one_request();
    size_t bytes = 0;
    for (auto _ : state) bytes = w.market.to_json().dump().size();
    state.counters["requests"] = static_cast<double>(w.market.requests().size());
    state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_MarketSnapshotRetained)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(2);

// A copy of the same market, and an image of it (Market::image: the request records shared):
// what the coordinator's writer waits for when a snapshot is due (the snapshot thread serialises
// and writes the image).
void BM_MarketCopyRetained(benchmark::State& state) {
    Workload w(600'000);
    for (int64_t i = 0; i < state.range(0); ++i) w.one_request();
    for (auto _ : state) {
        Market copy = w.market;
        benchmark::DoNotOptimize(copy.requests().size());
    }
    state.counters["requests"] = static_cast<double>(w.market.requests().size());
}
BENCHMARK(BM_MarketCopyRetained)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_MarketImageRetained(benchmark::State& state) {
    Workload w(600'000);
    for (int64_t i = 0; i < state.range(0); ++i) w.one_request();
    for (auto _ : state) {
        Market::Image image = w.market.image();
        benchmark::DoNotOptimize(image.requests.size());
    }
    state.counters["requests"] = static_cast<double>(w.market.requests().size());
}
BENCHMARK(BM_MarketImageRetained)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace provernet::market
