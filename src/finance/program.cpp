#include "finance/program.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace provernet::finance {

math::Fr prover_signal(const circuit::Inputs& in)
{
    if (!in.has(prover_input)) return math::Fr::zero();
    const std::string text = in.text(prover_input);
    const bool well_formed = text.size() == 42 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') &&
                             std::all_of(text.begin() + 2, text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    if (!well_formed) in.fail(prover_input, "'" + text + "' is not an address (0x + 40 hex digits)");
    return math::Fr::from_u256_unchecked(*math::U256::from_hex(text));  // < 2^160 < r
}

Program with_prover_signal(Program p)
{
    // The program itself never sees the field (some refuse unknown fields).
    auto without_prover = [](const circuit::Inputs& in) {
        nlohmann::json json = in.json();
        if (json.is_object()) json.erase(prover_input);
        return circuit::Inputs(std::move(json), in.source());
    };
    auto build = std::move(p.build);
    p.build = [build, without_prover](circuit::Builder& b, const circuit::Inputs& in) {
        nlohmann::json result = build(b, without_prover(in));
        b.public_input(prover_input, prover_signal(in));
        return result;
    };
    if (auto reference = std::move(p.reference))
        p.reference = [reference, without_prover](const circuit::Inputs& in) { return reference(without_prover(in)); };
    if (auto bound = std::move(p.bound_public_signals))
        p.bound_public_signals = [bound, without_prover](const circuit::Inputs& in) { return bound(without_prover(in)); };
    p.public_signals += "\nLast: prover, the address of the prover the proof pays (\"prover\" in the inputs; 0 when "
                        "absent). A proof copied by another prover does not verify with the copier's address.";
    return p;
}

void ProgramRegistry::add(Program p)
{
    if (find(p.name))
        throw std::logic_error("program registered twice: " + p.name);
    programs_.push_back(with_prover_signal(std::move(p)));
}

void ProgramRegistry::add_family(ProgramFamily f)
{
    families_.push_back(std::move(f));
}

const Program* ProgramRegistry::find(const std::string& name) const
{
    for (const Program& p : programs_)
        if (p.name == name)
            return &p;
    std::lock_guard lock(made_mutex_);
    if (auto it = made_.find(name); it != made_.end())
        return it->second.get();
    for (const ProgramFamily& f : families_)
        if (std::optional<Program> p = f.make(name)) {
            auto& slot = made_[name];
            slot = std::make_unique<Program>(with_prover_signal(std::move(*p)));
            return slot.get();
        }
    return nullptr;
}

circuit::CircuitSpec circuit_spec(const Program& p)
{
    auto build = p.build;
    return {p.name, p.description, [build](circuit::Builder& b, const circuit::Inputs& in) { build(b, in); },
            p.example_input};
}

}  // namespace provernet::finance
