// secp256k1 keys and recoverable ECDSA signatures, Ethereum style, on top of libsecp256k1.
//
// Signatures are always produced low-s (s <= n/2, EIP-2) with RFC 6979 deterministic nonces;
// parsing rejects high-s, so each (digest, key) has exactly one accepted signature encoding.
// Signature::normalized() converts a high-s signature from a lax signer explicitly.
#pragma once

#include "settlement/address.hpp"
#include "settlement/bytes.hpp"

#include <array>
#include <string>
#include <string_view>

namespace provernet::settlement {

struct Signature {
    std::array<uint8_t, 32> r{};
    std::array<uint8_t, 32> s{};
    uint8_t recovery_id = 0;  // 0 or 1: the parity of R's y coordinate (EIP-1559's y_parity)

    // r || s || v with v = 27 + recovery_id: the 65-byte form of personal_sign / eth_sign.
    std::array<uint8_t, 65> to_rsv() const;
    std::string to_hex() const;
    // From r || s || v, v in {27, 28} or {0, 1}. Validated as by validate(). Throws SignatureError.
    static Signature from_rsv(BytesView rsv, std::string_view what = "signature");
    static Signature from_hex(std::string_view text, std::string_view what = "signature");

    // Throws SignatureError naming `what` unless 0 < r < n, 0 < s <= n/2 and recovery_id <= 1.
    void validate(std::string_view what = "signature") const;
    bool is_low_s() const;
    // The same signature in low-s form: s -> n - s, which negates R and so flips recovery_id.
    Signature normalized() const;

    friend bool operator==(const Signature&, const Signature&) = default;
};

struct PublicKey {
    std::array<uint8_t, 64> xy{};  // uncompressed point without the 0x04 tag: x || y, big-endian

    // SEC1 encoding: 33 bytes compressed (02/03 tag) or 65 bytes uncompressed (04 tag). Throws
    // KeyError if the point is not on the curve.
    static PublicKey parse(BytesView sec1, std::string_view what = "public key");
    std::array<uint8_t, 33> compressed() const;
    std::array<uint8_t, 65> uncompressed() const;
    // The last 20 bytes of keccak256(x || y).
    Address address() const;

    friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

// A secp256k1 secret scalar 0 < k < n. Wiped from memory on destruction; never printed.
class PrivateKey {
public:
    // Throws KeyError if the input is not 32 bytes, is zero or is not below the curve order n.
    static PrivateKey from_bytes(BytesView secret);
    static PrivateKey from_hex(std::string_view text);
    // A fresh key from the OS random source (getrandom); throws Error if it is unavailable.
    static PrivateKey generate();

    PrivateKey(const PrivateKey&) = default;
    PrivateKey& operator=(const PrivateKey&) = default;
    ~PrivateKey();

    const std::array<uint8_t, 32>& secret() const { return secret_; }
    const PublicKey& public_key() const { return public_key_; }
    const Address& address() const { return address_; }

    // Signs a 32-byte digest (the caller hashes): RFC 6979 nonce, low-s, recovery id 0 or 1.
    Signature sign(const Hash256& digest) const;

private:
    explicit PrivateKey(const std::array<uint8_t, 32>& secret);

    std::array<uint8_t, 32> secret_{};
    PublicKey public_key_;
    Address address_;
};

// The public key that produced `sig` over `digest`. Throws SignatureError if the signature is
// malformed (see Signature::validate) or no key recovers.
PublicKey recover_public_key(const Hash256& digest, const Signature& sig);
Address recover_address(const Hash256& digest, const Signature& sig);

// True iff `sig` is a valid low-s signature of `digest` by `key` / by the owner of `signer`.
// Never throws for a bad signature: it is just false.
bool verify(const Hash256& digest, const Signature& sig, const PublicKey& key);
bool verify(const Hash256& digest, const Signature& sig, const Address& signer);

}  // namespace provernet::settlement
