// The BN254 optimal ate pairing: published values (canonical, zcash/bn, snarkjs), bilinearity,
// the exponents of both final exponentiations, multi-pairing, infinity handling, and the
// EIP-197 precompile test vectors.
#include "math/pairing.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace provernet::math;

namespace {

using Pair = std::pair<G1Affine, G2Affine>;

U256 random_scalar(std::mt19937_64& rng) { return Fr::from_u256_reduce(U256(rng(), rng(), rng(), rng() >> 2)).to_u256(); }
Fr random_fr(std::mt19937_64& rng) { return Fr::from_u256_reduce(U256(rng(), rng(), rng(), rng() >> 2)); }
G1Affine g1_mul(const U256& k) { return G1::generator().mul(k).to_affine(); }
G2Affine g2_mul(const U256& k) { return G2::generator().mul(k).to_affine(); }
U256 mul_mod_r(const U256& a, const U256& b) { return (Fr::from_u256_unchecked(a) * Fr::from_u256_unchecked(b)).to_u256(); }

Fq fq(const char* decimal) { return *Fq::from_decimal(decimal); }
Fq2 fq2(const char* c0, const char* c1) { return {fq(c0), fq(c1)}; }

// m = 2x(6x^2 + 3x + 1) for x = bn254_x: final_exponentiation = final_exponentiation_exact^m.
const U256 m_fc = u256_from_hex_literal("0x3bec47df15e307c81ea96b02d9d9e38d2e5d4e223ddedaf4");

// Minimal unsigned big integers (little-endian 64-bit limbs) for the exponent (p^12 - 1)/r.
using Big = std::vector<uint64_t>;
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
// Quotient of a by d by binary long division; the remainder goes to *rem.
Big big_div(const Big& a, const U256& d, U256* rem)
{
    Big q(a.size(), 0);
    U256 r;
    for (size_t i = a.size() * 64; i-- > 0;) {
        // r = 2r + bit; r < d < 2^255 so 2r + 1 fits.
        r = U256((r.limb[0] << 1) | ((a[i / 64] >> (i % 64)) & 1), (r.limb[1] << 1) | (r.limb[0] >> 63),
                 (r.limb[2] << 1) | (r.limb[1] >> 63), (r.limb[3] << 1) | (r.limb[2] >> 63));
        if (r >= d) {
            U256::sub(r, r, d);
            q[i / 64] |= uint64_t(1) << (i % 64);
        }
    }
    *rem = r;
    return q;
}

Fq12 random_fq12(std::mt19937_64& rng)
{
    auto f = [&] { return Fq::from_u256_reduce(U256(rng(), rng(), rng(), rng() >> 2)); };
    auto f2 = [&] { return Fq2{f(), f()}; };
    auto f6 = [&] { return Fq6{f2(), f2(), f2()}; };
    return {f6(), f6()};
}

// The published value of e(G1, G2) for the EIP-197 generators with the exact final exponent
// (p^12 - 1)/r, in this tower's coordinates: the GT generator of sdiehl/elliptic-curve
// (src/Curve/Field/BN254TF.hs, `_g`) and the BN256 GenGt string of IBM/mathlib's
// TestGt_String; also what a py_ecc-style textbook implementation (affine lines in
// Fq[w]/(w^12 - 18 w^6 + 82), f^((p^12 - 1)/r)) computes.
Fq12 published_e_g1_g2()
{
    return {{fq2("8493334370784016972005089913588211327688223499729897951716206968320726508021",
                 "3758435817766288188804561253838670030762970764366672594784247447067868088068"),
             fq2("6565798094314091391201231504228224566495939541538094766881371862976727043038",
                 "14656606573936501743457633041048024656612227301473084805627390748872617280984"),
             fq2("634997487638609332803583491743335852620873788902390365055086820718589720118",
                 "19455424343576886430889849773367397946457449073528455097210946839000147698372")},
            {fq2("20049218015652006197026173611347504489508678646783216776320737476707192559881",
                 "18059168546148152671857026372711724379319778306792011146784665080987064164612"),
             fq2("12145052038566888241256672223106590273978429515702193755778990643425246950730",
                 "17918828665069491344039743589118342552553375221610735811112289083834142789347"),
             fq2("6223602427219597392892794664899549544171383137467762280768257680446283161705",
                 "7484542354754424633621663080190936924481536615300815203692506276894207018007")}};
}

// EIP-197 input: k * 192 bytes, each x1 y1 (G1) then x2.c1 x2.c0 y2.c1 y2.c0 (G2, imaginary
// part first), 32-byte big-endian words.
std::vector<Pair> parse_eip197(std::string_view hex)
{
    std::vector<Pair> out;
    auto word = [&](size_t i) {
        const auto u = U256::from_hex("0x" + std::string(hex.substr(i * 64, 64)));
        EXPECT_TRUE(u.has_value());
        const auto f = Fq::from_canonical(*u);
        EXPECT_TRUE(f.has_value());
        return *f;
    };
    EXPECT_EQ(hex.size() % 384, 0u);
    for (size_t k = 0; k < hex.size() / 384; ++k) {
        const size_t w = k * 6;
        const G1Affine p{word(w), word(w + 1)};
        const G2Affine q{{word(w + 3), word(w + 2)}, {word(w + 5), word(w + 4)}};
        EXPECT_TRUE(p.is_valid());
        EXPECT_TRUE(q.is_valid());
        out.push_back({p, q});
    }
    return out;
}

struct Eip197Vector {
    const char* name;
    bool expected;
    const char* input;
};

// From go-ethereum core/vm/testdata/precompiles/bn256Pairing.json (the EIP-197 vectors).
const Eip197Vector eip197_vectors[] = {
    {"jeff1", true,
     "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678745"
     "fc819b55d3e9d294e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7"
     "04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cfd0c"
     "a2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550"
     "111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c2032c61a830e3c17286de9462bf242fc"
     "a2883585b93870a73853face6a6bf411198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
     "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"},
    {"jeff2", true,
     "2eca0c7238bf16e83e7a1e6c5d49540685ff51380f309842a98561558019fc0203d3260361bb8451de5ff5ecd17f010f"
     "f22f5c31cdf184e9020b06fa5997db841213d2149b006137fcfb23036606f848d638d576a120ca981b5b1a5f9300b3ee"
     "2276cf730cf493cd95d64677bbb75fc42db72513a4c1e387b476d056f80aa75f21ee6226d31426322afcda621464d061"
     "1d226783262e21bb3bc86b537e986237096df1f82dff337dd5972e32a8ad43e28a78a96a823ef1cd4debe12b6552ea5f"
     "06967a1237ebfeca9aaae0d6d0bab8e28c198c5a339ef8a2407e31cdac516db922160fa257a5fd5b280642ff47b65eca"
     "77e626cb685c84fa6d3b6882a283ddd1198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
     "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"},
    {"jeff3", true,
     "0f25929bcb43d5a57391564615c9e70a992b10eafa4db109709649cf48c50dd216da2f5cb6be7a0aa72c440c53c9bbdf"
     "ec6c36c7d515536431b3a865468acbba2e89718ad33c8bed92e210e81d1853435399a271913a6520736a4729cf0d51eb"
     "01a9e2ffa2e92599b68e44de5bcf354fa2642bd4f26b259daa6f7ce3ed57aeb314a9a87b789a58af499b314e13c3d65b"
     "ede56c07ea2d418d6874857b70763713178fb49a2d6cd347dc58973ff49613a20757d0fcc22079f9abd10c3baee24590"
     "1b9e027bd5cfc2cb5db82d4dc9677ac795ec500ecd47deee3b5da006d6d049b811d7511c78158de484232fc68daf8a45"
     "cf217d1c2fae693ff5871e8752d73b21198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
     "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"},
    {"jeff4", true,
     "2f2ea0b3da1e8ef11914acf8b2e1b32d99df51f5f4f206fc6b947eae860eddb6068134ddb33dc888ef446b648d723386"
     "84d678d2eb2371c61a50734d78da4b7225f83c8b6ab9de74e7da488ef02645c5a16a6652c3c71a15dc37fe3a5dcb7cb1"
     "22acdedd6308e3bb230d226d16a105295f523a8a02bfc5e8bd2da135ac4c245d065bbad92e7c4e31bf3757f1fe7362a6"
     "3fbfee50e7dc68da116e67d600d9bf6806d302580dc0661002994e7cd3a7f224e7ddc27802777486bf80f40e4ca3cfdb"
     "186bac5188a98c45e6016873d107f5cd131f3a3e339d0375e58bd6219347b008122ae2b09e539e152ec5364e7e2204b0"
     "3d11d3caa038bfc7cd499f8176aacbee1f39e4e4afc4bc74790a4a028aff2c3d2538731fb755edefd8cb48d6ea589b5e"
     "283f150794b6736f670d6a1033f9b46c6f5204f50813eb85c8dc4b59db1c5d39140d97ee4d2b36d99bc49974d18ecca3"
     "e7ad51011956051b464d9e27d46cc25e0764bb98575bd466d32db7b15f582b2d5c452b36aa394b789366e5e3ca5aabd4"
     "15794ab061441e51d01e94640b7e3084a07e02c78cf3103c542bc5b298669f211b88da1679b0b64a63b7e0e7bfe52aae"
     "524f73a55be7fe70c7e9bfc94b4cf0da1213d2149b006137fcfb23036606f848d638d576a120ca981b5b1a5f9300b3ee"
     "2276cf730cf493cd95d64677bbb75fc42db72513a4c1e387b476d056f80aa75f21ee6226d31426322afcda621464d061"
     "1d226783262e21bb3bc86b537e986237096df1f82dff337dd5972e32a8ad43e28a78a96a823ef1cd4debe12b6552ea5f"},
    {"jeff5", true,
     "20a754d2071d4d53903e3b31a7e98ad6882d58aec240ef981fdf0a9d22c5926a29c853fcea789887315916bbeb89ca37"
     "edb355b4f980c9a12a94f30deeed30211213d2149b006137fcfb23036606f848d638d576a120ca981b5b1a5f9300b3ee"
     "2276cf730cf493cd95d64677bbb75fc42db72513a4c1e387b476d056f80aa75f21ee6226d31426322afcda621464d061"
     "1d226783262e21bb3bc86b537e986237096df1f82dff337dd5972e32a8ad43e28a78a96a823ef1cd4debe12b6552ea5f"
     "1abb4a25eb9379ae96c84fff9f0540abcfc0a0d11aeda02d4f37e4baf74cb0c11073b3ff2cdbb38755f8691ea59e9606"
     "696b3ff278acfc098fa8226470d03869217cee0a9ad79a4493b5253e2e4e3a39fc2df38419f230d341f60cb064a0ac29"
     "0a3d76f140db8418ba512272381446eb73958670f00cf46f1d9e64cba057b53c26f64a8ec70387a13e41430ed3ee4a7d"
     "b2059cc5fc13c067194bcc0cb49a98552fd72bd9edb657346127da132e5b82ab908f5816c826acb499e22f2412d1a2d7"
     "0f25929bcb43d5a57391564615c9e70a992b10eafa4db109709649cf48c50dd2198a1f162a73261f112401aa2db79c7d"
     "ab1533c9935c77290a6ce3b191f2318d198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
     "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"},
    {"jeff6", false,
     "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678745"
     "fc819b55d3e9d294e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7"
     "04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cfd0c"
     "a2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550"
     "111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c103188585e2364128fe25c70558f1560"
     "f4f9350baf3959e603cc91486e110936198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
     "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"},
    {"one_point", false,
     "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000"
     "00000000000000000000000000000002198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
     "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"},
    {"two_point_match_2", true,
     "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000"
     "00000000000000000000000000000002198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
     "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
     "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000"
     "00000000000000000000000000000002198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed275dc4a288d1afb3cbb1ac09187524c7"
     "db36395df7be3b99e673b13a075a65ec1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9d"},
    {"two_point_match_3", true,
     "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000"
     "00000000000000000000000000000002203e205db4f19b37b60121b83a7333706db86431c6d835849957ed8c3928ad79"
     "27dc7234fd11d3e8c36c59277c3e6f149d5cd3cfa9a62aee49f8130962b4b3b9195e8aa5b7827463722b8c153931579d"
     "3505566b4edf48d498e185f0509de15204bb53b8977e5f92a0bc372742c4830944a59b4fe6b1c0466e2a6dad122b5d2e"
     "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd31a76dae6d3272396d0cbe61fced2bc53"
     "2edac647851e3ac53ce1cc9c7e645a83198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
     "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"},
    {"two_point_match_4", true,
     "105456a333e6d636854f987ea7bb713dfd0ae8371a72aea313ae0c32c0bf10160cf031d41b41557f3e7e3ba0c51bebe5"
     "da8e6ecd855ec50fc87efcdeac168bcc0476be093a6d2b4bbf907172049874af11e1b6267606e00804d3ff0037ec57fd"
     "3010c68cb50161b7d1d96bb71edfec9880171954e56871abf3d93cc94d745fa114c059d74e5b6c4ec14ae5864ebe23a7"
     "1781d86c29fb8fb6cce94f70d3de7a2101b33461f39d9e887dbb100f170a2345dde3c07e256d1dfa2b657ba5cd030427"
     "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000"
     "000000000000000000000000000000021a2c3013d2ea92e13c800cde68ef56a294b883f6ac35d25f587c09b1b3c635f7"
     "290158a80cd3d66530f74dc94c94adb88f5cdb481acca997b6e60071f08a115f2f997f3dbd66a7afe07fe7862ce239ed"
     "ba9e05c5afff7f8a1259c9733b2dfbb929d1691530ca701b4a106054688728c9972c8512e9789e9567aae23e302ccd75"},
};

}  // namespace

