// Poseidon round constants and MDS matrices, generated rather than copied: this is the procedure
// of the Poseidon reference script generate_parameters_grain.sage (Grassi, Khovratovich,
// Rechberger, Roy, Schofnegger, "Poseidon: A New Hash Function for Zero-Knowledge Proof Systems",
// appendix F), run for field = 1 (prime field), S-box = 0 (x^alpha), field size n = 254 and the
// width's (t, R_F, R_P). circomlib's constants come from the same procedure, which the tests
// check through its published hashes.
//
//  1. An 80-bit Grain LFSR is seeded with the parameters, most significant bit first:
//     field (2 bits), S-box (4), n (12), t (12), R_F (10), R_P (10), then 30 one bits.
//     Its feedback is b[62] ^ b[51] ^ b[38] ^ b[23] ^ b[13] ^ b[0]; 160 outputs are discarded.
//  2. Output bits go through the self-shrinking filter: bits are taken in pairs (a, b) and b is
//     emitted when a = 1, dropped otherwise.
//  3. A field element is n emitted bits read most significant first. Round constants are drawn
//     one by one, (R_F + R_P) * t of them in round order, redrawing any value >= p.
//  4. The MDS matrix continues from the same stream: 2t values reduced mod p (redrawn as a whole
//     while any two are equal), x = the first t, y = the last t, M[i][j] = 1 / (x_i + y_j)
//     (a Cauchy matrix; redrawn should some x_i + y_j be 0).
//
// Later versions of the reference script also screen the matrix (invariant subspace trails) and
// redraw when it fails. This code keeps the first matrix drawn; that it is circomlib's for every
// width 2..17 is what the test vectors for 1..16 inputs confirm.
#include "circuit/poseidon.hpp"

#include <array>
#include <mutex>
#include <stdexcept>

namespace provernet::circuit {

namespace {

constexpr unsigned kFieldBits = 254;

class Grain {
public:
    Grain(size_t t, unsigned full_rounds, unsigned partial_rounds)
    {
        unsigned pos = 0;
        auto put = [&](uint64_t value, unsigned width) {
            for (unsigned i = width; i-- > 0;)
                state_[pos++] = uint8_t((value >> i) & 1);
        };
        put(1, 2);           // field: prime
        put(0, 4);           // S-box: x^alpha
        put(kFieldBits, 12);
        put(t, 12);
        put(full_rounds, 10);
        put(partial_rounds, 10);
        put((uint64_t(1) << 30) - 1, 30);
        for (int i = 0; i < 160; ++i)
            step();
    }

    // The next bit of the self-shrinking output.
    uint8_t next_bit()
    {
        for (;;) {
            const uint8_t a = step();
            const uint8_t b = step();
            if (a != 0)
                return b;
        }
    }

    // kFieldBits output bits as an integer, most significant first.
    math::U256 next_integer()
    {
        math::U256 v;
        for (unsigned i = kFieldBits; i-- > 0;)
            v.limb[i / 64] |= uint64_t(next_bit()) << (i % 64);
        return v;
    }

private:
    uint8_t at(unsigned i) const { return state_[(head_ + i) % 80]; }
    uint8_t step()
    {
        const uint8_t bit = at(62) ^ at(51) ^ at(38) ^ at(23) ^ at(13) ^ at(0);
        state_[head_] = bit;  // drops the oldest bit, appends the new one
        head_ = (head_ + 1) % 80;
        return bit;
    }

