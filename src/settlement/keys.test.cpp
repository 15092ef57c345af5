#include "settlement/errors.hpp"
#include "settlement/hex.hpp"
#include "settlement/keccak.hpp"
#include "settlement/keys.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace provernet::settlement {
namespace {

const char* const web3_docs_key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const char* const eip155_key = "0x4646464646464646464646464646464646464646464646464646464646464646";
const char* const curve_order_hex = "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

Hash256 digest_of(std::string_view text) { return keccak256(text); }

TEST(SettlementKeys, Web3DocsKeyAddress)
{
    const PrivateKey key = PrivateKey::from_hex(web3_docs_key);
    EXPECT_EQ(key.address().to_checksum_string(), "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
}

TEST(SettlementKeys, KeyOneIsTheGenerator)
{
    const PrivateKey key = PrivateKey::from_hex("0x0000000000000000000000000000000000000000000000000000000000000001");
    EXPECT_EQ(to_hex(key.public_key().uncompressed()),
              "0x0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
              "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
    EXPECT_EQ(key.address().to_checksum_string(), "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
}

TEST(SettlementKeys, Eip155ExampleSignature)
{
    // EIP-155's worked example: signing hash and (v=37, r, s) for key 0x4646...46; v=37 on chain 1
    // means recovery id 0. libsecp256k1's RFC 6979 nonce reproduces the published r and s.
    const PrivateKey key = PrivateKey::from_hex(eip155_key);
    EXPECT_EQ(key.address().to_checksum_string(), "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
    const auto digest = from_hex_array<32>("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
    const Signature sig = key.sign(digest);
    EXPECT_EQ(to_hex(sig.r), "0x28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276");
    EXPECT_EQ(to_hex(sig.s), "0x67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
    EXPECT_EQ(sig.recovery_id, 0);
    EXPECT_EQ(recover_address(digest, sig), key.address());
}

TEST(SettlementKeys, RejectsZeroKey)
{
    EXPECT_THROW(PrivateKey::from_bytes(Bytes(32, 0)), KeyError);
    try {
        PrivateKey::from_hex("0x0000000000000000000000000000000000000000000000000000000000000000");
        FAIL();
    }
    catch (const KeyError& e) {
        EXPECT_NE(std::string(e.what()).find("zero"), std::string::npos);
    }
}

TEST(SettlementKeys, RejectsKeyAtOrAboveOrder)
{
    EXPECT_THROW(PrivateKey::from_hex(curve_order_hex), KeyError);
    EXPECT_THROW(PrivateKey::from_hex("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142"), KeyError);
    EXPECT_THROW(PrivateKey::from_hex("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), KeyError);
    // n - 1 is the largest valid key.
    const PrivateKey top = PrivateKey::from_hex("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140");
    const Hash256 d = digest_of("n-1");
    EXPECT_EQ(recover_address(d, top.sign(d)), top.address());
}

TEST(SettlementKeys, RejectsWrongKeyLength)
{
    EXPECT_THROW(PrivateKey::from_bytes(Bytes(31, 1)), KeyError);
    EXPECT_THROW(PrivateKey::from_bytes(Bytes(33, 1)), KeyError);
    EXPECT_THROW(PrivateKey::from_hex("0x01"), KeyError);
    EXPECT_THROW(PrivateKey::from_hex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"), KeyError);
}

TEST(SettlementKeys, ErrorsNeverQuoteTheSecret)
{
    const std::string almost = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231z";
    try {
        PrivateKey::from_hex(almost);
        FAIL();
    }
    catch (const KeyError& e) {
        EXPECT_EQ(std::string(e.what()).find("4c0883a6"), std::string::npos) << e.what();
    }
}

TEST(SettlementKeys, GeneratedKeysAreDistinctAndWork)
{
    std::set<Address> seen;
    for (int i = 0; i < 8; ++i) {
        const PrivateKey key = PrivateKey::generate();
        EXPECT_TRUE(seen.insert(key.address()).second);
        const Hash256 d = digest_of("generated " + std::to_string(i));
        const Signature sig = key.sign(d);
        EXPECT_TRUE(sig.is_low_s());
        EXPECT_TRUE(verify(d, sig, key.address()));
        EXPECT_TRUE(verify(d, sig, key.public_key()));
    }
}

TEST(SettlementKeys, SigningIsDeterministicAndLowS)
{
    const PrivateKey key = PrivateKey::from_hex(web3_docs_key);
    for (int i = 0; i < 32; ++i) {
        const Hash256 d = digest_of("message " + std::to_string(i));
        const Signature a = key.sign(d), b = key.sign(d);
        EXPECT_EQ(a, b);
        EXPECT_TRUE(a.is_low_s());
        EXPECT_LE(a.recovery_id, 1);
        EXPECT_EQ(recover_address(d, a), key.address());
        EXPECT_EQ(recover_public_key(d, a), key.public_key());
    }
}

TEST(SettlementKeys, RsvRoundTrip)
{
    const PrivateKey key = PrivateKey::from_hex(web3_docs_key);
    const Hash256 d = digest_of("rsv");
    const Signature sig = key.sign(d);
    const auto rsv = sig.to_rsv();
    EXPECT_EQ(rsv[64], 27 + sig.recovery_id);
    EXPECT_EQ(Signature::from_rsv(rsv), sig);
    EXPECT_EQ(Signature::from_hex(sig.to_hex()), sig);
    // v as a bare recovery id is accepted too.
    auto raw = rsv;
    raw[64] = sig.recovery_id;
    EXPECT_EQ(Signature::from_rsv(raw), sig);
}

TEST(SettlementKeys, RejectsBadV)
{
    const PrivateKey key = PrivateKey::from_hex(web3_docs_key);
    auto rsv = key.sign(digest_of("v")).to_rsv();
    for (uint8_t v : {2, 3, 26, 29, 35, 37, 255}) {
        rsv[64] = v;
        EXPECT_THROW(Signature::from_rsv(rsv), SignatureError) << int(v);
    }
}

TEST(SettlementKeys, RejectsTruncatedSignature)
{
    const PrivateKey key = PrivateKey::from_hex(web3_docs_key);
    const auto rsv = key.sign(digest_of("t")).to_rsv();
    EXPECT_THROW(Signature::from_rsv(BytesView(rsv.data(), 64)), SignatureError);
    EXPECT_THROW(Signature::from_rsv(Bytes{}), SignatureError);
    Bytes longer(rsv.begin(), rsv.end());
    longer.push_back(0);
    EXPECT_THROW(Signature::from_rsv(longer), SignatureError);
    EXPECT_THROW(Signature::from_hex("0x1234"), SignatureError);
    EXPECT_THROW(Signature::from_hex("nothex"), SignatureError);
}

TEST(SettlementKeys, RejectsZeroAndOutOfRangeRS)
{
    const PrivateKey key = PrivateKey::from_hex(web3_docs_key);
    const Hash256 d = digest_of("range");
    const Signature good = key.sign(d);
    const auto order = from_hex_array<32>(curve_order_hex);

    Signature bad = good;
    bad.r = {};
    EXPECT_THROW(bad.validate(), SignatureError);
    EXPECT_THROW(recover_address(d, bad), SignatureError);
    EXPECT_FALSE(verify(d, bad, key.address()));

    bad = good;
    bad.s = {};
    EXPECT_THROW(recover_address(d, bad), SignatureError);

    bad = good;
    bad.r = order;
    EXPECT_THROW(recover_address(d, bad), SignatureError);

    bad = good;
    bad.recovery_id = 2;
    EXPECT_THROW(recover_address(d, bad), SignatureError);
}

TEST(SettlementKeys, HighSIsRejectedAndNormalisable)
{
    const PrivateKey key = PrivateKey::from_hex(web3_docs_key);
    const Hash256 d = digest_of("malleable");
    const Signature low = key.sign(d);

    // The malleated twin (r, n - s) with the opposite recovery id is mathematically valid...
    Signature high = low;
    math::U256 negated;
    math::U256::sub(negated, u256_from_be(from_hex_array<32>(curve_order_hex)), u256_from_be(low.s));
    high.s = to_be_bytes(negated);
    high.recovery_id = uint8_t(low.recovery_id ^ 1);
    EXPECT_FALSE(high.is_low_s());
    // ...but rejected everywhere under EIP-2,
    EXPECT_THROW(high.validate(), SignatureError);
    EXPECT_THROW(Signature::from_rsv(high.to_rsv()), SignatureError);
    EXPECT_THROW(recover_address(d, high), SignatureError);
    EXPECT_FALSE(verify(d, high, key.address()));
    // and normalising it gives back exactly the low-s signature.
    EXPECT_EQ(high.normalized(), low);
    EXPECT_EQ(low.normalized(), low);
}

TEST(SettlementKeys, WrongRecoveryIdRecoversSomeoneElse)
{
    const PrivateKey key = PrivateKey::from_hex(web3_docs_key);
    const Hash256 d = digest_of("recid");
    Signature flipped = key.sign(d);
    flipped.recovery_id ^= 1;
    // Either no key recovers or a different one does; never the signer.
    EXPECT_FALSE(verify(d, flipped, key.address()));
    EXPECT_FALSE(verify(d, flipped, key.public_key()));
}

TEST(SettlementKeys, TamperedSignatureOrDigestFails)
{
    const PrivateKey key = PrivateKey::from_hex(web3_docs_key);
    const Hash256 d = digest_of("tamper");
    const Signature sig = key.sign(d);
    for (int byte = 0; byte < 64; byte += 7) {
        Signature bad = sig;
        (byte < 32 ? bad.r[size_t(byte)] : bad.s[size_t(byte - 32)]) ^= 0x01;
        EXPECT_FALSE(verify(d, bad, key.address())) << "byte " << byte;
    }
    Hash256 other = d;
    other[31] ^= 0x80;
    EXPECT_FALSE(verify(other, sig, key.address()));
    EXPECT_NE(recover_address(other, sig), key.address());
}

TEST(SettlementKeys, VerifyRejectsOtherSigner)
{
    const PrivateKey a = PrivateKey::from_hex(web3_docs_key), b = PrivateKey::from_hex(eip155_key);
    const Hash256 d = digest_of("who");
    EXPECT_FALSE(verify(d, a.sign(d), b.address()));
    EXPECT_FALSE(verify(d, a.sign(d), b.public_key()));
}

TEST(SettlementKeys, ConcurrentUseOfTheSharedContext)
{
    // One libsecp256k1 context serves all threads (the coordinator verifies on several cores).
    const PrivateKey key = PrivateKey::from_hex(eip155_key);
    std::vector<int> ok(2, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                const Hash256 d = digest_of("thread " + std::to_string(t) + " " + std::to_string(i));
                ok[size_t(t)] += recover_address(d, key.sign(d)) == key.address();
            }
        });
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(ok[0], 50);
    EXPECT_EQ(ok[1], 50);
}

TEST(SettlementKeys, PublicKeyEncodings)
{
    const PrivateKey key = PrivateKey::from_hex(eip155_key);
    const PublicKey& pub = key.public_key();
    EXPECT_EQ(PublicKey::parse(pub.uncompressed()), pub);
    EXPECT_EQ(PublicKey::parse(pub.compressed()), pub);
    EXPECT_EQ(pub.address(), key.address());

    auto off_curve = pub.uncompressed();
    off_curve[64] ^= 1;
    EXPECT_THROW(PublicKey::parse(off_curve), KeyError);
    auto bad_tag = pub.compressed();
    bad_tag[0] = 0x05;
    EXPECT_THROW(PublicKey::parse(bad_tag), KeyError);
    EXPECT_THROW(PublicKey::parse(BytesView(pub.xy)), KeyError);  // 64 bytes: tag missing
}

}  // namespace
}  // namespace provernet::settlement
