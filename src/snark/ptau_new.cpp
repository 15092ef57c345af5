#include "snark/ptau_new.hpp"

#include "math/ntt.hpp"
#include "math/parallel.hpp"
#include "snark/errors.hpp"
#include "snark/groth16_prover.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
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

namespace ceremony {

// ------------------------------------------------------------------------------------------
// BLAKE2b

namespace {

constexpr uint64_t kBlakeIv[8] = {0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull,
                                  0xa54ff53a5f1d36f1ull, 0x510e527fade682d1ull, 0x9b05688c2b3e6c1full,
                                  0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull};

constexpr uint8_t kSigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

inline uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

inline uint64_t load_le64(const uint8_t* p)
{
    uint64_t v;
    std::memcpy(&v, p, 8);  // x86-64 and AArch64 Linux are little-endian
    return v;
}

inline void store_le64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
inline void store_le32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
inline uint32_t load_le32(const uint8_t* p)
{
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

}  // namespace

Blake2b::Blake2b(size_t digest_bytes) : digest_bytes_(digest_bytes)
{
    if (digest_bytes == 0 || digest_bytes > 64)
        throw std::invalid_argument("BLAKE2b digest length must be 1..64 bytes");
    for (int i = 0; i < 8; ++i)
        h_[i] = kBlakeIv[i];
    h_[0] ^= 0x01010000ull ^ uint64_t(digest_bytes);  // parameter block: fanout 1, depth 1, no key
    std::memset(buf_, 0, sizeof buf_);
}

void Blake2b::compress(const uint8_t block[128], bool last)
{
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; ++i)
        m[i] = load_le64(block + 8 * i);
    for (int i = 0; i < 8; ++i) {
        v[i] = h_[i];
        v[i + 8] = kBlakeIv[i];
    }
    v[12] ^= compressed_;  // the counter's high word stays zero below 2^64 bytes
    if (last)
        v[14] = ~v[14];
    auto g = [&](int a, int b, int c, int d, uint64_t x, uint64_t y) {
        v[a] = v[a] + v[b] + x;
        v[d] = rotr64(v[d] ^ v[a], 32);
        v[c] = v[c] + v[d];
        v[b] = rotr64(v[b] ^ v[c], 24);
        v[a] = v[a] + v[b] + y;
        v[d] = rotr64(v[d] ^ v[a], 16);
        v[c] = v[c] + v[d];
        v[b] = rotr64(v[b] ^ v[c], 63);
    };
    for (int r = 0; r < 12; ++r) {
        const uint8_t* s = kSigma[r];
        g(0, 4, 8, 12, m[s[0]], m[s[1]]);
        g(1, 5, 9, 13, m[s[2]], m[s[3]]);
        g(2, 6, 10, 14, m[s[4]], m[s[5]]);
        g(3, 7, 11, 15, m[s[6]], m[s[7]]);
        g(0, 5, 10, 15, m[s[8]], m[s[9]]);
        g(1, 6, 11, 12, m[s[10]], m[s[11]]);
        g(2, 7, 8, 13, m[s[12]], m[s[13]]);
        g(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; ++i)
        h_[i] ^= v[i] ^ v[i + 8];
}

Blake2b& Blake2b::update(const void* data, size_t n)
{
    const uint8_t* p = static_cast<const uint8_t*>(data);
    while (n > 0) {
        // A full buffer is compressed only once more input arrives (it might be the last block).
        if (pos_ == 128) {
            compressed_ += 128;
            compress(buf_, false);
            pos_ = 0;
        }
        if (pos_ == 0) {
            while (n > 128) {
                compressed_ += 128;
                compress(p, false);
                p += 128;
                n -= 128;
            }
        }
        const size_t take = std::min(n, 128 - pos_);
        std::memcpy(buf_ + pos_, p, take);
        pos_ += take;
        p += take;
        n -= take;
    }
    return *this;
}

Hash64 Blake2b::digest() const
{
    Blake2b s = *this;
    std::memset(s.buf_ + s.pos_, 0, 128 - s.pos_);
    s.compressed_ += s.pos_;
    s.compress(s.buf_, true);
    Hash64 out{};
    uint8_t full[64];
    for (int i = 0; i < 8; ++i)
        store_le64(full + 8 * i, s.h_[i]);
    std::memcpy(out.data(), full, digest_bytes_);
    return out;
}

std::array<uint8_t, 216> Blake2b::partial_state() const
{
    if (digest_bytes_ != 64)
        throw std::logic_error("BLAKE2b partial state is defined for 64-byte digests only");
    std::array<uint8_t, 216> s{};
    std::memcpy(s.data(), buf_, 128);
    for (int i = 0; i < 8; ++i)
        store_le64(s.data() + 128 + 8 * i, h_[i]);
    store_le64(s.data() + 192, compressed_);
    store_le32(s.data() + 200, uint32_t(pos_));
    return s;
}

Blake2b Blake2b::from_partial_state(const uint8_t state[216])
{
    Blake2b b(64);
    std::memcpy(b.buf_, state, 128);
    for (int i = 0; i < 8; ++i)
        b.h_[i] = load_le64(state + 128 + 8 * i);
    b.compressed_ = load_le64(state + 192);
    b.pos_ = load_le32(state + 200);
    if (b.pos_ > 128)
        throw std::invalid_argument("BLAKE2b partial state: buffered length exceeds a block");
    return b;
}

Hash64 blake2b_512(const void* data, size_t n) { return Blake2b(64).update(data, n).digest(); }

// ------------------------------------------------------------------------------------------
// ChaCha

ChaChaRng::ChaChaRng(const std::array<uint32_t, 8>& seed)
{
    state_[0] = 0x61707865;
    state_[1] = 0x3320646e;
    state_[2] = 0x79622d32;
    state_[3] = 0x6b206574;
    for (int i = 0; i < 8; ++i)
        state_[4 + i] = seed[size_t(i)];
    state_[12] = state_[13] = state_[14] = state_[15] = 0;
}

void ChaChaRng::refill()
{
    uint32_t x[16];
    std::memcpy(x, state_, sizeof x);
    auto rotl = [](uint32_t v, unsigned n) { return (v << n) | (v >> (32 - n)); };
    auto qr = [&](int a, int b, int c, int d) {
        x[a] += x[b];
        x[d] = rotl(x[d] ^ x[a], 16);
        x[c] += x[d];
        x[b] = rotl(x[b] ^ x[c], 12);
        x[a] += x[b];
        x[d] = rotl(x[d] ^ x[a], 8);
        x[c] += x[d];
        x[b] = rotl(x[b] ^ x[c], 7);
    };
    for (int i = 0; i < 10; ++i) {
        qr(0, 4, 8, 12);
        qr(1, 5, 9, 13);
        qr(2, 6, 10, 14);
        qr(3, 7, 11, 15);
        qr(0, 5, 10, 15);
        qr(1, 6, 11, 12);
        qr(2, 7, 8, 13);
        qr(3, 4, 9, 14);
    }
    for (int i = 0; i < 16; ++i)
        block_[i] = x[i] + state_[i];
    idx_ = 0;
    // 128-bit block counter in words 12..15.
    for (int i = 12; i < 16; ++i)
        if (++state_[i] != 0)
            break;
}

uint32_t ChaChaRng::next_u32()
{
    if (idx_ == 16)
        refill();
    return block_[idx_++];
}

uint64_t ChaChaRng::next_u64()
{
    const uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
}

// ------------------------------------------------------------------------------------------
// Square roots, signs, hash to G2

namespace {

// (q + 1) / 4: q = 3 mod 4, so a^((q+1)/4) is a square root of every square a.
const U256& sqrt_exponent()
{
    static const U256 e = [] {
        U256 t;
        U256::add(t, Fq::modulus, U256(1));
        return t.shr1().shr1();
    }();
    return e;
}

// ffjavascript's "negative": the normal-form value exceeds (q - 1) / 2.
bool fq_is_negative(const Fq& a) { return a.to_u256() > Fq::modulus.shr1(); }
bool fq2_is_negative(const Fq2& a) { return a.c1.is_zero() ? fq_is_negative(a.c0) : fq_is_negative(a.c1); }

// ffjavascript's F.fromRng: four 64-bit draws as limbs, masked to the bit length of q, retried
// until below q. The integer is taken as the Montgomery representation (no conversion).
Fq fq_from_rng(ChaChaRng& rng)
{
    for (;;) {
        U256 v;
        for (int i = 0; i < 4; ++i)
            v.limb[size_t(i)] = rng.next_u64();
        v.limb[3] &= (uint64_t(1) << (254 - 192)) - 1;
        if (v < Fq::modulus)
            return Fq::from_raw(v);
    }
}

constexpr U256 kG2Cofactor =
    math::u256_from_hex_literal("0x30644e72e131a029b85045b68181585e06ceecda572a2489345f2299c0f9fa8d");

void fq_be(const Fq& a, uint8_t out[32])
{
    uint8_t le[32];
    a.to_u256().to_le_bytes(le);
    for (int i = 0; i < 32; ++i)
        out[i] = le[31 - i];
}

}  // namespace

std::optional<Fq> fq_sqrt(const Fq& a)
{
    const Fq r = a.pow(sqrt_exponent());
    if (r.square() != a)
        return std::nullopt;
    return r;
}

std::optional<Fq2> fq2_sqrt(const Fq2& a)
{
    if (a.c1.is_zero()) {
        if (auto r = fq_sqrt(a.c0))
            return Fq2{*r, Fq::zero()};
        if (auto r = fq_sqrt(-a.c0))  // -1 is a non-square mod q, so -c0 is a square
            return Fq2{Fq::zero(), *r};
        return std::nullopt;
    }
    // (x0 + x1 u)^2 = a  <=>  x0^2 - x1^2 = a0, 2 x0 x1 = a1; with n = |a| = sqrt(a0^2 + a1^2),
    // x0^2 = (a0 + n) / 2 (or (a0 - n) / 2 for the other root of the norm).
    const auto n = fq_sqrt(a.c0.square() + a.c1.square());
    if (!n)
        return std::nullopt;
    const Fq half = Fq::from_uint(2).inverse();
    auto x0 = fq_sqrt((a.c0 + *n) * half);
    if (!x0)
        x0 = fq_sqrt((a.c0 - *n) * half);
    if (!x0 || x0->is_zero())
        return std::nullopt;
    const Fq2 r{*x0, a.c1 * (x0->dbl()).inverse()};
    if (r.square() != a)
        return std::nullopt;
    return r;
}

G2Affine hash_to_g2(const Hash64& hash)
{
    std::array<uint32_t, 8> seed;
    for (size_t i = 0; i < 8; ++i)
        seed[i] = uint32_t(hash[4 * i]) << 24 | uint32_t(hash[4 * i + 1]) << 16 | uint32_t(hash[4 * i + 2]) << 8 |
                  uint32_t(hash[4 * i + 3]);
    ChaChaRng rng(seed);
    for (;;) {
        Fq2 x;
        x.c0 = fq_from_rng(rng);
        x.c1 = fq_from_rng(rng);
        const bool greatest = rng.next_bool();
        const Fq2 rhs = x.square() * x + math::G2Params::b();
        const auto y = fq2_sqrt(rhs);
        if (!y)
            continue;
        const Fq2 yy = fq2_is_negative(*y) == greatest ? *y : -*y;
        return G2Affine{x, yy}.to_jacobian().mul(kG2Cofactor).to_affine();
    }
}

void g1_uncompressed(const G1Affine& p, uint8_t out[64])
{
    if (p.is_infinity()) {
        std::memset(out, 0, 64);
        return;
    }
    fq_be(p.x, out);
    fq_be(p.y, out + 32);
}

void g2_uncompressed(const G2Affine& p, uint8_t out[128])
{
    if (p.is_infinity()) {
        std::memset(out, 0, 128);
        return;
    }
    fq_be(p.x.c1, out);
    fq_be(p.x.c0, out + 32);
    fq_be(p.y.c1, out + 64);
    fq_be(p.y.c0, out + 96);
}

void g1_compressed(const G1Affine& p, uint8_t out[32])
{
    if (p.is_infinity()) {
        std::memset(out, 0, 32);
        out[0] = 0x40;
        return;
    }
    fq_be(p.x, out);
    if (fq_is_negative(p.y))
        out[0] |= 0x80;
}

void g2_compressed(const G2Affine& p, uint8_t out[64])
{
    if (p.is_infinity()) {
        std::memset(out, 0, 64);
        out[0] = 0x40;
        return;
    }
    fq_be(p.x.c1, out);
    fq_be(p.x.c0, out + 32);
    if (fq2_is_negative(p.y))
        out[0] |= 0x80;
}

Hash64 first_challenge_hash(uint32_t power)
{
    Blake2b h;
    const Hash64 blank = Blake2b().digest();
    h.update(blank.data(), blank.size());
    uint8_t g1u[64], g2u[128];
    g1_uncompressed(G1Affine::generator(), g1u);
    g2_uncompressed(G2Affine::generator(), g2u);
    constexpr size_t kRepeat = 4096;
    std::vector<uint8_t> block1(kRepeat * 64), block2(kRepeat * 128);
    for (size_t i = 0; i < kRepeat; ++i) {
        std::memcpy(block1.data() + 64 * i, g1u, 64);
        std::memcpy(block2.data() + 128 * i, g2u, 128);
    }
    auto repeat = [&](const std::vector<uint8_t>& block, size_t point_bytes, uint64_t count) {
        for (uint64_t done = 0; done < count;) {
            const uint64_t n = std::min<uint64_t>(kRepeat, count - done);
            h.update(block.data(), size_t(n * point_bytes));
            done += n;
        }
    };
    const uint64_t n = uint64_t(1) << power;
    repeat(block1, 64, 2 * n - 1);  // tauG1
    repeat(block2, 128, n);         // tauG2
    repeat(block1, 64, n);          // alphaTauG1
    repeat(block1, 64, n);          // betaTauG1
    h.update(g2u, 128);             // betaG2
    return h.digest();
}

}  // namespace ceremony

// ------------------------------------------------------------------------------------------
// write_new_ptau

namespace {

using namespace ceremony;

void wipe(void* p, size_t n) { explicit_bzero(p, n); }
template <class T>
void wipe(std::vector<T>& v)
{
    if (!v.empty())
        wipe(v.data(), v.size() * sizeof(T));
}

// Fixed-base scalar multiplication k -> k * G for many k: signed base-2^c digits and a table
// of d * 2^(c w) * G (d = 1..2^(c-1)) per window w, so that each product is at most one addition
// per window. The additions are affine, batched over many products so that they share one
// field inversion (Montgomery's trick): about 6 multiplications each, and the results come out
// affine without a final normalisation.
template <class Jac>
class FixedBase {
public:
    using Aff = typename Jac::Affine;
    using F = typename Aff::Field;