TEST(Pairing, ExponentM)
{
    // m_fc = 2x(6x^2 + 3x + 1): compare with the formula mod 2^128 (its low two limbs).
    const u128 x = bn254_x;
    const u128 m = 2 * x * (6 * x * x + 3 * x + 1);
    EXPECT_EQ(m_fc.limb[0], uint64_t(m));
    EXPECT_EQ(m_fc.limb[1], uint64_t(m >> 64));
    EXPECT_EQ(m_fc.bit_length(), 190u);
}

TEST(Pairing, GeneratorValue)
{
    const Fq12 f = miller_loop(G1Affine::generator(), G2Affine::generator());
    EXPECT_EQ(final_exponentiation_exact(f), published_e_g1_g2());
    EXPECT_EQ(pairing(G1Affine::generator(), G2Affine::generator()), published_e_g1_g2().pow(m_fc));
}

// zcash/bn (and its paritytech fork, used by OpenEthereum's precompile) publishes e(a G1, b G2)
// for two fixed scalars (src/lib.rs, test_reduced_pairing). It uses the Fuentes-Castaneda final
// exponentiation, like pairing().
TEST(Pairing, ZcashBnVector)
{
    const U256 a = *U256::from_decimal("18097487326282793650237947474982649264364522469319914492172746413872781676");
    const U256 b = *U256::from_decimal("20390255904278144451778773028944684152769293537511418234311120800877067946");
    const Fq12 expected{
        {fq2("7520311483001723614143802378045727372643587653754534704390832890681688842501",
             "20265650864814324826731498061022229653175757397078253377158157137251452249882"),
         fq2("11942254371042183455193243679791334797733902728447312943687767053513298221130",
             "759657045325139626991751731924144629256296901790485373000297868065176843620"),
         fq2("16045761475400271697821392803010234478356356448940805056528536884493606035236",
             "4715626119252431692316067698189337228571577552724976915822652894333558784086")},
        {fq2("14901948363362882981706797068611719724999331551064314004234728272909570402962",
             "11093203747077241090565767003969726435272313921345853819385060670210834379103"),
         fq2("17897835398184801202802503586172351707502775171934235751219763553166796820753",
             "1344517825169318161285758374052722008806261739116142912817807653057880346554"),
         fq2("11123896897251094532909582772961906225000817992624500900708432321664085800838",
             "17453370448280081813275586256976217762629631160552329276585874071364454854650")}};
    const G1Affine p = g1_mul(a);
    const G2Affine q = g2_mul(b);
    EXPECT_EQ(pairing(p, q), expected);
    EXPECT_EQ(final_exponentiation_exact(miller_loop(p, q)).pow(m_fc), expected);
    EXPECT_EQ(published_e_g1_g2().pow(mul_mod_r(a, b)).pow(m_fc), expected);
}

