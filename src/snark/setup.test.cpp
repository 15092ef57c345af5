// Tests of the development powers-of-tau generator (ptau_new.hpp), the snarkjs ceremony
// primitives and the Groth16 phase-2 setup (setup.hpp). Every file is made here, in a mkdtemp
// directory; the snarkjs cross-checks (powersoftau verify, zkey verify) are in
// interop/setup_interop_test.sh.
#include "snark/testing/temp_dir.hpp"
#include "snark/setup.hpp"

#include "math/msm.hpp"
#include "math/ntt.hpp"
#include "math/pairing.hpp"
#include "snark/binfile.hpp"
#include "snark/groth16_prover.hpp"
#include "snark/groth16_verifier.hpp"
#include "snark/ptau.hpp"
#include "snark/ptau_new.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

using namespace provernet::math;
using namespace provernet::snark;
using namespace provernet::snark::ceremony;

namespace {

using provernet::testing::TempDir;

std::string hex(const uint8_t* p, size_t n)
{
    static const char* d = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += d[p[i] >> 4];
        s += d[p[i] & 15];
    }
    return s;
}
template <size_t N>
std::string hex(const std::array<uint8_t, N>& a, size_t n = N)
{
    return hex(a.data(), n);
}

bool same_ratio(const G1Affine& a, const G1Affine& b, const G2Affine& c, const G2Affine& d)
{
    // e(a, d) == e(b, c)
    const std::pair<G1Affine, G2Affine> pairs[] = {{a, d}, {-b, c}};
    return pairing_check(pairs);
}

// ------------------------------------------------------------------------------------------
// Primitives

