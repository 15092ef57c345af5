// The optimal ate pairing on BN254 (alt_bn128, EIP-197): e : G1 x G2 -> GT ⊂ Fq12*.
//
//   miller_loop(P, Q) = f_{6x+2,Q}(P) · l_{T,π(Q)}(P) · l_{T+π(Q),-π²(Q)}(P),  T = [6x+2]Q,
//
// x = bn254_x, with Q on the D-type twist y² = x³ + 3/ξ untwisted by (x, y) -> (x w², y w³),
// w⁶ = ξ = 9 + u (the EIP-197 generators and encoding).
//
// Which power of the Miller loop is "the" pairing differs between libraries, and the choice is
// visible in GT values (not in pairing_check answers):
//   * final_exponentiation raises to m (p^12 - 1)/r with m = 2x(6x² + 3x + 1), gcd(m, r) = 1:
//     the Fuentes-Castañeda hard part of snarkjs/ffjavascript and zcash/bn (both checked in
//     the tests; libsnark, arkworks and current gnark-crypto document the same exponent).
//     pairing() uses it, so e(alpha, beta) equals snarkjs's vk_alphabeta_12 exactly.
//   * final_exponentiation_exact raises to (p^12 - 1)/r exactly: the textbook value printed by
//     py_ecc and others, e.g. for e(G1, G2).
// Both are non-degenerate bilinear pairings; pairing_check gives the same answer with either.
// pairing.test.cpp checks both against published values.
//
// Inputs are assumed valid (on the curve and, for G2, in the order-r subgroup); callers check.
// Affine infinity (0, 0) is accepted anywhere and contributes the factor 1. Variable time.
#pragma once

#include "math/fq12.hpp"
#include "math/g1.hpp"
#include "math/g2.hpp"

#include <span>
#include <utility>
#include <vector>

namespace provernet::math {

// f_{6x+2,Q}(P) times the two Frobenius lines: the Miller loop of the optimal ate pairing, before
// the final exponentiation. Defined up to factors the final exponentiation removes.
Fq12 miller_loop(const G1Affine& p, const G2Affine& q);

// The product of the Miller loops of all pairs, sharing the Fq12 squarings (one loop, many
// lines). Exactly equal to the product of miller_loop over the pairs.
Fq12 multi_miller_loop(std::span<const std::pair<G1Affine, G2Affine>> pairs);

// f^(m (p^12 - 1) / r), m = 2x(6x^2 + 3x + 1): the snarkjs/arkworks/gnark convention (see above).
// Its input must be nonzero (Miller loop outputs always are).
Fq12 final_exponentiation(const Fq12& f);
// f^((p^12 - 1) / r) exactly. final_exponentiation(f) == final_exponentiation_exact(f)^m.
Fq12 final_exponentiation_exact(const Fq12& f);

// e(P, Q) = final_exponentiation(miller_loop(P, Q)): snarkjs's value of the pairing.
Fq12 pairing(const G1Affine& p, const G2Affine& q);

// Whether prod_i e(P_i, Q_i) == 1: one multi-Miller loop and one final exponentiation. The
// empty product is 1 (true), as for the EVM precompile 0x08.
bool pairing_check(std::span<const std::pair<G1Affine, G2Affine>> pairs);

// A line of the Miller loop before it is evaluated: its value at P = (xp, yp) is
// y yp + (x xp) w + c v w (scaled as the steps below scale it).
struct LineCoeffs {
    Fq2 y, x, c;
};

// The Miller-loop lines of a fixed G2 point, computed once: pairing it with a G1 point then
// costs only the lines' evaluations and multiplications, none of the G2 arithmetic. For the G2
// points of a verifying key (beta, gamma, delta), which every verification pairs with.
class G2Prepared {
public:
    G2Prepared() = default;  // the point at infinity, which contributes the factor 1
    // q must be valid (on the twist, in G2), as for the pairing; infinity gives the default.
    explicit G2Prepared(const G2Affine& q);
    bool is_infinity() const { return lines_.empty(); }
    std::span<const LineCoeffs> lines() const { return lines_; }

private:
    std::vector<LineCoeffs> lines_;  // in the order the loop uses them
};

struct PreparedPair {
    G1Affine p;
    const G2Prepared* q;
};

// multi_miller_loop over `pairs` and `prepared` together (one loop): equal to the product of
// the Miller loops of all pairs, prepared or not.
Fq12 multi_miller_loop(std::span<const std::pair<G1Affine, G2Affine>> pairs, std::span<const PreparedPair> prepared);

namespace detail {

// A G2 point in homogeneous projective coordinates (x = X/Z, y = Y/Z) for the Miller loop.
struct G2Proj {
    Fq2 x, y, z;
};

// A line function evaluated at a G1 point: d0 + (d3 + d4 v) w, for Fq12::mul_by_034.
struct Line {
    Fq2 d0, d3, d4;
};

// T <- 2T; returns the tangent line at T (scaled by a factor in Fq2).
LineCoeffs doubling_step(G2Proj& t);
// T <- T + Q (Q affine, T != ±Q); returns the chord through T and Q (scaled).
LineCoeffs addition_step(G2Proj& t, const G2Affine& q);
// The line's value at P = (xp, yp).
inline Line evaluate(const LineCoeffs& l, const Fq& xp, const Fq& yp) { return {l.y * yp, l.x * xp, l.c}; }

}  // namespace detail

}  // namespace provernet::math
