// snarkjs Groth16 proving keys (.zkey): container magic "zkey", version 1, protocol 1 (Groth16).
//
//   1  protocol      u32 = 1
//   2  header        u32 n8q, q, u32 n8r, r, u32 nVars, u32 nPublic, u32 domainSize,
//                    alpha1 G1, beta1 G1, beta2 G2, gamma2 G2, delta1 G1, delta2 G2  (660 bytes)
//   3  IC            (nPublic + 1) G1
//   4  coefficients  u32 nCoefs, then nCoefs x {u32 matrix (0 = A, 1 = B), u32 constraint,
//                    u32 signal, value[32]} (44 bytes each); value = coef * R^2 mod r
//   5  A             nVars G1
//   6  B1            nVars G1
//   7  B2            nVars G2
//   8  C             (nVars - nPublic - 1) G1
//   9  H             domainSize G1
//   10 contributions csHash[64], u32 n, n x {4 points, transcript[64], u32 type, u32 len, params}
//
// Points are stored as little-endian Montgomery limbs (infinity = all zeros), exactly the
// in-memory layout of G1Affine (64 bytes) / G2Affine (128 bytes), so loading is a copy plus
// validation: every coordinate < q and every point on its curve, run in parallel. G1 has
// cofactor 1, so that is a full check; G2 header points (beta2, gamma2, delta2) also get the
// subgroup check, but the nVars B2 points only the on-curve check (see check_g2_subgroup()).
#pragma once

#include "math/bn254.hpp"
#include "math/g1.hpp"
#include "math/g2.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace provernet::snark {

struct ZKeyHeader {
    uint32_t version = 0;
    uint32_t n_vars = 0;       // witness length, including the constant wire 0
    uint32_t n_public = 0;     // public signals (outputs + public inputs), excluding wire 0
    uint32_t domain_size = 0;  // power of two, <= 2^28
    uint32_t domain_log2 = 0;  // log2(domain_size)
    math::G1Affine alpha1, beta1, delta1;
    math::G2Affine beta2, gamma2, delta2;
    uint32_t n_coefs = 0;          // section 4 entries
    uint32_t n_contributions = 0;  // section 10 (0 when the section is absent)
};

// One A or B matrix entry. `value` wraps the stored limbs as Montgomery form: since the file
// stores v = coef * R^2 mod r, `value` is the field element coef * R. That is what makes the
// usual prover loop conversion-free: for a witness value w held as plain (normal-form) limbs,
//     value * Fr::from_raw(w)  ==  coef * w     (as field elements)
// i.e. one Montgomery multiplication of the raw limbs yields the Montgomery form of coef * w.
// coefficient() gives coef itself.
struct ZKeyCoef {
    uint32_t matrix = 0;      // 0 = A, 1 = B
    uint32_t constraint = 0;  // < domain_size
    uint32_t signal = 0;      // < n_vars
    math::Fr value;           // Fr::from_raw(stored limbs) = coef * R

    math::Fr coefficient() const { return math::Fr::from_raw(value.to_u256()); }
    static ZKeyCoef from_coefficient(uint32_t matrix, uint32_t constraint, uint32_t signal, const math::Fr& coef)
    {
        return {matrix, constraint, signal, coef * math::Fr::from_raw(math::Fr::r2)};
    }
};

struct ZKey {
    std::string path;  // the file it was read from (for messages)
    ZKeyHeader header;
    std::vector<math::G1Affine> ic;  // n_public + 1
    std::vector<ZKeyCoef> coefs;     // n_coefs, file order
    std::vector<math::G1Affine> a;   // n_vars
    std::vector<math::G1Affine> b1;  // n_vars
    std::vector<math::G2Affine> b2;  // n_vars
    std::vector<math::G1Affine> c;   // n_vars - n_public - 1 (wires n_public+1 ..)
    std::vector<math::G1Affine> h;   // domain_size
    std::vector<uint8_t> contributions;  // section 10 verbatim (empty when absent)
};

// Reads and validates a whole Groth16 zkey; FormatError on any bad input.
ZKey read_zkey(const std::string& path);
// Sections 1 and 2 (header points fully validated), plus the coefficient count and the number
// of contributions; checks every section size but touches no bulk data.
ZKeyHeader read_zkey_header(const std::string& path);
// Full subgroup check of every B2 point (parallel; ~0.3 ms per point per core). FormatError
// "<path>: section 7 (B2) point i is not in the G2 subgroup" on the first failure.
void check_g2_subgroup(const ZKey& zkey);
// Writes version 1, sections 1..10. An empty `contributions` is written as a zero circuit hash
// and no contributions. FormatError if the vectors' sizes disagree with the header, a
// coefficient is out of range, or on I/O failure. (Points are written as given.)
void write_zkey(const std::string& path, const ZKey& zkey);
// Multi-line human-readable summary (header-level reading only).
std::string zkey_info(const std::string& path);

}  // namespace provernet::snark
