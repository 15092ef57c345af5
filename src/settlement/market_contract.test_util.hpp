// Test support for the ProverMarket contract tests: one anvil with funded dev keys, the
// compiled contracts, and a tiny Groth16 circuit whose last public input is the prover's
// address (out = x * y; public signals [out, x, prover]; x is what a request binds).
#pragma once

#include "circuit/builder.hpp"
#include "settlement/anvil.hpp"
#include "settlement/eth_client.hpp"
#include "settlement/hex.hpp"
#include "settlement/market_contract.hpp"
#include "settlement/solc.hpp"
#include "settlement/tx_sender.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/ptau.hpp"
#include "snark/ptau_new.hpp"
#include "snark/setup.hpp"
#include "snark/solidity_verifier.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace provernet::settlement::testing {

// The product circuit: out = x * y (x public, y private), then the prover address (squared
// into an internal wire so that it is constrained, not only bound by the IC points).
struct ProductCircuit {
    snark::ZKey zkey;
    snark::VerificationKey vk;
    Hash256 id{};  // snark::circuit_identity
    static constexpr uint32_t public_input_count = 3;  // out, x, prover

    static circuit::Builder build(uint64_t x, uint64_t y, const Address& prover)
    {
        circuit::Builder b;
        auto xs = b.public_input("x", math::Fr::from_uint(x));
        auto ys = b.private_input("y", math::Fr::from_uint(y));
        auto p = b.public_input("prover", math::Fr::from_u256_reduce(address_signal(prover)));
        b.public_output("out", b.mul(xs, ys));
        b.square(p);
        return b;
    }

    static ProductCircuit create()
    {
        const auto dir = std::filesystem::temp_directory_path() /
                         ("provernet-marketsol-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        const std::string ptau_path = (dir / "pot4.ptau").string();
        snark::write_new_ptau(ptau_path, 4);
        const snark::PTau ptau = snark::PTau::open(ptau_path);
        ProductCircuit c;
        c.zkey = snark::groth16_setup_key(build(1, 1, Address{}).r1cs(), ptau);
        c.vk = snark::verification_key_from_zkey(c.zkey);
        c.id = from_hex_array<32>("0x" + snark::circuit_identity(c.vk), "circuit id");
        std::filesystem::remove_all(dir);
        return c;
    }

    struct Proved {
        ProofWords proof{};
        std::vector<U256> signals;  // [out, x]: without the prover (the contract appends it)
    };

    Proved prove(uint64_t x, uint64_t y, const Address& prover) const
    {
        const auto b = build(x, y, prover);
        const snark::ProveResult r = snark::groth16_prove(zkey, b.witness_file());
        Proved p;
        p.proof = proof_words(r.proof.a, r.proof.b, r.proof.c);
        p.signals.assign(r.public_signals.begin(), r.public_signals.end() - 1);
        return p;
    }

    // The request's binding: signal 1 (x) must equal x.
    static std::vector<uint32_t> bound_indices() { return {1}; }
    static Hash256 binding(uint64_t x) { return bound_signals_hash({1}, {U256(x)}); }
};

// One anvil for a test suite, a TxSender per dev key, the compiled contracts and the circuit.
struct Chain {
    std::unique_ptr<AnvilProcess> anvil;
    std::unique_ptr<EthClient> client;
    std::vector<std::unique_ptr<TxSender>> senders;
    CompiledContract market;
    CompiledContract verifier;
    ProductCircuit circuit;
    Address verifier_address;

    // One per test program, stopped (anvil included) at exit.
    static Chain& get()
    {
        static Chain chain = [] {
            Chain c;
            AnvilProcess::Options options;
            // For gas profiles with debug_traceTransaction.
            if (std::getenv("PROVERNET_ANVIL_STEPS_TRACING")) options.extra_args = {"--steps-tracing"};
            c.anvil = std::make_unique<AnvilProcess>(options);
            c.client = std::make_unique<EthClient>(c.anvil->url());
            for (size_t i = 0; i < 10; ++i) {
                c.senders.push_back(std::make_unique<TxSender>(*c.client, AnvilProcess::dev_key(i)));
                c.senders.back()->set_poll_interval(std::chrono::milliseconds(5));
            }
            c.market = compile_solidity_contract(prover_market_sources(), "ProverMarket");
            c.circuit = ProductCircuit::create();
            c.verifier = compile_solidity_contract(
                {{"ProductVerifier.sol", snark::solidity_verifier(c.circuit.vk, "ProductVerifier")}},
                "ProductVerifier");
            c.verifier_address = c.key(0).deploy(c.verifier.init_code);
            return c;
        }();
        return chain;
    }

    TxSender& key(size_t i) { return *senders.at(i); }
    Address address(size_t i) { return senders.at(i)->address(); }
    uint64_t now() { return client->block_timestamp(); }
    // The next mined block (and gas estimation against it) has timestamp t.
    void at(uint64_t t) { anvil->set_next_block_timestamp(t); }

    MarketContract deploy(const MarketContractConfig& config, bool with_circuit = true)
    {
        MarketContract m = MarketContract::deploy(key(0), *client, config, market.init_code);
        if (with_circuit)
            m.register_circuit(key(0), circuit.id, verifier_address, ProductCircuit::public_input_count);
        return m;
    }
};

// The custom error a call reverts with ("" when it did not revert).
template <class F>
std::string revert_of(F&& f)
{
    try {
        f();
    } catch (const Revert& r) {
        return MarketContract::error_name(r.data).value_or("unknown revert: " + r.reason);
    } catch (const TxFailed& e) {
        return std::string("mined and failed: ") + e.what();
    }
    return "";
}

template <class E>
std::vector<E> events_of(const MarketContract& m, const TxReceipt& receipt)
{
    std::vector<E> out;
    for (const MarketEvent& e : m.events(receipt))
        if (auto* p = std::get_if<E>(&e)) out.push_back(*p);
    return out;
}

}  // namespace provernet::settlement::testing
