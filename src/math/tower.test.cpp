// Field laws of the pairing tower Fq6 = Fq2[v]/(v^3 - xi), Fq12 = Fq6[w]/(w^2 - v), and of the
// special-purpose operations (sparse products, Frobenius maps, cyclotomic squaring) checked
// against their generic definitions.
#include "math/fq12.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace provernet::math;

namespace {

// Minimal unsigned big integers (little-endian 64-bit limbs) for exponents such as p^3.
using Big = std::vector<uint64_t>;

Big big(const U256& a) { return Big(a.limb.begin(), a.limb.end()); }

Big big_mul(const Big& a, const Big& b)
{
    Big r(a.size() + b.size(), 0);
    for (size_t i = 0; i < a.size(); ++i) {
        uint64_t carry = 0;
        for (size_t j = 0; j < b.size(); ++j) {
            const u128 t = u128(a[i]) * b[j] + r[i + j] + carry;
            r[i + j] = uint64_t(t);
            carry = uint64_t(t >> 64);
        }
        r[i + b.size()] = carry;
    }
    return r;
}

Big p_pow(int k)
{
    Big r{1};
    for (int i = 0; i < k; ++i)
        r = big_mul(r, big(Fq::modulus));
    return r;
}

Fq random_fq(std::mt19937_64& rng) { return Fq::from_u256_reduce(U256(rng(), rng(), rng(), rng() >> 2)); }
Fq2 random_fq2(std::mt19937_64& rng) { return {random_fq(rng), random_fq(rng)}; }
Fq6 random_fq6(std::mt19937_64& rng) { return {random_fq2(rng), random_fq2(rng), random_fq2(rng)}; }
Fq12 random_fq12(std::mt19937_64& rng) { return {random_fq6(rng), random_fq6(rng)}; }

// f^((p^6 - 1)(p^2 + 1)) by generic operations only: an element of the cyclotomic subgroup.
Fq12 to_cyclotomic(const Fq12& f)
{
    const Fq12 t = f.pow(p_pow(6)) * f.inverse();  // f^(p^6 - 1)
    return t.pow(p_pow(2)) * t;
}

const Fq2 xi{Fq::from_uint(9), Fq::from_uint(1)};

}  // namespace

TEST(Fq6, FieldLaws)
{
    std::mt19937_64 rng(61);
    EXPECT_TRUE(Fq6::one().is_one());
    EXPECT_TRUE(Fq6::zero().is_zero());
    EXPECT_TRUE(Fq6::zero().inverse().is_zero());
    for (int i = 0; i < 50; ++i) {
        const Fq6 a = random_fq6(rng), b = random_fq6(rng), c = random_fq6(rng);
        EXPECT_EQ((a * b) * c, a * (b * c));
        EXPECT_EQ(a * b, b * a);
        EXPECT_EQ(a * (b + c), a * b + a * c);
        EXPECT_EQ((a + b) - b, a);
        EXPECT_EQ(a + (-a), Fq6::zero());
        EXPECT_EQ(a.dbl(), a + a);
        EXPECT_EQ(a * Fq6::one(), a);
        EXPECT_EQ(a.square(), a * a);
        EXPECT_EQ(a * a.inverse(), Fq6::one());
        EXPECT_EQ(a.inverse().inverse(), a);
        EXPECT_EQ(a * b.c0, (a * Fq6{b.c0, Fq2::zero(), Fq2::zero()}));
    }
}

TEST(Fq6, TowerStructure)
{
    // v^3 = xi, and v generates a cubic extension: v, v^2 are not in Fq2.
    const Fq6 v{Fq2::zero(), Fq2::one(), Fq2::zero()};
    EXPECT_EQ(v * v * v, (Fq6{xi, Fq2::zero(), Fq2::zero()}));
    std::mt19937_64 rng(62);
    for (int i = 0; i < 20; ++i) {
        const Fq6 a = random_fq6(rng);
        const Fq2 b0 = random_fq2(rng), b1 = random_fq2(rng);
        EXPECT_EQ(a.mul_by_v(), a * v);
        EXPECT_EQ(a.mul_by_01(b0, b1), (a * Fq6{b0, b1, Fq2::zero()}));
    }
}

