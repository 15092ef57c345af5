#include "finance/black_scholes.hpp"
#include "finance/liquidation.hpp"
#include "finance/portfolio_margin.hpp"
#include "finance/program.hpp"
#include "finance/state_transition.hpp"

#include <mutex>
#include <regex>
#include <stdexcept>

namespace provernet::finance {

namespace {

// The sizes of a name matching `pattern` (one group per size), or nothing.
std::optional<std::vector<size_t>> sizes_of(const std::string& name, const std::regex& pattern)
{
    std::smatch m;
    if (!std::regex_match(name, m, pattern))
        return std::nullopt;
    std::vector<size_t> sizes;
    for (size_t i = 1; i < m.size(); ++i) {
        const std::string digits = m[i].str();
        if (digits.size() > 6)
            throw std::invalid_argument(name + ": size " + digits + " is too large");
        sizes.push_back(std::stoul(digits));
    }
    return sizes;
}

void check_size(const std::string& name, const char* what, size_t v, size_t lo, size_t hi)
{
    if (v < lo || v > hi)
        throw std::invalid_argument(name + ": " + what + " must be in [" + std::to_string(lo) + ", " +
                                    std::to_string(hi) + "], got " + std::to_string(v));
}

}  // namespace

const ProgramRegistry& finance_programs()
{
    static ProgramRegistry registry;
    static std::once_flag once;
    std::call_once(once, [] {
        ProgramRegistry& r = registry;
        for (size_t n : {1, 16, 64})
            r.add(black_scholes_program(n));
        r.add(portfolio_margin_program(4, 4));
        r.add(liquidation_program(16, 4));
        r.add(state_transition_program(32, 2, 2));

        r.add_family({"black-scholes-<N> (options, 1..256)", [](const std::string& name) -> std::optional<Program> {
                          static const std::regex re("black-scholes-([0-9]+)");
                          auto s = sizes_of(name, re);
                          if (!s)
                              return std::nullopt;
                          check_size(name, "the number of options", (*s)[0], 1, 256);
                          return black_scholes_program((*s)[0]);
                      }});
        r.add_family({"portfolio-margin-<I>x<A> (instruments 1..32, accounts 1..256)",
                      [](const std::string& name) -> std::optional<Program> {
                          static const std::regex re("portfolio-margin-([0-9]+)x([0-9]+)");
                          auto s = sizes_of(name, re);
                          if (!s)
                              return std::nullopt;
                          check_size(name, "the number of instruments", (*s)[0], 1, 32);
                          check_size(name, "the number of accounts", (*s)[1], 1, 256);
                          return portfolio_margin_program((*s)[0], (*s)[1]);
                      }});
        r.add_family({"liquidation-<A>x<M> (accounts 1..1024, assets 1..64)",
                      [](const std::string& name) -> std::optional<Program> {
                          static const std::regex re("liquidation-([0-9]+)x([0-9]+)");
                          auto s = sizes_of(name, re);
                          if (!s)
                              return std::nullopt;
                          check_size(name, "the number of accounts", (*s)[0], 1, 1024);
                          check_size(name, "the number of assets", (*s)[1], 1, 64);
                          return liquidation_program((*s)[0], (*s)[1]);
                      }});
        r.add_family({"state-transition-d<D>-s<S>-t<T> (depth 2..32 even, single- and two-account slots 0..64)",
                      [](const std::string& name) -> std::optional<Program> {
                          static const std::regex re("state-transition-d([0-9]+)-s([0-9]+)-t([0-9]+)");
                          auto s = sizes_of(name, re);
                          if (!s)
                              return std::nullopt;
                          check_size(name, "the depth", (*s)[0], 2, 32);
                          check_size(name, "the single-account slots", (*s)[1], 0, 64);
                          check_size(name, "the two-account slots", (*s)[2], 0, 64);
                          if ((*s)[1] + (*s)[2] == 0)
                              throw std::invalid_argument(name + ": needs at least one slot");
                          return state_transition_program(unsigned((*s)[0]), (*s)[1], (*s)[2]);
                      }});
    });
    return registry;
}

}  // namespace provernet::finance
