#include "math/msm.hpp"

#include "math/parallel.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace provernet::math {

namespace {

constexpr unsigned scalar_bits = 254;

// Signed base-2^c digits of every scalar, window-major: digits[w * n + i] in
// [-(2^(c-1) - 1), 2^(c-1)]. Signed digits halve the bucket count.
std::vector<int16_t> signed_digits(std::span<const U256> scalars, unsigned c, unsigned windows)
{
    const size_t n = scalars.size();
    std::vector<int16_t> digits(size_t(windows) * n);
    const int32_t half = int32_t(1) << (c - 1), full = int32_t(1) << c;
    parallel_for_chunks(n, [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
            const U256& s = scalars[i];
            int32_t carry = 0;
            for (unsigned w = 0; w < windows; ++w) {
                int32_t d = int32_t(s.bits(w * c, c)) + carry;
                carry = d > half ? 1 : 0;
                d -= carry * full;
                digits[size_t(w) * n + i] = int16_t(d);
            }
        }
    });
    return digits;
}

// Sum over one window: accumulate bases into 2^(c-1) buckets, then sum_b b * bucket[b].
template <class Jac>
Jac window_sum(std::span<const typename Jac::Affine> bases, const int16_t* digits, unsigned c)
{
    const size_t nb = size_t(1) << (c - 1);
    std::vector<Jac> buckets(nb, Jac::infinity());
    const size_t n = bases.size();
    for (size_t i = 0; i < n; ++i) {
        const int d = digits[i];
        if (d > 0)
            buckets[size_t(d - 1)] = buckets[size_t(d - 1)].add_mixed(bases[i]);
        else if (d < 0)
            buckets[size_t(-d - 1)] = buckets[size_t(-d - 1)].sub_mixed(bases[i]);
    }
    Jac running = Jac::infinity(), total = Jac::infinity();
    for (size_t b = nb; b-- > 0;) {
        running += buckets[b];
        total += running;
    }
    return total;
}

template <class Jac>
Jac msm_impl(std::span<const typename Jac::Affine> bases, std::span<const U256> scalars)
{
    if (bases.size() != scalars.size())
        throw std::invalid_argument("msm: bases and scalars differ in length");
    const size_t n = bases.size();
    if (n == 0)
        return Jac::infinity();
    if (n < 16) {
        Jac acc = Jac::infinity();
        for (size_t i = 0; i < n; ++i)
            acc += bases[i].to_jacobian().mul(scalars[i]);
        return acc;
    }
    const unsigned c = msm_window_bits(n);
    const unsigned windows = scalar_bits / c + 1;
    const std::vector<int16_t> digits = signed_digits(scalars, c, windows);
    std::vector<Jac> sums(windows);
    parallel_for_each(windows, [&](size_t w) { sums[w] = window_sum<Jac>(bases, digits.data() + w * n, c); });
    Jac acc = sums[windows - 1];
    for (size_t w = windows - 1; w-- > 0;) {
        for (unsigned k = 0; k < c; ++k)
            acc = acc.dbl();
        acc += sums[w];
    }
    return acc;
}

}  // namespace

unsigned msm_window_bits(size_t n)
{
    // Cost per window: one mixed add per point plus two full adds per bucket.
    unsigned best = 2;
    double best_cost = 1e300;
    for (unsigned c = 2; c <= 15; ++c) {
        const double windows = double(scalar_bits / c + 1);
        const double cost = windows * (double(n) + 3.0 * double(size_t(1) << (c - 1)));
        if (cost < best_cost) {
            best_cost = cost;
            best = c;
        }
    }
    return best;
}

G1 msm(std::span<const G1Affine> bases, std::span<const U256> scalars) { return msm_impl<G1>(bases, scalars); }
G2 msm(std::span<const G2Affine> bases, std::span<const U256> scalars) { return msm_impl<G2>(bases, scalars); }

}  // namespace provernet::math
