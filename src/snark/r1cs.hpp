// .r1cs constraint systems (circom): container magic "r1cs", version 1. Sections (any order;
// unknown types, e.g. circom's custom-gate sections 4 and 5, are ignored):
//   1 header:      u32 fs (= 32), prime[fs] LE (= BN254 r), u32 nWires, u32 nPubOut, u32 nPubIn,
//                  u32 nPrvIn, u64 nLabels, u32 mConstraints
//   2 constraints: mConstraints x (A, B, C), each linear combination u32 nTerms then
//                  nTerms x (u32 wire, coef[fs] LE normal form), meaning A * B - C = 0
//   3 wire map:    nWires x u64 label (optional)
// Wire order: [constant 1, public outputs, public inputs, private inputs, internal wires].
#pragma once

#include "math/bn254.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace provernet::snark {

struct R1csHeader {
    uint32_t n_wires = 0;  // including wire 0, the constant 1
    uint32_t n_pub_out = 0;
    uint32_t n_pub_in = 0;
    uint32_t n_prv_in = 0;
    uint64_t n_labels = 0;
    uint32_t n_constraints = 0;

    uint32_t n_public() const { return n_pub_out + n_pub_in; }  // excludes the constant wire
};

struct R1csTerm {
    uint32_t wire = 0;  // < n_wires
    math::Fr coef;      // the coefficient (held in Montgomery form like every Fr)
    friend bool operator==(const R1csTerm&, const R1csTerm&) = default;
};

using LinearCombination = std::vector<R1csTerm>;

struct R1csConstraint {
    LinearCombination a, b, c;  // a * b - c = 0
};

struct R1cs {
    R1csHeader header;
    std::vector<R1csConstraint> constraints;  // header.n_constraints of them
    std::vector<uint64_t> wire_to_label;      // section 3; empty when the file has none
};

// Reads and validates a whole constraint system; FormatError on any bad input (coefficients
// >= r, wire ids >= nWires, labels >= nLabels, size mismatches, ...).
R1cs read_r1cs(const std::string& path);
// Header (section 1) only.
R1csHeader read_r1cs_header(const std::string& path);
// Writes version 1 with sections 1, 2, 3 (as circom does). An empty wire_to_label is written as
// the identity map. FormatError if the system is inconsistent (wire >= n_wires, constraint
// count or map size not matching the header, labels >= n_labels) or on I/O failure.
void write_r1cs(const std::string& path, const R1cs& r1cs);
// Multi-line human-readable summary (reads the header and section sizes only).
std::string r1cs_info(const std::string& path);

}  // namespace provernet::snark