// snarkjs (ffjavascript) writes e(alpha, beta) into verification_key.json as vk_alphabeta_12:
// this is the key of a MiMC-sponge circuit set up with `snarkjs groth16 setup` (project fixture).
TEST(Pairing, SnarkjsAlphaBeta)
{
    const G1Affine alpha{fq("17237931884499918021852189793579809945542959643112158431177290290488942495251"),
                         fq("11461394247537434980931364356127821081821589222176095767249566578139762002207")};
    const G2Affine beta{fq2("12322713662673351714717494681025838641170495851109198406085521296371677950972",
                            "489205062897700636373549937021553367472235748112576434391784129333466065820"),
                        fq2("4888718257975773219835550897488011000779806980334141311148644073976392566263",
                            "16809625454731996168689766434746590030441408935419040916040521383740245976792")};
    ASSERT_TRUE(alpha.is_valid());
    ASSERT_TRUE(beta.is_valid());
    // vk_alphabeta_12 = [[c0.c0, c0.c1, c0.c2], [c1.c0, c1.c1, c1.c2]], each Fq2 as [c0, c1].
    const Fq12 expected{
        {fq2("10071413544383437300390123463715389872562945277600612555100035573564732368986",
             "8213886950061088924004435443765659724230961776661646057631878214293375490666"),
         fq2("10453654496875531889550407147572082929265595608413980986250098538880211594146",
             "19098113975131474614984434120986018712981970510334392943152468922034290482692"),
         fq2("14469538664998282288693219459489030466679694794760309735621099440257244304063",
             "12284906883938377376730675382389449946203178151048222641797786611129491279492")},
        {fq2("4196234065885488312069593552057145597013200728001873609482732245019232824861",
             "11851777625632209972381575646482372329427764659105405446017285846633364203006"),
         fq2("20731815077820359437656653637964565388547632905676377281610169731204078898148",
             "4736009067240999693377706530562079340851692994672667113261282807666121311674"),
         fq2("461746275507360068057619631188049722496784635528865453070730465366744256791",
             "16610554181306158188692679145392004048772993890032195567250063548053505914735")}};
    EXPECT_EQ(pairing(alpha, beta), expected);
}

