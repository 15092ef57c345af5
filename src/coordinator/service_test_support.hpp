// Shared by the service tests and the service benchmark: a real small circuit (the built-in
// poseidon-preimage, 240 constraints) set up in-process, valid proofs for two inputs, a program
// with input-bound signals over the same circuit, deterministic keys and a test configuration.
#pragma once

#include "circuit/poseidon.hpp"
#include "circuit/registry.hpp"
#include "coordinator/client.hpp"
#include "coordinator/service.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/json_io.hpp"
#include "snark/ptau_new.hpp"
#include "snark/setup.hpp"
#include "snark/zkey.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace provernet::coordinator::test {

namespace fs = std::filesystem;

inline fs::path fresh_dir(const std::string& name)
{
    fs::path dir = fs::temp_directory_path() / ("provernet-" + name + "-" + std::to_string(::getpid()) + "-" +
                                                std::to_string(std::rand()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

inline std::string read_bytes(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct ProofFiles {
    nlohmann::json proof;           // snarkjs proof.json shape
    nlohmann::json public_signals;  // decimal strings
};

// "poseidon-preimage-bound": the poseidon-preimage circuit whose output (the hash) is declared
// input-bound, so a proof of another preimage is refused, and which ends with the prover's
// address like every finance program.
inline finance::Program bound_program()
{
    const circuit::CircuitSpec spec = [] {
        circuit::CircuitRegistry r;
        circuit::register_example_circuits(r);
        return *r.find("poseidon-preimage");
    }();
    finance::Program p;
    p.name = "poseidon-preimage-bound";
    p.description = "poseidon-preimage with its hash bound to the inputs (tests)";
    p.build = [spec](circuit::Builder& b, const circuit::Inputs& in) {
        spec.define(b, in);
        return nlohmann::json::object();
    };
    p.reference = [](const circuit::Inputs&) { return nlohmann::json::object(); };
    p.example_input = spec.example_input;
    p.public_signals = "hash";
    p.bound_public_signals = [](const circuit::Inputs& in) {
        const auto pre = in.field_array("preimage", 2);
        return std::vector<std::pair<size_t, math::Fr>>{{0, circuit::poseidon_hash(pre[0], pre[1])}};
    };
    return finance::with_prover_signal(std::move(p));
}

struct Zk {
    std::string zkey_bytes;        // poseidon-preimage
    std::string bound_zkey_bytes;  // a second setup of the same circuit, for the bound program
    ProofFiles proof12, proof34;              // preimages (1, 2) and (3, 4), plain key
    ProofFiles bound_proof12, bound_proof34;  // the bound program's key; proofs paying carol and bob
};

inline settlement::PrivateKey test_key(unsigned n)
{
    char hex[67];
    std::snprintf(hex, sizeof hex, "0x%064x", n);
    return settlement::PrivateKey::from_hex(hex);
}

inline ProofFiles prove(const snark::ZKey& zkey, const circuit::CircuitSpec& spec, const nlohmann::json& inputs)
{
    circuit::Builder b = circuit::build_circuit(spec, circuit::Inputs(inputs, "test inputs"), circuit::Mode::witness_only);
    const snark::ProveResult r = snark::groth16_prove(zkey, b.witness_file());
    return {nlohmann::json::parse(snark::proof_to_json(r.proof)),
            nlohmann::json::parse(snark::public_to_json(r.public_signals))};
}

// Built once per process (~seconds on the slow test machine).
inline const Zk& zk()
{
    static const Zk z = [] {
        Zk z;
        const fs::path dir = fresh_dir("zk");
        circuit::CircuitRegistry reg;
        circuit::register_example_circuits(reg);
        const circuit::CircuitSpec& spec = *reg.find("poseidon-preimage");
        const snark::R1cs r1cs = circuit::build_constraint_system(spec).r1cs();
        snark::write_new_ptau((dir / "pot.ptau").string(), 9);
        snark::groth16_setup(r1cs, (dir / "pot.ptau").string(), (dir / "a.zkey").string());
        const circuit::CircuitSpec bound_spec = finance::circuit_spec(bound_program());
        snark::groth16_setup(circuit::build_constraint_system(bound_spec).r1cs(), (dir / "pot.ptau").string(),
                             (dir / "b.zkey").string());
        z.zkey_bytes = read_bytes(dir / "a.zkey");
        z.bound_zkey_bytes = read_bytes(dir / "b.zkey");
        const snark::ZKey a = snark::read_zkey((dir / "a.zkey").string());
        const snark::ZKey b = snark::read_zkey((dir / "b.zkey").string());
        const nlohmann::json in12 = {{"preimage", {"1", "2"}}}, in34 = {{"preimage", {"3", "4"}}};
        z.proof12 = prove(a, spec, in12);
        z.proof34 = prove(a, spec, in34);
        const std::string carol = test_key(0xca201).address().to_lower_string();
        const std::string bob = test_key(0xb0b).address().to_lower_string();
        z.bound_proof12 = prove(b, bound_spec, {{"preimage", {"1", "2"}}, {"prover", carol}});
        z.bound_proof34 = prove(b, bound_spec, {{"preimage", {"3", "4"}}, {"prover", bob}});
        fs::remove_all(dir);
        return z;
    }();
    return z;
}

inline market::Config test_market_config()
{
    market::Config c;
    c.fee_bps = 100;
    c.withdrawal_delay_ms = 1'000;
    c.invalid_proof_fine = 5;
    c.min_fulfiller_stake = 10;
    return c;
}

inline ServiceConfig test_service_config(const fs::path& dir, const settlement::PrivateKey& operator_key)
{
    ServiceConfig c;
    c.data_dir = dir.string();
    c.operator_address = operator_key.address().to_lower_string();
    c.market = test_market_config();
    c.max_action_bytes = 256 * 1024;
    c.max_zkey_bytes = 4 << 20;
    c.tick_interval = std::chrono::milliseconds(20);
    c.programs = {bound_program()};
    return c;
}

// A submit_request body: price ramp from now, lock deadline in 30 s, final in 60 s.
inline nlohmann::json request_body(const std::string& circuit, const std::string& key, nlohmann::json inputs,
                                   uint64_t max_price = 1000, uint64_t collateral = 500)
{
    const uint64_t now = unix_time_ms();
    return {{"idempotency_key", key},
            {"circuit", circuit},
            {"inputs", std::move(inputs)},
            {"priority", "pricing"},
            {"min_price", std::to_string(max_price / 2)},
            {"max_price", std::to_string(max_price)},
            {"ramp_start_ms", now},
            {"ramp_period_ms", 1'000},
            {"lock_deadline_ms", now + 30'000},
            {"final_deadline_ms", now + 60'000},
            {"collateral", std::to_string(collateral)}};
}

}  // namespace provernet::coordinator::test
