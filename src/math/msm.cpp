#include "math/msm.hpp"

#include "math/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
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

// The same window sum with affine buckets: additions are gathered into batches that share one
// field inversion (Montgomery's trick), so each costs about 5M + 1S instead of the 7M + 4S of a
// mixed Jacobian addition. A bucket takes part in at most one addition per batch; a point whose
// bucket is already busy goes into that bucket's Jacobian overflow instead. Conflicts are rare
// in full windows; in the top window (few distinct digits) most points overflow, which costs
// what the Jacobian method costs and keeps the work linear.
template <class Jac>
Jac window_sum_batch_affine(std::span<const typename Jac::Affine> bases, const int16_t* digits, unsigned c)
{
    using Aff = typename Jac::Affine;
    using F = typename Aff::Field;
    const size_t nb = size_t(1) << (c - 1);
    constexpr size_t max_batch = 256;
    const size_t batch_size = std::min(max_batch, nb / 4);

    enum : uint8_t { empty = 0, full = 1, busy = 2 };
    std::vector<Aff> buckets(nb);
    std::vector<uint8_t> state(nb, empty);
    std::vector<Jac> overflow(nb, Jac::infinity());
    struct Pending {
        uint32_t bucket;
        Aff point;
    };
    std::vector<Pending> batch;
    batch.reserve(batch_size);
    std::vector<F> denom(batch_size), scratch(batch_size);

    auto flush = [&] {
        const size_t m = batch.size();
        for (size_t j = 0; j < m; ++j) {
            const Aff& b = buckets[batch[j].bucket];
            const Aff& p = batch[j].point;
            if (b.x != p.x)
                denom[j] = p.x - b.x;
            else if (b.y == p.y)
                denom[j] = b.y + b.y;  // doubling (y != 0: no 2-torsion on these curves)
            else
                denom[j] = F::zero();  // P + (-P): the bucket empties
        }
        batch_inverse(denom.data(), m, scratch.data());
        for (size_t j = 0; j < m; ++j) {
            const uint32_t k = batch[j].bucket;
            Aff& b = buckets[k];
            const Aff& p = batch[j].point;
            if (denom[j].is_zero()) {
                state[k] = empty;
                continue;
            }
            F lambda;
            if (b.x != p.x) {
                lambda = (p.y - b.y) * denom[j];
            } else {
                const F xx = b.x.square();
                lambda = (xx + xx + xx) * denom[j];
            }
            const F x3 = lambda.square() - b.x - p.x;
            b.y = lambda * (b.x - x3) - b.y;
            b.x = x3;
            state[k] = full;
        }
        batch.clear();
    };

    const size_t n = bases.size();
    for (size_t i = 0; i < n; ++i) {
        const int d = digits[i];
        if (d == 0 || bases[i].is_infinity())
            continue;
        const uint32_t k = uint32_t((d > 0 ? d : -d) - 1);
        const Aff p = d > 0 ? bases[i] : -bases[i];
        if (state[k] == empty) {
            buckets[k] = p;
            state[k] = full;
        } else if (state[k] == busy) {
            overflow[k] = overflow[k].add_mixed(p);
        } else {
            state[k] = busy;
            batch.push_back({k, p});
            if (batch.size() == batch_size)
                flush();
        }
    }
    flush();

    Jac running = Jac::infinity(), total = Jac::infinity();
    for (size_t b = nb; b-- > 0;) {
        if (state[b] != empty)
            running = running.add_mixed(buckets[b]);
        if (!overflow[b].is_infinity())
            running += overflow[b];
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
            acc += bases[i].mul(scalars[i]);
        return acc;
    }
    const unsigned c = msm_window_bits(n);
    const unsigned windows = scalar_bits / c + 1;
    const std::vector<int16_t> digits = signed_digits(scalars, c, windows);
    std::vector<Jac> sums(windows);
    // Batching pays once buckets are many enough for batches to fill without conflicts.
    const bool affine_buckets = c >= 10;
    parallel_for_each(windows, [&](size_t w) {
        sums[w] = affine_buckets ? window_sum_batch_affine<Jac>(bases, digits.data() + w * n, c)
                                 : window_sum<Jac>(bases, digits.data() + w * n, c);
    });
    Jac acc = sums[windows - 1];
    for (size_t w = windows - 1; w-- > 0;) {
        for (unsigned k = 0; k < c; ++k)
            acc = acc.dbl();
        acc += sums[w];
    }
    return acc;
}

}  // namespace

G1 msm_u64(std::span<const G1Affine> bases, std::span<const uint64_t> scalars)
{
    if (bases.size() != scalars.size())
        throw std::invalid_argument("msm_u64: " + std::to_string(bases.size()) + " bases but " +
                                    std::to_string(scalars.size()) + " scalars");
    const size_t n = bases.size();
    const unsigned c = n < 16 ? 2 : n < 64 ? 3 : n < 256 ? 4 : 5;
    const unsigned windows = (64 + c - 1) / c;
    const uint64_t mask = (uint64_t(1) << c) - 1;
    std::vector<G1> buckets(mask);
    G1 acc = G1::infinity();
    for (unsigned w = windows; w-- > 0;) {
        for (unsigned i = 0; i < c; ++i)
            acc = acc.dbl();
        std::fill(buckets.begin(), buckets.end(), G1::infinity());
        for (size_t i = 0; i < n; ++i)
            if (const uint64_t d = (scalars[i] >> (w * c)) & mask)
                buckets[d - 1] = buckets[d - 1].add_mixed(bases[i]);
        // sum_d d * bucket[d] as a running sum from the top.
        G1 running = G1::infinity(), sum = G1::infinity();
        for (size_t d = mask; d-- > 0;) {
            running += buckets[d];
            sum += running;
        }
        acc += sum;
    }
    return acc;
}

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