TEST(Pairing, Bilinearity)
{
    std::mt19937_64 rng(197);
    const Fq12 e = pairing(G1Affine::generator(), G2Affine::generator());
    for (int i = 0; i < 4; ++i) {
        const U256 a = random_scalar(rng), b = random_scalar(rng), ab = mul_mod_r(a, b);
        const G1Affine p = g1_mul(random_scalar(rng));
        const G2Affine q = g2_mul(random_scalar(rng));
        const G1Affine ap = G1(p.to_jacobian()).mul(a).to_affine();
        const G1Affine abp = G1(p.to_jacobian()).mul(ab).to_affine();
        const G2Affine bq = G2(q.to_jacobian()).mul(b).to_affine();
        const G2Affine abq = G2(q.to_jacobian()).mul(ab).to_affine();
        const Fq12 epq = pairing(p, q);
        const Fq12 lhs = pairing(ap, bq);
        EXPECT_EQ(lhs, epq.pow(ab));
        EXPECT_EQ(lhs, pairing(abp, q));
        EXPECT_EQ(lhs, pairing(p, abq));
        EXPECT_EQ(pairing(g1_mul(a), g2_mul(b)), e.pow(ab));
    }
}

TEST(Pairing, AdditiveInEachArgument)
{
    std::mt19937_64 rng(198);
    const G1 p1 = G1::generator().mul(random_scalar(rng)), p2 = G1::generator().mul(random_scalar(rng));
    const G2 q1 = G2::generator().mul(random_scalar(rng)), q2 = G2::generator().mul(random_scalar(rng));
    const G1Affine a1 = p1.to_affine(), a2 = p2.to_affine();
    const G2Affine b1 = q1.to_affine(), b2 = q2.to_affine();
    EXPECT_EQ(pairing((p1 + p2).to_affine(), b1), pairing(a1, b1) * pairing(a2, b1));
    EXPECT_EQ(pairing(a1, (q1 + q2).to_affine()), pairing(a1, b1) * pairing(a1, b2));
    EXPECT_EQ(pairing(-a1, b1), pairing(a1, b1).conjugate());
    EXPECT_EQ(pairing(a1, -b1), pairing(a1, b1).inverse());
}

