#include "finance/program.hpp"

#include <stdexcept>

namespace provernet::finance {

void ProgramRegistry::add(Program p)
{
    if (find(p.name))
        throw std::logic_error("program registered twice: " + p.name);
    programs_.push_back(std::move(p));
}

const Program* ProgramRegistry::find(const std::string& name) const
{
    for (const Program& p : programs_)
        if (p.name == name)
            return &p;
    return nullptr;
}

circuit::CircuitSpec circuit_spec(const Program& p)
{
    auto build = p.build;
    return {p.name, p.description, [build](circuit::Builder& b, const circuit::Inputs& in) { build(b, in); },
            p.example_input};
}

}  // namespace provernet::finance
