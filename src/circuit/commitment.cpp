#include "circuit/commitment.hpp"

#include "circuit/poseidon.hpp"

#include <array>

namespace provernet::circuit {

Fr poseidon_commitment(std::span<const Fr> values)
{
    Fr h = Fr::from_uint(values.size());
    size_t i = 0;
    do {
        std::array<Fr, commitment_chunk + 1> in{};
        in[0] = h;
        for (size_t j = 0; j < commitment_chunk && i < values.size(); ++j, ++i)
            in[j + 1] = values[i];
        h = poseidon_hash(in);
    } while (i < values.size());
    return h;
}

Signal poseidon_commitment(Builder& b, std::span<const Signal> values)
{
    Signal h = Builder::constant(Fr::from_uint(values.size()));
    size_t i = 0;
    do {
        std::array<Signal, commitment_chunk + 1> in{};
        in[0] = h;
        for (size_t j = 0; j < commitment_chunk && i < values.size(); ++j, ++i)
            in[j + 1] = values[i];
        h = poseidon(b, in);
    } while (i < values.size());
    return h;
}

}  // namespace provernet::circuit