    FixedBase(const Aff& g, unsigned c) : c_(c), windows_((255 + c - 1) / c), half_(size_t(1) << (c - 1))
    {
        table_.resize(windows_ * half_);
        std::vector<Jac> bases(windows_);
        Jac b = g.to_jacobian();
        for (unsigned w = 0; w < windows_; ++w) {
            bases[w] = b;
            for (unsigned i = 0; i < c; ++i)
                b = b.dbl();
        }
        math::parallel_for_each(windows_, [&](size_t w) {
            const Aff base = bases[w].to_affine();
            std::vector<Jac> multiples(half_);
            Jac acc = bases[w];
            for (size_t k = 0; k < half_; ++k) {
                multiples[k] = acc;
                acc = acc.add_mixed(base);
            }
            math::batch_to_affine(multiples.data(), table_.data() + w * half_, half_);
        });
    }

    // out[i] = scalars[i] * G (scalars below 2^254, normal form), on all threads.
    void mul(const U256* scalars, Aff* out, size_t n) const
    {
        const size_t blocks = (n + kBatch - 1) / kBatch;
        math::parallel_for_each(blocks, [&](size_t blk) {
            const size_t b = blk * kBatch, e = std::min(n, b + kBatch);
            mul_batch(scalars + b, out + b, e - b);
        });
    }

private:
    static constexpr size_t kBatch = 512;

