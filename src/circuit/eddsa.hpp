// EdDSA over Baby Jubjub with Poseidon as the message hash: the signature scheme of circomlib's
// EdDSAPoseidonVerifier, natively and as a circuit gadget, so account owners can authorise
// operations that a circuit checks.
//
// Baby Jubjub (EIP-2494): the twisted Edwards curve a x^2 + y^2 = 1 + d x^2 y^2 over the BN254
// scalar field, a = 168700, d = 168696, base point B8 of prime order l (the subgroup of the
// cofactor-8 curve). A signature (R8, S) on a field element msg by the key A verifies when
//   S < l,  and  S * B8 == R8 + (8 * H(R8.x, R8.y, A.x, A.y, msg)) * A,   H = Poseidon(5)
// which is circomlib's (and circomlibjs's verifyPoseidon) equation, so signatures made here
// verify there. Keys: a 32-byte secret; the scalar and the deterministic nonce are derived from
// it with BLAKE2b-512 (circomlibjs uses BLAKE-512; only key derivation differs, verification is
// the same).
#pragma once

#include "circuit/builder.hpp"

#include <array>
#include <cstdint>

namespace provernet::circuit {

struct BabyJubPoint {
    Fr x, y;  // affine twisted Edwards coordinates; the identity is (0, 1)
    friend bool operator==(const BabyJubPoint&, const BabyJubPoint&) = default;
};

struct EddsaSignature {
    BabyJubPoint r8;
    math::U256 s;  // < l
};

using EddsaSecretKey = std::array<uint8_t, 32>;

BabyJubPoint eddsa_public_key(const EddsaSecretKey& sk);
EddsaSignature eddsa_sign(const EddsaSecretKey& sk, const Fr& msg);
// Checks the points are on the curve and in the prime-order subgroup, S < l, and the equation.
bool eddsa_verify(const BabyJubPoint& a, const Fr& msg, const EddsaSignature& sig);

// Gadget: constrains that (r8, s) is a valid signature by a on msg. The signals of a, r8 and s
// are the caller's (inputs, or values read from a Merkle leaf). Enforces a and r8 on the curve,
// S < l (its bits are decomposed), and the verification equation; a must not be a small-order
// point (checked in-circuit, as circomlib does). Throws ConstraintViolation (with the given
// `what`) when the signature does not verify.
struct EddsaSignals {
    Signal ax, ay;    // public key
    Signal r8x, r8y;  // signature's R8
    Signal s;         // signature's S
};
void assert_eddsa_signature(Builder& b, const EddsaSignals& sig, const Signal& msg,
                            const char* what = "EdDSA signature");

}  // namespace provernet::circuit
