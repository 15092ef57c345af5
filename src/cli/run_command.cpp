#include "cli/run_command.hpp"

#include "cli/progress.hpp"
#include "finance/program.hpp"
#include "snark/errors.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/json_io.hpp"
#include "snark/setup.hpp"
#include "snark/zkey.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace provernet::cli {

namespace {

struct RunArgs {
    std::string program, input, zkey, out, prover;
};

const finance::Program& lookup_program(const std::string& name)
{
    if (const auto* p = finance::finance_programs().find(name))
        return *p;
    std::string known;
    for (const auto& p : finance::finance_programs().all())
        known += (known.empty() ? "" : ", ") + p.name;
    throw std::runtime_error("unknown program \"" + name + "\" (programs: " + known + ")");
}

double ms_since(std::chrono::steady_clock::time_point t)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

void write_text(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush())
        throw std::runtime_error(path.string() + ": cannot write");
}

int run_program(const RunArgs& args)
{
    const finance::Program& program = lookup_program(args.program);
    const auto t0 = std::chrono::steady_clock::now();
    circuit::Inputs inputs = circuit::Inputs::from_file(args.input);
    if (!args.prover.empty()) {
        nlohmann::json with_prover = inputs.json();
        with_prover[finance::prover_input] = args.prover;
        inputs = circuit::Inputs(std::move(with_prover), inputs.source());
    }
    circuit::Builder b(circuit::Mode::witness_only);
    nlohmann::json result;
    try {
        result = program.build(b, inputs);
    } catch (const circuit::ConstraintViolation& e) {
        throw circuit::InputError(args.input + ": the inputs do not satisfy " + program.name + ": " + e.what());
    }
    const double witness_ms = ms_since(t0);

    const auto t1 = std::chrono::steady_clock::now();
    const snark::ZKey zkey = snark::read_zkey(args.zkey);
    const auto names = b.public_names();
    if (zkey.header.n_vars != b.wire_count() || zkey.header.n_public != names.size())
        throw snark::FormatError(args.zkey, "is not a key for " + program.name + " (" +
                                                std::to_string(zkey.header.n_vars) + " wires and " +
                                                std::to_string(zkey.header.n_public) + " public signals, expected " +
                                                std::to_string(b.wire_count()) + " and " +
                                                std::to_string(names.size()) + ")");
    const double load_ms = ms_since(t1);

    const auto t2 = std::chrono::steady_clock::now();
    Progress progress("prove");
    snark::ProveOptions options;
    options.progress = [&](std::string_view stage, double done) { progress(stage, done); };
    snark::ProveResult proved;
    try {
        proved = snark::groth16_prove(zkey, b.witness_file(), options);
    } catch (const snark::ProveError& e) {
        throw snark::FormatError(args.zkey, std::string(e.what()) + " (program " + program.name + ")");
    }
    const double prove_ms = ms_since(t2);

    const std::filesystem::path out(args.out);
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec)
        throw std::runtime_error(args.out + ": cannot create directory: " + ec.message());
    snark::write_proof_json((out / "proof.json").string(), proved.proof);
    snark::write_public_json((out / "public.json").string(), proved.public_signals);

    nlohmann::json readable;
    readable["program"] = program.name;
    readable["circuit_identity"] = snark::circuit_identity(snark::verification_key_from_zkey(zkey));
    nlohmann::json pub = nlohmann::json::array();
    for (size_t i = 0; i < names.size(); ++i)
        pub.push_back({{"name", names[i]}, {"value", proved.public_signals[i].to_decimal()}});
    readable["public_signals"] = pub;
    readable["result"] = result;
    write_text(out / "result.json", readable.dump(2) + "\n");

    std::fprintf(stderr, "%s: %zu constraints; witness %.1f ms, key load %.1f ms, proof %.1f ms -> %s\n",
                 program.name.c_str(), b.constraint_count(), witness_ms,
                 load_ms, prove_ms, args.out.c_str());
    return 0;
}

int run_list()
{
    for (const auto& p : finance::finance_programs().all())
        std::cout << p.name << "\t" << p.description << "\n";
    return 0;
}

}  // namespace

void add_run_command(CLI::App& app)
{
    auto args = std::make_shared<RunArgs>();
    auto* run = app.add_subcommand("run", "run a finance program: witness, proof, proof.json/public.json/result.json");
    run->add_option("program", args->program, "program name (provernet programs lists them)")->required();
    run->add_option("input", args->input, "input.json")->required()->check(CLI::ExistingFile);
    run->add_option("--zkey", args->zkey, "the program's proving key (from provernet setup <program>)")
        ->required()
        ->check(CLI::ExistingFile);
    run->add_option("--out", args->out, "output directory")->required();
    run->add_option("--prover", args->prover,
                    "address of the prover the proof pays (the last public signal; default: the inputs' \"prover\", else 0)");
    run->callback([args] { throw CLI::RuntimeError(run_program(*args)); });

    app.add_subcommand("programs", "list the finance programs")->callback([] { throw CLI::RuntimeError(run_list()); });
}

}  // namespace provernet::cli
