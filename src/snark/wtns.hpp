// .wtns witness files (circom/snarkjs): container magic "wtns", version 2, two sections:
//   1 header:  u32 n8 (= 32), prime[n8] LE (= BN254 r), u32 nWitness
//   2 values:  nWitness x n8-byte LE integers in NORMAL (non-Montgomery) form, each < r
// The witness is in r1cs wire order, so values[0] is the constant 1.
#pragma once

#include "math/u256.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace provernet::snark {

struct Witness {
    std::vector<math::U256> values;  // normal form, each < r
};

struct WitnessHeader {
    uint32_t version = 0;
    uint32_t n_values = 0;
};

// Reads and validates a whole witness; FormatError on any bad input.
Witness read_wtns(const std::string& path);
// Header only (checks the section sizes, not the values).
WitnessHeader read_wtns_header(const std::string& path);
// Writes version 2 with sections 1 and 2; FormatError if a value is >= r or on I/O failure.
void write_wtns(const std::string& path, const Witness& w);
// Multi-line human-readable summary.
std::string wtns_info(const std::string& path);

}  // namespace provernet::snark