TEST(Pairing, NonDegenerateOfOrderR)
{
    const Fq12 e = pairing(G1Affine::generator(), G2Affine::generator());
    EXPECT_FALSE(e.is_one());
    EXPECT_TRUE(e.pow(Fr::modulus).is_one());
    // Order exactly r (r is prime, so e != 1 suffices; also e^((r-1)/2) != 1 as a spot check).
    EXPECT_FALSE(e.pow(U256(Fr::modulus).shr1()).is_one());
    // GT is in the cyclotomic subgroup: inverse = conjugate.
    EXPECT_EQ(e * e.conjugate(), Fq12::one());
}

TEST(Pairing, FinalExponentiationExponents)
{
    // (p^12 - 1) / r as a big integer, exact division checked.
    Big p12{1};
    const Big p{Fq::modulus.limb.begin(), Fq::modulus.limb.end()};
    for (int i = 0; i < 12; ++i)
        p12 = big_mul(p12, p);
    for (size_t i = 0; i < p12.size(); ++i)  // p^12 - 1 (p^12 is odd, no borrow)
        if (p12[i]-- != 0)
            break;
    U256 rem;
    const Big e = big_div(p12, Fr::modulus, &rem);
    ASSERT_TRUE(rem.is_zero());

    const Big em = big_mul(e, Big(m_fc.limb.begin(), m_fc.limb.end()));

    std::mt19937_64 rng(199);
    for (int i = 0; i < 3; ++i) {
        const Fq12 f = random_fq12(rng);
        const Fq12 exact = final_exponentiation_exact(f);
        EXPECT_EQ(exact, f.pow(e));
        EXPECT_EQ(final_exponentiation(f), exact.pow(m_fc));
        EXPECT_EQ(final_exponentiation(f), f.pow(em));
    }
    // A real Miller loop output, too.
    const Fq12 f = miller_loop(G1Affine::generator(), G2Affine::generator());
    EXPECT_EQ(final_exponentiation_exact(f), f.pow(e));
    EXPECT_EQ(final_exponentiation(f), f.pow(em));
    EXPECT_TRUE(final_exponentiation(Fq12::one()).is_one());
    EXPECT_TRUE(final_exponentiation_exact(Fq12::one()).is_one());
}

