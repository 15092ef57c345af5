#include "finance/program.hpp"

namespace provernet::finance {

const ProgramRegistry& finance_programs()
{
    static const ProgramRegistry registry = [] {
        ProgramRegistry r;
        return r;
    }();
    return registry;
}

}  // namespace provernet::finance