    void mul_batch(const U256* scalars, Aff* acc, size_t n) const
    {
        std::vector<int32_t> digits(size_t(windows_) * n);
        const int32_t half = int32_t(half_), full = int32_t(half_ * 2);
        for (size_t j = 0; j < n; ++j) {
            int32_t carry = 0;
            for (unsigned w = 0; w < windows_; ++w) {
                int32_t d = int32_t(scalars[j].bits(w * c_, c_)) + carry;
                carry = d > half ? 1 : 0;
                d -= carry * full;
                digits[size_t(w) * n + j] = d;
            }
        }
        for (size_t j = 0; j < n; ++j)
            acc[j] = Aff::infinity();
        std::vector<uint32_t> idx(n);
        std::vector<Aff> q(n);
        std::vector<F> num(n), den(n), scratch(n);
        for (unsigned w = 0; w < windows_; ++w) {
            const Aff* tab = table_.data() + size_t(w) * half_;
            size_t m = 0;
            for (size_t j = 0; j < n; ++j) {
                const int32_t d = digits[size_t(w) * n + j];
                if (d == 0)
                    continue;
                const Aff t = d > 0 ? tab[d - 1] : -tab[-d - 1];
                Aff& a = acc[j];
                if (a.is_infinity()) {
                    a = t;
                    continue;
                }
                if (a.x == t.x) {
                    if (!(a.y == t.y)) {  // a = -t
                        a = Aff::infinity();
                        continue;
                    }
                    const F xx = a.x.square();
                    num[m] = xx + xx + xx;  // tangent: 3x^2 / 2y
                    den[m] = a.y.dbl();
                } else {
                    num[m] = t.y - a.y;
                    den[m] = t.x - a.x;
                }
                idx[m] = uint32_t(j);
                q[m] = t;
                ++m;
            }
            if (m == 0)
                continue;
            math::batch_inverse(den.data(), m, scratch.data());
            for (size_t k = 0; k < m; ++k) {
                Aff& a = acc[idx[k]];
                const F lambda = num[k] * den[k];
                const F x3 = lambda.square() - a.x - q[k].x;
                a.y = lambda * (a.x - x3) - a.y;
                a.x = x3;
            }
        }
        wipe(digits);
    }

