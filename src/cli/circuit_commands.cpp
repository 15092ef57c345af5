#include "cli/circuit_commands.hpp"

#include "finance/program.hpp"
#include "snark/errors.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/setup.hpp"
#include "snark/zkey.hpp"
#include "snark/json_io.hpp"
#include "snark/r1cs.hpp"
#include "snark/wtns.hpp"

#include <iostream>
#include <map>
#include <mutex>
#include <memory>

namespace provernet::cli {

const circuit::CircuitRegistry& builtin_circuits()
{
    static const circuit::CircuitRegistry registry = [] {
        circuit::CircuitRegistry r;
        circuit::register_example_circuits(r);
        for (const auto& p : finance::finance_programs().all())
            r.add(finance::circuit_spec(p));
        return r;
    }();
    return registry;
}

const circuit::CircuitSpec* find_circuit(const std::string& name)
{
    if (const auto* spec = builtin_circuits().find(name))
        return spec;
    const finance::Program* program = finance::finance_programs().find(name);
    if (!program)
        return nullptr;
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<circuit::CircuitSpec>> made;
    std::lock_guard lock(mutex);
    auto& slot = made[name];
    if (!slot)
        slot = std::make_unique<circuit::CircuitSpec>(finance::circuit_spec(*program));
    return slot.get();
}

std::string known_circuit_names()
{
    std::string known;
    for (const auto& s : builtin_circuits().all())
        known += (known.empty() ? "" : ", ") + s.name;
    for (const auto& f : finance::finance_programs().families())
        known += ", " + f.pattern;
    return known;
}

namespace {

const circuit::CircuitSpec& lookup(const std::string& name)
{
    if (const auto* spec = find_circuit(name))
        return *spec;
    throw std::runtime_error("unknown circuit \"" + name + "\" (known: " + known_circuit_names() + ")");
}

struct NameArgs {
    std::string name, out, input, pub, zkey;
};

int run_list()
{
    for (const auto& s : builtin_circuits().all())
        std::cout << s.name << "\t" << s.description << "\n";
    return 0;
}

int run_info(const NameArgs& args)
{
    const auto& spec = lookup(args.name);
    const circuit::Builder b = circuit::build_constraint_system(spec);
    const snark::R1cs r1cs = b.r1cs();
    std::cout << "circuit:         " << spec.name << "\n"
              << "description:     " << spec.description << "\n"
              << "constraints:     " << b.constraint_count() << "\n"
              << "wires:           " << b.wire_count() << "\n"
              << "public outputs:  " << r1cs.header.n_pub_out << "\n"
              << "public inputs:   " << r1cs.header.n_pub_in << "\n"
              << "private inputs:  " << r1cs.header.n_prv_in << "\n"
              << "public signals:  ";
    const auto names = b.public_names();
    for (size_t i = 0; i < names.size(); ++i)
        std::cout << (i ? ", " : "") << names[i];
    std::cout << "\n"
              << "structure hash:  " << circuit::structure_hash(b) << " (sha256 of the constraint system)\n";
    if (args.zkey.empty()) {
        std::cout << "identity:        needs a setup (the hash of its verification key): add --zkey FILE\n";
        return 0;
    }
    const snark::ZKey zkey = snark::read_zkey(args.zkey);
    if (zkey.header.n_vars != b.wire_count() || zkey.header.n_public != names.size())
        throw snark::FormatError(args.zkey, "is not a key for " + spec.name + " (" + std::to_string(zkey.header.n_vars) +
                                                " wires and " + std::to_string(zkey.header.n_public) +
                                                " public signals, expected " + std::to_string(b.wire_count()) +
                                                " and " + std::to_string(names.size()) + ")");
    std::cout << "identity:        " << snark::circuit_identity(snark::verification_key_from_zkey(zkey)) << " (of "
              << args.zkey << ")\n";
    return 0;
}

int run_example(const NameArgs& args)
{
    std::cout << lookup(args.name).example_input.dump(1) << "\n";
    return 0;
}

int run_export(const NameArgs& args)
{
    const circuit::Builder b = circuit::build_constraint_system(lookup(args.name));
    snark::write_r1cs(args.out, b.r1cs());
    std::cerr << "wrote " << args.out << ": " << b.constraint_count() << " constraints, " << b.wire_count()
              << " wires\n";
    return 0;
}

int run_witness(const NameArgs& args)
{
    const auto& spec = lookup(args.name);
    const circuit::Inputs inputs = circuit::Inputs::from_file(args.input);
    circuit::Builder b = [&] {
        try {
            return circuit::build_circuit(spec, inputs, circuit::Mode::witness_only);
        } catch (const circuit::ConstraintViolation& e) {
            throw circuit::InputError(args.input + ": the inputs do not satisfy " + spec.name + ": " + e.what());
        }
    }();
    snark::write_wtns(args.out, b.witness_file());
    if (!args.pub.empty()) {
        std::vector<math::U256> pub;
        for (const auto& v : b.public_values())
            pub.push_back(v.to_u256());
        snark::write_public_json(args.pub, pub);
    }
    return 0;
}

}  // namespace

void add_circuit_commands(CLI::App& app)
{
    auto* circ = app.add_subcommand("circuit", "the built-in circuits");
    circ->require_subcommand(1);
    circ->add_subcommand("list", "names and descriptions")->callback([] { throw CLI::RuntimeError(run_list()); });

    auto info_args = std::make_shared<NameArgs>();
    auto* info = circ->add_subcommand("info", "constraints, public signals and structure hash of a circuit");
    info->add_option("name", info_args->name, "circuit name")->required();
    info->add_option("--zkey", info_args->zkey, "a proving key of this circuit: prints its identity")
        ->check(CLI::ExistingFile);
    info->callback([info_args] { throw CLI::RuntimeError(run_info(*info_args)); });

    auto example_args = std::make_shared<NameArgs>();
    auto* example = circ->add_subcommand("example", "print an input.json the circuit accepts");
    example->add_option("name", example_args->name, "circuit name")->required();
    example->callback([example_args] { throw CLI::RuntimeError(run_example(*example_args)); });

    auto export_args = std::make_shared<NameArgs>();
    auto* exp = circ->add_subcommand("export", "write a circuit's constraint system as a circom .r1cs");
    exp->add_option("name", export_args->name, "circuit name")->required();
    exp->add_option("r1cs", export_args->out, "output .r1cs")->required();
    exp->callback([export_args] { throw CLI::RuntimeError(run_export(*export_args)); });

    auto wit_args = std::make_shared<NameArgs>();
    auto* wit = app.add_subcommand("witness", "compute a built-in circuit's witness natively from input JSON");
    wit->add_option("name", wit_args->name, "circuit name")->required();
    wit->add_option("input", wit_args->input, "input.json")->required()->check(CLI::ExistingFile);
    wit->add_option("wtns", wit_args->out, "output .wtns")->required();
    wit->add_option("public", wit_args->pub, "optional output public.json");
    wit->callback([wit_args] { throw CLI::RuntimeError(run_witness(*wit_args)); });
}

}  // namespace provernet::cli