TEST(Pairing, MultiMillerLoopIsProductOfMillerLoops)
{
    std::mt19937_64 rng(200);
    std::vector<Pair> pairs;
    Fq12 product = Fq12::one();
    for (int i = 0; i < 4; ++i) {
        pairs.push_back({g1_mul(random_scalar(rng)), g2_mul(random_scalar(rng))});
        product *= miller_loop(pairs.back().first, pairs.back().second);
        EXPECT_EQ(multi_miller_loop(pairs), product);
    }
    EXPECT_TRUE(multi_miller_loop({}).is_one());
}

// Prepared G2 points give the same Miller loop as the same pairs unprepared, in any mix,
// infinity included on either side.
TEST(Pairing, PreparedPairsMatchUnpreparedPairs)
{
    std::mt19937_64 rng(204);
    std::vector<Pair> pairs;
    for (int i = 0; i < 4; ++i)
        pairs.push_back({g1_mul(random_scalar(rng)), g2_mul(random_scalar(rng))});
    pairs.push_back({G1Affine::infinity(), g2_mul(random_scalar(rng))});
    pairs.push_back({g1_mul(random_scalar(rng)), G2Affine::infinity()});
    std::vector<G2Prepared> prepared_q;
    for (const auto& [p, q] : pairs)
        prepared_q.emplace_back(q);
    EXPECT_TRUE(prepared_q[5].is_infinity());
    EXPECT_FALSE(prepared_q[0].is_infinity());
    const Fq12 expected = multi_miller_loop(pairs);
    // The first k pairs unprepared, the rest prepared.
    for (size_t k = 0; k <= pairs.size(); ++k) {
        std::vector<PreparedPair> prepared;
        for (size_t i = k; i < pairs.size(); ++i)
            prepared.push_back({pairs[i].first, &prepared_q[i]});
        EXPECT_EQ(multi_miller_loop(std::span(pairs).first(k), prepared), expected) << k << " unprepared";
    }
    const PreparedPair one{pairs[0].first, &prepared_q[0]};
    EXPECT_EQ(multi_miller_loop({}, std::span(&one, 1)), miller_loop(pairs[0].first, pairs[0].second));
    // A different G1 point with the same lines gives a different value.
    const PreparedPair other{pairs[1].first, &prepared_q[0]};
    EXPECT_NE(multi_miller_loop({}, std::span(&other, 1)), miller_loop(pairs[0].first, pairs[0].second));
}

