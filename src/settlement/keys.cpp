#include "settlement/keys.hpp"

#include "settlement/errors.hpp"
#include "settlement/hex.hpp"
#include "settlement/keccak.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace provernet::settlement {
namespace {

using math::U256;

// The secp256k1 group order n and n/2 (rounded down).
constexpr U256 curve_order =
    math::u256_from_hex_literal("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
constexpr U256 half_order =
    math::u256_from_hex_literal("0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");

void fill_random(uint8_t* out, size_t size)
{
    size_t filled = 0;
    while (filled < size) {
        const ssize_t got = getrandom(out + filled, size - filled, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            throw Error(std::string("getrandom failed: ") + std::strerror(errno));
        }
        filled += size_t(got);
    }
}

// One context for the process, randomised once (blinding against side channels); libsecp256k1
// allows concurrent use of a context through its const API.
const secp256k1_context* context()
{
    static const secp256k1_context* const ctx = [] {
        secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        std::array<uint8_t, 32> seed;
        fill_random(seed.data(), seed.size());
        if (!secp256k1_context_randomize(c, seed.data()))
            throw Error("secp256k1: context randomisation failed");
        return c;
    }();
    return ctx;
}

void wipe(void* p, size_t size)
{
    volatile uint8_t* v = static_cast<volatile uint8_t*>(p);
    for (size_t i = 0; i < size; ++i)
        v[i] = 0;
}

PublicKey from_secp(const secp256k1_pubkey& key)
{
    std::array<uint8_t, 65> sec1;
    size_t len = sec1.size();
    secp256k1_ec_pubkey_serialize(context(), sec1.data(), &len, &key, SECP256K1_EC_UNCOMPRESSED);
    PublicKey out;
    std::copy(sec1.begin() + 1, sec1.end(), out.xy.begin());
    return out;
}

secp256k1_ecdsa_recoverable_signature to_secp(const Signature& sig, std::string_view what)
{
    sig.validate(what);
    std::array<uint8_t, 64> compact;
    std::copy(sig.r.begin(), sig.r.end(), compact.begin());
    std::copy(sig.s.begin(), sig.s.end(), compact.begin() + 32);
    secp256k1_ecdsa_recoverable_signature out;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &out, compact.data(), sig.recovery_id))
        throw SignatureError(std::string(what) + ": not a valid compact signature");
    return out;
}

}  // namespace

// ---- Signature ----

std::array<uint8_t, 65> Signature::to_rsv() const
{
    std::array<uint8_t, 65> out;
    std::copy(r.begin(), r.end(), out.begin());
    std::copy(s.begin(), s.end(), out.begin() + 32);
    out[64] = uint8_t(27 + recovery_id);
    return out;
}

std::string Signature::to_hex() const { return settlement::to_hex(to_rsv()); }

Signature Signature::from_rsv(BytesView rsv, std::string_view what)
{
    if (rsv.size() != 65)
        throw SignatureError(std::string(what) + ": expected 65 bytes (r || s || v), got " + std::to_string(rsv.size()));
    Signature sig;
    std::copy(rsv.begin(), rsv.begin() + 32, sig.r.begin());
    std::copy(rsv.begin() + 32, rsv.begin() + 64, sig.s.begin());
    const uint8_t v = rsv[64];
    if (v == 27 || v == 28)
        sig.recovery_id = uint8_t(v - 27);
    else if (v == 0 || v == 1)
        sig.recovery_id = v;
    else
        throw SignatureError(std::string(what) + ": v must be 27, 28, 0 or 1, got " + std::to_string(v));
    sig.validate(what);
    return sig;
}

Signature Signature::from_hex(std::string_view text, std::string_view what)
{
    Bytes b;
    try {
        b = settlement::from_hex(text, what);
    }
    catch (const HexError& e) {
        throw SignatureError(e.what());
    }
    return from_rsv(b, what);
}

bool Signature::is_low_s() const { return u256_from_be(s) <= half_order; }

void Signature::validate(std::string_view what) const
{
    const U256 r_value = u256_from_be(r), s_value = u256_from_be(s);
    if (r_value.is_zero() || r_value >= curve_order)
        throw SignatureError(std::string(what) + ": r is not in [1, n-1]");
    if (s_value.is_zero() || s_value >= curve_order)
        throw SignatureError(std::string(what) + ": s is not in [1, n-1]");
    if (s_value > half_order)
        throw SignatureError(std::string(what) + ": s is in the upper half of the curve order (high-s, EIP-2)");
    if (recovery_id > 1)
        throw SignatureError(std::string(what) + ": recovery id must be 0 or 1, got " + std::to_string(recovery_id));
}

Signature Signature::normalized() const
{
    if (is_low_s())
        return *this;
    U256 negated;
    U256::sub(negated, curve_order, u256_from_be(s));
    Signature out = *this;
    out.s = to_be_bytes(negated);
    out.recovery_id = uint8_t(recovery_id ^ 1);
    return out;
}

// ---- PublicKey ----

