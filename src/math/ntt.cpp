#include "math/ntt.hpp"

#include "math/parallel.hpp"

#include <stdexcept>

namespace provernet::math {

Fr root_of_unity(unsigned k)
{
    if (k > fr_two_adicity)
        throw std::invalid_argument("no 2^k-th root of unity in Fr for k > 28");
    static const Fr w28 = [] {
        U256 t;
        U256::sub(t, Fr::modulus, U256(1));
        for (unsigned i = 0; i < fr_two_adicity; ++i)
            t = t.shr1();
        return Fr::from_uint(5).pow(t);
    }();
    Fr w = w28;
    for (unsigned i = k; i < fr_two_adicity; ++i)
        w = w.square();
    return w;
}

size_t bit_reverse(size_t x, unsigned bits)
{
    size_t r = 0;
    for (unsigned i = 0; i < bits; ++i, x >>= 1)
        r = (r << 1) | (x & 1);
    return r;
}

void bit_reverse_permute(std::span<Fr> a)
{
    const size_t n = a.size();
    unsigned bits = 0;
    while ((size_t(1) << bits) < n)
        ++bits;
    for (size_t i = 0; i < n; ++i) {
        const size_t j = bit_reverse(i, bits);
        if (i < j)
            std::swap(a[i], a[j]);
    }
}

Domain::Domain(unsigned log_size) : log_size_(log_size), omega_(root_of_unity(log_size))
{
    const size_t half = size() / 2;
    roots_.resize(half);
    inv_roots_.resize(half);
    const Fr inv = omega_.inverse();
    if (half > 0) {
        roots_[0] = inv_roots_[0] = Fr::one();
        for (size_t i = 1; i < half; ++i) {
            roots_[i] = roots_[i - 1] * omega_;
            inv_roots_[i] = inv_roots_[i - 1] * inv;
        }
    }
}

namespace {

// One butterfly stage over blocks of 2*len in a[begin_block*2len, end_block*2len), twiddles
// w^(k*stride).
inline void stage_blocks(Fr* a, size_t len, size_t stride, const Fr* roots, bool dit, size_t k_begin, size_t k_end,
                         size_t block_begin, size_t block_end)
{
    for (size_t blk = block_begin; blk < block_end; ++blk) {
        Fr* x = a + blk * 2 * len;
        Fr* y = x + len;
        if (dit) {
            for (size_t k = k_begin; k < k_end; ++k) {
                const Fr t = k == 0 ? y[k] : y[k] * roots[k * stride];
                y[k] = x[k] - t;
                x[k] = x[k] + t;
            }
        } else {
            for (size_t k = k_begin; k < k_end; ++k) {
                const Fr u = x[k], v = y[k];
                x[k] = u + v;
                y[k] = k == 0 ? u - v : (u - v) * roots[k * stride];
            }
        }
    }
}

}  // namespace

void Domain::stages(std::span<Fr> a, bool inverse, bool dit) const
{
    const size_t n = size();
    if (a.size() != n)
        throw std::invalid_argument("ntt: input size differs from the domain size");
    if (n <= 1)
        return;
    const Fr* roots = inverse ? inv_roots_.data() : roots_.data();
    const unsigned threads = n >= 4096 ? thread_count() : 1;
    // Stages with few large blocks split each block's butterflies across threads; stages with
    // many blocks split the blocks.
    auto run_stage = [&](size_t len) {
        const size_t blocks = n / (2 * len), stride = n / (2 * len);
        if (threads <= 1) {
            stage_blocks(a.data(), len, stride, roots, dit, 0, len, 0, blocks);
        } else if (blocks >= threads) {
            parallel_for_chunks(
                blocks, [&](size_t b, size_t e) { stage_blocks(a.data(), len, stride, roots, dit, 0, len, b, e); },
                threads);
        } else {
            parallel_for_chunks(
                len, [&](size_t b, size_t e) { stage_blocks(a.data(), len, stride, roots, dit, b, e, 0, blocks); },
                threads);
        }
    };
    if (dit) {
        for (size_t len = 1; len < n; len *= 2)
            run_stage(len);
    } else {
        for (size_t len = n / 2; len >= 1; len /= 2)
            run_stage(len);
    }
}

void Domain::dif(std::span<Fr> a, bool inverse) const { stages(a, inverse, false); }
void Domain::dit(std::span<Fr> a, bool inverse) const { stages(a, inverse, true); }

void Domain::fft(std::span<Fr> a) const
{
    dif(a, false);
    bit_reverse_permute(a);
}

void Domain::ifft(std::span<Fr> a) const
{
    dif(a, true);
    bit_reverse_permute(a);
    const Fr n_inv = Fr::from_uint(size()).inverse();
    for (auto& x : a)
        x *= n_inv;
}

}  // namespace provernet::math
