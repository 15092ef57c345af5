// Tests of the snarkjs JSON artefacts: proof.json, public.json, verification_key.json.
#include "snark/testing/temp_dir.hpp"
#include "snark/errors.hpp"
#include "snark/json_io.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include <unistd.h>

using namespace provernet::math;
using namespace provernet::snark;

namespace {

// Test vectors: the output of snarkjs 0.7.6 (`groth16 prove`, `zkey export verificationkey`) for
// a small circom circuit (20 multiplications, 3 public signals).
const char* const kSnarkjsProof = R"json({
 "pi_a": [
  "17240876802342035097124423969455791723958199202336835427420712861219497883621",
  "16849287800899274985188551127648372335091461949002211136559901898771620942739",
  "1"
 ],
 "pi_b": [
  [
   "20270243755281769616499521787252010254120025628830091740860263790110579107056",
   "21195179779756769564836281053278362615361349982235078510511093323299570906846"
  ],
  [
   "7070606940935300083695569659400726383606071109217243810467691593400318830596",
   "18063666051358662603237532660636521313523574833386794261110629420487669739207"
  ],
  [
   "1",
   "0"
  ]
 ],
 "pi_c": [
  "18320156254638620366092599331414487037840936947911196716900649595408107226282",
  "8757004841854037517447589249547470073132468255391070182519950418421607829666",
  "1"
 ],
 "protocol": "groth16",
 "curve": "bn128"
})json";
const char* const kSnarkjsPublic = R"json([
 "153272826515128320000",
 "459818479545384960007",
 "3"
])json";
const char* const kSnarkjsVk = R"json({
 "protocol": "groth16",
 "curve": "bn128",
 "nPublic": 3,
 "vk_alpha_1": [
  "4474891622423541571129714538907113525835516315231137835002264578330663067804",
  "8249558622799033350205764029950410702082396847616800169649615987277251617974",
  "1"
 ],
 "vk_beta_2": [
  [
   "20819382142963554271116217118976782017560023755269732170495911461651668831225",
   "20118219022689015803360365638570951010247076293109545563636539612632528073834"
  ],
  [
   "720765950358658308452554868639894500128731224596247789507019204955390955454",
   "13508219944961221993976001722962894758475287850065113403239589146903517168900"
  ],
  [
   "1",
   "0"
  ]
 ],
 "vk_gamma_2": [
  [
   "10857046999023057135944570762232829481370756359578518086990519993285655852781",
   "11559732032986387107991004021392285783925812861821192530917403151452391805634"
  ],
  [
   "8495653923123431417604973247489272438418190587263600148770280649306958101930",
   "4082367875863433681332203403145435568316851327593401208105741076214120093531"
  ],
  [
   "1",
   "0"
  ]
 ],
 "vk_delta_2": [
  [
   "20158385479494846441995245187785236552303506186488709196891318492794550333876",
   "3709607938119718794709941393842369179794434325896811376397433929932934481759"
  ],
  [
   "10653077923204573299382309402265140475212609981789830554187131305205239771384",
   "15155521969367944557875616889055312944274325890865392633134450538533185869780"
  ],
  [
   "1",
   "0"
  ]
 ],
 "vk_alphabeta_12": [
  [
   [
    "9143298458664562067522717010515550673672459616258695001880014801307356501423",
    "19347193533560713609948970279507067586725313182207549932076506615551779400811"
   ],
   [
    "14372271887937959819317381882356082315564791886126319909381655281931505670438",
    "987356814178159340586137022122302916967617223654561764112618429005772217228"
   ],
   [
    "12920149918992896221953437179649653209510846081920145087437983857666978984312",
    "15500967221690620144637666805891960409340194495950256427872351109375746919925"
   ]
  ],
  [
   [
    "10732455679207845050909711495543540610580364739579539294414434642695362457738",
    "18614306173510416494400196751136963737277284206287157872482513973501153444800"
   ],
   [
    "9544231883680470642950691484650374403178026670763539636846734092657460759268",
    "12979561907243627758162463321327275512431589371675957179764128221052947675940"
   ],
   [
    "3806708527260425738376829670295157537098478546777692652376388060032799820663",
    "13880882485442254602845456373034742337552272100060614536773507791180889515572"
   ]
  ]
 ],
 "IC": [
  [
   "16372691297244631596734848564996397006034088110488547221935716991042302080043",
   "19150174863244838783865780963236469583591665562965320300080946447717376023522",
   "1"
  ],
  [
   "18756452526417641718259408756232378513965465598569146930228430186677319739742",
   "1678393836100439654843855725503443001276504516335986949108079286496705713159",
   "1"
  ],
  [
   "17340959377856506132152980419695179546738490966223104462600950215223266222464",
   "6958343930217944682382093370971889520431438517337568875868275334689875231795",
   "1"
  ],
  [
   "13609826164297818617976462500753693101869026424487708981356774576338390675465",
   "11457408821108864760839381343469238590385766275755712544898066826538315030940",
   "1"
  ]
 ]
})json";