TEST(Pairing, InfinityContributesOne)
{
    const G1Affine p = G1Affine::generator();
    const G2Affine q = G2Affine::generator();
    EXPECT_TRUE(pairing(G1Affine::infinity(), q).is_one());
    EXPECT_TRUE(pairing(p, G2Affine::infinity()).is_one());
    EXPECT_TRUE(pairing(G1Affine::infinity(), G2Affine::infinity()).is_one());
    EXPECT_TRUE(miller_loop(G1Affine::infinity(), q).is_one());

    const std::vector<Pair> pairs{{p, q}, {G1Affine::infinity(), q}, {-p, q}, {p, G2Affine::infinity()}};
    EXPECT_TRUE(pairing_check(pairs));
    EXPECT_EQ(multi_miller_loop(pairs), multi_miller_loop(std::vector<Pair>{{p, q}, {-p, q}}));
    EXPECT_FALSE(pairing_check(std::vector<Pair>{{p, q}, {G1Affine::infinity(), q}}));
    EXPECT_TRUE(pairing_check(std::vector<Pair>{{G1Affine::infinity(), q}}));
    EXPECT_TRUE(pairing_check({}));
}

TEST(PairingCheck, BilinearPairs)
{
    std::mt19937_64 rng(201);
    for (int i = 0; i < 3; ++i) {
        const U256 a = random_scalar(rng), b = random_scalar(rng), ab = mul_mod_r(a, b);
        const G1Affine p = g1_mul(random_scalar(rng));
        const G2Affine q = g2_mul(random_scalar(rng));
        const G1Affine ap = G1(p.to_jacobian()).mul(a).to_affine();
        const G2Affine bq = G2(q.to_jacobian()).mul(b).to_affine();
        const G1Affine abp = G1(p.to_jacobian()).mul(ab).to_affine();
        EXPECT_TRUE(pairing_check(std::vector<Pair>{{ap, bq}, {-abp, q}}));
        EXPECT_TRUE(pairing_check(std::vector<Pair>{{-abp, q}, {ap, bq}}));
        // Perturbations: a different point, a flipped sign, a dropped or duplicated pair.
        const G1Affine abp1 = (G1(abp.to_jacobian()) + G1(p.to_jacobian())).to_affine();
        EXPECT_FALSE(pairing_check(std::vector<Pair>{{ap, bq}, {-abp1, q}}));
        EXPECT_FALSE(pairing_check(std::vector<Pair>{{ap, bq}, {abp, q}}));
        EXPECT_FALSE(pairing_check(std::vector<Pair>{{ap, bq}, {-abp, bq}}));
        EXPECT_FALSE(pairing_check(std::vector<Pair>{{ap, bq}}));
        EXPECT_FALSE(pairing_check(std::vector<Pair>{{ap, bq}, {-abp, q}, {ap, bq}}));
    }
}

