// Groth16 proving from a snarkjs zkey and a circom witness, bit-compatible with snarkjs: the
// quotient is evaluated on the odd coset of the 2n-th roots of unity, matching the zkey's H
// points (../shared/reference/groth16-and-formats.md, section 3).
#pragma once

#include "math/bn254.hpp"
#include "snark/json_io.hpp"
#include "snark/wtns.hpp"
#include "snark/zkey.hpp"

#include <functional>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace provernet::snark {

// The witness does not fit or does not satisfy the proving key (or the key is inconsistent).
struct ProveError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Called at the start of each proving stage with its name and the fraction of work done.
using ProgressFn = std::function<void(std::string_view stage, double done)>;

struct ProveOptions {
    // Verify the proof with the zkey's verification key before returning it; a failure names the
    // cause (unsatisfied constraint, bad zkey point) instead of handing out a proof that will be
    // rejected.
    bool self_check = true;
    ProgressFn progress;
};

struct ProveResult {
    Proof proof;
    std::vector<math::U256> public_signals;  // witness values 1..n_public
};

// Throws ProveError for a witness that does not fit the zkey or does not satisfy it.
ProveResult groth16_prove(const ZKey& zkey, const Witness& witness, const ProveOptions& options = {});

// The quotient's evaluations h_j = (A*B - C)(w_2n^(2j+1)), normal form: exposed for tests.
std::vector<math::U256> groth16_quotient(const ZKey& zkey, const Witness& witness);

// The verification key embedded in a zkey (what `zkey export-vk` writes).
VerificationKey verification_key_from_zkey(const ZKey& zkey);
VerificationKey verification_key_from_header(const ZKeyHeader& header, std::vector<math::G1Affine> ic);

// n bytes from the OS's CSPRNG (getrandom). Throws std::runtime_error if it fails.
void random_bytes(uint8_t* out, size_t n);
// Uniform random nonzero element of Fr from the OS's CSPRNG.
math::Fr random_fr();

}  // namespace provernet::snark