using provernet::testing::TempDir;

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string read_text(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string format_error_of(const std::function<void()>& f)
{
    try {
        f();
    } catch (const FormatError& e) {
        const std::string m = e.what();
        EXPECT_EQ(m.find('\n'), std::string::npos) << "message is not one line: " << m;
        return m;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected FormatError, got another exception: " << e.what();
        return "";
    }
    ADD_FAILURE() << "expected FormatError, nothing thrown";
    return "";
}

#define EXPECT_FORMAT_ERROR(stmt, substring)                                                            \
    do {                                                                                                \
        const std::string msg_ = format_error_of([&] { stmt; });                                       \
        EXPECT_NE(msg_.find(substring), std::string::npos) << "message: \"" << msg_ << "\"\nwanted: \"" \
                                                           << (substring) << "\"";                     \
    } while (0)

// Replaces the first occurrence of `from` (which must exist) in `s`.
std::string replace(std::string s, const std::string& from, const std::string& to)
{
    const size_t pos = s.find(from);
    if (pos == std::string::npos)
        throw std::runtime_error("test bug: '" + from + "' not found");
    return s.replace(pos, from.size(), to);
}

std::string dec(const Fq& a) { return a.to_decimal(); }

G1Affine g1_times(uint64_t k) { return G1::generator().mul(U256(k)).to_affine(); }
G2Affine g2_times(uint64_t k) { return G2::generator().mul(U256(k)).to_affine(); }

// A point on the twist outside the order-r subgroup (square root in Fq2 for p = 3 mod 4).
G2Affine g2_outside_subgroup()
{
    U256 e1, e2;
    U256::sub(e1, Fq::modulus, U256(3));
    e1 = e1.shr1().shr1();
    U256::sub(e2, Fq::modulus, U256(1));
    e2 = e2.shr1();
    for (uint64_t i = 1;; ++i) {
        const Fq2 x{Fq::from_uint(i), Fq::from_uint(1)};
        const Fq2 a = x.square() * x + G2Params::b();
        const Fq2 a1 = a.pow(e1);
        const Fq2 alpha = a1.square() * a;
        const Fq2 x0 = a1 * a;
        const Fq2 y = alpha == -Fq2::one() ? Fq2{Fq::zero(), Fq::one()} * x0 : (Fq2::one() + alpha).pow(e2) * x0;
        const G2Affine p{x, y};
        if (y.square() == a && p.is_on_curve() && !p.is_valid())
            return p;
    }
}

VerificationKey sample_vk(uint32_t n_public)
{
    VerificationKey vk;
    vk.n_public = n_public;
    vk.alpha1 = g1_times(3);
    vk.beta2 = g2_times(5);
    vk.gamma2 = G2Affine::generator();
    vk.delta2 = g2_times(7);
    for (uint32_t i = 0; i <= n_public; ++i)
        vk.ic.push_back(g1_times(100 + i));
    for (size_t i = 0; i < 12; ++i)
        vk.alphabeta12[i] = Fq::from_uint(1000 + i);
    return vk;
}

}  // namespace

// ------------------------------------------------------------------------------------------
// snarkjs compatibility

TEST(JsonIo, SnarkjsOutputsRoundTripByteForByte)
{
    const Proof proof = parse_proof_json(kSnarkjsProof);
    EXPECT_EQ(proof_to_json(proof), kSnarkjsProof);
    EXPECT_EQ(dec(proof.a.x), "17240876802342035097124423969455791723958199202336835427420712861219497883621");
    EXPECT_EQ(dec(proof.b.x.c1), "21195179779756769564836281053278362615361349982235078510511093323299570906846");

    const std::vector<U256> pub = parse_public_json(kSnarkjsPublic);
    ASSERT_EQ(pub.size(), 3u);
    EXPECT_EQ(pub[2], U256(3));
    EXPECT_EQ(public_to_json(pub), kSnarkjsPublic);

    const VerificationKey vk = parse_verification_key_json(kSnarkjsVk);
    EXPECT_EQ(vk.n_public, 3u);
    EXPECT_EQ(vk.ic.size(), 4u);
    EXPECT_TRUE(vk.gamma2 == G2Affine::generator());  // snarkjs uses gamma = 1
    EXPECT_EQ(dec(vk.alphabeta12[0]), "9143298458664562067522717010515550673672459616258695001880014801307356501423");
    EXPECT_EQ(dec(vk.alphabeta12[11]), "13880882485442254602845456373034742337552272100060614536773507791180889515572");
    EXPECT_EQ(verification_key_to_json(vk), kSnarkjsVk);
}