TEST(Blake2b, KnownAnswers)
{
    EXPECT_EQ(hex(blake2b_512("abc", 3)),
              "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d3"
              "8aa8dbf1925ab92386edd4009923");  // RFC 7693 appendix A
    EXPECT_EQ(hex(blake2b_512("", 0)),
              "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a68"
              "5b1448b755d56f701afe9be2ce");
    EXPECT_EQ(hex(Blake2b(32).update("abc", 3).digest(), 32),
              "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

TEST(Blake2b, IncrementalAndPartialStateMatchOneShot)
{
    std::mt19937_64 rng(7);
    std::vector<uint8_t> data(1000);
    for (auto& b : data)
        b = uint8_t(rng());
    for (size_t split : {0, 1, 63, 127, 128, 129, 255, 256, 257, 640, 999, 1000}) {
        const Hash64 want = blake2b_512(data.data(), data.size());
        Blake2b h;
        h.update(data.data(), split);
        // Re-chunk the rest unevenly.
        Blake2b g = h;
        for (size_t i = split; i < data.size();) {
            const size_t n = std::min<size_t>(data.size() - i, 1 + rng() % 200);
            g.update(data.data() + i, n);
            i += n;
        }
        EXPECT_EQ(g.digest(), want) << split;
        // Saving the state as snarkjs's partial hash and resuming gives the same digest.
        const auto partial = h.partial_state();
        Blake2b r = Blake2b::from_partial_state(partial.data());
        r.update(data.data() + split, data.size() - split);
        EXPECT_EQ(r.digest(), want) << split;
        // digest() does not disturb the state.
        (void)h.digest();
        h.update(data.data() + split, data.size() - split);
        EXPECT_EQ(h.digest(), want) << split;
    }
}

TEST(ChaCha, MatchesFfjavascript)
{
    // ffjavascript: new ChaCha([1,2,3,4,5,6,7,8]).nextU32() x 20
    const uint32_t want[20] = {2291208717, 2715286880, 1416238553, 4170631896, 311912724,  2096473245, 2663528302,
                               2947898305, 1171138527, 4066554118, 1598815824, 1331018903, 4275377581, 2401186972,
                               3977139214, 1817675323, 4002199677, 2558236986, 2290969732, 3530802522};
    ChaChaRng rng({1, 2, 3, 4, 5, 6, 7, 8});
    for (uint32_t w : want)
        EXPECT_EQ(rng.next_u32(), w);
    ChaChaRng a({1, 2, 3, 4, 5, 6, 7, 8});
    EXPECT_EQ(a.next_u64(), (uint64_t(2291208717u) << 32) | 2715286880u);
}

G2Affine g2_from_decimal(const char* x0, const char* x1, const char* y0, const char* y1)
{
    return {Fq2{*Fq::from_decimal(x0), *Fq::from_decimal(x1)}, Fq2{*Fq::from_decimal(y0), *Fq::from_decimal(y1)}};
}

TEST(HashToG2, MatchesSnarkjs)
{
    // snarkjs keypair.hashToG2(curve, blake2b-512(msg)), as affine decimal coordinates.
    const char* msg = "provernet hash_to_g2 test";
    const Hash64 h = blake2b_512(msg, std::strlen(msg));
    EXPECT_EQ(hex(h), "defaf2e4a53cae08e5d989d1ec41ac0bce5960eeb153764b9fabdec5540c1ac3e68e35ee2d7781c0ca37edc170227d73"
                      "e9508a6d8e0a1a34637c9b1d0be7dc63");
    EXPECT_EQ(hash_to_g2(h),
              g2_from_decimal("9037117241743299996504572414966943535293738060112090463193296321527669387349",
                              "17129862392854068530999627005976367237503941504651942754094806569078989375492",
                              "4795863568091782366488235913346756592092136513603883054299019287326640285832",
                              "3296633786019583279918658916619911904613357459441778014771535448144685728008"));
    EXPECT_EQ(hash_to_g2(blake2b_512("", 0)),
              g2_from_decimal("19468973466918215679587852875525643710485557314013750006669550250668290823814",
                              "5573066579746301339401478151040738629284444701761388371503048415880456771047",
                              "12175378000775798858301036339650909451030751104678530594423404221084433814679",
                              "19530554080243930112463489784323422270471740926830736834486775568922064980664"));
    EXPECT_TRUE(hash_to_g2(h).is_valid());
}

TEST(Sqrt, Fq2RootsSquareBack)
{
    std::mt19937_64 rng(3);
    int squares = 0;
    for (int i = 0; i < 40; ++i) {
        const Fq2 a{Fq::from_uint(rng()), Fq::from_uint(rng())};
        const Fq2 s = a.square();
        const auto r = fq2_sqrt(s);
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->square(), s);
        if (fq2_sqrt(a))
            ++squares;
    }
    EXPECT_GT(squares, 5);  // about half are squares
    EXPECT_LT(squares, 35);
    EXPECT_TRUE(fq2_sqrt(Fq2{Fq::from_int(-4), Fq::zero()}).has_value());  // (2u)^2 = -4
    EXPECT_FALSE(fq_sqrt(Fq::from_int(-1)).has_value());                    // q = 3 mod 4
}

TEST(Encoding, UncompressedAndCompressed)
{
    uint8_t u[64], c[32];
    g1_uncompressed(G1Affine::generator(), u);
    for (int i = 0; i < 64; ++i)
        EXPECT_EQ(u[i], i == 31 ? 1 : i == 63 ? 2 : 0) << i;
    g1_compressed(G1Affine::generator(), c);
    for (int i = 0; i < 32; ++i)
        EXPECT_EQ(c[i], i == 31 ? 1 : 0);
    g1_compressed(-G1Affine::generator(), c);  // y = q - 2 is the larger root
    EXPECT_EQ(c[0], 0x80);
    g1_compressed(G1Affine::infinity(), c);
    EXPECT_EQ(c[0], 0x40);
    g1_uncompressed(G1Affine::infinity(), u);
    EXPECT_EQ(std::count(u, u + 64, 0), 64);
    uint8_t u2[128];
    g2_uncompressed(G2Affine::generator(), u2);
    uint8_t be[32];
    G2Affine::generator().x.c1.to_u256().to_le_bytes(be);
    std::reverse(be, be + 32);
    EXPECT_EQ(std::memcmp(u2, be, 32), 0);  // (c1, c0) order
}

// ------------------------------------------------------------------------------------------
// write_new_ptau

class NewPTau : public ::testing::Test {
protected:
    static constexpr uint32_t kPower = 5;
    static void SetUpTestSuite()
    {
        dir_ = new TempDir;
        path_ = dir_->file("pot5.ptau");
        PTauNewOptions o;
        double last = -1;
        o.progress = [&](std::string_view, double done) {
            EXPECT_GE(done, last);
            last = done;
        };
        result_ = new PTauNewResult(write_new_ptau(path_, kPower, o));
        EXPECT_DOUBLE_EQ(last, 1.0);
    }
    static void TearDownTestSuite()
    {
        delete result_;
        delete dir_;
    }
    static TempDir* dir_;
    static std::string path_;
    static PTauNewResult* result_;
};
TempDir* NewPTau::dir_ = nullptr;
std::string NewPTau::path_;
PTauNewResult* NewPTau::result_ = nullptr;

TEST_F(NewPTau, ParsesAsPreparedPTau)
{
    const PTau p = PTau::open(path_);  // checks every section size
    EXPECT_EQ(p.power(), kPower);
    EXPECT_EQ(p.ceremony_power(), kPower);
    EXPECT_TRUE(p.prepared());
    EXPECT_EQ(p.n_contributions(), 1u);
    // Every point canonical and on its curve (the readers check), G2 in the subgroup.
    for (auto s : {PTauSection::tau_g1, PTauSection::alpha_tau_g1, PTauSection::beta_tau_g1,
                   PTauSection::lagrange_tau_g1, PTauSection::lagrange_alpha_tau_g1,
                   PTauSection::lagrange_beta_tau_g1})
        EXPECT_NO_THROW(p.g1_points(s, 0, p.point_count(s)));
    for (auto s : {PTauSection::tau_g2, PTauSection::beta_g2, PTauSection::lagrange_tau_g2})
        EXPECT_NO_THROW(p.g2_points(s, 0, p.point_count(s), G2Check::subgroup));
    EXPECT_NE(describe_file(path_).find("phase 2 ready:   yes"), std::string::npos);
}

TEST_F(NewPTau, PowersFollowTau)
{
    const PTau p = PTau::open(path_);
    const uint64_t n = uint64_t(1) << kPower;
    const auto t1 = p.g1_points(PTauSection::tau_g1, 0, 2 * n - 1);
    const auto t2 = p.g2_points(PTauSection::tau_g2, 0, n);
    const auto a1 = p.g1_points(PTauSection::alpha_tau_g1, 0, n);
    const auto b1 = p.g1_points(PTauSection::beta_tau_g1, 0, n);
    const auto b2 = p.g2_points(PTauSection::beta_g2, 0, 1)[0];
    const G2Affine g2 = G2Affine::generator();
    EXPECT_EQ(t1[0], G1Affine::generator());
    EXPECT_EQ(t2[0], g2);
    for (uint64_t i : {uint64_t(0), uint64_t(1), n - 2, 2 * n - 3}) {
        EXPECT_TRUE(same_ratio(t1[i], t1[i + 1], g2, t2[1])) << i;  // tauG1[i+1] = tau tauG1[i]
    }
    for (uint64_t i : {uint64_t(0), n - 2}) {
        EXPECT_TRUE(same_ratio(t1[1], t1[0], t2[i + 1], t2[i])) << i;
        EXPECT_TRUE(same_ratio(a1[i], a1[i + 1], g2, t2[1])) << i;
        EXPECT_TRUE(same_ratio(b1[i], b1[i + 1], g2, t2[1])) << i;
    }
    EXPECT_TRUE(same_ratio(t1[0], b1[0], g2, b2));  // betaG2 = beta G2
    EXPECT_FALSE(same_ratio(t1[0], a1[0], g2, b2));
}

TEST_F(NewPTau, LagrangeBlocksInterpolateThePowers)
{
    // sum_i w^(ij) L_i(tau) = tau^j on each domain of size m = 2^k (j < m).
    const PTau p = PTau::open(path_);
    const auto t1 = p.g1_points(PTauSection::tau_g1, 0, p.point_count(PTauSection::tau_g1));
    const auto t2 = p.g2_points(PTauSection::tau_g2, 0, p.point_count(PTauSection::tau_g2));
    const auto a1 = p.g1_points(PTauSection::alpha_tau_g1, 0, p.point_count(PTauSection::alpha_tau_g1));
    const auto b1 = p.g1_points(PTauSection::beta_tau_g1, 0, p.point_count(PTauSection::beta_tau_g1));
    auto scalars = [](unsigned k, uint64_t j) {
        const uint64_t m = uint64_t(1) << k;
        const Fr wj = root_of_unity(k).pow(U256(j));
        std::vector<U256> s(m);
        Fr x = Fr::one();
        for (uint64_t i = 0; i < m; ++i, x *= wj)
            s[i] = x.to_u256();
        return s;
    };
    for (unsigned k = 0; k <= kPower; ++k) {
        const uint64_t m = uint64_t(1) << k;
        const auto lt1 = p.lagrange_g1(PTauSection::lagrange_tau_g1, k);
        const auto lt2 = p.lagrange_g2(k);
        const auto la1 = p.lagrange_g1(PTauSection::lagrange_alpha_tau_g1, k);
        const auto lb1 = p.lagrange_g1(PTauSection::lagrange_beta_tau_g1, k);
        for (uint64_t j : {uint64_t(0), m / 2, m - 1}) {
            const auto s = scalars(k, j);
            EXPECT_EQ(msm(std::span<const G1Affine>(lt1), s).to_affine(), t1[j]) << k << " " << j;
            EXPECT_EQ(msm(std::span<const G2Affine>(lt2), s).to_affine(), t2[j]) << k << " " << j;
            EXPECT_EQ(msm(std::span<const G1Affine>(la1), s).to_affine(), a1[j]) << k << " " << j;
            EXPECT_EQ(msm(std::span<const G1Affine>(lb1), s).to_affine(), b1[j]) << k << " " << j;
        }
    }
    // The extra block of section 12 (size 2^(power+1)) is, as snarkjs computes it, the inverse
    // FFT of the powers with the last one (tau^(2m-1), not in the file) replaced by zero.
    const unsigned k = kPower + 1;
    const uint64_t m = uint64_t(1) << k;
    const auto lt1 = p.lagrange_g1(PTauSection::lagrange_tau_g1, k);
    for (uint64_t j : {uint64_t(0), uint64_t(1), m - 2})
        EXPECT_EQ(msm(std::span<const G1Affine>(lt1), scalars(k, j)).to_affine(), t1[j]) << j;
    EXPECT_TRUE(msm(std::span<const G1Affine>(lt1), scalars(k, m - 1)).is_infinity());
}

TEST_F(NewPTau, ContributionCarriesValidProofsAndHashes)
{
    // What `snarkjs powersoftau verify` checks of the (only) contribution, redone here.
    const PTau p = PTau::open(path_);
    const auto sec = p.file().section(7, "contributions");
    SectionReader rd(path_, "contributions", sec);
    ASSERT_EQ(rd.u32(), 1u);
    auto g1 = [&] {
        G1Affine a;
        std::memcpy(&a, rd.bytes(64).data(), 64);
        return a;
    };
    auto g2 = [&] {
        G2Affine a;
        std::memcpy(&a, rd.bytes(128).data(), 128);
        return a;
    };
    const G1Affine tau_g1 = g1();
    const G2Affine tau_g2 = g2();
    const G1Affine alpha_g1 = g1(), beta_g1 = g1();
    const G2Affine beta_g2 = g2();
    G1Affine g1_s[3], g1_sx[3];
    G2Affine g2_spx[3];
    for (int i = 0; i < 3; ++i) {
        g1_s[i] = g1();
        g1_sx[i] = g1();
    }
    for (auto& x : g2_spx)
        x = g2();
    const auto partial = rd.bytes(216);
    Hash64 next;
    std::memcpy(next.data(), rd.bytes(64).data(), 64);
    EXPECT_EQ(rd.u32(), 0u);  // type: contribution
    const uint32_t param_len = rd.u32();
    const auto params = rd.bytes(param_len);
    rd.expect_end();
    ASSERT_GE(param_len, 2u);
    EXPECT_EQ(params[0], 1);  // name
    EXPECT_NE(std::string(params.begin() + 2, params.end()).find("NOT for production"), std::string::npos);

    const Hash64 challenge = first_challenge_hash(kPower);
    for (int i = 0; i < 3; ++i) {
        uint8_t buf[1 + 64 + 128];
        buf[0] = uint8_t(i);
        std::memcpy(buf + 1, challenge.data(), 64);
        g1_uncompressed(g1_s[i], buf + 65);
        g1_uncompressed(g1_sx[i], buf + 129);
        const G2Affine sp = hash_to_g2(blake2b_512(buf, sizeof buf));
        EXPECT_TRUE(same_ratio(g1_s[i], g1_sx[i], sp, g2_spx[i])) << i;
    }
    // The secrets the keys prove are the ones in the sections.
    const G1Affine g = G1Affine::generator();
    const G2Affine h = G2Affine::generator();
    const auto sp0 = [&] {
        uint8_t buf[1 + 64 + 128];
        buf[0] = 0;
        std::memcpy(buf + 1, challenge.data(), 64);
        g1_uncompressed(g1_s[0], buf + 65);
        g1_uncompressed(g1_sx[0], buf + 129);
        return hash_to_g2(blake2b_512(buf, sizeof buf));
    }();
    EXPECT_TRUE(same_ratio(g, tau_g1, sp0, g2_spx[0]));
    EXPECT_TRUE(same_ratio(g1_s[0], g1_sx[0], h, tau_g2));
    EXPECT_TRUE(same_ratio(g1_s[2], g1_sx[2], h, beta_g2));
    EXPECT_EQ(p.g1_points(PTauSection::tau_g1, 1, 1)[0], tau_g1);
    EXPECT_EQ(p.g2_points(PTauSection::tau_g2, 1, 1)[0], tau_g2);
    EXPECT_EQ(p.g1_points(PTauSection::alpha_tau_g1, 0, 1)[0], alpha_g1);
    EXPECT_EQ(p.g1_points(PTauSection::beta_tau_g1, 0, 1)[0], beta_g1);

    // Response hash = the partial hash resumed with the public key; next challenge = blake2b of
    // the response hash and every point of sections 2-6, uncompressed.
    Blake2b resp = Blake2b::from_partial_state(partial.data());
    uint8_t pub[6 * 64 + 3 * 128];
    for (int i = 0; i < 3; ++i) {
        g1_uncompressed(g1_s[i], pub + 128 * i);
        g1_uncompressed(g1_sx[i], pub + 128 * i + 64);
        g2_uncompressed(g2_spx[i], pub + 384 + 128 * i);
    }
    resp.update(pub, sizeof pub);
    const Hash64 response = resp.digest();
    EXPECT_EQ(response, result_->response_hash);
    Blake2b nh;
    nh.update(response.data(), 64);
    for (auto s : {PTauSection::tau_g1, PTauSection::tau_g2, PTauSection::alpha_tau_g1, PTauSection::beta_tau_g1,
                   PTauSection::beta_g2}) {
        if (PTau::is_g2(s))
            for (const auto& q : p.g2_points(s, 0, p.point_count(s))) {
                uint8_t u[128];
                g2_uncompressed(q, u);
                nh.update(u, 128);
            }
        else
            for (const auto& q : p.g1_points(s, 0, p.point_count(s))) {
                uint8_t u[64];
                g1_uncompressed(q, u);
                nh.update(u, 64);
            }
    }
    EXPECT_EQ(nh.digest(), next);
    EXPECT_EQ(next, result_->next_challenge);
}

TEST(NewPTauArgs, RejectsBadPowersAndFreshRandomness)
{
    TempDir d("setup");
    EXPECT_THROW(write_new_ptau(d.file("x.ptau"), 0), std::invalid_argument);
    EXPECT_THROW(write_new_ptau(d.file("x.ptau"), kMaxNewPTauPower + 1), std::invalid_argument);
    EXPECT_FALSE(std::filesystem::exists(d.file("x.ptau")));
    const auto r1 = write_new_ptau(d.file("a.ptau"), 1);
    const auto r2 = write_new_ptau(d.file("b.ptau"), 1);
    EXPECT_NE(r1.response_hash, r2.response_hash);  // fresh randomness each time
    EXPECT_NE(PTau::open(d.file("a.ptau")).g1_points(PTauSection::tau_g1, 1, 1)[0],
              PTau::open(d.file("b.ptau")).g1_points(PTauSection::tau_g1, 1, 1)[0]);
    EXPECT_THROW(write_new_ptau("/nonexistent-dir/x.ptau", 1), FormatError);
}

// ------------------------------------------------------------------------------------------
// groth16_setup

// A satisfiable test circuit with every kind of coefficient: constraint i is
//   (sum of a few wires, coefficients +-1, small, large) * (wire +- 1) = c_i * t_i
// where t_i is a fresh wire, so a witness follows from the inputs. Wire 2 (a public input)
// appears in every A with a large coefficient (a many-term combination), wire 0 in most B.
struct TestCircuit {
    R1cs r1cs;
    Witness witness;
};

TestCircuit make_circuit(uint32_t m, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    auto big = [&] { return Fr::from_u256_reduce(U256(rng(), rng(), rng(), rng() >> 3)); };
    TestCircuit tc;
    R1cs& r = tc.r1cs;
    r.header.n_pub_out = 1;
    r.header.n_pub_in = 1;
    r.header.n_prv_in = 3;
    const uint32_t first_internal = 6;  // 0 one, 1 out, 2 in, 3..5 private inputs
    r.header.n_wires = first_internal + (m - 1);
    r.header.n_labels = r.header.n_wires;
    r.header.n_constraints = m;
    std::vector<Fr> w(r.header.n_wires);
    w[0] = Fr::one();
    for (uint32_t i = 2; i < first_internal; ++i)
        w[i] = big();
    auto target = [&](uint32_t i) { return i + 1 == m ? 1u : first_internal + i; };
    for (uint32_t i = 0; i < m; ++i) {
        R1csConstraint c;
        const uint32_t known = i == 0 ? first_internal : first_internal + i;  // wires with values so far
        auto pick = [&] {
            uint32_t x = uint32_t(rng() % known);
            return x == 1 ? 2u : x;  // wire 1 is the last constraint's target
        };
        auto coef = [&] {
            switch (rng() % 5) {
            case 0:
                return Fr::one();
            case 1:
                return -Fr::one();
            case 2:
                return Fr::from_uint(rng() % 1000 + 2);
            case 3:
                return -Fr::from_uint(rng() % 1000 + 2);
            default:
                return big();
            }
        };
        c.a.push_back({2, big()});
        for (int k = 0; k < 2; ++k)
            c.a.push_back({pick(), coef()});
        if (i % 7 == 0)
            c.a.push_back({pick(), Fr::zero()});  // a zero coefficient
        c.b.push_back({pick(), coef()});
        if (i % 3 != 0)
            c.b.push_back({0, i % 2 ? Fr::one() : -Fr::one()});
        const Fr ci = i % 4 == 0 ? Fr::one() : coef();
        c.c.push_back({target(i), ci});
        Fr a = Fr::zero(), b = Fr::zero();
        for (const auto& t : c.a)
            a += t.coef * w[t.wire];
        for (const auto& t : c.b)
            b += t.coef * w[t.wire];
        w[target(i)] = a * b * ci.inverse();
        r.constraints.push_back(std::move(c));
    }
    tc.witness.values.resize(w.size());
    for (size_t i = 0; i < w.size(); ++i)
        tc.witness.values[i] = w[i].to_u256();
    return tc;
}

class Setup : public ::testing::Test {
protected:
    static constexpr uint32_t kConstraints = 450;  // domain 512 (450 + 2 public + 1)
    static void SetUpTestSuite()
    {
        dir_ = new TempDir;
        ptau_ = dir_->file("pot10.ptau");
        write_new_ptau(ptau_, 10);
        circuit_ = new TestCircuit(make_circuit(kConstraints, 11));
    }
    static void TearDownTestSuite()
    {
        delete circuit_;
        delete dir_;
    }
    static TempDir* dir_;
    static std::string ptau_;
    static TestCircuit* circuit_;
};
TempDir* Setup::dir_ = nullptr;
std::string Setup::ptau_;
TestCircuit* Setup::circuit_ = nullptr;

TEST_F(Setup, InitialKeyMatchesDefinition)
{
    const PTau p = PTau::open(ptau_);
    const R1cs& r = circuit_->r1cs;
    SetupOptions o;
    o.contribute = false;
    SetupResult res;
    const ZKey z = groth16_setup_key(r, p, o, &res);
    const uint32_t m = kConstraints, n_pub = 2, n_vars = r.header.n_wires;
    ASSERT_EQ(z.header.domain_size, 512u);
    EXPECT_EQ(res.domain_size, 512u);
    EXPECT_EQ(z.header.n_public, n_pub);
    EXPECT_EQ(z.header.gamma2, G2Affine::generator());
    EXPECT_EQ(z.header.delta1, G1Affine::generator());
    EXPECT_EQ(z.header.delta2, G2Affine::generator());
    EXPECT_EQ(z.header.alpha1, p.g1_points(PTauSection::alpha_tau_g1, 0, 1)[0]);
    EXPECT_EQ(z.header.beta2, p.g2_points(PTauSection::beta_g2, 0, 1)[0]);

    // Reference: every combination term by term with plain scalar multiplications.
    const auto lt1 = p.lagrange_g1(PTauSection::lagrange_tau_g1, 9);
    const auto lt2 = p.lagrange_g2(9);
    const auto la1 = p.lagrange_g1(PTauSection::lagrange_alpha_tau_g1, 9);
    const auto lb1 = p.lagrange_g1(PTauSection::lagrange_beta_tau_g1, 9);
    std::vector<G1> a(n_vars, G1::infinity()), b1(n_vars, G1::infinity()), l(n_vars, G1::infinity());
    std::vector<G2> b2(n_vars, G2::infinity());
    size_t coef_index = 0;
    for (uint32_t i = 0; i < m; ++i) {
        const auto& c = r.constraints[i];
        for (const auto& t : c.a) {
            const U256 k = t.coef.to_u256();
            a[t.wire] += lt1[i].to_jacobian().mul(k);
            l[t.wire] += lb1[i].to_jacobian().mul(k);
            const ZKeyCoef& zc = z.coefs[coef_index++];
            EXPECT_EQ(zc.matrix, 0u);
            EXPECT_EQ(zc.constraint, i);
            EXPECT_EQ(zc.signal, t.wire);
            EXPECT_EQ(zc.coefficient(), t.coef);
        }
        for (const auto& t : c.b) {
            const U256 k = t.coef.to_u256();
            b1[t.wire] += lt1[i].to_jacobian().mul(k);
            b2[t.wire] += lt2[i].to_jacobian().mul(k);
            l[t.wire] += la1[i].to_jacobian().mul(k);
            const ZKeyCoef& zc = z.coefs[coef_index++];
            EXPECT_EQ(zc.matrix, 1u);
            EXPECT_EQ(zc.coefficient(), t.coef);
        }
        for (const auto& t : c.c)
            l[t.wire] += lt1[i].to_jacobian().mul(t.coef.to_u256());
    }
    for (uint32_t s = 0; s <= n_pub; ++s) {
        a[s] = a[s].add_mixed(lt1[m + s]);
        l[s] = l[s].add_mixed(lb1[m + s]);
        const ZKeyCoef& zc = z.coefs[coef_index++];
        EXPECT_EQ(zc.matrix, 0u);
        EXPECT_EQ(zc.constraint, m + s);
        EXPECT_EQ(zc.signal, s);
        EXPECT_EQ(zc.coefficient(), Fr::one());
    }
    EXPECT_EQ(coef_index, z.coefs.size());
    for (uint32_t s = 0; s < n_vars; ++s) {
        EXPECT_EQ(z.a[s], a[s].to_affine()) << s;
        EXPECT_EQ(z.b1[s], b1[s].to_affine()) << s;
        EXPECT_EQ(z.b2[s], b2[s].to_affine()) << s;
        EXPECT_EQ(s <= n_pub ? z.ic[s] : z.c[s - n_pub - 1], l[s].to_affine()) << s;
    }
    const auto hb = p.lagrange_g1(PTauSection::lagrange_tau_g1, 10);
    for (uint32_t j = 0; j < 512; ++j)
        EXPECT_EQ(z.h[j], hb[2 * j + 1]);
    // Section 10: the circuit hash and no contributions.
    ASSERT_EQ(z.contributions.size(), 68u);
    EXPECT_EQ(std::memcmp(z.contributions.data(), res.circuit_hash.data(), 64), 0);
}

TEST_F(Setup, ContributedKeyProvesAndVerifies)
{
    const std::string zkey_path = dir_->file("circuit.zkey");
    SetupResult res = groth16_setup(circuit_->r1cs, ptau_, zkey_path);
    const ZKey z = read_zkey(zkey_path);
    EXPECT_EQ(z.header.n_contributions, 1u);

    // The same circuit hash as the initial key, and the same IC/A/B sections.
    const PTau p = PTau::open(ptau_);
    SetupOptions o;
    o.contribute = false;
    SetupResult res0;
    const ZKey z0 = groth16_setup_key(circuit_->r1cs, p, o, &res0);
    EXPECT_EQ(res.circuit_hash, res0.circuit_hash);
    EXPECT_EQ(z.ic, z0.ic);
    EXPECT_EQ(z.a, z0.a);
    EXPECT_EQ(z.b1, z0.b1);
    EXPECT_EQ(z.b2, z0.b2);
    EXPECT_EQ(z.coefs.size(), z0.coefs.size());
    // delta1 / delta2 agree, and C, H are the initial ones divided by delta.
    const G1Affine g1 = G1Affine::generator();
    const G2Affine g2 = G2Affine::generator();
    EXPECT_TRUE(same_ratio(g1, z.header.delta1, g2, z.header.delta2));
    EXPECT_NE(z.header.delta1, g1);
    for (size_t i : {size_t(0), z.c.size() / 2, z.c.size() - 1})
        EXPECT_TRUE(same_ratio(z.c[i], z0.c[i], g2, z.header.delta2)) << i;
    for (size_t i : {size_t(0), size_t(511)})
        EXPECT_TRUE(same_ratio(z.h[i], z0.h[i], g2, z.header.delta2)) << i;

    // The contribution's proof of knowledge, as snarkjs zkey verify checks it.
    {
        SectionReader rd(zkey_path, "contributions", z.contributions);
        EXPECT_EQ(std::memcmp(rd.bytes(64).data(), res.circuit_hash.data(), 64), 0);
        EXPECT_EQ(rd.u32(), 1u);
        G1Affine after, s, sx;
        G2Affine spx;
        std::memcpy(&after, rd.bytes(64).data(), 64);
        std::memcpy(&s, rd.bytes(64).data(), 64);
        std::memcpy(&sx, rd.bytes(64).data(), 64);
        std::memcpy(&spx, rd.bytes(128).data(), 128);
        Hash64 transcript;
        std::memcpy(transcript.data(), rd.bytes(64).data(), 64);
        EXPECT_EQ(after, z.header.delta1);
        Blake2b th;
        th.update(res.circuit_hash.data(), 64);
        uint8_t u[64];
        g1_uncompressed(s, u);
        th.update(u, 64);
        g1_uncompressed(sx, u);
        th.update(u, 64);
        EXPECT_EQ(th.digest(), transcript);
        const G2Affine sp = hash_to_g2(transcript);
        EXPECT_TRUE(same_ratio(s, sx, sp, spx));
        EXPECT_TRUE(same_ratio(g1, after, sp, spx));
    }

    // Proofs.
    const ProveResult pr = groth16_prove(z, circuit_->witness);
    const VerificationKey vk = verification_key_from_zkey(z);
    EXPECT_TRUE(groth16_verify(vk, pr.public_signals, pr.proof));
    ASSERT_EQ(pr.public_signals.size(), 2u);
    std::vector<U256> wrong_public = pr.public_signals;
    wrong_public[1] = (Fr::from_u256_unchecked(wrong_public[1]) + Fr::one()).to_u256();
    EXPECT_FALSE(groth16_verify(vk, wrong_public, pr.proof));

    Witness bad = circuit_->witness;
    bad.values[10] = (Fr::from_u256_unchecked(bad.values[10]) + Fr::one()).to_u256();
    EXPECT_THROW(groth16_prove(z, bad), ProveError);
    ProveOptions no_check;
    no_check.self_check = false;
    const ProveResult bad_proof = groth16_prove(z, bad, no_check);
    EXPECT_FALSE(groth16_verify(vk, bad_proof.public_signals, bad_proof.proof));

    // Two setups of the same circuit: different keys, different identities.
    const ZKey z2 = groth16_setup_key(circuit_->r1cs, p);
    const VerificationKey vk2 = verification_key_from_zkey(z2);
    EXPECT_NE(circuit_identity(vk), circuit_identity(vk2));
    EXPECT_EQ(circuit_identity(vk), circuit_identity(verification_key_from_zkey(read_zkey(zkey_path))));
    EXPECT_FALSE(groth16_verify(vk2, pr.public_signals, pr.proof));
}

TEST_F(Setup, DomainRuleAndErrors)
{
    const PTau p = PTau::open(ptau_);
    // 2^(floor(log2(nConstraints + nPublic)) + 1): 509 or 511 rows -> 512, 512 rows -> 1024.
    for (auto [m, want] : {std::pair{507u, 512u}, {509u, 512u}, {510u, 1024u}, {1021u, 1024u}}) {
        const TestCircuit tc = make_circuit(m, m);
        SetupOptions o;
        o.contribute = false;
        SetupResult res;
        const ZKey z = groth16_setup_key(tc.r1cs, p, o, &res);
        EXPECT_EQ(z.header.domain_size, want) << m;
        if (m == 1021) {
            EXPECT_EQ(z.header.domain_size, 1u << p.power());  // the ptau's full size
        }
    }
    const TestCircuit too_big = make_circuit(1022, 5);  // 1024 rows -> domain 2048 > 2^10
    try {
        groth16_setup_key(too_big.r1cs, p);
        ADD_FAILURE() << "no SetupError";
    } catch (const SetupError& e) {
        EXPECT_NE(std::string(e.what()).find("2^11"), std::string::npos) << e.what();
    }
    // A ptau without the phase-2 sections.
    {
        const BinFile& f = p.file();
        const std::string unprepared = dir_->file("unprepared.ptau");
        BinWriter w(unprepared, "ptau", 1);
        for (uint32_t t = 1; t <= 7; ++t) {
            const auto s = f.section(t, "");
            w.begin_section(t);
            w.bytes(s.data(), s.size());
            w.end_section();
        }
        w.finish();
        EXPECT_THROW(groth16_setup_key(circuit_->r1cs, PTau::open(unprepared)), SetupError);
    }
    // An inconsistent constraint system.
    R1cs broken = circuit_->r1cs;
    broken.constraints[3].c.push_back({broken.header.n_wires, Fr::one()});
    EXPECT_THROW(groth16_setup_key(broken, p), SetupError);
}

TEST(CircuitIdentity, KnownAnswerAndSensitivity)
{
    VerificationKey vk;
    vk.n_public = 1;
    vk.alpha1 = G1Affine::generator();
    vk.beta2 = vk.gamma2 = vk.delta2 = G2Affine::generator();
    vk.ic = {G1Affine::generator(), G1Affine::generator()};
    // BLAKE2b-256 of the documented encoding, computed independently (Python hashlib).
    EXPECT_EQ(circuit_identity(vk), "6ba0633d815a42d4854f984e2c479e22c0c60fd926afef4b3f00798d10692cc9");
    VerificationKey v2 = vk;
    v2.delta2 = G2::generator().dbl().to_affine();
    EXPECT_NE(circuit_identity(v2), circuit_identity(vk));
    v2 = vk;
    v2.ic[1] = G1::generator().dbl().to_affine();
    EXPECT_NE(circuit_identity(v2), circuit_identity(vk));
    v2 = vk;
    v2.ic.pop_back();
    EXPECT_THROW(circuit_identity(v2), std::invalid_argument);
}

}  // namespace
