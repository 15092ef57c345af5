// A Poseidon commitment to a list of field elements: how a program exposes many values (a batch's
// inputs or results) as one public signal. The list's length is absorbed first, then the values in
// chunks of 15 through Poseidon with 16 inputs (circomlib parameters, t = 17):
//   h = n;  for each chunk c of 15 values (the last padded with zeros): h = Poseidon(h, c_0..c_14)
// An empty list still takes one hash. In a circuit that is 609 constraints per chunk (about 41 per
// value); a verifier holding the values recomputes it natively (or with circomlibjs's poseidon).
#pragma once

#include "circuit/builder.hpp"

#include <span>

namespace provernet::circuit {

inline constexpr size_t commitment_chunk = 15;

Fr poseidon_commitment(std::span<const Fr> values);
Signal poseidon_commitment(Builder& b, std::span<const Signal> values);

}  // namespace provernet::circuit
