// Radix-2 number-theoretic transforms over Fr on domains of size 2^k, k <= 28.
//
// The roots of unity are the ones snarkjs (ffjavascript) uses: w_28 = 5^((r-1)/2^28) and
// w_{k-1} = w_k^2. The zkey's H points are Lagrange evaluations on exactly these domains, so a
// compatible prover must use the same roots.
#pragma once

#include "math/bn254.hpp"

#include <span>
#include <vector>

namespace provernet::math {

inline constexpr unsigned fr_two_adicity = 28;

// The primitive 2^k-th root of unity of snarkjs's root table (Fr.w[k]).
Fr root_of_unity(unsigned k);

class Domain {
public:
    explicit Domain(unsigned log_size);

    unsigned log_size() const { return log_size_; }
    size_t size() const { return size_t(1) << log_size_; }
    const Fr& omega() const { return omega_; }

    // Natural-order values in, bit-reversed-order out (decimation in frequency); no scaling.
    // With inverse = true it uses w^-1, so that ifft = dif(inverse) then multiply by 1/n.
    void dif(std::span<Fr> a, bool inverse) const;
    // Bit-reversed-order in, natural-order out (decimation in time); no scaling.
    void dit(std::span<Fr> a, bool inverse) const;

    // Convenience transforms in natural order, both ways: coefficients <-> evaluations.
    void fft(std::span<Fr> a) const;
    void ifft(std::span<Fr> a) const;

private:
    void stages(std::span<Fr> a, bool inverse, bool decimation_in_time) const;

    unsigned log_size_;
    Fr omega_;
    std::vector<Fr> roots_;      // w^i, i < n/2
    std::vector<Fr> inv_roots_;  // w^-i, i < n/2
};

size_t bit_reverse(size_t x, unsigned bits);
void bit_reverse_permute(std::span<Fr> a);

}  // namespace provernet::math