    unsigned c_, windows_;
    size_t half_;
    std::vector<Aff> table_;
};

// Window width for `count` products: the table costs windows * 2^(c-1) additions to build, the
// products count * windows.
unsigned fixed_base_window(uint64_t count)
{
    unsigned c = 4;
    while (c < 16 && (uint64_t(1) << (c + 3)) < count)
        ++c;
    return c;
}

// Sequential file writer over a temporary file (renamed on finish), able to read back what it
// wrote (the challenge hash covers sections already written).
class PTauWriter {
public:
    explicit PTauWriter(std::string path) : path_(std::move(path))
    {
        tmp_ = path_ + ".tmp-" + std::to_string(::getpid());
        fd_ = ::open(tmp_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0)
            fail("cannot create " + tmp_);
        buf_.reserve(kBuf);
    }
    ~PTauWriter()
    {
        if (fd_ >= 0)
            ::close(fd_);
        if (!done_)
            ::unlink(tmp_.c_str());
    }
    PTauWriter(const PTauWriter&) = delete;
    PTauWriter& operator=(const PTauWriter&) = delete;

    uint64_t offset() const { return flushed_ + buf_.size(); }

    void bytes(const void* p, size_t n)
    {
        const uint8_t* b = static_cast<const uint8_t*>(p);
        if (buf_.size() + n > kBuf)
            flush();
        if (n >= kBuf) {
            write_all(b, n);
            return;
        }
        buf_.insert(buf_.end(), b, b + n);
    }
    void u32(uint32_t v) { bytes(&v, 4); }
    void u64(uint64_t v) { bytes(&v, 8); }
    void section(uint32_t type, uint64_t size)
    {
        u32(type);
        u64(size);
    }

