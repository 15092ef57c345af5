#include "circuit/eddsa.hpp"

#include "circuit/poseidon.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>
#include <span>
#include <stdexcept>
#include <string>

namespace provernet::circuit {

namespace {

using math::U256;
using Digest = std::array<uint8_t, 64>;

// Overwrites secret material when it goes out of scope.
template <size_t N>
struct SecretBytes {
    std::array<uint8_t, N> bytes{};
    ~SecretBytes() { OPENSSL_cleanse(bytes.data(), N); }
};

void blake2b512(std::span<const uint8_t> data, Digest& out)
{
    static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(EVP_MD_fetch(nullptr, "BLAKE2B-512", nullptr),
                                                                     &EVP_MD_free);
    unsigned len = 0;
    if (!md || EVP_Digest(data.data(), data.size(), out.data(), &len, md.get(), nullptr) != 1 || len != out.size())
        throw std::runtime_error("eddsa: BLAKE2b-512 is not available from OpenSSL");
}

// The little-endian integer of `bytes` mod l, by Horner's rule over the bytes: the same
// operations whatever the (secret) value.
BabyJubScalar reduce_le(std::span<const uint8_t> bytes)
{
    const BabyJubScalar radix = BabyJubScalar::from_uint(256);
    BabyJubScalar acc = BabyJubScalar::zero();
    for (size_t i = bytes.size(); i-- > 0;)
        acc = acc * radix + BabyJubScalar::from_uint(bytes[i]);
    return acc;
}

BabyJubScalar reduce_field(const Fr& x)
{
    std::array<uint8_t, 32> le;
    x.to_u256().to_le_bytes(le.data());
    return reduce_le(le);
}

// h = BLAKE2b-512(sk); the scalar is h[0..32] pruned as in Ed25519 (low 3 bits cleared, bit 255
// cleared, bit 254 set), so it is a multiple of 8 below 2^255; h[32..64] seeds the nonces.
struct KeyMaterial {
    SecretBytes<64> h;
    SecretBytes<32> scalar;  // little-endian
};

void derive(const EddsaSecretKey& sk, KeyMaterial& k)
{
    blake2b512(sk, k.h.bytes);
    std::copy(k.h.bytes.begin(), k.h.bytes.begin() + 32, k.scalar.bytes.begin());
    k.scalar.bytes[0] &= 0xF8;
    k.scalar.bytes[31] &= 0x7F;
    k.scalar.bytes[31] |= 0x40;
}

U256 shift_right_3(const U256& x)
{
    return {(x.limb[0] >> 3) | (x.limb[1] << 61), (x.limb[1] >> 3) | (x.limb[2] << 61),
            (x.limb[2] >> 3) | (x.limb[3] << 61), x.limb[3] >> 3};
}

// A = (s >> 3) B8, as circomlibjs; 8 A = s B8 since s is a multiple of 8.
BabyJubPoint public_key(const KeyMaterial& k)
{
    return babyjub_mul(babyjub_base8(), shift_right_3(U256::from_le_bytes(k.scalar.bytes.data())));
}

Fr challenge(const BabyJubPoint& r8, const BabyJubPoint& a, const Fr& msg)
{
    const std::array<Fr, 5> in{r8.x, r8.y, a.x, a.y, msg};
    return poseidon_hash(in);
}

}  // namespace

math::U256 eddsa_secret_scalar(const EddsaSecretKey& sk)
{
    KeyMaterial k;
    derive(sk, k);
    return U256::from_le_bytes(k.scalar.bytes.data());
}

BabyJubPoint eddsa_public_key(const EddsaSecretKey& sk)
{
    KeyMaterial k;
    derive(sk, k);
    return public_key(k);
}

EddsaSignature eddsa_sign(const EddsaSecretKey& sk, const Fr& msg)
{
    KeyMaterial k;
    derive(sk, k);
    const BabyJubPoint a = public_key(k);
    // r = BLAKE2b-512(h[32..64] || msg as 32 little-endian bytes) mod l.
    SecretBytes<64> nonce_input;
    std::copy(k.h.bytes.begin() + 32, k.h.bytes.end(), nonce_input.bytes.begin());
    msg.to_u256().to_le_bytes(nonce_input.bytes.data() + 32);
    SecretBytes<64> nonce_hash;
    blake2b512(nonce_input.bytes, nonce_hash.bytes);
    const BabyJubScalar r = reduce_le(nonce_hash.bytes);
    const BabyJubPoint r8 = babyjub_mul(babyjub_base8(), r.to_u256());
    // S = r + H(R8, A, msg) s mod l.
    const BabyJubScalar s = r + reduce_field(challenge(r8, a, msg)) * reduce_le(k.scalar.bytes);
    return {r8, s.to_u256()};
}

bool eddsa_verify(const BabyJubPoint& a, const Fr& msg, const EddsaSignature& sig)
{
    if (!(sig.s < babyjub_order))
        return false;
    if (a == babyjub_identity() || !babyjub_in_subgroup(a) || !babyjub_in_subgroup(sig.r8))
        return false;
    // a has order l, so 8 h may be reduced mod l.
    const BabyJubScalar k = reduce_field(challenge(sig.r8, a, msg)) * BabyJubScalar::from_uint(8);
    return babyjub_mul(babyjub_base8(), sig.s) == babyjub_add(sig.r8, babyjub_mul(a, k.to_u256()));
}

void assert_eddsa_signature(Builder& b, const EddsaSignals& sig, const Signal& msg, const char* what)
{
    const std::string name(what);
    const BabyJubPointSignals a{sig.ax, sig.ay}, r8{sig.r8x, sig.r8y};
    babyjub_assert_on_curve(b, a, (name + ": public key A").c_str());
    babyjub_assert_on_curve(b, r8, (name + ": R8").c_str());
    // 8 A != O; 8 A is then a point of order l, the base babyjub_mul needs.
    const BabyJubPointSignals a8 = babyjub_assert_not_small_order(b, a, (name + ": public key A").c_str());
    const std::vector<Signal> s_bits = babyjub_scalar_bits(b, sig.s, (name + ": S").c_str());

    const std::array<Signal, 5> hash_in{sig.r8x, sig.r8y, sig.ax, sig.ay, msg};
    const Signal h = poseidon(b, hash_in);
    const BabyJubPointSignals right = babyjub_mul(b, h, a8, (name + ": 8 h A").c_str());
    const BabyJubPointSignals left = babyjub_mul_fixed(b, s_bits, babyjub_base8(), (name + ": S B8").c_str());

    // S B8 = R8 + 8 h A.
    const BabyJubPoint expected = babyjub_add({r8.x.value(), r8.y.value()}, {right.x.value(), right.y.value()});
    if (expected != BabyJubPoint{left.x.value(), left.y.value()})
        throw ConstraintViolation(name + ": the signature does not verify (S B8 != R8 + 8 H(R8, A, msg) A)");
    babyjub_assert_sum(b, r8, right, left, (name + ": S B8 = R8 + 8 H(R8, A, msg) A").c_str());
}

}  // namespace provernet::circuit
