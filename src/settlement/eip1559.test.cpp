#include "settlement/eip1559.hpp"
#include "settlement/errors.hpp"
#include "settlement/hex.hpp"
#include "settlement/keccak.hpp"
#include "settlement/rlp.hpp"

#include <gtest/gtest.h>

#include <random>

namespace provernet::settlement {
namespace {

using math::U256;

// The EIP-1559 vectors of ethereumjs-monorepo, packages/tx/test/json/eip1559.json (chain 7822
// = 0x1e8e, empty data and access list). `wrapped` is the file's signedTransactionRLP: the raw
// transaction wrapped once more as an RLP byte string (its network form).
struct Vector {
    uint64_t nonce, value, gas_limit, max_priority_fee, max_fee;
    const char* wrapped;
};
const char* const vector_key = "0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63";
const Vector vectors[] = {
    {819, 43203529, 35552, 75853, 121212,
     "0xb87302f870821e8e8203338301284d8301d97c828ae094000000000000000000000000000000000000aaaa8402933bc980c080a0d067"
     "f2167008c59219652f91cbf8788dbca5f771f6e91e2b7657e85b78b472e0a01d305af9fe81fdba43f0dfcd400ed24dcace0a7e30d4e857"
     "01dcaaf484cd079e"},
    {353, 61901619, 32593, 38850, 136295,
     "0xb87202f86f821e8e8201618297c283021467827f5194000000000000000000000000000000000000aaaa8403b08b3380c001a0042056"
     "78f13fc1d7b10feea6513dfa76e24418b6e08097d95c6f93a3b64e536da01d45ad61bfece43862de2cce7d2575a8c1d08c26c87f3cb5f2"
     "6d7b0be54a91b2"},
    {985, 32531825, 68541, 66377, 136097,
     "0xb87402f871821e8e8203d983010349830213a183010bbd94000000000000000000000000000000000000aaaa8401f0657180c001a0e6"
     "d23c5ecc0f388a4d41a9523c3ad171e98083a61288c340b968dfe0903a6741a07319e8d54a4fd8f0c081d3ce093d869f9df598481991c8"
     "534bfd8f2c163884b4"},
    {623, 21649799, 57725, 74140, 81173,
     "0xb87302f870821e8e82026f8301219c83013d1582e17d94000000000000000000000000000000000000aaaa84014a598780c080a0b107"
     "893e4590e177e244493a3f2b59d63619ddd82772105d8c96b7fc85ff683da07dc9b9dc054d2f69f9cc540688f6c0da3b54dd8bd8323f06"
     "d0ca26b546a480f1"},
    {119, 65456115, 62341, 24721, 107729,
     "0xb87002f86d821e8e778260918301a4d182f38594000000000000000000000000000000000000aaaa8403e6c7f380c001a0e38e239770"
     "801eb995498c821e55ac9c19ae09184bb27b34be105e02fe3b7615a067c64ca6bd6d9107e85fd581ab2e70a14b637eb36505bb40861ef9"
     "d6e800cab6"},
};

Bytes unwrap(const char* wrapped) { return rlp::as_bytes(rlp::decode(from_hex(wrapped)), "wrapped transaction"); }

Eip1559Transaction sample_tx()
{
    Eip1559Transaction tx;
    tx.chain_id = 31337;
    tx.nonce = 7;
    tx.max_priority_fee_per_gas = U256(1'000'000'000);
    tx.max_fee_per_gas = U256(30'000'000'000);
    tx.gas_limit = 250'000;
    tx.to = Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    tx.value = math::u256_from_hex_literal("0xde0b6b3a7640000");  // 1 ether
    tx.data = from_hex("0xa9059cbb00000000000000000000000000000000000000000000000000000000000000ff");
    return tx;
}

TEST(SettlementEip1559, EthereumjsVectorsDecode)
{
    const Address signer = PrivateKey::from_hex(vector_key).address();
    for (const Vector& v : vectors) {
        const Bytes raw = unwrap(v.wrapped);
        const SignedEip1559Transaction decoded = SignedEip1559Transaction::decode(raw);
        EXPECT_EQ(decoded.tx.chain_id, 7822u);
        EXPECT_EQ(decoded.tx.nonce, v.nonce);
        EXPECT_EQ(decoded.tx.value, U256(v.value));
        EXPECT_EQ(decoded.tx.gas_limit, v.gas_limit);
        EXPECT_EQ(decoded.tx.max_priority_fee_per_gas, U256(v.max_priority_fee));
        EXPECT_EQ(decoded.tx.max_fee_per_gas, U256(v.max_fee));
        ASSERT_TRUE(decoded.tx.to.has_value());
        EXPECT_EQ(decoded.tx.to->to_lower_string(), "0x000000000000000000000000000000000000aaaa");
        EXPECT_TRUE(decoded.tx.data.empty());
        EXPECT_TRUE(decoded.tx.access_list.empty());
        EXPECT_EQ(decoded.sender(), signer) << v.nonce;
        EXPECT_EQ(decoded.raw(), raw);
        EXPECT_EQ(decoded.hash(), keccak256(BytesView(raw)));
    }
}

TEST(SettlementEip1559, EthereumjsVectorsSignBitExact)
{
    // Both sides use RFC 6979 nonces, so signing the same fields must give the same bytes.
    const PrivateKey key = PrivateKey::from_hex(vector_key);
    for (const Vector& v : vectors) {
        Eip1559Transaction tx;
        tx.chain_id = 7822;
        tx.nonce = v.nonce;
        tx.value = U256(v.value);
        tx.gas_limit = v.gas_limit;
        tx.max_priority_fee_per_gas = U256(v.max_priority_fee);
        tx.max_fee_per_gas = U256(v.max_fee);
        tx.to = Address::parse("0x000000000000000000000000000000000000aaaa");
        EXPECT_EQ(to_hex(sign(tx, key).raw()), to_hex(unwrap(v.wrapped))) << v.nonce;
    }
}

TEST(SettlementEip1559, SignDecodeRecover)
{
    const PrivateKey key = PrivateKey::from_hex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    Eip1559Transaction tx = sample_tx();
    tx.access_list = {{Address::parse("0xde709f2102306220921060314715629080e2fb77"), {Hash256{}, keccak256(std::string_view("slot"))}},
                      {Address::parse("0x27b1fdb04752bbc536007a920d24acb045561c26"), {}}};
    const SignedEip1559Transaction signed_tx = sign(tx, key);
    const Bytes raw = signed_tx.raw();
    EXPECT_EQ(raw[0], 0x02);
    const SignedEip1559Transaction decoded = SignedEip1559Transaction::decode(raw);
    EXPECT_EQ(decoded, signed_tx);
    EXPECT_EQ(decoded.sender(), key.address());
    EXPECT_EQ(decoded.hash(), signed_tx.hash());
}

TEST(SettlementEip1559, ContractCreationAndLargeValues)
{
    const PrivateKey key = PrivateKey::generate();
    Eip1559Transaction tx = sample_tx();
    tx.to.reset();
    tx.data = Bytes(300, 0x60);  // long init code: long-form RLP string
    tx.value = U256(~uint64_t(0), ~uint64_t(0), ~uint64_t(0), ~uint64_t(0));
    tx.max_fee_per_gas = tx.value;
    tx.nonce = ~uint64_t(0);
    tx.chain_id = ~uint64_t(0);
    const SignedEip1559Transaction decoded = SignedEip1559Transaction::decode(sign(tx, key).raw());
    EXPECT_FALSE(decoded.tx.to.has_value());
    EXPECT_EQ(decoded.tx, tx);
    EXPECT_EQ(decoded.sender(), key.address());
}

TEST(SettlementEip1559, SigningPayloadShape)
{
    const Eip1559Transaction tx = sample_tx();
    const Bytes payload = tx.signing_payload();
    ASSERT_EQ(payload[0], 0x02);
    const auto fields = rlp::as_list(rlp::decode(BytesView(payload).subspan(1)), "payload");
    ASSERT_EQ(fields.size(), 9u);
    EXPECT_EQ(rlp::as_uint64(fields[0], "chain_id"), 31337u);
    EXPECT_EQ(rlp::as_bytes(fields[5], "to").size(), 20u);
    EXPECT_TRUE(rlp::as_list(fields[8], "access_list").empty());
    EXPECT_EQ(tx.signing_hash(), keccak256(BytesView(payload)));
}

TEST(SettlementEip1559, EveryFieldIsSigned)
{
    // Changing any field after signing must change the recovered sender.
    const PrivateKey key = PrivateKey::from_hex(vector_key);
    const SignedEip1559Transaction good = sign(sample_tx(), key);
    auto mutate = [&](auto change) {
        SignedEip1559Transaction bad = good;
        change(bad.tx);
        return bad.sender();
    };
    EXPECT_NE(mutate([](auto& t) { t.chain_id += 1; }), key.address());
    EXPECT_NE(mutate([](auto& t) { t.nonce += 1; }), key.address());
    EXPECT_NE(mutate([](auto& t) { t.max_priority_fee_per_gas = U256(2); }), key.address());
    EXPECT_NE(mutate([](auto& t) { t.max_fee_per_gas = U256(31'000'000'000); }), key.address());
    EXPECT_NE(mutate([](auto& t) { t.gas_limit += 1; }), key.address());
    EXPECT_NE(mutate([](auto& t) { t.to->bytes[0] ^= 1; }), key.address());
    EXPECT_NE(mutate([](auto& t) { t.to.reset(); }), key.address());
    EXPECT_NE(mutate([](auto& t) { t.value = U256(1); }), key.address());
    EXPECT_NE(mutate([](auto& t) { t.data.push_back(0); }), key.address());
    EXPECT_NE(mutate([](auto& t) { t.access_list.push_back({}); }), key.address());
}

TEST(SettlementEip1559, RejectsInvalidTransactions)
{
    const PrivateKey key = PrivateKey::from_hex(vector_key);
    Eip1559Transaction tx = sample_tx();
    tx.max_priority_fee_per_gas = U256(40'000'000'000);
    EXPECT_THROW(sign(tx, key), TransactionError);
    tx = sample_tx();
    tx.chain_id = 0;
    EXPECT_THROW(sign(tx, key), TransactionError);
}

// Rebuilds a raw transaction from the good one's fields with one field replaced.
Bytes with_field(const Bytes& raw, size_t index, const rlp::Item& replacement)
{
    rlp::Item root = rlp::decode(BytesView(raw).subspan(1));
    root.items.at(index) = replacement;
    Bytes out{0x02};
    append(out, rlp::encode(root));
    return out;
}

void expect_decode_error(const Bytes& raw, const std::string& fragment)
{
    try {
        SignedEip1559Transaction::decode(raw);
        ADD_FAILURE() << "accepted: " << to_hex(raw);
    }
    catch (const TransactionError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(SettlementEip1559, DecodeRejectsMalformed)
{
    const Bytes raw = unwrap(vectors[0].wrapped);
    expect_decode_error({}, "empty");
    Bytes legacy = raw;
    legacy[0] = 0x01;
    expect_decode_error(legacy, "type byte");
    expect_decode_error(Bytes(raw.begin(), raw.end() - 1), "truncated");
    Bytes trailing = raw;
    trailing.push_back(0);
    expect_decode_error(trailing, "trailing");

    // Eleven fields.
    rlp::Item root = rlp::decode(BytesView(raw).subspan(1));
    root.items.pop_back();
    Bytes short_tx{0x02};
    append(short_tx, rlp::encode(root));
    expect_decode_error(short_tx, "12 fields");

    expect_decode_error(with_field(raw, 5, rlp::Item::string(Bytes(19, 0xaa))), "\"to\"");
    expect_decode_error(with_field(raw, 1, rlp::Item::string(Bytes{0x00, 0x05})), "nonce");
    expect_decode_error(with_field(raw, 0, rlp::Item::string(Bytes(9, 1))), "chain_id");
    expect_decode_error(with_field(raw, 9, rlp::Item::uint(2)), "y_parity");
    expect_decode_error(with_field(raw, 10, rlp::Item::uint(0)), "r is not");
    expect_decode_error(with_field(raw, 8, rlp::Item::list({rlp::Item::list({rlp::Item::string(Bytes(20, 1))})})),
                        "access_list[0]");
    expect_decode_error(
        with_field(raw, 8,
                   rlp::Item::list({rlp::Item::list(
                       {rlp::Item::string(Bytes(20, 1)), rlp::Item::list({rlp::Item::string(Bytes(31, 1))})})})),
        "storage_keys[0]");
    expect_decode_error(with_field(raw, 8, rlp::Item::string("x")), "access_list");
}

TEST(SettlementEip1559, DecodeRejectsHighS)
{
    const SignedEip1559Transaction good = SignedEip1559Transaction::decode(unwrap(vectors[1].wrapped));
    U256 high;
    U256::sub(high, math::u256_from_hex_literal("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"),
              u256_from_be(good.signature.s));
    expect_decode_error(with_field(good.raw(), 11, rlp::Item::uint(high)), "high-s");
}

TEST(SettlementEip1559, TamperedRawChangesSenderOrFails)
{
    const Bytes raw = unwrap(vectors[2].wrapped);
    const Address signer = PrivateKey::from_hex(vector_key).address();
    // Flip one bit in each byte of the body: the result either fails to decode or recovers a
    // different sender; it never passes as the original signer's transaction.
    for (size_t i = 1; i < raw.size(); ++i) {
        Bytes bad = raw;
        bad[i] ^= 0x01;
        try {
            const SignedEip1559Transaction t = SignedEip1559Transaction::decode(bad);
            EXPECT_NE(t.sender(), signer) << "byte " << i;
        }
        catch (const Error&) {
        }
    }
}

TEST(SettlementEip1559, RandomMutationsDecodeCanonicallyOrThrow)
{
    const Bytes raw = unwrap(vectors[3].wrapped);
    std::mt19937_64 rng(99);
    for (int round = 0; round < 2000; ++round) {
        Bytes input = raw;
        input[1 + rng() % (input.size() - 1)] = uint8_t(rng());
        if (rng() % 4 == 0)
            input.resize(1 + rng() % (input.size() - 1));
        try {
            EXPECT_EQ(SignedEip1559Transaction::decode(input).raw(), input);
        }
        catch (const TransactionError&) {
        }
    }
}

}  // namespace
}  // namespace provernet::settlement
