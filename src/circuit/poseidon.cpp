#include "circuit/poseidon.hpp"

#include <array>
#include <stdexcept>

namespace provernet::circuit {

namespace {

void check_arity(size_t n)
{
    if (n < 1 || n > poseidon_max_inputs)
        throw std::invalid_argument("poseidon: takes 1 to 16 inputs, got " + std::to_string(n));
}

Fr pow5(const Fr& x)
{
    const Fr x2 = x.square();
    return x2.square() * x;
}

// state = matrix * state; with first_only, element 0 alone (the hash, in the last round).
template <class T>
void mix(const Fr* matrix, size_t t, T* state, bool first_only)
{
    std::array<T, poseidon_max_inputs + 1> next;
    const size_t rows = first_only ? 1 : t;
    for (size_t i = 0; i < rows; ++i) {
        const Fr* m = &matrix[i * t];
        T acc = state[0] * m[0];
        for (size_t j = 1; j < t; ++j)
            acc = acc + state[j] * m[j];
        next[i] = acc;
    }
    for (size_t i = 0; i < rows; ++i)
        state[i] = next[i];
}

template <class T>
void add_constants(const Fr* c, size_t t, T* state)
{
    for (size_t i = 0; i < t; ++i)
        state[i] = state[i] + T(c[i]);
}

// The permutation in sparse form, generic over the element type (Fr natively, Signal in
// circuits); `sbox` computes x^5. Returns element 0, the hash: the last round's linear layer
// computes only that one.
template <class T, class Sbox>
T permute(const PoseidonParams& p, T* state, Sbox&& sbox)
{
    const size_t t = p.t;
    const unsigned half = p.full_rounds / 2;
    const Fr* rc = p.round_constants.data();
    for (unsigned r = 0; r < half; ++r) {
        add_constants(rc + r * t, t, state);
        for (size_t i = 0; i < t; ++i)
            state[i] = sbox(state[i]);
        mix(r + 1 == half ? p.pre_partial_mds.data() : p.mds.data(), t, state, false);
    }
    for (unsigned k = 0; k < p.partial_rounds; ++k) {
        add_constants(&p.partial_constants[k * t], t, state);
        state[0] = sbox(state[0]);
        const Fr* row = &p.sparse_row[k * t];
        const Fr* col = &p.sparse_col[k * (t - 1)];
        T first = state[0] * row[0];
        for (size_t j = 1; j < t; ++j)
            first = first + state[j] * row[j];
        for (size_t i = 1; i < t; ++i)
            state[i] = state[i] + state[0] * col[i - 1];
        state[0] = first;
    }
    const unsigned rounds = p.full_rounds + p.partial_rounds;
    for (unsigned r = half + p.partial_rounds; r < rounds; ++r) {
        add_constants(rc + r * t, t, state);
        for (size_t i = 0; i < t; ++i)
            state[i] = sbox(state[i]);
        mix(p.mds.data(), t, state, r + 1 == rounds);
    }
    return state[0];
}

// The textbook permutation: dense MDS after every round.
Fr permute_reference(const PoseidonParams& p, Fr* state)
{
    const size_t t = p.t;
    const unsigned half = p.full_rounds / 2, rounds = p.full_rounds + p.partial_rounds;
    for (unsigned r = 0; r < rounds; ++r) {
        add_constants(&p.round_constants[r * t], t, state);
        const bool full = r < half || r >= half + p.partial_rounds;
        for (size_t i = 0; i < (full ? t : 1); ++i)
            state[i] = pow5(state[i]);
        mix(p.mds.data(), t, state, false);
    }
    return state[0];
}

// Signal with the constructor and operators the template above uses.
struct Sig {
    Signal s = Builder::constant(0);
    Sig() = default;
    explicit Sig(const Fr& c) : s(Builder::constant(c)) {}
    explicit Sig(Signal v) : s(std::move(v)) {}
    friend Sig operator+(const Sig& a, const Sig& b) { return Sig(a.s + b.s); }
    friend Sig operator*(const Sig& a, const Fr& k) { return Sig(a.s * k); }
};

}  // namespace

Fr poseidon_hash(std::span<const Fr> inputs)
{
    check_arity(inputs.size());
    const PoseidonParams& p = poseidon_params(inputs.size() + 1);
    std::array<Fr, poseidon_max_inputs + 1> state{};
    for (size_t i = 0; i < inputs.size(); ++i)
        state[i + 1] = inputs[i];
    return permute(p, state.data(), pow5);
}

Fr poseidon_hash_reference(std::span<const Fr> inputs)
{
    check_arity(inputs.size());
    const PoseidonParams& p = poseidon_params(inputs.size() + 1);
    std::array<Fr, poseidon_max_inputs + 1> state{};
    for (size_t i = 0; i < inputs.size(); ++i)
        state[i + 1] = inputs[i];
    return permute_reference(p, state.data());
}

Fr poseidon_hash(const Fr& left, const Fr& right)
{
    const std::array<Fr, 2> in = {left, right};
    return poseidon_hash(in);
}

Signal poseidon(Builder& b, std::span<const Signal> inputs)
{
    check_arity(inputs.size());
    const PoseidonParams& p = poseidon_params(inputs.size() + 1);
    std::array<Sig, poseidon_max_inputs + 1> state{};
    for (size_t i = 0; i < inputs.size(); ++i)
        state[i + 1] = Sig(inputs[i]);
    // x^5 as x^2, x^4, x^5: three constraints, none when x is a constant.
    auto sbox = [&b](const Sig& x) {
        const Signal x2 = b.mul(x.s, x.s);
        const Signal x4 = b.mul(x2, x2);
        return Sig(b.mul(x4, x.s));
    };
    return permute(p, state.data(), sbox).s;
}

Signal poseidon(Builder& b, const Signal& left, const Signal& right)
{
    const std::array<Signal, 2> in = {left, right};
    return poseidon(b, in);
}

size_t poseidon_constraint_count(size_t n_inputs)
{
    check_arity(n_inputs);
    const size_t t = n_inputs + 1;
    return 3 * (poseidon_full_rounds * t + poseidon_partial_rounds(t)) - 3;
}

}  // namespace provernet::circuit
