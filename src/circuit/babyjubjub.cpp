// Baby Jubjub constants and native arithmetic (declared in babyjubjub.hpp); the gadgets are in
// babyjubjub_gadgets.cpp.
#include "circuit/babyjubjub.hpp"

namespace provernet::circuit {

using math::U256;

namespace {

Fr from_decimal(const char* s) { return Fr::from_decimal(s).value(); }

// dst = mask ? src : dst, without a branch (mask is all ones or zero).
void select_limbs(Fr& dst, const Fr& src, uint64_t mask)
{
    for (int i = 0; i < 4; ++i)
        dst.v[i] = (dst.v[i] & ~mask) | (src.v[i] & mask);
}

}  // namespace

// ---- Constants ----

const Fr& babyjub_a()
{
    static const Fr a = Fr::from_uint(168700);
    return a;
}

const Fr& babyjub_d()
{
    static const Fr d = Fr::from_uint(168696);
    return d;
}

const Fr& babyjub_montgomery_a()
{
    static const Fr a = Fr::from_uint(168698);
    return a;
}

const BabyJubPoint& babyjub_generator()
{
    static const BabyJubPoint g{
        from_decimal("995203441582195749578291179787384436505546430278305826713579947235728471134"),
        from_decimal("5472060717959818805561601436314318772137091100104008585924551046643952123905")};
    return g;
}

const BabyJubPoint& babyjub_base8()
{
    static const BabyJubPoint b8{
        from_decimal("5299619240641551281634865583518297030282874472190772894086521144482721001553"),
        from_decimal("16950150798460657717958625567821834550301663161624707787222815936182638968203")};
    return b8;
}

// ---- Native arithmetic ----

bool babyjub_on_curve(const BabyJubPoint& p)
{
    const Fr xx = p.x.square(), yy = p.y.square();
    return babyjub_a() * xx + yy == Fr::one() + babyjub_d() * xx * yy;
}

bool babyjub_in_subgroup(const BabyJubPoint& p)
{
    return babyjub_on_curve(p) && babyjub_mul(p, babyjub_order) == babyjub_identity();
}

bool babyjub_has_small_order(const BabyJubPoint& p)
{
    return babyjub_double(babyjub_double(babyjub_double(p))) == babyjub_identity();
}

BabyJubPoint babyjub_add(const BabyJubPoint& p, const BabyJubPoint& q)
{
    const Fr xx = p.x * q.x, yy = p.y * q.y;
    const Fr tau = babyjub_d() * xx * yy;
    return {(p.x * q.y + p.y * q.x) * (Fr::one() + tau).inverse(),
            (yy - babyjub_a() * xx) * (Fr::one() - tau).inverse()};
}

BabyJubPoint babyjub_double(const BabyJubPoint& p) { return babyjub_add(p, p); }

BabyJubPoint babyjub_negate(const BabyJubPoint& p) { return {-p.x, p.y}; }

BabyJubPoint babyjub_mul(const BabyJubPoint& p, const U256& k)
{
    const BabyJubProjective base{p.x, p.y, Fr::one()};
    BabyJubProjective acc{Fr::zero(), Fr::one(), Fr::one()};
    for (int i = 255; i >= 0; --i) {
        acc = babyjub_projective_double(acc);
        const BabyJubProjective sum = babyjub_projective_add(acc, base);
        const uint64_t mask = 0 - uint64_t(k.bit(unsigned(i)));
        select_limbs(acc.x, sum.x, mask);
        select_limbs(acc.y, sum.y, mask);
        select_limbs(acc.z, sum.z, mask);
    }
    const Fr zinv = acc.z.inverse_ct();
    return {acc.x * zinv, acc.y * zinv};
}

std::optional<BabyJubMontgomeryPoint> babyjub_to_montgomery(const BabyJubPoint& p)
{
    if (p.x.is_zero())
        return std::nullopt;
    const Fr u = (Fr::one() + p.y) * (Fr::one() - p.y).inverse();
    return BabyJubMontgomeryPoint{u, u * p.x.inverse()};
}

BabyJubPoint babyjub_from_montgomery(const BabyJubMontgomeryPoint& m)
{
    return {m.u * m.v.inverse(), (m.u - Fr::one()) * (m.u + Fr::one()).inverse()};
}

bool babyjub_montgomery_on_curve(const BabyJubMontgomeryPoint& m)
{
    const Fr uu = m.u.square();
    return m.v.square() == uu * m.u + babyjub_montgomery_a() * uu + m.u;
}

// ---- Projective arithmetic ----

// add-2008-bbjlp and dbl-2008-bbjlp (Bernstein, Birkner, Joye, Lange, Peters: "Twisted Edwards
// curves"), complete for a square a and a non-square d.
BabyJubProjective babyjub_projective_add(const BabyJubProjective& p, const BabyJubProjective& q)
{
    const Fr a = p.z * q.z, b = a.square(), c = p.x * q.x, d = p.y * q.y;
    const Fr e = babyjub_d() * c * d, f = b - e, g = b + e;
    return {a * f * ((p.x + p.y) * (q.x + q.y) - c - d), a * g * (d - babyjub_a() * c), f * g};
}

BabyJubProjective babyjub_projective_double(const BabyJubProjective& p)
{
    const Fr b = (p.x + p.y).square(), c = p.x.square(), d = p.y.square(), e = babyjub_a() * c;
    const Fr f = e + d, j = f - p.z.square().dbl();
    return {(b - c - d) * j, f * (e - d), f * j};
}

}  // namespace provernet::circuit
