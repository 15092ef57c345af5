#include "cli/snark_commands.hpp"

#include "cli/progress.hpp"
#include "snark/binfile.hpp"
#include "snark/errors.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/groth16_verifier.hpp"
#include "snark/json_io.hpp"
#include "snark/solidity_verifier.hpp"
#include "snark/wtns.hpp"
#include "snark/zkey.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

namespace provernet::cli {

namespace {

struct ProveArgs {
    std::string zkey, wtns, proof, pub;
    bool no_self_check = false;
    bool timings = false;
};

struct VerifyArgs {
    std::string vk, pub, proof;
};

struct ExportVkArgs {
    std::string zkey, vk;
};

struct ExportSolidityArgs {
    std::string zkey, sol, contract = "Groth16Verifier";
};

struct InfoArgs {
    std::string file;
};

int run_prove(const ProveArgs& args)
{
    const snark::ZKey zkey = snark::read_zkey(args.zkey);
    const snark::Witness witness = snark::read_wtns(args.wtns);
    if (witness.values.size() != zkey.header.n_vars)
        throw snark::FormatError(args.wtns, "witness has " + std::to_string(witness.values.size()) +
                                                " values but " + args.zkey + " expects " +
                                                std::to_string(zkey.header.n_vars));
    Progress progress("prove");
    snark::ProveOptions options;
    options.self_check = !args.no_self_check;
    auto last = std::chrono::steady_clock::now();
    std::string last_stage = "load";
    const auto t0 = last;
    options.progress = [&](std::string_view stage, double done) {
        progress(stage, done);
        if (args.timings) {
            const auto now = std::chrono::steady_clock::now();
            std::fprintf(stderr, "  %-14s %8.1f ms\n", last_stage.c_str(),
                         std::chrono::duration<double, std::milli>(now - last).count());
            last = now;
            last_stage = stage;
        }
    };
    snark::ProveResult result;
    try {
        result = snark::groth16_prove(zkey, witness, options);
    } catch (const snark::ProveError& e) {
        throw snark::FormatError(args.wtns, std::string(e.what()) + " (proving key " + args.zkey + ")");
    }
    snark::write_proof_json(args.proof, result.proof);
    snark::write_public_json(args.pub, result.public_signals);
    if (args.timings)
        std::fprintf(stderr, "  %-14s %8.1f ms\n", "prove total",
                     std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    return 0;
}

int run_verify(const VerifyArgs& args)
{
    const snark::VerificationKey vk = snark::read_verification_key_json(args.vk);
    const std::vector<math::U256> pub = snark::read_public_json(args.pub);
    const snark::Proof proof = snark::read_proof_json(args.proof);
    bool ok = false;
    try {
        ok = snark::groth16_verify(vk, pub, proof);
    } catch (const snark::VerifyError& e) {
        throw snark::FormatError(args.pub, std::string(e.what()) + " (verification key " + args.vk + ")");
    }
    std::cout << (ok ? "OK" : "INVALID") << std::endl;
    return ok ? 0 : 1;
}

int run_export_vk(const ExportVkArgs& args)
{
    const snark::ZKey zkey = snark::read_zkey(args.zkey);
    snark::write_verification_key_json(args.vk, snark::verification_key_from_zkey(zkey));
    return 0;
}

int run_export_solidity(const ExportSolidityArgs& args)
{
    const snark::ZKey zkey = snark::read_zkey(args.zkey);
    const std::string source = snark::solidity_verifier(snark::verification_key_from_zkey(zkey), args.contract);
    const std::string tmp = args.sol + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << source;
        if (!out.flush())
            throw snark::FormatError(args.sol, "cannot write the Solidity verifier");
    }
    if (std::rename(tmp.c_str(), args.sol.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw snark::FormatError(args.sol, "cannot write the Solidity verifier");
    }
    return 0;
}

int run_info(const InfoArgs& args)
{
    std::cout << snark::describe_file(args.file);
    return 0;
}

}  // namespace

void add_snark_commands(CLI::App& app)
{
    auto prove_args = std::make_shared<ProveArgs>();
    auto* prove = app.add_subcommand("prove", "Groth16 proof from a snarkjs .zkey and a circom .wtns");
    prove->add_option("zkey", prove_args->zkey, "proving key (.zkey)")->required()->check(CLI::ExistingFile);
    prove->add_option("wtns", prove_args->wtns, "witness (.wtns)")->required()->check(CLI::ExistingFile);
    prove->add_option("proof", prove_args->proof, "output proof.json")->required();
    prove->add_option("public", prove_args->pub, "output public.json")->required();
    prove->add_flag("--no-self-check", prove_args->no_self_check,
                    "skip verifying the proof before writing it (saves a few milliseconds)");
    prove->add_flag("--timings", prove_args->timings, "print the time of each proving stage on stderr");
    prove->callback([prove_args] { throw CLI::RuntimeError(run_prove(*prove_args)); });

    auto verify_args = std::make_shared<VerifyArgs>();
    auto* verify = app.add_subcommand("verify", "check a Groth16 proof; prints OK or INVALID, exit 0 only when valid");
    verify->add_option("verification_key", verify_args->vk, "verification_key.json")->required()->check(CLI::ExistingFile);
    verify->add_option("public", verify_args->pub, "public.json")->required()->check(CLI::ExistingFile);
    verify->add_option("proof", verify_args->proof, "proof.json")->required()->check(CLI::ExistingFile);
    verify->callback([verify_args] { throw CLI::RuntimeError(run_verify(*verify_args)); });

    auto* zkey = app.add_subcommand("zkey", "proving-key tools");
    zkey->require_subcommand(1);
    auto export_args = std::make_shared<ExportVkArgs>();
    auto* export_vk = zkey->add_subcommand("export-vk", "write the verification key of a .zkey as snarkjs JSON");
    export_vk->add_option("zkey", export_args->zkey, "proving key (.zkey)")->required()->check(CLI::ExistingFile);
    export_vk->add_option("verification_key", export_args->vk, "output verification_key.json")->required();
    export_vk->callback([export_args] { throw CLI::RuntimeError(run_export_vk(*export_args)); });
    auto solidity_args = std::make_shared<ExportSolidityArgs>();
    auto* export_solidity = zkey->add_subcommand(
        "export-solidity", "write a Solidity Groth16 verifier for a .zkey (reverts on invalid proofs; contracts/IGroth16Verifier.sol)");
    export_solidity->add_option("zkey", solidity_args->zkey, "proving key (.zkey)")->required()->check(CLI::ExistingFile);
    export_solidity->add_option("verifier", solidity_args->sol, "output Verifier.sol")->required();
    export_solidity->add_option("--contract", solidity_args->contract, "contract name (default Groth16Verifier)");
    export_solidity->callback([solidity_args] { throw CLI::RuntimeError(run_export_solidity(*solidity_args)); });

    auto info_args = std::make_shared<InfoArgs>();
    auto* info = app.add_subcommand("info", "what a .r1cs/.wtns/.zkey/.ptau or snarkjs JSON file holds");
    info->add_option("file", info_args->file, "file to describe")->required()->check(CLI::ExistingFile);
    info->callback([info_args] { throw CLI::RuntimeError(run_info(*info_args)); });
}

}  // namespace provernet::cli