TEST(Fq6, Frobenius)
{
    std::mt19937_64 rng(63);
    for (int i = 0; i < 10; ++i) {
        const Fq6 a = random_fq6(rng), b = random_fq6(rng);
        EXPECT_EQ(a.frobenius(), a.pow(Fq::modulus));
        EXPECT_EQ(a.frobenius2(), a.frobenius().frobenius());
        EXPECT_EQ(a.frobenius3(), a.frobenius2().frobenius());
        EXPECT_EQ(a.frobenius3().frobenius3(), a);
        EXPECT_EQ((a * b).frobenius(), a.frobenius() * b.frobenius());
    }
}

TEST(Fq12, FieldLaws)
{
    std::mt19937_64 rng(121);
    EXPECT_TRUE(Fq12::one().is_one());
    EXPECT_TRUE(Fq12::zero().is_zero());
    EXPECT_TRUE(Fq12::zero().inverse().is_zero());
    for (int i = 0; i < 50; ++i) {
        const Fq12 a = random_fq12(rng), b = random_fq12(rng), c = random_fq12(rng);
        EXPECT_EQ((a * b) * c, a * (b * c));
        EXPECT_EQ(a * b, b * a);
        EXPECT_EQ(a * (b + c), a * b + a * c);
        EXPECT_EQ((a + b) - b, a);
        EXPECT_EQ(a + (-a), Fq12::zero());
        EXPECT_EQ(a * Fq12::one(), a);
        EXPECT_EQ(a.square(), a * a);
        EXPECT_EQ(a * a.inverse(), Fq12::one());
        EXPECT_EQ(a.inverse().inverse(), a);
        EXPECT_EQ((a * b).conjugate(), a.conjugate() * b.conjugate());
    }
}

TEST(Fq12, TowerStructure)
{
    // w^2 = v and w^6 = xi.
    const Fq12 w{Fq6::zero(), Fq6::one()};
    const Fq12 v{{Fq2::zero(), Fq2::one(), Fq2::zero()}, Fq6::zero()};
    EXPECT_EQ(w.square(), v);
    EXPECT_EQ(w.square() * w.square() * w.square(), (Fq12{{xi, Fq2::zero(), Fq2::zero()}, Fq6::zero()}));
}

TEST(Fq12, SparseLineProduct)
{
    std::mt19937_64 rng(122);
    for (int i = 0; i < 30; ++i) {
        const Fq12 a = random_fq12(rng);
        const Fq2 d0 = random_fq2(rng), d3 = random_fq2(rng), d4 = random_fq2(rng);
        const Fq12 l{{d0, Fq2::zero(), Fq2::zero()}, {d3, d4, Fq2::zero()}};
        EXPECT_EQ(a.mul_by_034(d0, d3, d4), a * l);
    }
}

TEST(Fq12, PowGeneric)
{
    std::mt19937_64 rng(123);
    const Fq12 a = random_fq12(rng);
    EXPECT_EQ(a.pow(U256(0)), Fq12::one());
    EXPECT_EQ(a.pow(U256(1)), a);
    EXPECT_EQ(a.pow(U256(5)), a * a * a * a * a);
    const U256 e(rng(), rng(), rng(), rng());
    const Big eb = {e.limb[0], e.limb[1], e.limb[2], e.limb[3], 0, 0};  // leading zero limbs
    EXPECT_EQ(a.pow(e), a.pow(eb));
    // a^(p^12 - 1) = 1 for a != 0, i.e. a^(p^12) = a.
    EXPECT_EQ(a.pow(p_pow(12)), a);
}