    void read_back(uint64_t off, void* out, size_t n)
    {
        flush();
        uint8_t* p = static_cast<uint8_t*>(out);
        while (n > 0) {
            const ssize_t r = ::pread(fd_, p, n, off_t(off));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                fail("cannot read back " + tmp_);
            p += r;
            off += uint64_t(r);
            n -= size_t(r);
        }
    }

    void finish()
    {
        flush();
        if (::close(fd_) != 0) {
            fd_ = -1;
            fail("cannot write " + tmp_);
        }
        fd_ = -1;
        if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
            fail("cannot rename " + tmp_ + " to " + path_);
        done_ = true;
    }

private:
    static constexpr size_t kBuf = size_t(4) << 20;

    [[noreturn]] void fail(const std::string& what) const
    {
        throw FormatError(path_, what + (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string()));
    }
    void flush()
    {
        if (!buf_.empty()) {
            write_all(buf_.data(), buf_.size());
            buf_.clear();
        }
    }
    void write_all(const uint8_t* p, size_t n)
    {
        while (n > 0) {
            const ssize_t w = ::write(fd_, p, n);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                fail("cannot write " + tmp_);
            p += w;
            n -= size_t(w);
            flushed_ += uint64_t(w);
        }
    }

    std::string path_, tmp_;
    int fd_ = -1;
    std::vector<uint8_t> buf_;
    uint64_t flushed_ = 0;
    bool done_ = false;
};

// Progress over a known amount of work (units: one G1 product = 1, one G2 product = 3).
class Work {
public:
    Work(const PTauNewOptions& o, double total) : fn_(o.progress), total_(total) {}
    void stage(std::string_view name)
    {
        name_ = name;
        report();
    }
    void add(double units)
    {
        done_ += units;
        report();
    }

private:
    void report() const
    {
        if (fn_)
            fn_(name_, std::min(1.0, done_ / total_));
    }
    std::function<void(std::string_view, double)> fn_;
    double total_, done_ = 0;
    std::string name_;
};

// Fills out[0, end - begin) with scalar values for indices [begin, end), in parallel.
using ScalarGen = std::function<void(uint64_t begin, uint64_t end, Fr* out)>;

// out[i] = mult * x^(begin + i)
ScalarGen powers(const Fr& mult, const Fr& x)
{
    return [mult, x](uint64_t begin, uint64_t end, Fr* out) {
        math::parallel_for_chunks(size_t(end - begin), [&](size_t b, size_t e) {
            Fr v = mult * x.pow(U256(begin + b));
            for (size_t i = b; i < e; ++i) {
                out[i] = v;
                v *= x;
            }
        });
    };
}

// out[i] = mult * L_(begin+i)(tau) on the domain of size m = 2^k, where
//   L_i(tau) = (tau^m - 1) / m * w^i / (tau - w^i).
// With `truncated` (the extra block of section 12), the inverse FFT of the powers with the last
// one zeroed, as snarkjs computes it: L_i(tau) - w^i tau^(m-1) / m.
ScalarGen lagrange(const Fr& mult, const Fr& tau, unsigned k, bool truncated)
{
    return [mult, tau, k, truncated](uint64_t begin, uint64_t end, Fr* out) {
        const uint64_t m = uint64_t(1) << k;
        const Fr w = math::root_of_unity(k);
        const Fr m_inv = Fr::from_uint(m).inverse();
        const Fr c = mult * (tau.pow(U256(m)) - Fr::one()) * m_inv;
        const Fr t = truncated ? mult * tau.pow(U256(m - 1)) * m_inv : Fr::zero();
        math::parallel_for_chunks(size_t(end - begin), [&](size_t b, size_t e) {
            std::vector<Fr> wi(e - b), den(e - b), scratch(e - b);
            Fr x = w.pow(U256(begin + b));
            for (size_t i = 0; i < e - b; ++i) {
                wi[i] = x;
                den[i] = tau - x;
                x *= w;
            }
            math::batch_inverse(den.data(), den.size(), scratch.data());
            for (size_t i = 0; i < e - b; ++i) {
                Fr v = c * wi[i] * den[i];
                if (truncated)
                    v -= t * wi[i];
                out[b + i] = v;
            }
            wipe(den);
            wipe(scratch);
        });
    };
}

constexpr uint64_t kChunk = uint64_t(1) << 16;

// Computes count products gen(i) * G in chunks and appends them to the file; when `compressed`
// is given, also feeds their compressed encodings to it.
template <class Jac>
void emit(PTauWriter& out, const FixedBase<Jac>& fb, uint64_t count, const ScalarGen& gen, Blake2b* compressed,
          Work& work, double unit)
{
    using Aff = typename Jac::Affine;
    constexpr size_t cbytes = sizeof(Aff) / 2;
    const size_t chunk = size_t(std::min(count, kChunk));
    std::vector<Fr> fr(chunk);
    std::vector<U256> sc(chunk);
    std::vector<Aff> pts(chunk);
    std::vector<uint8_t> enc(compressed ? chunk * cbytes : 0);
    for (uint64_t b = 0; b < count; b += chunk) {
        const size_t n = size_t(std::min<uint64_t>(chunk, count - b));
        gen(b, b + n, fr.data());
        math::parallel_for_chunks(n, [&](size_t i0, size_t i1) {
            for (size_t i = i0; i < i1; ++i)
                sc[i] = fr[i].to_u256();
        });
        fb.mul(sc.data(), pts.data(), n);
        out.bytes(pts.data(), n * sizeof(Aff));
        if (compressed) {
            math::parallel_for_chunks(n, [&](size_t i0, size_t i1) {
                for (size_t i = i0; i < i1; ++i) {
                    if constexpr (sizeof(Aff) == 64)
                        g1_compressed(pts[i], enc.data() + i * cbytes);
                    else
                        g2_compressed(pts[i], enc.data() + i * cbytes);
                }
            });
            compressed->update(enc.data(), n * cbytes);
        }
        work.add(double(n) * unit);
    }
    wipe(fr);
    wipe(sc);
}

// Feeds the uncompressed encodings of `count` points stored at `offset` of the file to `h`.
template <class Aff>
void hash_uncompressed(PTauWriter& out, uint64_t offset, uint64_t count, Blake2b& h)
{
    constexpr size_t ubytes = sizeof(Aff);
    const size_t chunk = size_t(std::min<uint64_t>(count, kChunk));
    std::vector<Aff> pts(chunk);
    std::vector<uint8_t> enc(chunk * ubytes);
    for (uint64_t b = 0; b < count; b += chunk) {
        const size_t n = size_t(std::min<uint64_t>(chunk, count - b));
        out.read_back(offset + b * sizeof(Aff), pts.data(), n * sizeof(Aff));
        math::parallel_for_chunks(n, [&](size_t i0, size_t i1) {
            for (size_t i = i0; i < i1; ++i) {
                if constexpr (sizeof(Aff) == 64)
                    g1_uncompressed(pts[i], enc.data() + i * ubytes);
                else
                    g2_uncompressed(pts[i], enc.data() + i * ubytes);
            }
        });
        h.update(enc.data(), n * ubytes);
    }
}

// A contributor's proof of knowledge of one secret (snarkjs ptau key): g1_s, g1_sx = x * g1_s,
// and g2_spx = x * hash_to_g2(blake2b(personalization || challenge || g1_s || g1_sx)).
struct KeyPart {
    G1Affine g1_s, g1_sx;
    G2Affine g2_spx;
};

KeyPart make_key(const Fr& secret, uint8_t personalization, const Hash64& challenge)
{
    KeyPart k;
    Fr s = random_fr();
    k.g1_s = G1::generator().mul(s.to_u256()).to_affine();
    k.g1_sx = k.g1_s.to_jacobian().mul(secret.to_u256()).to_affine();
    uint8_t buf[1 + 64 + 128];
    buf[0] = personalization;
    std::memcpy(buf + 1, challenge.data(), 64);
    g1_uncompressed(k.g1_s, buf + 65);
    g1_uncompressed(k.g1_sx, buf + 129);
    const G2Affine sp = hash_to_g2(blake2b_512(buf, sizeof buf));
    k.g2_spx = sp.to_jacobian().mul(secret.to_u256()).to_affine();
    wipe(&s, sizeof s);
    return k;
}

}  // namespace

PTauNewResult write_new_ptau(const std::string& path, uint32_t power, const PTauNewOptions& options)
{
    if (power < 1 || power > kMaxNewPTauPower)
        throw std::invalid_argument("ptau power must be between 1 and " + std::to_string(kMaxNewPTauPower) +
                                    ", got " + std::to_string(power));
    const uint64_t n = uint64_t(1) << power;
    const uint64_t g1_products = (2 * n - 1) + n + n + (4 * n - 1) + 2 * (2 * n - 1);
    const uint64_t g2_products = n + 1 + (2 * n - 1);
    Work work(options, double(g1_products) + 3.0 * double(g2_products) + 0.05 * double(g1_products));

    work.stage("tables");
    // The toxic waste. tau must not be a root of unity of any domain used below (L_i(tau) would
    // be 0/0); the chance is negligible, but it is cheap to exclude.
    Fr tau, alpha = random_fr(), beta = random_fr();
    do {
        tau = random_fr();
    } while (tau.pow(U256(2 * n)) == Fr::one());

    const FixedBase<G1> fb1(G1Affine::generator(), fixed_base_window(g1_products));
    const FixedBase<G2> fb2(G2Affine::generator(), fixed_base_window(g2_products));

    work.stage("challenge hash");
    const Hash64 challenge = first_challenge_hash(power);

    PTauWriter out(path);
    out.bytes("ptau", 4);
    out.u32(1);   // version
    out.u32(11);  // sections 1-7 and 12-15
    out.section(1, 4 + 32 + 4 + 4);
    out.u32(32);
    {
        uint8_t q[32];
        Fq::modulus.to_le_bytes(q);
        out.bytes(q, 32);
    }
    out.u32(power);
    out.u32(power);  // ceremony power

    Blake2b response;
    response.update(challenge.data(), challenge.size());
    struct Placed {
        uint64_t offset, count;
    };
    auto section = [&](uint32_t type, uint64_t count, size_t point_bytes) {
        out.section(type, count * point_bytes);
        return Placed{out.offset(), count};
    };

    const Fr one = Fr::one();
    work.stage("tauG1");
    const Placed s2 = section(2, 2 * n - 1, 64);
    emit(out, fb1, s2.count, powers(one, tau), &response, work, 1);
    work.stage("tauG2");
    const Placed s3 = section(3, n, 128);
    emit(out, fb2, s3.count, powers(one, tau), &response, work, 3);
    work.stage("alphaTauG1");
    const Placed s4 = section(4, n, 64);
    emit(out, fb1, s4.count, powers(alpha, tau), &response, work, 1);
    work.stage("betaTauG1");
    const Placed s5 = section(5, n, 64);
    emit(out, fb1, s5.count, powers(beta, tau), &response, work, 1);
    const Placed s6 = section(6, 1, 128);
    emit(out, fb2, 1, powers(beta, tau), &response, work, 3);

    // The contribution: the first points of each section, the proofs of knowledge, the hashes.
    work.stage("contribution");
    G1Affine tau_g1, alpha_g1, beta_g1;
    G2Affine tau_g2, beta_g2;
    out.read_back(s2.offset + 64, &tau_g1, 64);
    out.read_back(s3.offset + 128, &tau_g2, 128);
    out.read_back(s4.offset, &alpha_g1, 64);
    out.read_back(s5.offset, &beta_g1, 64);
    out.read_back(s6.offset, &beta_g2, 128);
    const KeyPart key_tau = make_key(tau, 0, challenge);
    const KeyPart key_alpha = make_key(alpha, 1, challenge);
    const KeyPart key_beta = make_key(beta, 2, challenge);
    const KeyPart* keys[3] = {&key_tau, &key_alpha, &key_beta};

    const auto partial = response.partial_state();
    {
        uint8_t pub[6 * 64 + 3 * 128];
        for (int i = 0; i < 3; ++i) {
            g1_uncompressed(keys[i]->g1_s, pub + 128 * i);
            g1_uncompressed(keys[i]->g1_sx, pub + 128 * i + 64);
            g2_uncompressed(keys[i]->g2_spx, pub + 384 + 128 * i);
        }
        response.update(pub, sizeof pub);
    }
    PTauNewResult result;
    result.response_hash = response.digest();

    work.stage("next challenge hash");
    Blake2b next;
    next.update(result.response_hash.data(), 64);
    hash_uncompressed<G1Affine>(out, s2.offset, s2.count, next);
    hash_uncompressed<G2Affine>(out, s3.offset, s3.count, next);
    hash_uncompressed<G1Affine>(out, s4.offset, s4.count, next);
    hash_uncompressed<G1Affine>(out, s5.offset, s5.count, next);
    hash_uncompressed<G2Affine>(out, s6.offset, s6.count, next);
    result.next_challenge = next.digest();
    work.add(0.05 * double(g1_products));

    {
        const std::string name = options.name.substr(0, 64);
        // Parameters: type 1 (name), its length, its bytes.
        std::string params;
        if (!name.empty())
            params = std::string(1, '\x01') + char(uint8_t(name.size())) + name;
        const uint64_t size = 4 + 64 + 128 + 64 + 64 + 128 + 6 * 64 + 3 * 128 + 216 + 64 + 4 + 4 + params.size();
        out.section(7, size);
        out.u32(1);
        out.bytes(&tau_g1, 64);
        out.bytes(&tau_g2, 128);
        out.bytes(&alpha_g1, 64);
        out.bytes(&beta_g1, 64);
        out.bytes(&beta_g2, 128);
        for (const KeyPart* k : keys) {
            out.bytes(&k->g1_s, 64);
            out.bytes(&k->g1_sx, 64);
        }
        for (const KeyPart* k : keys)
            out.bytes(&k->g2_spx, 128);
        out.bytes(partial.data(), partial.size());
        out.bytes(result.next_challenge.data(), 64);
        out.u32(0);  // type: contribution (not a beacon)
        out.u32(uint32_t(params.size()));
        out.bytes(params.data(), params.size());
    }

    // Phase 2: the Lagrange bases of every domain 2^k, k = 0..power (and power + 1 for tauG1).
    work.stage("lagrange tauG1");
    out.section(12, (4 * n - 1) * 64);
    for (unsigned k = 0; k <= power + 1; ++k)
        emit(out, fb1, uint64_t(1) << k, lagrange(one, tau, k, k == power + 1), nullptr, work, 1);
    work.stage("lagrange tauG2");
    out.section(13, (2 * n - 1) * 128);
    for (unsigned k = 0; k <= power; ++k)
        emit(out, fb2, uint64_t(1) << k, lagrange(one, tau, k, false), nullptr, work, 3);
    work.stage("lagrange alphaTauG1");
    out.section(14, (2 * n - 1) * 64);
    for (unsigned k = 0; k <= power; ++k)
        emit(out, fb1, uint64_t(1) << k, lagrange(alpha, tau, k, false), nullptr, work, 1);
    work.stage("lagrange betaTauG1");
    out.section(15, (2 * n - 1) * 64);
    for (unsigned k = 0; k <= power; ++k)
        emit(out, fb1, uint64_t(1) << k, lagrange(beta, tau, k, false), nullptr, work, 1);

    wipe(&tau, sizeof tau);
    wipe(&alpha, sizeof alpha);
    wipe(&beta, sizeof beta);

    work.stage("writing");
    out.finish();
    work.stage("done");
    return result;
}

}  // namespace provernet::snark