PublicKey PublicKey::parse(BytesView sec1, std::string_view what)
{
    if (sec1.size() != 33 && sec1.size() != 65)
        throw KeyError(std::string(what) + ": expected 33 (compressed) or 65 (uncompressed) bytes, got " +
                       std::to_string(sec1.size()));
    secp256k1_pubkey key;
    if (!secp256k1_ec_pubkey_parse(context(), &key, sec1.data(), sec1.size()))
        throw KeyError(std::string(what) + ": not a valid secp256k1 point encoding");
    return from_secp(key);
}

std::array<uint8_t, 65> PublicKey::uncompressed() const
{
    std::array<uint8_t, 65> out;
    out[0] = 0x04;
    std::copy(xy.begin(), xy.end(), out.begin() + 1);
    return out;
}

std::array<uint8_t, 33> PublicKey::compressed() const
{
    std::array<uint8_t, 33> out;
    out[0] = uint8_t(0x02 | (xy[63] & 1));
    std::copy(xy.begin(), xy.begin() + 32, out.begin() + 1);
    return out;
}

Address PublicKey::address() const { return Address::from_word(keccak256(BytesView(xy))); }

// ---- PrivateKey ----

PrivateKey::PrivateKey(const std::array<uint8_t, 32>& secret) : secret_(secret)
{
    secp256k1_pubkey key;
    if (!secp256k1_ec_pubkey_create(context(), &key, secret_.data()))
        throw KeyError("private key: rejected by secp256k1");  // unreachable after from_bytes' checks
    public_key_ = from_secp(key);
    address_ = public_key_.address();
}

PrivateKey::~PrivateKey() { wipe(secret_.data(), secret_.size()); }

PrivateKey PrivateKey::from_bytes(BytesView secret)
{
    if (secret.size() != 32)
        throw KeyError("private key: expected 32 bytes, got " + std::to_string(secret.size()));
    const U256 k = u256_from_be(secret);
    if (k.is_zero())
        throw KeyError("private key: is zero");
    if (k >= curve_order)
        throw KeyError("private key: is not below the secp256k1 group order n");
    std::array<uint8_t, 32> copy;
    std::copy(secret.begin(), secret.end(), copy.begin());
    PrivateKey key(copy);
    wipe(copy.data(), copy.size());
    return key;
}

PrivateKey PrivateKey::from_hex(std::string_view text)
{
    Bytes b;
    try {
        b = settlement::from_hex(text, "private key");
    }
    catch (const HexError&) {
        // Not e.what(): that quotes the input, and this input is a secret.
        throw KeyError("private key: expected 0x followed by 64 hex digits");
    }
    try {
        PrivateKey key = from_bytes(b);
        wipe(b.data(), b.size());
        return key;
    }
    catch (...) {
        wipe(b.data(), b.size());
        throw;
    }
}

PrivateKey PrivateKey::generate()
{
    std::array<uint8_t, 32> secret;
    for (;;) {
        fill_random(secret.data(), secret.size());
        // Rejection sampling: a uniform 256-bit value is outside [1, n-1] with probability ~2^-128.
        if (secp256k1_ec_seckey_verify(context(), secret.data())) {
            PrivateKey key(secret);
            wipe(secret.data(), secret.size());
            return key;
        }
    }
}

Signature PrivateKey::sign(const Hash256& digest) const
{
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_sign_recoverable(context(), &sig, digest.data(), secret_.data(), nullptr, nullptr))
        throw SignatureError("sign: libsecp256k1 failed to sign");
    std::array<uint8_t, 64> compact;
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), compact.data(), &recid, &sig);
    // recid 2/3 means R.x >= n: probability ~2^-127, and Ethereum cannot express it.
    if (recid > 1)
        throw SignatureError("sign: recovery id " + std::to_string(recid) + " is not representable in Ethereum");
    Signature out;
    std::copy(compact.begin(), compact.begin() + 32, out.r.begin());
    std::copy(compact.begin() + 32, compact.end(), out.s.begin());
    out.recovery_id = uint8_t(recid);
    return out;
}

// ---- recovery and verification ----

PublicKey recover_public_key(const Hash256& digest, const Signature& sig)
{
    const secp256k1_ecdsa_recoverable_signature parsed = to_secp(sig, "signature");
    secp256k1_pubkey key;
    if (!secp256k1_ecdsa_recover(context(), &key, &parsed, digest.data()))
        throw SignatureError("signature: no public key recovers from this signature and digest");
    return from_secp(key);
}

Address recover_address(const Hash256& digest, const Signature& sig)
{
    return recover_public_key(digest, sig).address();
}

bool verify(const Hash256& digest, const Signature& sig, const PublicKey& key)
{
    // Recovering exactly `key` is equivalent to ECDSA verification, and also pins the recovery id.
    try {
        return recover_public_key(digest, sig) == key;
    }
    catch (const Error&) {
        return false;
    }
}

bool verify(const Hash256& digest, const Signature& sig, const Address& signer)
{
    try {
        return recover_address(digest, sig) == signer;
    }
    catch (const Error&) {
        return false;
    }
}

}  // namespace provernet::settlement