TEST(Fq12, FrobeniusConstants)
{
    const auto& g = detail::frobenius_coeffs();
    // gamma1[1] = xi^((p-1)/6): its sixth power is xi^(p-1) = conj(xi)/xi.
    Fq2 g6 = Fq2::one();
    for (int k = 0; k < 6; ++k) {
        EXPECT_EQ(g.gamma1[k], g6);
        EXPECT_EQ(g.gamma2[k], (g.gamma1[k] * g.gamma1[k].conjugate()).c0);
        EXPECT_EQ(g.gamma3[k], g.gamma1[k] * g.gamma2[k]);
        g6 *= g.gamma1[1];
    }
    EXPECT_EQ(g6 * xi, xi.conjugate());
    // gamma2[1] = xi^((p^2-1)/6) is a primitive sixth root of unity in Fq.
    EXPECT_TRUE(g.gamma2[1].pow(U256(6)).is_one());
    EXPECT_FALSE(g.gamma2[1].pow(U256(2)).is_one());
    EXPECT_FALSE(g.gamma2[1].pow(U256(3)).is_one());
    // The published values (arkworks FROBENIUS_COEFF_FP12_C1[1], go-ethereum bn256
    // xiToPMinus1Over6 and xiToPSquaredMinus1Over6).
    EXPECT_EQ(g.gamma1[1].c0.to_decimal(), "8376118865763821496583973867626364092589906065868298776909617916018768340080");
    EXPECT_EQ(g.gamma1[1].c1.to_decimal(), "16469823323077808223889137241176536799009286646108169935659301613961712198316");
    EXPECT_EQ(g.gamma2[1].to_decimal(), "21888242871839275220042445260109153167277707414472061641714758635765020556617");
}

TEST(Fq12, Frobenius)
{
    std::mt19937_64 rng(124);
    for (int i = 0; i < 5; ++i) {
        const Fq12 a = random_fq12(rng), b = random_fq12(rng);
        EXPECT_EQ(a.frobenius(), a.pow(Fq::modulus));
        EXPECT_EQ(a.frobenius2(), a.pow(p_pow(2)));
        EXPECT_EQ(a.frobenius3(), a.pow(p_pow(3)));
        EXPECT_EQ(a.frobenius2(), a.frobenius().frobenius());
        EXPECT_EQ(a.frobenius3(), a.frobenius2().frobenius());
        // x^(p^6) is the conjugation c0 + c1 w -> c0 - c1 w.
        EXPECT_EQ(a.frobenius3().frobenius3(), a.conjugate());
        EXPECT_EQ(a.pow(p_pow(6)), a.conjugate());
        EXPECT_EQ((a * b).frobenius(), a.frobenius() * b.frobenius());
        Fq12 x = a;
        for (int k = 0; k < 12; ++k)
            x = x.frobenius();
        EXPECT_EQ(x, a);
    }
}

TEST(Fq12, CyclotomicSquare)
{
    std::mt19937_64 rng(125);
    // 1 is cyclotomic; so are products, inverses (= conjugates) and Frobenius images.
    EXPECT_EQ(Fq12::one().cyclotomic_square(), Fq12::one());
    for (int i = 0; i < 5; ++i) {
        const Fq12 f = random_fq12(rng);
        const Fq12 c = to_cyclotomic(f);
        // In the cyclotomic subgroup: c^(p^4 - p^2 + 1) = 1, and the inverse is the conjugate.
        EXPECT_EQ(c.frobenius2().frobenius2() * c, c.frobenius2());
        EXPECT_EQ(c * c.conjugate(), Fq12::one());
        EXPECT_EQ(c.cyclotomic_square(), c.square());
        EXPECT_EQ(c.cyclotomic_square().cyclotomic_square(), c.square().square());
        const Fq12 d = c.frobenius() * to_cyclotomic(random_fq12(rng));
        EXPECT_EQ(d.cyclotomic_square(), d.square());
        // Off the subgroup the shortcut is wrong (so the test above means something).
        EXPECT_NE(f.cyclotomic_square(), f.square());
        // x^bn254_x by NAF and cyclotomic squarings.
        EXPECT_EQ(c.cyclotomic_exp_by_x(), c.pow(U256(bn254_x)));
    }
}
