#include "math/bn254.hpp"
#include "math/fq2.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace provernet::math;

namespace {

template <class F>
F random_element(std::mt19937_64& rng)
{
    U256 x(rng(), rng(), rng(), rng() >> 3);
    return F::from_u256_reduce(x);
}

// Schoolbook (a * b) mod p on plain integers, independent of the Montgomery code.
U256 mulmod_reference(const U256& a, const U256& b, const U256& p)
{
    U256 r;
    for (int i = int(b.bit_length()) - 1; i >= 0; --i) {
        U256 d;
        uint64_t carry = U256::add(d, r, r);
        U256 s;
        if (carry || U256::sub(s, d, p) == 0)
            U256::sub(d, d, p);
        r = d;
        if (b.bit(unsigned(i))) {
            carry = U256::add(d, r, a);
            if (carry || U256::sub(s, d, p) == 0)
                U256::sub(d, d, p);
            r = d;
        }
    }
    return r;
}

}  // namespace

TEST(U256, DecimalRoundTrip)
{
    const char* s = "21888242871839275222246405745257275088696311157297823662689037894645226208583";
    auto u = U256::from_decimal(s);
    ASSERT_TRUE(u);
    EXPECT_EQ(*u, Fq::modulus);
    EXPECT_EQ(u->to_decimal(), s);
    EXPECT_EQ(U256(0).to_decimal(), "0");
    EXPECT_EQ(U256(10000000000000000000ull).to_decimal(), "10000000000000000000");
    EXPECT_FALSE(U256::from_decimal(""));
    EXPECT_FALSE(U256::from_decimal("12a"));
    EXPECT_FALSE(U256::from_decimal("-1"));
    // 2^256 overflows.
    EXPECT_FALSE(U256::from_decimal("115792089237316195423570985008687907853269984665640564039457584007913129639936"));
    EXPECT_TRUE(U256::from_decimal("115792089237316195423570985008687907853269984665640564039457584007913129639935"));
    EXPECT_EQ(U256::from_hex("0x1f")->limb[0], 31u);
}

TEST(Field, CanonicalOnly)
{
    EXPECT_FALSE(Fq::from_canonical(Fq::modulus));
    U256 pm1;
    U256::sub(pm1, Fq::modulus, U256(1));
    ASSERT_TRUE(Fq::from_canonical(pm1));
    EXPECT_EQ(*Fq::from_canonical(pm1) + Fq::one(), Fq::zero());
    EXPECT_FALSE(Fr::from_decimal("21888242871839275222246405745257275088548364400416034343698204186575808495617"));
}

template <class F>
void check_field_laws()
{
    std::mt19937_64 rng(42);
    for (int i = 0; i < 2000; ++i) {
        const F a = random_element<F>(rng), b = random_element<F>(rng), c = random_element<F>(rng);
        EXPECT_EQ((a * b).to_u256(), mulmod_reference(a.to_u256(), b.to_u256(), F::modulus));
        EXPECT_EQ(a * (b + c), a * b + a * c);
        EXPECT_EQ(a - b + b, a);
        EXPECT_EQ(a.square(), a * a);
        EXPECT_EQ(F::from_u256_unchecked(a.to_u256()), a);
        if (!a.is_zero()) {
            EXPECT_EQ(a * a.inverse(), F::one());
            EXPECT_EQ(a.inverse(), a.inverse_ct());
        }
    }
    EXPECT_EQ(F::from_int(-5) + F::from_uint(5), F::zero());
    EXPECT_EQ(F::zero().inverse(), F::zero());
    EXPECT_EQ(F::one().inverse(), F::one());
    EXPECT_EQ((-F::one()).inverse(), -F::one());
}

TEST(Field, FqLaws) { check_field_laws<Fq>(); }
TEST(Field, FrLaws) { check_field_laws<Fr>(); }

TEST(Field, EdgeValues)
{
    // Values near the modulus exercise the final conditional subtraction.
    U256 pm1;
    U256::sub(pm1, Fq::modulus, U256(1));
    const Fq m1 = *Fq::from_canonical(pm1);
    EXPECT_EQ(m1 * m1, Fq::one());
    EXPECT_EQ((m1 * m1 * m1).to_u256(), pm1);
    EXPECT_EQ(m1.square().to_u256(), U256(1));
}

TEST(Field, BatchInverse)
{
    std::mt19937_64 rng(7);
    std::vector<Fr> xs(100), scratch(100);
    for (auto& x : xs)
        x = random_element<Fr>(rng);
    xs[17] = Fr::zero();
    auto orig = xs;
    batch_inverse(xs.data(), xs.size(), scratch.data());
    for (size_t i = 0; i < xs.size(); ++i)
        EXPECT_EQ(xs[i], orig[i].inverse());
}

TEST(Fq2, Laws)
{
    std::mt19937_64 rng(3);
    for (int i = 0; i < 500; ++i) {
        const Fq2 a{random_element<Fq>(rng), random_element<Fq>(rng)};
        const Fq2 b{random_element<Fq>(rng), random_element<Fq>(rng)};
        EXPECT_EQ(a.square(), a * a);
        EXPECT_EQ(a * a.inverse(), Fq2::one());
        const Fq2 xi{Fq::from_uint(9), Fq::from_uint(1)};
        EXPECT_EQ(a.mul_by_xi(), a * xi);
        EXPECT_EQ((a * b).conjugate(), a.conjugate() * b.conjugate());
    }
    // u^2 = -1
    const Fq2 u{Fq::zero(), Fq::one()};
    EXPECT_EQ(u * u, -Fq2::one());
}

#if defined(PROVERNET_USE_ASM)
// The x86-64 fast path against the portable code it replaces, on random and extreme operands.
template <class F>
void check_asm_matches_portable()
{
    std::mt19937_64 rng(11);
    U256 pm1;
    U256::sub(pm1, F::modulus, U256(1));
    std::vector<U256> specials = {U256(0), U256(1), U256(2), pm1, F::r1, F::r2, U256(~0ull, 0, 0, 0),
                                  U256(~0ull, ~0ull, ~0ull, F::modulus.limb[3] - 1)};
    auto check = [](const U256& x, const U256& y) {
        uint64_t fast[4], slow[4];
        detail::mont_mul_x86_64(fast, x.limb.data(), y.limb.data(), F::modulus_and_inv);
        detail::mont_mul_portable(slow, x.limb.data(), y.limb.data(), F::modulus.limb.data(), F::inv);
        EXPECT_EQ(U256(fast[0], fast[1], fast[2], fast[3]), U256(slow[0], slow[1], slow[2], slow[3]))
            << x.to_hex() << " * " << y.to_hex();
    };
    for (const U256& x : specials)
        for (const U256& y : specials) {
            check(x, y);
            const F a = F::from_raw(x), b = F::from_raw(y);
            EXPECT_EQ(a + b, F::add_portable(a, b));
            EXPECT_EQ(a - b, F::sub_portable(a, b));
        }
    for (int i = 0; i < 100000; ++i) {
        const F a = F::from_u256_reduce(U256(rng(), rng(), rng(), rng()));
        const F b = F::from_u256_reduce(U256(rng(), rng(), rng(), rng()));
        check(a.raw(), b.raw());
        EXPECT_EQ(a + b, F::add_portable(a, b));
        EXPECT_EQ(a - b, F::sub_portable(a, b));
    }
}

TEST(Field, AsmMatchesPortableFq) { check_asm_matches_portable<Fq>(); }
TEST(Field, AsmMatchesPortableFr) { check_asm_matches_portable<Fr>(); }
#endif
