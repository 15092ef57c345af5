#include "math/pairing.hpp"

#include <array>
#include <vector>

namespace provernet::math {

namespace detail {

// Lines. With T = (x, y) on the twist untwisted to (x w^2, y w^3), a line of slope m on the twist
// has slope m w on E(Fq12), and its value at P = (xp, yp) is
//   l(P) = yp - m xp w + (m x - y) w^3 = yp + (-m xp) w + (m x - y) v w,
// an element d0 + (d3 + d4 v) w with d0 in Fq. Both steps below return its coefficients (of
// yp, of xp w, and the constant of v w; see evaluate) multiplied by a nonzero Fq2 factor (to
// clear denominators), which the final exponentiation removes since Fq2* lies in the kernel of
// x -> x^(p^6 - 1).

LineCoeffs doubling_step(G2Proj& t)
{
    // Tangent: m = 3x^2 / (2y). Scaled by 2y Z^2 = 2YZ, using x^3 = y^2 - b':
    //   l * 2YZ = 2YZ yp - 3X^2 xp w + (Y^2 - 3b'Z^2) v w   (= H yp + (-3J xp) w + (B - E) v w).
    // Point (Costello-Lange-Naehrig 2010, homogeneous, a = 0):
    //   X3 = XY/2 (B - 9b'Z^2), Y3 = ((B + 9b'Z^2)/2)^2 - 27 b'^2 Z^4, Z3 = 2 Y^3 Z.
    static const Fq2 three_b = G2Params::b() * Fq::from_uint(3);
    const Fq2 a = fq2_half(t.x * t.y);
    const Fq2 b = t.y.square();
    const Fq2 c = t.z.square();
    const Fq2 e = c * three_b;
    const Fq2 f = e.dbl() + e;
    const Fq2 g = fq2_half(b + f);
    const Fq2 h = (t.y + t.z).square() - b - c;  // 2YZ
    const Fq2 j = t.x.square();
    const Fq2 e2 = e.square();
    t.x = a * (b - f);
    t.y = g.square() - (e2.dbl() + e2);
    t.z = b * h;
    return {h, -(j.dbl() + j), b - e};
}

LineCoeffs addition_step(G2Proj& t, const G2Affine& q)
{
    // Chord through T and Q: m = theta / lambda with theta = Y - yq Z, lambda = X - xq Z.
    // Scaled by lambda: l * lambda = lambda yp - theta xp w + (theta xq - lambda yq) v w.
    // Point (mixed homogeneous addition): E = lambda^3, F = Z theta^2, G = X lambda^2,
    // H = E + F - 2G, X3 = lambda H, Y3 = theta (G - H) - Y E, Z3 = Z E.
    const Fq2 theta = t.y - q.y * t.z;
    const Fq2 lambda = t.x - q.x * t.z;
    const Fq2 c = theta.square();
    const Fq2 d = lambda.square();
    const Fq2 e = lambda * d;
    const Fq2 f = t.z * c;
    const Fq2 g = t.x * d;
    const Fq2 h = e + f - g.dbl();
    const Fq2 ye = t.y * e;
    t.x = lambda * h;
    t.y = theta * (g - h) - ye;
    t.z = t.z * e;
    return {lambda, -theta, theta * q.x - lambda * q.y};
}

}  // namespace detail

namespace {

using detail::G2Proj;
using detail::Line;

// Non-adjacent form of the loop count 6x + 2 (66 digits, 22 nonzero), most significant first.
struct LoopNaf {
    std::array<int8_t, 68> d{};
    int n = 0;
};
constexpr LoopNaf make_loop_naf()
{
    LoopNaf out;
    std::array<int8_t, 68> lsb_first{};
    int n = 0;
    u128 v = u128(bn254_x) * 6 + 2;
    while (v != 0) {
        int8_t z = 0;
        if (v & 1) {
            z = (v & 3) == 1 ? 1 : -1;
            v = z == 1 ? v - 1 : v + 1;
        }
        lsb_first[n++] = z;
        v >>= 1;
    }
    for (int i = 0; i < n; ++i)
        out.d[i] = lsb_first[n - 1 - i];
    out.n = n;
    return out;
}
constexpr LoopNaf loop_naf = make_loop_naf();
static_assert(loop_naf.n == 66 && loop_naf.d[0] == 1);

struct PairState {
    Fq xp, yp;
    G2Affine q, neg_q;
    G2Proj t;
};

struct PreparedState {
    Fq xp, yp;
    const LineCoeffs* line;  // the next line to use
};

inline Fq12 line_to_fq12(const Line& l) { return {{l.d0, Fq2::zero(), Fq2::zero()}, {l.d3, l.d4, Fq2::zero()}}; }

// f <- f * l, where f == 1 is flagged by `fresh` (then f is just l).
inline void accumulate(Fq12& f, bool& fresh, const Line& l)
{
    if (fresh) {
        f = line_to_fq12(l);
        fresh = false;
    } else {
        f = f.mul_by_034(l.d0, l.d3, l.d4);
    }
}

inline void accumulate_prepared(Fq12& f, bool& fresh, std::vector<PreparedState>& prepared)
{
    for (auto& s : prepared)
        accumulate(f, fresh, detail::evaluate(*s.line++, s.xp, s.yp));
}

// The loop over all pairs. Every step's lines are multiplied in the same order whether a pair is
// prepared or not, and G2Prepared stores its lines in exactly this order.
Fq12 miller_loop_states(std::vector<PairState>& st, std::vector<PreparedState>& prepared)
{
    if (st.empty() && prepared.empty())
        return Fq12::one();
    Fq12 f = Fq12::one();
    bool fresh = true;
    for (int i = 1; i < loop_naf.n; ++i) {
        if (!fresh)
            f = f.square();
        for (auto& s : st)
            accumulate(f, fresh, detail::evaluate(detail::doubling_step(s.t), s.xp, s.yp));
        accumulate_prepared(f, fresh, prepared);
        if (loop_naf.d[i] != 0) {
            for (auto& s : st)
                accumulate(f, fresh,
                           detail::evaluate(detail::addition_step(s.t, loop_naf.d[i] > 0 ? s.q : s.neg_q), s.xp, s.yp));
            accumulate_prepared(f, fresh, prepared);
        }
    }
    // T = [6x+2]Q; add Q1 = pi(Q) and Q2 = -pi^2(Q) (pi acting on the twist as g2_frobenius).
    for (auto& s : st) {
        const G2Affine q1 = g2_frobenius(s.q);
        const G2Affine q2 = -g2_frobenius(q1);
        accumulate(f, fresh, detail::evaluate(detail::addition_step(s.t, q1), s.xp, s.yp));
        accumulate(f, fresh, detail::evaluate(detail::addition_step(s.t, q2), s.xp, s.yp));
    }
    accumulate_prepared(f, fresh, prepared);
    accumulate_prepared(f, fresh, prepared);
    return f;
}

std::vector<PairState> make_states(std::span<const std::pair<G1Affine, G2Affine>> pairs)
{
    std::vector<PairState> st;
    st.reserve(pairs.size());
    for (const auto& [p, q] : pairs) {
        if (p.is_infinity() || q.is_infinity())
            continue;
        st.push_back({p.x, p.y, q, -q, {q.x, q.y, Fq2::one()}});
    }
    return st;
}

}  // namespace

Fq12 multi_miller_loop(std::span<const std::pair<G1Affine, G2Affine>> pairs)
{
    return multi_miller_loop(pairs, {});
}

Fq12 multi_miller_loop(std::span<const std::pair<G1Affine, G2Affine>> pairs, std::span<const PreparedPair> prepared)
{
    auto st = make_states(pairs);
    std::vector<PreparedState> ps;
    ps.reserve(prepared.size());
    for (const auto& [p, q] : prepared) {
        if (p.is_infinity() || q->is_infinity())
            continue;
        ps.push_back({p.x, p.y, q->lines().data()});
    }
    return miller_loop_states(st, ps);
}

G2Prepared::G2Prepared(const G2Affine& q)
{
    if (q.is_infinity())
        return;
    // The same steps as miller_loop_states, keeping the lines instead of evaluating them.
    const G2Affine neg_q = -q;
    G2Proj t{q.x, q.y, Fq2::one()};
    lines_.reserve(2 * loop_naf.n);
    for (int i = 1; i < loop_naf.n; ++i) {
        lines_.push_back(detail::doubling_step(t));
        if (loop_naf.d[i] != 0)
            lines_.push_back(detail::addition_step(t, loop_naf.d[i] > 0 ? q : neg_q));
    }
    const G2Affine q1 = g2_frobenius(q);
    const G2Affine q2 = -g2_frobenius(q1);
    lines_.push_back(detail::addition_step(t, q1));
    lines_.push_back(detail::addition_step(t, q2));
}

Fq12 miller_loop(const G1Affine& p, const G2Affine& q)
{
    const std::pair<G1Affine, G2Affine> pq{p, q};
    return multi_miller_loop(std::span(&pq, 1));
}

namespace {

// Easy part: f^((p^6 - 1)(p^2 + 1)). The result lies in the cyclotomic subgroup, where
// conjugation inverts and cyclotomic squaring applies.
Fq12 easy_part(const Fq12& f)
{
    const Fq12 t = f.conjugate() * f.inverse();
    return t.frobenius2() * t;
}

}  // namespace

Fq12 final_exponentiation(const Fq12& f)
{
    const Fq12 t = easy_part(f);
    // Hard part times m = 2x(6x^2 + 3x + 1), after Fuentes-Castaneda, Knapp, Rodriguez-Henriquez,
    // "Faster hashing to G2" (2011): m (p^4 - p^2 + 1)/r = l0 + l1 p + l2 p^2 + l3 p^3 with
    //   l0 = 12x^3 + 12x^2 + 6x + 1,  l1 = 12x^3 + 6x^2 + 4x,
    //   l2 = 12x^3 + 6x^2 + 6x,       l3 = 12x^3 + 6x^2 + 4x - 1   (an identity of integers).
    const Fq12 a = t.cyclotomic_exp_by_x();   // t^x
    const Fq12 b = a.cyclotomic_square();     // t^2x
    const Fq12 c = b.cyclotomic_square();     // t^4x
    const Fq12 d = c * b;                     // t^6x
    const Fq12 e = d.cyclotomic_exp_by_x();   // t^6x^2
    const Fq12 f2 = e.cyclotomic_square();    // t^12x^2
    const Fq12 g = f2.cyclotomic_exp_by_x();  // t^12x^3
    const Fq12 k1 = g * e * c;                // t^l1
    const Fq12 k2 = k1 * b;                   // t^l2
    const Fq12 k3 = k1 * t.conjugate();       // t^l3
    const Fq12 k0 = g * f2 * d * t;           // t^l0
    return k0 * k1.frobenius() * k2.frobenius2() * k3.frobenius3();
}

Fq12 final_exponentiation_exact(const Fq12& f)
{
    const Fq12 t = easy_part(f);
    // Hard part (p^4 - p^2 + 1)/r exactly, after Scott, Benger, Charlemagne, Dominguez Perez,
    // Kachisa, "On the final exponentiation for calculating pairings on ordinary elliptic curves"
    // (2009): (p^4 - p^2 + 1)/r = l0 + l1 p + l2 p^2 + l3 p^3 with
    //   l3 = 1, l2 = 6x^2 + 1, l1 = -36x^3 - 18x^2 - 12x + 1, l0 = -36x^3 - 30x^2 - 18x - 2,
    // evaluated as y0 y1^2 y2^6 y3^12 y4^18 y5^30 y6^36 by a vectorial addition chain.
    const Fq12 fx = t.cyclotomic_exp_by_x();
    const Fq12 fx2 = fx.cyclotomic_exp_by_x();
    const Fq12 fx3 = fx2.cyclotomic_exp_by_x();

    const Fq12 y0 = t.frobenius() * t.frobenius2() * t.frobenius3();
    const Fq12 y1 = t.conjugate();
    const Fq12 y2 = fx2.frobenius2();
    const Fq12 y3 = fx.frobenius().conjugate();
    const Fq12 y4 = (fx * fx2.frobenius()).conjugate();
    const Fq12 y5 = fx2.conjugate();
    const Fq12 y6 = (fx3 * fx3.frobenius()).conjugate();

    Fq12 t0 = y6.cyclotomic_square() * y4 * y5;
    Fq12 t1 = y3 * y5 * t0;
    t0 *= y2;
    t1 = t1.cyclotomic_square() * t0;
    t1 = t1.cyclotomic_square();
    t0 = t1 * y1;
    t1 *= y0;
    return t0.cyclotomic_square() * t1;
}

Fq12 pairing(const G1Affine& p, const G2Affine& q) { return final_exponentiation(miller_loop(p, q)); }

bool pairing_check(std::span<const std::pair<G1Affine, G2Affine>> pairs)
{
    return final_exponentiation(multi_miller_loop(pairs)).is_one();
}

}  // namespace provernet::math
