// The visitor idiom for std::visit over the command and event variants: one lambda per type.
#pragma once

namespace provernet::market {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

}  // namespace provernet::market
