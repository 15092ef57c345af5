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

#include "circuit/babyjubjub.hpp"  // BabyJubPoint, the curve and its gadgets
#include "circuit/builder.hpp"

#include <array>
#include <cstdint>

namespace provernet::circuit {

struct EddsaSignature {
    BabyJubPoint r8;
    math::U256 s;  // < l
};

using EddsaSecretKey = std::array<uint8_t, 32>;

BabyJubPoint eddsa_public_key(const EddsaSecretKey& sk);
EddsaSignature eddsa_sign(const EddsaSecretKey& sk, const Fr& msg);
// Checks the points are on the curve and in the prime-order subgroup, S < l, and the equation.
bool eddsa_verify(const BabyJubPoint& a, const Fr& msg, const EddsaSignature& sig);
// The secret scalar s (BLAKE2b-512(sk)[0..32] pruned: a multiple of 8 in [2^254, 2^255));
// a = (s / 8) B8. For tests and key tooling.
math::U256 eddsa_secret_scalar(const EddsaSecretKey& sk);

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
// What the gadget checks, and what it costs (circomlib's EdDSAPoseidonVerifier: 4217 with
// circom --O2):
// - A and R8 on the curve (3 + 3); 8 A != O (16). For keys in the subgroup the gadget accepts
//   exactly what eddsa_verify accepts. Like circomlib it does not reject a key A = A' + T with
//   T of small order (T is multiplied away): a signer of A' can make signatures for such a key
//   that the gadget accepts and eddsa_verify does not. R8 needs no subgroup check: the equation
//   makes it S B8 - 8 h A, a point of the subgroup.
// - S < l: its 251 bits and a comparison with l - 1 (311); h = Poseidon(R8, A, msg) (321).
// - 8 h A as h (8 A) by babyjub_mul, whose decomposition of h is canonical (1941); S B8 by
//   babyjub_mul_fixed (504); R8 + 8 h A = S B8 (6).
inline constexpr size_t eddsa_constraint_count = 3105;

}  // namespace provernet::circuit
