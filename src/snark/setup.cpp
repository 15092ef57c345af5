#include "snark/setup.hpp"

#include "math/msm.hpp"
#include "math/ntt.hpp"
#include "math/parallel.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

namespace provernet::snark {

using math::Fq;
using math::Fq2;
using math::Fr;
using math::G1;
using math::G1Affine;
using math::G2;
using math::G2Affine;
using math::U256;
using namespace ceremony;

namespace {

// ------------------------------------------------------------------------------------------
// Sparse combinations sum_t k_t * P_t of affine points.

// A coefficient as a sign and a magnitude below r/2: circuits are full of -1, -2^i, ...
struct Signed {
    U256 mag;
    bool neg = false;
};

Signed signed_coef(const Fr& c)
{
    const U256 v = c.to_u256();
    if (v > Fr::modulus.shr1()) {
        U256 m;
        U256::sub(m, Fr::modulus, v);
        return {m, true};
    }
    return {v, false};
}

template <class Aff>
struct Term {
    const Aff* p;
    U256 k;
    bool neg;
};

// Output o's terms are terms[offsets[o], offsets[o+1]).
template <class Aff>
struct Csr {
    std::vector<uint64_t> offsets;
    std::vector<Term<Aff>> terms;
};

// each(emit) must call emit(output, point, coefficient) for every term, the same way twice.
template <class Aff, class Each>
Csr<Aff> build_csr(size_t outputs, const Each& each)
{
    Csr<Aff> c;
    c.offsets.assign(outputs + 1, 0);
    each([&](uint32_t o, const Aff*, const Signed&) { ++c.offsets[o + 1]; });
    for (size_t o = 0; o < outputs; ++o)
        c.offsets[o + 1] += c.offsets[o];
    c.terms.resize(c.offsets[outputs]);
    std::vector<uint64_t> pos(c.offsets.begin(), c.offsets.end() - 1);
    each([&](uint32_t o, const Aff* p, const Signed& k) { c.terms[pos[o]++] = {p, k.mag, k.neg}; });
    return c;
}

constexpr unsigned kNafWidth = 5;                             // wNAF digits: odd, |d| < 16
constexpr size_t kStrausTable = size_t(1) << (kNafWidth - 2);  // P, 3P, ..., 15P
constexpr size_t kPippengerMin = 384;                          // terms with |k| > 1 from which Pippenger wins
constexpr size_t kParallelMsmMin = size_t(1) << 13;            // outputs this large use math::msm (all threads)

inline int signed_digit(const U256& k, unsigned w, unsigned c, int& carry)
{
    const int full = 1 << c, half = full >> 1;
    int d = int(k.bits(w * c, c)) + carry;
    carry = d > half ? 1 : 0;
    return d - carry * full;
}

// Width-5 non-adjacent form of k (< 2^254): k = sum_i d_i 2^i, d_i odd in [-15, 15] or 0, every
// nonzero digit followed by at least four zeros. Writes at most 256 digits; returns the count.
unsigned wnaf(U256 k, int8_t* out)
{
    unsigned n = 0;
    while (!k.is_zero()) {
        int d = 0;
        if (k.limb[0] & 1) {
            d = int(k.limb[0] & 31);
            if (d >= 16) {
                d -= 32;
                U256::add(k, k, U256(uint64_t(-d)));
            } else {
                U256::sub(k, k, U256(uint64_t(d)));
            }
        }
        out[n++] = int8_t(d);
        k = k.shr1();
    }
    return n;
}

// Fills tab[8 i + j] = (2 j + 1) * (+-P_i), j = 0..7, affine (one shared inversion).
template <class Jac>
void straus_tables(const Term<typename Jac::Affine>* const* terms, size_t n, typename Jac::Affine* tab)
{
    std::vector<Jac> tmp(n * kStrausTable);
    for (size_t i = 0; i < n; ++i) {
        const auto p = terms[i]->neg ? -*terms[i]->p : *terms[i]->p;
        Jac* t = tmp.data() + i * kStrausTable;
        t[0] = p.to_jacobian();
        const Jac p2 = t[0].dbl();
        for (size_t d = 1; d < kStrausTable; ++d)
            t[d] = t[d - 1] + p2;
    }
    math::batch_to_affine(tmp.data(), tab, tmp.size());
}

// sum_i k_i * P_i with shared doublings (Straus, wNAF digits); tab from straus_tables.
template <class Jac>
Jac straus(const Term<typename Jac::Affine>* const* terms, size_t n, const typename Jac::Affine* tab)
{
    constexpr size_t kMaxDigits = 256;
    std::vector<int8_t> digits(n * kMaxDigits, 0);
    unsigned len = 0;
    for (size_t i = 0; i < n; ++i)
        len = std::max(len, wnaf(terms[i]->k, digits.data() + i * kMaxDigits));
    Jac acc = Jac::infinity();
    for (unsigned b = len; b-- > 0;) {
        acc = acc.dbl();
        for (size_t i = 0; i < n; ++i) {
            const int d = digits[i * kMaxDigits + b];
            if (d > 0)
                acc = acc.add_mixed(tab[i * kStrausTable + size_t(d >> 1)]);
            else if (d < 0)
                acc = acc.sub_mixed(tab[i * kStrausTable + size_t((-d) >> 1)]);
        }
    }
    return acc;
}

// Single-threaded Pippenger with signed digits and Jacobian buckets.
template <class Jac>
Jac pippenger(const Term<typename Jac::Affine>* const* terms, size_t n)
{
    unsigned bits = 0;
    for (size_t i = 0; i < n; ++i)
        bits = std::max(bits, terms[i]->k.bit_length());
    unsigned c = 2;
    while ((size_t(4) << c) < n && c < 16)
        ++c;
    const unsigned windows = (bits + c) / c;
    const size_t nb = size_t(1) << (c - 1);
    std::vector<int32_t> digits(size_t(windows) * n);
    for (size_t i = 0; i < n; ++i) {
        int carry = 0;
        for (unsigned w = 0; w < windows; ++w)
            digits[size_t(w) * n + i] = signed_digit(terms[i]->k, w, c, carry);
    }
    std::vector<Jac> buckets(nb);
    Jac result = Jac::infinity();
    for (unsigned w = windows; w-- > 0;) {
        for (unsigned i = 0; i < c; ++i)
            result = result.dbl();
        std::fill(buckets.begin(), buckets.end(), Jac::infinity());
        for (size_t i = 0; i < n; ++i) {
            int d = digits[size_t(w) * n + i];
            if (d == 0)
                continue;
            const bool neg = (d < 0) != terms[i]->neg;
            d = d < 0 ? -d : d;
            buckets[size_t(d - 1)] = neg ? buckets[size_t(d - 1)].sub_mixed(*terms[i]->p)
                                         : buckets[size_t(d - 1)].add_mixed(*terms[i]->p);
        }
        Jac running = Jac::infinity(), sum = Jac::infinity();
        for (size_t b = nb; b-- > 0;) {
            running += buckets[b];
            sum += running;
        }
        result += sum;
    }
    return result;
}

// out[o] = sum of output o's terms, for every output, on all threads.
template <class Jac>
void combine_all(const Csr<typename Jac::Affine>& csr, typename Jac::Affine* out)
{
    using Aff = typename Jac::Affine;
    const size_t outputs = csr.offsets.size() - 1;
    auto count = [&](size_t o) { return size_t(csr.offsets[o + 1] - csr.offsets[o]); };

    // Very large outputs (e.g. the constant wire's column) on their own, with the parallel MSM.
    std::vector<bool> done(outputs, false);
    for (size_t o = 0; o < outputs; ++o) {
        if (count(o) < kParallelMsmMin)
            continue;
        std::vector<Aff> bases(count(o));
        std::vector<U256> scalars(count(o));
        for (size_t i = 0; i < count(o); ++i) {
            const Term<Aff>& t = csr.terms[csr.offsets[o] + i];
            bases[i] = *t.p;
            scalars[i] = t.k;
            if (t.neg && !t.k.is_zero())
                U256::sub(scalars[i], Fr::modulus, t.k);
        }
        out[o] = math::msm(std::span<const Aff>(bases), std::span<const U256>(scalars)).to_affine();
        done[o] = true;
    }

    constexpr size_t kBlock = 64;
    const size_t blocks = (outputs + kBlock - 1) / kBlock;
    math::parallel_for_each(blocks, [&](size_t blk) {
        const size_t b = blk * kBlock, e = std::min(outputs, b + kBlock);
        std::vector<Jac> acc(e - b, Jac::infinity());
        std::vector<const Term<Aff>*> straus_terms;
        std::vector<std::pair<size_t, size_t>> straus_ranges(e - b, {0, 0});
        std::vector<const Term<Aff>*> big;
        for (size_t o = b; o < e; ++o) {
            if (done[o])
                continue;
            Jac& a = acc[o - b];
            big.clear();
            for (uint64_t i = csr.offsets[o]; i < csr.offsets[o + 1]; ++i) {
                const Term<Aff>& t = csr.terms[i];
                if (t.k == U256(1))
                    a = t.neg ? a.sub_mixed(*t.p) : a.add_mixed(*t.p);
                else if (!t.k.is_zero())
                    big.push_back(&t);
            }
            if (big.size() >= kPippengerMin) {
                a += pippenger<Jac>(big.data(), big.size());
            } else if (!big.empty()) {
                straus_ranges[o - b] = {straus_terms.size(), big.size()};
                straus_terms.insert(straus_terms.end(), big.begin(), big.end());
            }
        }
        if (!straus_terms.empty()) {
            std::vector<Aff> tab(straus_terms.size() * kStrausTable);
            straus_tables<Jac>(straus_terms.data(), straus_terms.size(), tab.data());
            for (size_t o = b; o < e; ++o) {
                const auto [first, n] = straus_ranges[o - b];
                if (n != 0)
                    acc[o - b] += straus<Jac>(straus_terms.data() + first, n, tab.data() + first * kStrausTable);
            }
        }
        std::vector<Aff> affine(e - b);
        math::batch_to_affine(acc.data(), affine.data(), e - b);
        for (size_t o = b; o < e; ++o)
            if (!done[o])
                out[o] = affine[o - b];
    });
}

// out[i] = k * in[i] for many points and one scalar.
template <class Jac>
void scale_all(const typename Jac::Affine* in, typename Jac::Affine* out, size_t n, const Fr& k)
{
    using Aff = typename Jac::Affine;
    const U256 kk = k.to_u256();
    constexpr size_t kBlock = 64;
    const size_t blocks = (n + kBlock - 1) / kBlock;
    math::parallel_for_each(blocks, [&](size_t blk) {
        const size_t b = blk * kBlock, e = std::min(n, b + kBlock);
        std::vector<Term<Aff>> terms(e - b);
        std::vector<const Term<Aff>*> ptrs(e - b);
        for (size_t i = b; i < e; ++i) {
            terms[i - b] = {in + i, kk, false};
            ptrs[i - b] = &terms[i - b];
        }
        std::vector<Aff> tab((e - b) * kStrausTable);
        straus_tables<Jac>(ptrs.data(), e - b, tab.data());
        std::vector<Jac> acc(e - b);
        for (size_t i = 0; i < e - b; ++i)
            acc[i] = straus<Jac>(ptrs.data() + i, 1, tab.data() + i * kStrausTable);
        math::batch_to_affine(acc.data(), out + b, e - b);
    });
}

// ------------------------------------------------------------------------------------------
// The circuit hash

void hash_u32_be(Blake2b& h, uint32_t v)
{
    const uint8_t b[4] = {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
    h.update(b, 4);
}

void hash_point(Blake2b& h, const G1Affine& p)
{
    uint8_t u[64];
    g1_uncompressed(p, u);
    h.update(u, 64);
}
void hash_point(Blake2b& h, const G2Affine& p)
{
    uint8_t u[128];
    g2_uncompressed(p, u);
    h.update(u, 128);
}

template <class Aff>
void hash_points(Blake2b& h, const std::vector<Aff>& pts)
{
    constexpr size_t kChunk = 1 << 14;
    std::vector<uint8_t> enc(std::min(pts.size(), kChunk) * sizeof(Aff));
    for (size_t b = 0; b < pts.size(); b += kChunk) {
        const size_t n = std::min(kChunk, pts.size() - b);
        math::parallel_for_chunks(n, [&](size_t i0, size_t i1) {
            for (size_t i = i0; i < i1; ++i) {
                if constexpr (sizeof(Aff) == 64)
                    g1_uncompressed(pts[b + i], enc.data() + i * 64);
                else
                    g2_uncompressed(pts[b + i], enc.data() + i * 128);
            }
        });
        h.update(enc.data(), n * sizeof(Aff));
    }
}

// snarkjs's arithmetic (wasmcurves f1m_*) on raw 256-bit Montgomery representations, including
// representations >= q, which it does not reduce first. Needed for one point of the circuit hash
// (see h_hash_points).
namespace wasm_fq {

using Raw = U256;

Raw add(const Raw& a, const Raw& b)
{
    Raw r;
    const uint64_t carry = U256::add(r, a, b);
    if (carry != 0 || r >= Fq::modulus)
        U256::sub(r, r, Fq::modulus);
    return r;
}

Raw sub(const Raw& a, const Raw& b)
{
    Raw r;
    if (U256::sub(r, a, b) != 0)
        U256::add(r, r, Fq::modulus);
    return r;
}

// t = (a b + m q) / 2^256 (Montgomery reduction, exact), then t - q once when t >= q.
Raw mul(const Raw& a, const Raw& b)
{
    uint64_t t[9] = {0};
    for (int i = 0; i < 4; ++i) {
        math::u128 carry = 0;
        for (int j = 0; j < 4; ++j) {
            carry += math::u128(a.limb[size_t(i)]) * b.limb[size_t(j)] + t[i + j];
            t[i + j] = uint64_t(carry);
            carry >>= 64;
        }
        t[i + 4] = uint64_t(carry);
    }
    for (int i = 0; i < 4; ++i) {
        const uint64_t m = t[i] * Fq::inv;
        math::u128 carry = 0;
        for (int j = 0; j < 4; ++j) {
            carry += math::u128(m) * Fq::modulus.limb[size_t(j)] + t[i + j];
            t[i + j] = uint64_t(carry);
            carry >>= 64;
        }
        for (int j = i + 4; j < 9 && carry != 0; ++j) {
            carry += t[j];
            t[j] = uint64_t(carry);
            carry >>= 64;
        }
    }
    Raw r(t[4], t[5], t[6], t[7]);
    if (t[8] != 0 || r >= Fq::modulus)
        U256::sub(r, r, Fq::modulus);
    return r;
}

Raw reduce(Raw a)
{
    while (a >= Fq::modulus)
        U256::sub(a, a, Fq::modulus);
    return a;
}

// g1m_subAffine(p1, p2) followed by g1m_batchToAffine, for p1 with arbitrary raw coordinates and
// p2 a valid point with different x: the Jacobian sum from wasmcurves' addAffine formula (with its
// unreduced intermediate values), then normalised. The normalisation (a batch inversion of Z and
// multiplications by reduced values) is correct modulo q for any raw input, so only the residues
// of X3, Y3, Z3 matter from there on.
G1Affine sub_affine(const Raw& x1, const Raw& y1, const G1Affine& p2)
{
    const Raw x2 = p2.x.raw(), y2 = sub(Raw(), p2.y.raw());  // -p2
    const Raw h = sub(x2, x1);
    const Raw y2_minus_y1 = sub(y2, y1);
    const Raw hh = mul(h, h);
    Raw i = add(hh, hh);
    i = add(i, i);
    const Raw j = mul(h, i);
    const Raw r = add(y2_minus_y1, y2_minus_y1);
    const Raw v = mul(x1, i);
    const Raw r2 = mul(r, r);
    const Raw v2 = add(v, v);
    Raw x3 = sub(r2, j);
    x3 = sub(x3, v2);
    Raw y1j2 = mul(y1, j);
    y1j2 = add(y1j2, y1j2);
    Raw y3 = sub(v, x3);
    y3 = mul(y3, r);
    y3 = sub(y3, y1j2);
    const Raw z3 = add(h, h);
    return G1{Fq::from_raw(reduce(x3)), Fq::from_raw(reduce(y3)), Fq::from_raw(reduce(z3))}.to_affine();
}

}  // namespace wasm_fq

// The points snarkjs hashes for H: tauG1[i + n] - tauG1[i]. It means i < n - 1, but from
// n = 2^15 on its chunked loop runs to i = n - 1; when n is the ptau's full size that last point
// reads the 64 bytes after section 2 in the file, which we reproduce.
std::vector<G1Affine> h_hash_points(const PTau& ptau, uint32_t n)
{
    constexpr uint32_t kChunk = 1 << 14;
    const uint64_t count = n - 1 < kChunk ? n - 1 : n;
    const uint64_t section_points = ptau.point_count(PTauSection::tau_g1);
    const uint64_t have = std::min<uint64_t>(uint64_t(n) + count, section_points);
    const std::vector<G1Affine> tau = ptau.g1_points(PTauSection::tau_g1, 0, have);
    std::vector<G1Affine> out(static_cast<size_t>(count));
    const uint64_t regular = std::min<uint64_t>(count, have - n);
    constexpr size_t kBlock = 1024;
    math::parallel_for_each((regular + kBlock - 1) / kBlock, [&](size_t blk) {
        const size_t b = blk * kBlock, e = std::min<size_t>(size_t(regular), b + kBlock);
        std::vector<G1> d(e - b);
        for (size_t i = b; i < e; ++i)
            d[i - b] = tau[i + n].to_jacobian().sub_mixed(tau[i]);
        math::batch_to_affine(d.data(), out.data() + b, e - b);
    });
    if (regular < count) {
        const auto& f = ptau.file();
        const SectionInfo* s2 = nullptr;
        for (const auto& s : f.sections())
            if (s.type == uint32_t(PTauSection::tau_g1))
                s2 = &s;
        const uint64_t at = s2->offset + s2->size;
        if (at + 64 > f.file_size())
            throw SetupError("the ptau's tauG1 section ends its file; snarkjs's circuit hash for a domain of the ptau's "
                             "full size reads 64 bytes beyond it: use a ptau of a larger power");
        const uint8_t* raw = f.mapping()->data() + at;
        out[size_t(count - 1)] =
            wasm_fq::sub_affine(U256::from_le_bytes(raw), U256::from_le_bytes(raw + 32), tau[size_t(count - 1)]);
    }
    return out;
}

void report(const SetupOptions& o, std::string_view stage, double done)
{
    if (o.progress)
        o.progress(stage, done);
}

unsigned floor_log2(uint64_t v)
{
    unsigned r = 0;
    while (v >>= 1)
        ++r;
    return r;
}

}  // namespace

ZKey groth16_setup_key(const R1cs& r1cs, const PTau& ptau, const SetupOptions& options, SetupResult* result)
{
    const R1csHeader& hdr = r1cs.header;
    const uint32_t n_public = hdr.n_public(), n_vars = hdr.n_wires, n_cons = hdr.n_constraints;
    if (r1cs.constraints.size() != n_cons)
        throw SetupError("the constraint system has " + std::to_string(r1cs.constraints.size()) +
                         " constraints, its header says " + std::to_string(n_cons));
    if (uint64_t(n_public) + 1 > n_vars)
        throw SetupError("the constraint system has " + std::to_string(n_public) + " public signals but only " +
                         std::to_string(n_vars) + " wires");
    for (const R1csConstraint& c : r1cs.constraints)
        for (const LinearCombination* lc : {&c.a, &c.b, &c.c})
            for (const R1csTerm& t : *lc)
                if (t.wire >= n_vars)
                    throw SetupError("constraint term on wire " + std::to_string(t.wire) + " >= nWires " +
                                     std::to_string(n_vars));

    // snarkjs: cirPower = log2(nConstraints + nPublic) + 1 (floor log2, log2(0) = 0).
    const uint64_t rows = uint64_t(n_cons) + n_public;
    const unsigned power = (rows == 0 ? 0 : floor_log2(rows)) + 1;
    if (power >= math::fr_two_adicity)
        throw SetupError("the circuit needs a domain of 2^" + std::to_string(power) +
                         ", beyond what this setup supports (2^27)");
    if (power > ptau.power())
        throw SetupError("the circuit needs a domain of 2^" + std::to_string(power) + " (" + std::to_string(n_cons) +
                         " constraints + " + std::to_string(n_public) + " public signals + 1), but " + ptau.path() +
                         " has only 2^" + std::to_string(ptau.power()) + " powers");
    if (!ptau.prepared())
        throw SetupError(ptau.path() + " is not prepared for phase 2 (it has no Lagrange sections 12-15); run "
                         "`snarkjs powersoftau prepare phase2` on it");
    const uint32_t n = uint32_t(1) << power;

    report(options, "reading ptau", 0.0);
    const std::vector<G1Affine> lt1 = ptau.lagrange_g1(PTauSection::lagrange_tau_g1, power);
    const std::vector<G2Affine> lt2 = ptau.lagrange_g2(power);
    const std::vector<G1Affine> la1 = ptau.lagrange_g1(PTauSection::lagrange_alpha_tau_g1, power);
    const std::vector<G1Affine> lb1 = ptau.lagrange_g1(PTauSection::lagrange_beta_tau_g1, power);

    ZKey z;
    ZKeyHeader& h = z.header;
    h.version = 1;
    h.n_vars = n_vars;
    h.n_public = n_public;
    h.domain_size = n;
    h.domain_log2 = power;
    h.alpha1 = ptau.g1_points(PTauSection::alpha_tau_g1, 0, 1)[0];
    h.beta1 = ptau.g1_points(PTauSection::beta_tau_g1, 0, 1)[0];
    h.beta2 = ptau.g2_points(PTauSection::beta_g2, 0, 1, G2Check::subgroup)[0];
    h.gamma2 = G2Affine::generator();
    h.delta1 = G1Affine::generator();
    h.delta2 = G2Affine::generator();

    // Coefficients: A and B terms in constraint order, then the public "input constraints".
    report(options, "coefficients", 0.05);
    {
        size_t total = n_public + 1;
        for (const R1csConstraint& c : r1cs.constraints)
            total += c.a.size() + c.b.size();
        z.coefs.reserve(total);
        for (uint32_t i = 0; i < n_cons; ++i) {
            for (const R1csTerm& t : r1cs.constraints[i].a)
                z.coefs.push_back(ZKeyCoef::from_coefficient(0, i, t.wire, t.coef));
            for (const R1csTerm& t : r1cs.constraints[i].b)
                z.coefs.push_back(ZKeyCoef::from_coefficient(1, i, t.wire, t.coef));
        }
        for (uint32_t s = 0; s <= n_public; ++s)
            z.coefs.push_back(ZKeyCoef::from_coefficient(0, n_cons + s, s, Fr::one()));
        h.n_coefs = uint32_t(z.coefs.size());
    }

    const Signed one{U256(1), false};
    auto each_a = [&](const std::vector<G1Affine>& base) {
        return [&r1cs, &base, n_cons, n_public, one](auto&& emit) {
            for (uint32_t i = 0; i < n_cons; ++i)
                for (const R1csTerm& t : r1cs.constraints[i].a)
                    emit(t.wire, &base[i], signed_coef(t.coef));
            for (uint32_t s = 0; s <= n_public; ++s)
                emit(s, &base[n_cons + s], one);
        };
    };
    report(options, "A", 0.1);
    z.a.resize(n_vars);
    combine_all<G1>(build_csr<G1Affine>(n_vars, each_a(lt1)), z.a.data());

    report(options, "B1", 0.2);
    auto each_b = [&](const auto& base) {
        return [&r1cs, &base, n_cons](auto&& emit) {
            for (uint32_t i = 0; i < n_cons; ++i)
                for (const R1csTerm& t : r1cs.constraints[i].b)
                    emit(t.wire, &base[i], signed_coef(t.coef));
        };
    };
    z.b1.resize(n_vars);
    combine_all<G1>(build_csr<G1Affine>(n_vars, each_b(lt1)), z.b1.data());
    report(options, "B2", 0.3);
    z.b2.resize(n_vars);
    combine_all<G2>(build_csr<G2Affine>(n_vars, each_b(lt2)), z.b2.data());

    // beta A + alpha B + C per wire: IC for the public ones, C (the "L" query) for the rest.
    report(options, "C", 0.5);
    std::vector<G1Affine> l(n_vars);
    {
        auto each = [&](auto&& emit) {
            for (uint32_t i = 0; i < n_cons; ++i) {
                const R1csConstraint& c = r1cs.constraints[i];
                for (const R1csTerm& t : c.a)
                    emit(t.wire, &lb1[i], signed_coef(t.coef));
                for (const R1csTerm& t : c.b)
                    emit(t.wire, &la1[i], signed_coef(t.coef));
                for (const R1csTerm& t : c.c)
                    emit(t.wire, &lt1[i], signed_coef(t.coef));
            }
            for (uint32_t s = 0; s <= n_public; ++s)
                emit(s, &lb1[n_cons + s], one);
        };
        combine_all<G1>(build_csr<G1Affine>(n_vars, each), l.data());
    }
    z.ic.assign(l.begin(), l.begin() + n_public + 1);
    z.c.assign(l.begin() + n_public + 1, l.end());
    l.clear();
    l.shrink_to_fit();

    report(options, "H", 0.6);
    {
        const std::vector<G1Affine> block = ptau.lagrange_g1(PTauSection::lagrange_tau_g1, power + 1);
        z.h.resize(n);
        for (uint32_t i = 0; i < n; ++i)
            z.h[i] = block[2 * size_t(i) + 1];
    }

    report(options, "circuit hash", 0.65);
    Blake2b cs;
    hash_point(cs, h.alpha1);
    hash_point(cs, h.beta1);
    hash_point(cs, h.beta2);
    hash_point(cs, h.gamma2);
    hash_point(cs, h.delta1);
    hash_point(cs, h.delta2);
    hash_u32_be(cs, uint32_t(z.ic.size()));
    hash_points(cs, z.ic);
    {
        const std::vector<G1Affine> hp = h_hash_points(ptau, n);
        hash_u32_be(cs, n - 1);
        hash_points(cs, hp);
    }
    hash_u32_be(cs, uint32_t(z.c.size()));
    hash_points(cs, z.c);
    hash_u32_be(cs, n_vars);
    hash_points(cs, z.a);
    hash_u32_be(cs, n_vars);
    hash_points(cs, z.b1);
    hash_u32_be(cs, n_vars);
    hash_points(cs, z.b2);
    const Hash64 cs_hash = cs.digest();

    SetupResult res;
    res.circuit_hash = cs_hash;
    res.domain_size = n;
    res.ptau_power = ptau.power();

    std::vector<uint8_t>& mpc = z.contributions;
    auto put = [&](const void* p, size_t len) {
        const uint8_t* b = static_cast<const uint8_t*>(p);
        mpc.insert(mpc.end(), b, b + len);
    };
    auto put_u32 = [&](uint32_t v) { put(&v, 4); };
    put(cs_hash.data(), 64);
    if (!options.contribute) {
        put_u32(0);
        h.n_contributions = 0;
    } else {
        report(options, "contribution", 0.7);
        Fr delta = random_fr();
        const U256 delta_int = delta.to_u256();
        // Proof of knowledge of delta: g1_s random, g1_sx = delta g1_s, and
        // g2_spx = delta hash_to_g2(transcript), transcript = blake2b(csHash || g1_s || g1_sx).
        const G1Affine g1_s = G1::generator().mul(random_fr().to_u256()).to_affine();
        const G1Affine g1_sx = g1_s.to_jacobian().mul(delta_int).to_affine();
        Blake2b th;
        th.update(cs_hash.data(), 64);
        hash_point(th, g1_s);
        hash_point(th, g1_sx);
        const Hash64 transcript = th.digest();
        const G2Affine g2_spx = hash_to_g2(transcript).to_jacobian().mul(delta_int).to_affine();
        h.delta1 = G1::generator().mul(delta_int).to_affine();
        h.delta2 = G2::generator().mul(delta_int).to_affine();

        report(options, "C / delta", 0.75);
        const Fr inv = delta.inverse();
        scale_all<G1>(z.c.data(), z.c.data(), z.c.size(), inv);
        report(options, "H / delta", 0.85);
        scale_all<G1>(z.h.data(), z.h.data(), z.h.size(), inv);
        explicit_bzero(&delta, sizeof delta);

        put_u32(1);
        put(&h.delta1, 64);  // deltaAfter
        put(&g1_s, 64);
        put(&g1_sx, 64);
        put(&g2_spx, 128);
        put(transcript.data(), 64);
        put_u32(0);  // type: contribution
        const std::string name = options.contribution_name.substr(0, 64);
        if (name.empty()) {
            put_u32(0);
        } else {
            put_u32(uint32_t(2 + name.size()));
            const uint8_t tl[2] = {1, uint8_t(name.size())};
            put(tl, 2);
            put(name.data(), name.size());
        }
        h.n_contributions = 1;

        Blake2b ch;
        hash_point(ch, h.delta1);
        hash_point(ch, g1_s);
        hash_point(ch, g1_sx);
        hash_point(ch, g2_spx);
        ch.update(transcript.data(), 64);
        res.contribution_hash = ch.digest();
    }
    report(options, "done", 1.0);
    if (result)
        *result = res;
    return z;
}

SetupResult groth16_setup(const R1cs& r1cs, const std::string& ptau_path, const std::string& zkey_path,
                          const SetupOptions& options)
{
    const PTau ptau = PTau::open(ptau_path);
    SetupOptions inner = options;
    if (options.progress)
        inner.progress = [&](std::string_view stage, double done) { options.progress(stage, 0.95 * done); };
    SetupResult res;
    const ZKey z = groth16_setup_key(r1cs, ptau, inner, &res);
    report(options, "writing", 0.95);
    write_zkey(zkey_path, z);
    report(options, "done", 1.0);
    return res;
}

std::string circuit_identity(const VerificationKey& vk)
{
    if (vk.ic.size() != size_t(vk.n_public) + 1)
        throw std::invalid_argument("verification key: IC has " + std::to_string(vk.ic.size()) +
                                    " points, expected nPublic + 1 = " + std::to_string(uint64_t(vk.n_public) + 1));
    Blake2b h(32);
    static constexpr char kTag[] = "provernet.groth16.bn254.vk.v1";
    h.update(kTag, sizeof kTag - 1);
    hash_u32_be(h, vk.n_public);
    hash_point(h, vk.alpha1);
    hash_point(h, vk.beta2);
    hash_point(h, vk.gamma2);
    hash_point(h, vk.delta2);
    hash_u32_be(h, uint32_t(vk.ic.size()));
    for (const G1Affine& p : vk.ic)
        hash_point(h, p);
    const Hash64 d = h.digest();
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < 32; ++i) {
        s += kHex[d[i] >> 4];
        s += kHex[d[i] & 15];
    }
    return s;
}

}  // namespace provernet::snark
