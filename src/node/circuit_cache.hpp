// A prover node's circuits, by identity: metadata from GET /v1/circuits/<id>, the proving key
// downloaded once from GET /v1/circuits/<id>/zkey into cache_dir/<id>.zkey and checked (the
// identity recomputed from the downloaded key must equal the one asked for, so a coordinator or
// a corrupted cache cannot make the node prove with another key), then kept loaded in memory
// (loading validates every point, which is slow). Thread-safe.
#pragma once

#include "circuit/registry.hpp"
#include "coordinator/client.hpp"
#include "node/policy.hpp"
#include "snark/zkey.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace provernet::node {

struct CircuitInfo {
    std::string identity;
    std::string program;
    uint64_t constraints = 0;
    uint64_t zkey_bytes = 0;
};

struct LoadedCircuit {
    CircuitInfo info;
    circuit::CircuitSpec spec;  // builds the witness from a request's inputs
    std::shared_ptr<const snark::ZKey> zkey;
};

// The circuit of a program name: a finance program, else a built-in example circuit. Throws
// std::runtime_error for an unknown name.
circuit::CircuitSpec resolve_program(const std::string& name);

class CircuitCache {
public:
    explicit CircuitCache(std::string dir);

    CircuitInfo info(coordinator::Client& client, const std::string& identity);
    bool loaded(const std::string& identity) const;
    // Downloads (unless cached on disk), checks and loads; records the load time in `speed`.
    std::shared_ptr<const LoadedCircuit> load(coordinator::Client& client, const std::string& identity,
                                              SpeedModel& speed, std::mutex& speed_mutex);

private:
    std::string dir_;
    mutable std::mutex mutex_;       // the maps
    std::mutex load_mutex_;          // one load at a time (memory and cores)
    std::map<std::string, CircuitInfo> infos_;
    std::map<std::string, std::shared_ptr<const LoadedCircuit>> loaded_;
};

}  // namespace provernet::node
