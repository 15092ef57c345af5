// Poseidon: the generated parameters reproduce circomlib's hashes for every width, and the
// gadget agrees with the native hash at the minimal constraint count.
#include "circuit/poseidon.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace provernet::circuit;
using provernet::math::Fr;
using provernet::math::U256;

namespace {

Fr dec(const char* s) { return *Fr::from_decimal(s); }

std::vector<Fr> iota_inputs(size_t n)
{
    std::vector<Fr> v;
    for (size_t i = 0; i < n; ++i)
        v.push_back(Fr::from_uint(i + 1));
    return v;
}

Fr random_fr(std::mt19937_64& rng)
{
    U256 v(rng(), rng(), rng(), rng() >> 3);
    return Fr::from_u256_reduce(v);
}

// poseidon([1, 2, ..., n]) for n = 1..16 as computed by circomlib 2.0.5's Poseidon(n) circuit:
// compiled with circom2 0.2.23, witness from snarkjs 0.7.6 `wtns calculate` (the packages pinned
// in tools/package.json).
const char* const kIotaVectors[16] = {
    "18586133768512220936620570745912940619677854269274689475585506675881198879027",
    "7853200120776062878684798364095072458815029376092732009249414926327459813530",
    "6542985608222806190361240322586112750744169038454362455181422643027100751666",
    "18821383157269793795438455681495246036402687001665670618754263018637548127333",
    "6183221330272524995739186171720101788151706631170188140075976616310159254464",
    "20400040500897583745843009878988256314335038853985262692600694741116813247201",
    "12748163991115452309045839028154629052133952896122405799815156419278439301912",
    "18604317144381847857886385684060986177838410221561136253933256952257712543953",
    "13589767895268936107593642967621470491511464502761040466226072462545218539640",
    "3657500514307717306974218405144578736633140001277925127187636780142269815841",
    "3572015662710076994097916907865950486270383304442561406230608893458731714472",
    "2501997477381648492950318384533644783248002172679259592360114615426357826485",
    "7041832639553862712666971417715061873827921493498355005117622707743491651590",
    "8354478399926161176778659061636406690034081872658507739535256090879947077494",
    "4203130618016961831408770638653325366880478848856764494148034853759773445968",
    "9989051620750914585850546081941653841776809718687451684622678807385399211877",
};

}  // namespace

TEST(Poseidon, CircomlibPublishedVectors)
{
    // circomlib's own test vectors (test/poseidoncircuit.js).
    EXPECT_EQ(poseidon_hash(Fr::from_uint(1), Fr::from_uint(2)),
              dec("7853200120776062878684798364095072458815029376092732009249414926327459813530"));
    EXPECT_EQ(poseidon_hash(Fr::from_uint(3), Fr::from_uint(4)),
              dec("14763215145315200506921711489642608356394854266165572616578112107564877678998"));
    const std::vector<Fr> a = {Fr::from_uint(1), Fr::from_uint(2), Fr::zero(), Fr::zero(), Fr::zero()};
    EXPECT_EQ(poseidon_hash(a), dec("1018317224307729531995786483840663576608797660851238720571059489595066344487"));
    const std::vector<Fr> b = {Fr::from_uint(3), Fr::from_uint(4), Fr::from_uint(5), Fr::from_uint(10),
                               Fr::from_uint(23)};
    EXPECT_EQ(poseidon_hash(b), dec("13034429309846638789535561449942021891039729847501137143363028890275222221409"));
    const std::vector<Fr> one = {Fr::from_uint(1)};
    EXPECT_EQ(poseidon_hash(one), dec("18586133768512220936620570745912940619677854269274689475585506675881198879027"));
    // The empty-subtree hash of Poseidon Merkle trees (tornado-style): poseidon([0, 0]).
    EXPECT_EQ(poseidon_hash(Fr::zero(), Fr::zero()),
              dec("14744269619966411208579211824598458697587494354926760081771325075741142829156"));
}

TEST(Poseidon, EveryWidthMatchesCircomlib)
{
    for (size_t n = 1; n <= 16; ++n)
        EXPECT_EQ(poseidon_hash(iota_inputs(n)), dec(kIotaVectors[n - 1])) << n << " inputs";
}

TEST(Poseidon, LargeInputsMatchCircomlib)
{
    // Inputs (p - 1 - i * 12345678901234567890123456789) mod p, i = 0..n-1, through circomlib.
    const Fr step = dec("12345678901234567890123456789");
    auto inputs = [&](size_t n) {
        std::vector<Fr> v;
        for (size_t i = 0; i < n; ++i)
            v.push_back(-Fr::one() - Fr::from_uint(i) * step);
        return v;
    };
    EXPECT_EQ(poseidon_hash(inputs(2)), dec("12042331714321100876014499574071941741451500291979616895163674131251113616243"));
    EXPECT_EQ(poseidon_hash(inputs(5)), dec("13149494811791257933760533721806665604118769562184307329839851728493551932327"));
    EXPECT_EQ(poseidon_hash(inputs(16)), dec("18329406915121087416254634530584829847698185246795415012456185842734380775660"));
}

