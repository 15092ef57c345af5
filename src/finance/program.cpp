#include "finance/program.hpp"

#include <stdexcept>

namespace provernet::finance {

void ProgramRegistry::add(Program p)
{
    if (find(p.name))
        throw std::logic_error("program registered twice: " + p.name);
    programs_.push_back(std::move(p));
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
            slot = std::make_unique<Program>(std::move(*p));
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