TEST(JsonIo, WritersUseSnarkjsLayout)
{
    Proof p;
    p.a = G1Affine::generator();
    p.b = G2Affine::generator();
    p.c = G1Affine::infinity();
    const std::string g2x0 = dec(p.b.x.c0), g2x1 = dec(p.b.x.c1), g2y0 = dec(p.b.y.c0), g2y1 = dec(p.b.y.c1);
    EXPECT_EQ(proof_to_json(p), "{\n \"pi_a\": [\n  \"1\",\n  \"2\",\n  \"1\"\n ],\n \"pi_b\": [\n  [\n   \"" + g2x0 +
                                    "\",\n   \"" + g2x1 + "\"\n  ],\n  [\n   \"" + g2y0 + "\",\n   \"" + g2y1 +
                                    "\"\n  ],\n  [\n   \"1\",\n   \"0\"\n  ]\n ],\n \"pi_c\": [\n  \"0\",\n  \"1\",\n  "
                                    "\"0\"\n ],\n \"protocol\": \"groth16\",\n \"curve\": \"bn128\"\n}");
    const std::vector<U256> none;
    EXPECT_EQ(public_to_json(none), "[]");
    const std::vector<U256> two{U256(0), U256(42)};
    EXPECT_EQ(public_to_json(two), "[\n \"0\",\n \"42\"\n]");
    const std::string vk = verification_key_to_json(sample_vk(0));
    const std::string head = "{\n \"protocol\": \"groth16\",\n \"curve\": \"bn128\",\n \"nPublic\": 0,\n \"vk_alpha_1\": [\n";
    EXPECT_EQ(vk.rfind(head, 0), 0u)
        << vk;
    const char* order[] = {"\"protocol\"", "\"curve\"", "\"nPublic\"", "\"vk_alpha_1\"", "\"vk_beta_2\"",
                           "\"vk_gamma_2\"", "\"vk_delta_2\"", "\"vk_alphabeta_12\"", "\"IC\""};
    size_t last = 0;
    for (const char* k : order) {
        const size_t pos = vk.find(k);
        ASSERT_NE(pos, std::string::npos) << k;
        EXPECT_GT(pos, last) << k;
        last = pos;
    }
    EXPECT_NE(vk.back(), '\n');
}

// ------------------------------------------------------------------------------------------
// Round trips

TEST(JsonIo, FileRoundTrips)
{
    TempDir dir("json");
    Proof p{g1_times(11), g2_times(13), g1_times(17)};
    write_proof_json(dir.file("proof.json"), p);
    const Proof q = read_proof_json(dir.file("proof.json"));
    EXPECT_TRUE(q.a == p.a && q.b == p.b && q.c == p.c);

    // Points at infinity, written the snarkjs way, read back as infinity.
    Proof inf{G1Affine::infinity(), G2Affine::infinity(), G1Affine::infinity()};
    write_proof_json(dir.file("inf.json"), inf);
    const std::string g2_inf = "[\n   \"0\",\n   \"0\"\n  ],\n  [\n   \"1\",\n   \"0\"\n  ],\n  [\n   \"0\",\n   \"0\"\n  ]";
    EXPECT_NE(read_text(dir.file("inf.json")).find(g2_inf), std::string::npos);
    const Proof qi = read_proof_json(dir.file("inf.json"));
    EXPECT_TRUE(qi.a.is_infinity() && qi.b.is_infinity() && qi.c.is_infinity());

    std::vector<U256> pub{U256(1), U256(0), U256(~0ull, ~0ull, 0, 0)};
    U256::sub(pub[1], Fr::modulus, U256(1));
    write_public_json(dir.file("public.json"), pub);
    EXPECT_EQ(read_public_json(dir.file("public.json")), pub);

    VerificationKey vk = sample_vk(4);
    vk.ic[2] = G1Affine::infinity();
    write_verification_key_json(dir.file("vk.json"), vk);
    const VerificationKey back = read_verification_key_json(dir.file("vk.json"));
    EXPECT_EQ(back.n_public, 4u);
    EXPECT_TRUE(back.alpha1 == vk.alpha1 && back.beta2 == vk.beta2 && back.gamma2 == vk.gamma2 &&
                back.delta2 == vk.delta2);
    EXPECT_EQ(back.ic, vk.ic);
    for (size_t i = 0; i < 12; ++i)
        EXPECT_TRUE(back.alphabeta12[i] == vk.alphabeta12[i]) << i;

    // Only the final file remains (temporaries are renamed away).
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path), {}), 4);
}

