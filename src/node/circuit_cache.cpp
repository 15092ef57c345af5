// A prover node's circuits (see circuit_cache.hpp).
#include "node/circuit_cache.hpp"

#include "finance/program.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/setup.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace provernet::node {

namespace fs = std::filesystem;

circuit::CircuitSpec resolve_program(const std::string& name)
{
    if (const finance::Program* p = finance::finance_programs().find(name)) return finance::circuit_spec(*p);
    static const circuit::CircuitRegistry examples = [] {
        circuit::CircuitRegistry r;
        circuit::register_example_circuits(r);
        return r;
    }();
    if (const circuit::CircuitSpec* spec = examples.find(name)) return *spec;
    throw std::runtime_error("unknown program \"" + name + "\" (this node cannot build its witness)");
}

CircuitCache::CircuitCache(std::string dir) : dir_(std::move(dir))
{
    fs::create_directories(dir_);
}

CircuitInfo CircuitCache::info(coordinator::Client& client, const std::string& identity)
{
    {
        std::lock_guard lock(mutex_);
        if (auto it = infos_.find(identity); it != infos_.end()) return it->second;
    }
    const nlohmann::json j = client.circuit(identity);
    CircuitInfo info{identity, j.at("program").get<std::string>(), j.at("constraints").get<uint64_t>(),
                     j.value("zkey_bytes", uint64_t{0})};
    std::lock_guard lock(mutex_);
    infos_[identity] = info;
    return info;
}

bool CircuitCache::loaded(const std::string& identity) const
{
    std::lock_guard lock(mutex_);
    return loaded_.count(identity) != 0;
}

std::shared_ptr<const LoadedCircuit> CircuitCache::load(coordinator::Client& client, const std::string& identity,
                                                        SpeedModel& speed, std::mutex& speed_mutex)
{
    std::lock_guard load_lock(load_mutex_);
    {
        std::lock_guard lock(mutex_);
        if (auto it = loaded_.find(identity); it != loaded_.end()) return it->second;
    }
    const CircuitInfo meta = info(client, identity);
    circuit::CircuitSpec spec = resolve_program(meta.program);
    const auto t0 = std::chrono::steady_clock::now();
    const fs::path path = fs::path(dir_) / (identity + ".zkey");
    if (!fs::exists(path)) {
        const std::string bytes = client.zkey(identity);
        const fs::path tmp = fs::path(dir_) / (identity + ".zkey.download-" + std::to_string(::getpid()));
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            if (!out.flush()) throw std::runtime_error(tmp.string() + ": cannot write the downloaded zkey");
        }
        fs::rename(tmp, path);
    }
    auto zkey = std::make_shared<snark::ZKey>(snark::read_zkey(path.string()));
    const std::string actual = snark::circuit_identity(snark::verification_key_from_zkey(*zkey));
    if (actual != identity) {
        std::error_code ec;
        fs::remove(path, ec);  // a bad download or a tampered cache: fetch again next time
        throw std::runtime_error("zkey for circuit " + identity + " has identity " + actual +
                                 ": refused (removed from the cache)");
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    {
        std::lock_guard lock(speed_mutex);
        speed.record_load(fs::file_size(path), seconds);
    }
    auto loaded = std::make_shared<LoadedCircuit>(LoadedCircuit{meta, std::move(spec), std::move(zkey)});
    std::lock_guard lock(mutex_);
    loaded_[identity] = loaded;
    return loaded;
}

}  // namespace provernet::node