// The sparse form used for hashing equals the textbook permutation.
TEST(Poseidon, SparseFormEqualsTextbookForm)
{
    std::mt19937_64 rng(5);
    for (size_t n = 1; n <= 16; ++n) {
        EXPECT_EQ(poseidon_hash_reference(iota_inputs(n)), dec(kIotaVectors[n - 1])) << n << " inputs";
        for (int trial = 0; trial < 3; ++trial) {
            std::vector<Fr> in;
            for (size_t i = 0; i < n; ++i)
                in.push_back(random_fr(rng));
            EXPECT_EQ(poseidon_hash(in), poseidon_hash_reference(in)) << n << " inputs";
        }
    }
}

TEST(Poseidon, Parameters)
{
    for (size_t t = 2; t <= 17; ++t) {
        const PoseidonParams& p = poseidon_params(t);
        EXPECT_EQ(p.t, t);
        EXPECT_EQ(p.full_rounds, 8u);
        EXPECT_EQ(p.round_constants.size(), (8 + p.partial_rounds) * t);
        EXPECT_EQ(p.mds.size(), t * t);
        EXPECT_EQ(p.pre_partial_mds.size(), t * t);
        EXPECT_EQ(p.partial_constants.size(), p.partial_rounds * t);
        EXPECT_EQ(p.sparse_row.size(), p.partial_rounds * t);
        EXPECT_EQ(p.sparse_col.size(), p.partial_rounds * (t - 1));
        EXPECT_EQ(&p, &poseidon_params(t));  // generated once
    }
    EXPECT_EQ(poseidon_partial_rounds(3), 57u);
    EXPECT_EQ(poseidon_partial_rounds(17), 68u);
    EXPECT_THROW(poseidon_params(1), std::invalid_argument);
    EXPECT_THROW(poseidon_params(18), std::invalid_argument);
    EXPECT_THROW(poseidon_hash(std::span<const Fr>()), std::invalid_argument);
    EXPECT_THROW(poseidon_hash(iota_inputs(17)), std::invalid_argument);
}

TEST(Poseidon, GadgetMatchesNativeAtMinimalCost)
{
    // 3 * (8 t + R_P) - 3 for n inputs, t = n + 1.
    const size_t expected[17] = {0, 213, 240, 261, 297, 321, 354, 381, 402, 417, 459, 465, 504, 543, 537, 573, 609};
    std::mt19937_64 rng(3);
    for (size_t n = 1; n <= 16; ++n) {
        std::vector<Fr> in;
        for (size_t i = 0; i < n; ++i)
            in.push_back(random_fr(rng));
        for (Mode mode : {Mode::full, Mode::witness_only}) {
            Builder b(mode);
            std::vector<Signal> s;
            for (size_t i = 0; i < n; ++i)
                s.push_back(b.private_input("in", in[i]));
            const Signal h = poseidon(b, s);
            EXPECT_EQ(h.value(), poseidon_hash(in)) << n;
            EXPECT_EQ(b.constraint_count(), expected[n]) << n << " inputs";
            EXPECT_EQ(poseidon_constraint_count(n), expected[n]);
            if (mode == Mode::full) {
                EXPECT_FALSE(b.first_violation(b.values()));
            }
        }
    }
}

TEST(Poseidon, EveryWireIsBound)
{
    for (size_t n : {1, 2, 5}) {
        Builder b;
        std::vector<Signal> s;
        for (size_t i = 0; i < n; ++i)
            s.push_back(b.private_input("in", Fr::from_uint(100 + i)));
        b.public_output("hash", poseidon(b, s));
        ASSERT_FALSE(b.first_violation(b.values()));
        for (uint32_t w = 1; w < b.wire_count(); ++w) {
            auto values = b.values();
            values[w] += Fr::one();
            EXPECT_TRUE(b.first_violation(values)) << "wire " << w;
        }
    }
}

TEST(Poseidon, WitnessOnlyModeMatchesFullMode)
{
    auto circuit = [](Builder& b) {
        const Signal x = b.private_input("x", Fr::from_uint(5)), y = b.public_input("y", Fr::from_uint(6));
        const std::array<Signal, 3> in = {x, y, x + y};
        b.public_output("h", poseidon(b, poseidon(b, x, y), poseidon(b, in)));
    };
    Builder full(Mode::full), fast(Mode::witness_only);
    circuit(full);
    circuit(fast);
    EXPECT_EQ(full.witness_file().values, fast.witness_file().values);
    EXPECT_EQ(full.constraint_count(), 240u + 261 + 240 + 1);
    EXPECT_EQ(fast.constraint_count(), full.constraint_count());
}

TEST(Poseidon, ConstantInputsAreCheaper)
{
    Builder b;
    const Signal x = b.private_input("x", Fr::from_uint(9));
    const Signal h = poseidon(b, Builder::constant(7), x);
    EXPECT_EQ(h.value(), poseidon_hash(Fr::from_uint(7), Fr::from_uint(9)));
    EXPECT_EQ(b.constraint_count(), 237u);  // the constant's first S-box is free
    const Signal k = poseidon(b, Builder::constant(1), Builder::constant(2));
    EXPECT_TRUE(k.is_constant());
    EXPECT_EQ(k.value(), dec(kIotaVectors[1]));
    EXPECT_EQ(b.constraint_count(), 237u);
}