TEST(JsonIo, WritersRejectInvalidInput)
{
    TempDir dir("json");
    const std::vector<U256> bad{U256(1), Fr::modulus};
    EXPECT_THROW(public_to_json(bad), std::invalid_argument);
    EXPECT_FORMAT_ERROR(write_public_json(dir.file("p.json"), bad), "public signal 1 is not canonical");
    VerificationKey vk = sample_vk(2);
    vk.ic.pop_back();
    EXPECT_THROW(verification_key_to_json(vk), std::invalid_argument);
    EXPECT_FORMAT_ERROR(write_verification_key_json(dir.file("vk.json"), vk), "2 IC points for nPublic 2");
    EXPECT_FORMAT_ERROR(write_proof_json(dir.file("no/such/dir/proof.json"), Proof{}), "cannot create");
    EXPECT_FALSE(std::filesystem::exists(dir.file("p.json")));
}

// ------------------------------------------------------------------------------------------
// Strict reading

TEST(JsonIo, RejectsMalformedJson)
{
    EXPECT_FORMAT_ERROR(parse_proof_json("", "p.json"), "p.json: malformed JSON");
    EXPECT_FORMAT_ERROR(parse_proof_json("{\"pi_a\": [", "p.json"), "p.json: malformed JSON");
    EXPECT_FORMAT_ERROR(parse_public_json("[\"1\"] x"), "public.json: malformed JSON");
    EXPECT_FORMAT_ERROR(parse_public_json("[\"1\",]"), "malformed JSON");
    EXPECT_FORMAT_ERROR(parse_public_json("[\"\xff\"]"), "malformed JSON");
    EXPECT_FORMAT_ERROR(parse_public_json(std::string(100000, '[') + std::string(100000, ']')),
                        "nested more than 16 levels deep");
    EXPECT_FORMAT_ERROR(parse_public_json("{}"), "expected a JSON array of decimal strings, got an object");
    EXPECT_FORMAT_ERROR(parse_proof_json("[]"), "expected a JSON object at the top level, got an array");
    EXPECT_FORMAT_ERROR(parse_verification_key_json("\"x\""), "verification_key.json: expected a JSON object");
}

TEST(JsonIo, PublicSignalsAreStrict)
{
    EXPECT_TRUE(parse_public_json("[]").empty());
    EXPECT_EQ(parse_public_json(" [ \"7\" ] \n"), std::vector<U256>{U256(7)});
    const std::string r = Fr::modulus.to_decimal();
    EXPECT_FORMAT_ERROR(parse_public_json("[\"1\", \"2\", \"" + r + "\"]", "pub.json"),
                        "pub.json: public signal 2: value is not canonical (>= r)");
    EXPECT_FORMAT_ERROR(parse_public_json("[\"1\", 2]"), "public signal 1: expected a decimal string, got a number");
    EXPECT_FORMAT_ERROR(parse_public_json("[\"-1\"]"), "public signal 0: \"-1\" is not a decimal integer");
    EXPECT_FORMAT_ERROR(parse_public_json("[\"0x10\"]"), "\"0x10\" is not a decimal integer");
    EXPECT_FORMAT_ERROR(parse_public_json("[\"1.0\"]"), "is not a decimal integer");
    EXPECT_FORMAT_ERROR(parse_public_json("[\"\"]"), "is not a decimal integer");
    EXPECT_FORMAT_ERROR(parse_public_json("[\" 1\"]"), "is not a decimal integer");
    EXPECT_FORMAT_ERROR(parse_public_json("[null]"), "expected a decimal string, got null");
    EXPECT_FORMAT_ERROR(parse_public_json("[\"" + std::string(200, '9') + "\"]"), "is not a decimal integer");
}