// The Groth16 verifier's equation: e(-A, B) e(alpha, beta) e(L, gamma) e(C, delta) = 1.
TEST(PairingCheck, Groth16Shape)
{
    std::mt19937_64 rng(202);
    for (int i = 0; i < 3; ++i) {
        const Fr alpha = random_fr(rng), beta = random_fr(rng), gamma = random_fr(rng), delta = random_fr(rng);
        const Fr a = random_fr(rng), b = random_fr(rng), l = random_fr(rng);
        const Fr c = (a * b - alpha * beta - l * gamma) * delta.inverse();
        std::vector<Pair> pairs{{-g1_mul(a.to_u256()), g2_mul(b.to_u256())},
                                {g1_mul(alpha.to_u256()), g2_mul(beta.to_u256())},
                                {g1_mul(l.to_u256()), g2_mul(gamma.to_u256())},
                                {g1_mul(c.to_u256()), g2_mul(delta.to_u256())}};
        EXPECT_TRUE(pairing_check(pairs));
        auto bad = pairs;
        bad[3].first = g1_mul((c + Fr::one()).to_u256());
        EXPECT_FALSE(pairing_check(bad));
        bad = pairs;
        std::swap(bad[2].second, bad[3].second);
        EXPECT_FALSE(pairing_check(bad));
        bad = pairs;
        bad[0].first = -bad[0].first;
        EXPECT_FALSE(pairing_check(bad));
    }
}

TEST(PairingCheck, Eip197Vectors)
{
    for (const auto& v : eip197_vectors) {
        SCOPED_TRACE(v.name);
        const auto pairs = parse_eip197(v.input);
        EXPECT_EQ(pairing_check(pairs), v.expected);
    }
}

// The Miller loop's projective steps move T exactly as the group law does.
TEST(PairingSteps, MatchG2GroupLaw)
{
    std::mt19937_64 rng(203);
    for (int i = 0; i < 10; ++i) {
        const G2 t = G2::generator().mul(random_scalar(rng));
        const G2Affine q = g2_mul(random_scalar(rng));
        const G2Affine ta = t.to_affine();
        // A projective representative with Z != 1.
        const Fq2 z{Fq::from_uint(rng() | 1), Fq::from_uint(rng())};
        detail::G2Proj tp{ta.x * z, ta.y * z, z};
        auto to_affine = [](const detail::G2Proj& s) {
            const Fq2 zi = s.z.inverse();
            return G2Affine{s.x * zi, s.y * zi};
        };
        detail::doubling_step(tp);
        EXPECT_EQ(to_affine(tp), t.dbl().to_affine());
        detail::addition_step(tp, q);
        EXPECT_EQ(to_affine(tp), (t.dbl() + q.to_jacobian()).to_affine());
    }
}
