#include "cli/setup_commands.hpp"

#include "cli/circuit_commands.hpp"
#include "cli/progress.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/ptau_new.hpp"
#include "snark/r1cs.hpp"
#include "snark/setup.hpp"
#include "snark/zkey.hpp"

#include <cstdio>
#include <iostream>
#include <memory>

namespace provernet::cli {

namespace {

std::string hex(const snark::ceremony::Hash64& h)
{
    std::string out;
    char buf[3];
    for (uint8_t b : h) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        out += buf;
    }
    return out;
}

struct PtauArgs {
    uint32_t power = 0;
    std::string out, name;
};

struct SetupArgs {
    std::string circuit, ptau, zkey, name;
};

int run_ptau_new(const PtauArgs& args)
{
    std::cerr << "warning: " << snark::kSinglePartySetupWarning << "\n";
    Progress progress("ptau new");
    snark::PTauNewOptions options;
    if (!args.name.empty())
        options.name = args.name;
    options.progress = [&](std::string_view stage, double done) { progress(stage, done); };
    const snark::PTauNewResult r = snark::write_new_ptau(args.out, args.power, options);
    std::cout << "wrote " << args.out << " (2^" << args.power << ", prepared for phase 2)\n"
              << "contribution response hash: " << hex(r.response_hash) << "\n";
    return 0;
}

int run_setup(const SetupArgs& args)
{
    // A built-in circuit's name, or a circom .r1cs file.
    snark::R1cs r1cs;
    if (const auto* spec = find_circuit(args.circuit))
        r1cs = circuit::build_constraint_system(*spec).r1cs();
    else if (args.circuit.ends_with(".r1cs"))
        r1cs = snark::read_r1cs(args.circuit);
    else
        throw std::runtime_error("unknown circuit \"" + args.circuit + "\" (known: " + known_circuit_names() +
                                 "; or give a .r1cs file)");
    std::cerr << "warning: " << snark::kSinglePartySetupWarning << "\n";
    Progress progress("setup");
    snark::SetupOptions options;
    if (!args.name.empty())
        options.contribution_name = args.name;
    options.progress = [&](std::string_view stage, double done) { progress(stage, done); };
    const snark::SetupResult r = snark::groth16_setup(r1cs, args.ptau, args.zkey, options);
    const snark::ZKey zkey = snark::read_zkey(args.zkey);
    std::cout << "wrote " << args.zkey << ": " << r1cs.header.n_constraints << " constraints, domain "
              << r.domain_size << ", ptau 2^" << r.ptau_power << "\n"
              << "circuit hash:      " << hex(r.circuit_hash) << "\n"
              << "contribution hash: " << hex(r.contribution_hash) << "\n"
              << "identity:          " << snark::circuit_identity(snark::verification_key_from_zkey(zkey)) << "\n";
    return 0;
}

}  // namespace

void add_setup_commands(CLI::App& app)
{
    auto* ptau = app.add_subcommand("ptau", "powers of tau");
    ptau->require_subcommand(1);
    auto ptau_args = std::make_shared<PtauArgs>();
    auto* ptau_new = ptau->add_subcommand(
        "new", "a prepared (phase-2 ready) powers-of-tau file from fresh randomness: DEVELOPMENT ONLY");
    ptau_new->add_option("power", ptau_args->power, "log2 of the largest circuit domain (1..27)")
        ->required()
        ->check(CLI::Range(1u, snark::kMaxNewPTauPower));
    ptau_new->add_option("ptau", ptau_args->out, "output .ptau")->required();
    ptau_new->add_option("--name", ptau_args->name, "contribution name stored in the file");
    ptau_new->callback([ptau_args] { throw CLI::RuntimeError(run_ptau_new(*ptau_args)); });

    auto setup_args = std::make_shared<SetupArgs>();
    auto* setup = app.add_subcommand(
        "setup", "Groth16 phase-2 setup with one contribution of fresh randomness: snarkjs-compatible .zkey");
    setup->add_option("circuit", setup_args->circuit, "a built-in circuit's name or a circom .r1cs file")->required();
    setup->add_option("ptau", setup_args->ptau, "prepared powers of tau (.ptau)")->required()->check(CLI::ExistingFile);
    setup->add_option("zkey", setup_args->zkey, "output .zkey")->required();
    setup->add_option("--name", setup_args->name, "contribution name stored in the key");
    setup->callback([setup_args] { throw CLI::RuntimeError(run_setup(*setup_args)); });
}

}  // namespace provernet::cli