TEST(JsonIo, ProofsAreStrict)
{
    const std::string good = kSnarkjsProof;
    auto bad = [&](const std::string& text, const std::string& want) {
        EXPECT_FORMAT_ERROR(parse_proof_json(text, "proof.json"), "proof.json: " + want);
    };
    // rapidsnark omits "curve": accepted.
    EXPECT_NO_THROW(parse_proof_json(replace(good, ",\n \"curve\": \"bn128\"", "")));
    EXPECT_NO_THROW(parse_proof_json(replace(good, "\"bn128\"", "\"BN254\"")));
    bad(replace(good, "\"bn128\"", "\"bls12381\""), "curve: \"bls12381\" is not supported (only bn128)");
    bad(replace(good, "\"groth16\"", "\"plonk\""), "protocol: \"plonk\" is not supported (only groth16)");
    bad(replace(good, ",\n \"protocol\": \"groth16\"", ""), "missing key \"protocol\"");
    bad(replace(good, "\"pi_c\"", "\"pi_x\""), "missing key \"pi_c\"");
    bad(replace(good, "\"1\"\n ],\n \"pi_b\"", "\"2\"\n ],\n \"pi_b\""),
        "pi_a[2]: projective coordinate must be \"1\"");
    bad(replace(good, ",\n  \"1\"\n ],\n \"pi_b\"", "\n ],\n \"pi_b\""), "pi_a: expected 3 elements, got 2");
    bad(replace(good, "\"17240876802342035097124423969455791723958199202336835427420712861219497883621\"",
                "17240876802342035097124423969455791723958199202336835427420712861219497883621"),
        "pi_a[0]: expected a decimal string, got a number");
    bad(replace(good, "17240876802342035097124423969455791723958199202336835427420712861219497883621",
                Fq::modulus.to_decimal()),
        "pi_a[0]: value is not canonical (>= q)");
    bad(replace(good, "17240876802342035097124423969455791723958199202336835427420712861219497883621", "5"),
        "pi_a: point is not on the curve");
    bad(replace(good, "20270243755281769616499521787252010254120025628830091740860263790110579107056", "5"),
        "pi_b: point is not on the curve");
    bad(replace(good, "[\n   \"1\",\n   \"0\"\n  ]", "[\n   \"1\",\n   \"1\"\n  ]"),
        "pi_b[2]: projective coordinate must be [\"1\",\"0\"]");
    bad(replace(good, "\"8757004841854037517447589249547470073132468255391070182519950418421607829666\",\n  \"1\"",
                "\"1\",\n  \"0\""),
        "pi_c: projective coordinate \"0\" is only allowed for the point at infinity");
    // (0, 0) is our internal encoding of infinity but is not a valid affine JSON point.
    Proof zero{G1Affine::infinity(), g2_times(2), g1_times(3)};
    bad(replace(proof_to_json(zero), "\"0\",\n  \"1\",\n  \"0\"", "\"0\",\n  \"0\",\n  \"1\""),
        "pi_a: point is not on the curve");

    // pi_b on the twist but outside the subgroup.
    const G2Affine s = g2_outside_subgroup();
    Proof p = parse_proof_json(good);
    p.b = s;
    bad(proof_to_json(p), "pi_b: point is not in the G2 subgroup");
}

TEST(JsonIo, VerificationKeysAreStrict)
{
    const std::string good = kSnarkjsVk;
    auto bad = [&](const std::string& text, const std::string& want) {
        EXPECT_FORMAT_ERROR(parse_verification_key_json(text, "vk.json"), "vk.json: " + want);
    };
    for (const char* key : {"protocol", "curve", "nPublic", "vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2",
                            "vk_alphabeta_12", "IC"})
        bad(replace(good, std::string("\"") + key + "\"", "\"renamed\""),
            std::string("missing key \"") + key + "\"");
    bad(replace(good, "\"nPublic\": 3", "\"nPublic\": 4"), "IC (nPublic + 1 points): expected 5 elements, got 4");
    bad(replace(good, "\"nPublic\": 3", "\"nPublic\": -1"), "nPublic: expected a non-negative integer, got a number");
    bad(replace(good, "\"nPublic\": 3", "\"nPublic\": 3.0"), "nPublic: expected a non-negative integer");
    bad(replace(good, "\"nPublic\": 3", "\"nPublic\": \"3\""),
        "nPublic: expected a non-negative integer, got a string");
    bad(replace(good, "\"nPublic\": 3", "\"nPublic\": 99999999999"), "nPublic: 99999999999 exceeds the limit");
    bad(replace(good, "9143298458664562067522717010515550673672459616258695001880014801307356501423",
                Fq::modulus.to_decimal()),
        "vk_alphabeta_12[0][0][0]: value is not canonical (>= q)");
    bad(replace(good, "\"vk_alphabeta_12\": [\n  [", "\"vk_alphabeta_12\": [\n  [\"1\"], ["),
        "vk_alphabeta_12: expected 2 elements, got 3");
    bad(replace(good, "\"19150174863244838783865780963236469583591665562965320300080946447717376023522\"",
                "\"19150174863244838783865780963236469583591665562965320300080946447717376023523\""),
        "IC[0]: point is not on the curve");
    bad(replace(good, "\"groth16\"", "\"fflonk\""), "protocol: \"fflonk\" is not supported");
    bad(replace(good, "\"bn128\"", "\"bls12381\""), "curve: \"bls12381\" is not supported");

    // gamma2 on the twist but outside the subgroup.
    VerificationKey vk = parse_verification_key_json(good);
    vk.gamma2 = g2_outside_subgroup();
    bad(verification_key_to_json(vk), "vk_gamma_2: point is not in the G2 subgroup");
    vk.gamma2 = G2Affine::infinity();
    EXPECT_TRUE(parse_verification_key_json(verification_key_to_json(vk)).gamma2.is_infinity());
}

