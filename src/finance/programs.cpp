#include "finance/program.hpp"

#include <mutex>

namespace provernet::finance {

const ProgramRegistry& finance_programs()
{
    static ProgramRegistry registry;
    static std::once_flag once;
    std::call_once(once, [] {
    });
    return registry;
}

}  // namespace provernet::finance