    std::array<uint8_t, 80> state_{};
    unsigned head_ = 0;
};

// Solves a x = y for an m x m matrix (row-major) by Gauss-Jordan elimination.
std::vector<Fr> solve(std::vector<Fr> a, std::vector<Fr> y, size_t m)
{
    for (size_t col = 0; col < m; ++col) {
        size_t pivot = col;
        while (pivot < m && a[pivot * m + col].is_zero())
            ++pivot;
        if (pivot == m)
            throw std::logic_error("poseidon: singular MDS submatrix");
        if (pivot != col) {
            for (size_t j = 0; j < m; ++j)
                std::swap(a[pivot * m + j], a[col * m + j]);
            std::swap(y[pivot], y[col]);
        }
        const Fr inv = a[col * m + col].inverse();
        for (size_t j = 0; j < m; ++j)
            a[col * m + j] *= inv;
        y[col] *= inv;
        for (size_t row = 0; row < m; ++row) {
            if (row == col || a[row * m + col].is_zero())
                continue;
            const Fr f = a[row * m + col];
            for (size_t j = 0; j < m; ++j)
                a[row * m + j] -= f * a[col * m + j];
            y[row] -= f * y[col];
        }
    }
    return y;
}

// The sparse form (see poseidon.hpp). Going backwards from the last partial round, whose linear
// layer is N = M: write N = B * A with A = diag(1, N^) (N^ the lower-right (t-1) x (t-1) block)
// and B = [[n00, w^T], [n', I]], w^T = n0^T N^-1 (n0^T: the rest of row 0, n': the rest of
// column 0). A leaves element 0 alone and so commutes with the partial S-box: A moves into the
// previous round, whose linear layer becomes A * M and whose output is A times the textbook
// state (element 0 unchanged), so this round's constants become A * c. After the first partial
// round, A_0 * M is the last first-half full round's matrix.
void derive_sparse_form(PoseidonParams& p)
{
    const size_t t = p.t, m = t - 1, half = p.full_rounds / 2;
    p.partial_constants.assign(p.partial_rounds * t, Fr::zero());
    p.sparse_row.assign(p.partial_rounds * t, Fr::zero());
    p.sparse_col.assign(p.partial_rounds * m, Fr::zero());
    std::vector<Fr> n = p.mds;
    for (size_t k = p.partial_rounds; k-- > 0;) {
        std::vector<Fr> hat(m * m), hat_t(m * m), n0(m);
        for (size_t i = 0; i < m; ++i) {
            n0[i] = n[i + 1];
            for (size_t j = 0; j < m; ++j) {
                hat[i * m + j] = n[(i + 1) * t + j + 1];
                hat_t[j * m + i] = hat[i * m + j];
            }
        }
        const std::vector<Fr> w = solve(hat_t, n0, m);  // N^T w = n0
        p.sparse_row[k * t] = n[0];
        for (size_t i = 0; i < m; ++i) {
            p.sparse_row[k * t + 1 + i] = w[i];
            p.sparse_col[k * m + i] = n[(i + 1) * t];
        }
        const Fr* c = &p.round_constants[(half + k) * t];
        p.partial_constants[k * t] = c[0];
        for (size_t i = 0; i < m; ++i) {
            Fr acc = Fr::zero();
            for (size_t j = 0; j < m; ++j)
                acc += hat[i * m + j] * c[1 + j];
            p.partial_constants[k * t + 1 + i] = acc;
        }
        // n = A * M.
        std::vector<Fr> next(t * t);
        for (size_t j = 0; j < t; ++j)
            next[j] = p.mds[j];
        for (size_t i = 0; i < m; ++i)
            for (size_t j = 0; j < t; ++j) {
                Fr acc = Fr::zero();
                for (size_t l = 0; l < m; ++l)
                    acc += hat[i * m + l] * p.mds[(l + 1) * t + j];
                next[(i + 1) * t + j] = acc;
            }
        n = std::move(next);
    }
    p.pre_partial_mds = std::move(n);
}

constexpr std::array<unsigned, 16> kPartialRounds = {56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68};

PoseidonParams generate(size_t t)
{
    PoseidonParams p;
    p.t = t;
    p.full_rounds = poseidon_full_rounds;
    p.partial_rounds = poseidon_partial_rounds(t);
    Grain grain(t, p.full_rounds, p.partial_rounds);

    const size_t n_constants = (p.full_rounds + p.partial_rounds) * t;
    p.round_constants.reserve(n_constants);
    while (p.round_constants.size() < n_constants) {
        if (auto c = Fr::from_canonical(grain.next_integer()))
            p.round_constants.push_back(*c);
    }

    for (;;) {
        std::vector<Fr> xy(2 * t);
        for (;;) {
            for (Fr& v : xy)
                v = Fr::from_u256_reduce(grain.next_integer());
            bool distinct = true;
            for (size_t i = 0; i < xy.size() && distinct; ++i)
                for (size_t j = i + 1; j < xy.size() && distinct; ++j)
                    distinct = !(xy[i] == xy[j]);
            if (distinct)
                break;
        }
        p.mds.assign(t * t, Fr::zero());
        bool ok = true;
        for (size_t i = 0; i < t && ok; ++i)
            for (size_t j = 0; j < t && ok; ++j) {
                const Fr sum = xy[i] + xy[t + j];
                ok = !sum.is_zero();
                p.mds[i * t + j] = sum.inverse();
            }
        if (ok) {
            derive_sparse_form(p);
            return p;
        }
    }
}

}  // namespace

unsigned poseidon_partial_rounds(size_t t)
{
    if (t < 2 || t > poseidon_max_inputs + 1)
        throw std::invalid_argument("poseidon: width must be 2 to 17 (1 to 16 inputs)");
    return kPartialRounds[t - 2];
}

const PoseidonParams& poseidon_params(size_t t)
{
    poseidon_partial_rounds(t);  // validates t
    static std::array<PoseidonParams, poseidon_max_inputs + 2> params;
    static std::array<std::once_flag, poseidon_max_inputs + 2> once;
    std::call_once(once[t], [t] { params[t] = generate(t); });
    return params[t];
}

}  // namespace provernet::circuit