TEST(JsonIo, FileReadingIsBounded)
{
    TempDir dir("json");
    EXPECT_FORMAT_ERROR(read_proof_json(dir.file("missing.json")), "missing.json: cannot open");
    EXPECT_FORMAT_ERROR(read_public_json(dir.path), "not a regular file");
    // A (sparse) 65 MiB public.json is refused before it is read.
    const std::string big = dir.file("big.json");
    write_text(big, "[");
    ASSERT_EQ(::truncate(big.c_str(), off_t(65) << 20), 0);
    EXPECT_FORMAT_ERROR(read_public_json(big), "larger than the 67108864-byte limit");
    ASSERT_EQ(::truncate(big.c_str(), off_t(2) << 20), 0);
    EXPECT_FORMAT_ERROR(read_proof_json(big), "larger than the 1048576-byte limit");
    // Errors name the file.
    write_text(dir.file("public.json"), "[\"1\", \"x\"]");
    EXPECT_FORMAT_ERROR(read_public_json(dir.file("public.json")), dir.file("public.json") + ": public signal 1");
    write_text(dir.file("proof.json"), kSnarkjsProof);
    EXPECT_NO_THROW(read_proof_json(dir.file("proof.json")));
    write_text(dir.file("vk.json"), kSnarkjsVk);
    EXPECT_EQ(read_verification_key_json(dir.file("vk.json")).n_public, 3u);
    EXPECT_NE(json_info(dir.file("vk.json")).find("nPublic:  3"), std::string::npos);
    EXPECT_NE(json_info(dir.file("proof.json")).find("Groth16 proof"), std::string::npos);
    write_text(dir.file("other.json"), "{\"a\": 1}");
    EXPECT_FORMAT_ERROR(json_info(dir.file("other.json")), "not a recognised JSON artefact");
}

TEST(JsonIo, RandomCorruptionNeverCrashes)
{
    // Mutated snarkjs files: every outcome is a successful parse or a FormatError.
    std::mt19937_64 rng(12345);
    const char alphabet[] = "0123456789[]{},:\" -.e\\xnul";
    for (const char* original : {kSnarkjsProof, kSnarkjsVk, kSnarkjsPublic}) {
        const std::string base = original;
        for (int iter = 0; iter < 300; ++iter) {
            std::string t = base;
            const int edits = 1 + int(rng() % 4);
            for (int e = 0; e < edits; ++e) {
                const size_t pos = rng() % t.size();
                switch (rng() % 3) {
                case 0:
                    t[pos] = alphabet[rng() % (sizeof(alphabet) - 1)];
                    break;
                case 1:
                    t.erase(pos, 1 + rng() % 8);
                    break;
                default:
                    t.insert(pos, 1, alphabet[rng() % (sizeof(alphabet) - 1)]);
                    break;
                }
            }
            for (int kind = 0; kind < 3; ++kind) {
                try {
                    if (kind == 0)
                        (void)parse_proof_json(t);
                    else if (kind == 1)
                        (void)parse_verification_key_json(t);
                    else
                        (void)parse_public_json(t);
                } catch (const FormatError&) {
                } catch (const std::exception& e) {
                    FAIL() << "non-FormatError exception " << e.what() << " for input:\n" << t;
                }
            }
        }
    }
}
