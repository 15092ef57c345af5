#include "settlement/envelope.hpp"
#include "settlement/hex.hpp"
#include "settlement/personal_message.hpp"

#include <gtest/gtest.h>

namespace provernet::settlement {
namespace {

using nlohmann::json;

const char* const key_hex = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
constexpr uint64_t now = 1'700'000'000'000;
constexpr uint64_t later = now + 60'000;

json sample_body()
{
    return json{{"program", "black_scholes"}, {"max_price", "1250000000000000000"}, {"inputs", {1, 2, 3}},
                {"deadline_s", 600}, {"flags", {{"urgent", true}, {"note", nullptr}}}};
}

SignedAction sample(const PrivateKey& key) { return sign_action(key, "submit_request", sample_body(), 7, later, "provernet-local"); }

ActionErrorCode verify_code(const SignedAction& a, std::string_view domain = "provernet-local", uint64_t at = now)
{
    try {
        verify_action(a, domain, at);
    }
    catch (const ActionError& e) {
        return e.code;
    }
    ADD_FAILURE() << "verified";
    return ActionErrorCode::malformed;
}

TEST(SettlementEnvelope, CanonicalPayloadIsSortedAndCompact)
{
    SignedAction a;
    a.action = "submit_request";
    a.body = json{{"z", 1}, {"a", {{"y", "s"}, {"b", json::array({true, nullptr})}}}};
    a.signer = Address::parse("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
    a.nonce = 5;
    a.expires_at_ms = 1234;
    a.domain = "provernet-local";
    EXPECT_EQ(canonical_action_payload(a),
              R"({"action":"submit_request","body":{"a":{"b":[true,null],"y":"s"},"z":1},"domain":"provernet-local",)"
              R"("expires_at_ms":1234,"nonce":5,"signer":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"})");
    EXPECT_EQ(action_digest(a), personal_message_digest(std::string_view(canonical_action_payload(a))));
}

TEST(SettlementEnvelope, SignedActionTextIsTheSignedActionsJson)
{
    const PrivateKey key = PrivateKey::from_hex(key_hex);
    const json body = {{"amount", "10"}, {"note", "caf\u00e9 \"quoted\""}, {"list", {1, 2}}};
    const std::string text = signed_action_text(key, "withdraw", body, 77, now + 1000, "provernet-local");
    const SignedAction expected = sign_action(key, "withdraw", body, 77, now + 1000, "provernet-local");
    json expected_json = expected;
    expected_json["signer"] = key.address().to_lower_string();  // lowercase, as in the canonical text
    EXPECT_EQ(json::parse(text), expected_json);
    const SignedAction parsed = signed_action_from_json(json::parse(text));
    EXPECT_EQ(parsed.body, body);
    EXPECT_EQ(verify_action(parsed, "provernet-local", now), key.address());
    // The moving parser is as strict as from_json.
    json extra = json::parse(text);
    extra["extra"] = 1;
    EXPECT_THROW(signed_action_from_json(std::move(extra)), ActionError);
    json no_body = json::parse(text);
    no_body.erase("body");
    EXPECT_THROW(signed_action_from_json(std::move(no_body)), ActionError);
    // A batch may be larger than one action, but is bounded too.
    json big = json::object();
    big["x"] = std::string(100 * 1024, 'a');
    EXPECT_THROW(signed_action_text(key, "withdraw", big, 78, now + 1000, "provernet-local"), ActionError);
    EXPECT_NO_THROW(signed_action_text(key, "batch", big, 78, now + 1000, "provernet-local"));
    big["x"] = std::string(max_batch_body_bytes, 'a');
    EXPECT_THROW(signed_action_text(key, "batch", big, 78, now + 1000, "provernet-local"), ActionError);
}

TEST(SettlementEnvelope, SignVerifyRoundTrip)
{
    const PrivateKey key = PrivateKey::from_hex(key_hex);
    const SignedAction a = sample(key);
    EXPECT_EQ(a.signer, key.address());
    EXPECT_EQ(verify_action(a, "provernet-local", now), key.address());
    // A wallet's personal_sign of the canonical text is the same signature.
    EXPECT_EQ(personal_sign(key, as_bytes(canonical_action_payload(a))), a.signature);
}

TEST(SettlementEnvelope, JsonRoundTrip)
{
    const PrivateKey key = PrivateKey::from_hex(key_hex);
    const SignedAction a = sample(key);
    const json j = a;
    EXPECT_EQ(j.at("signer"), "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
    EXPECT_EQ(j.at("signature").get<std::string>().size(), 2u + 130u);
    // Through text and back, as it travels over HTTP.
    const SignedAction back = json::parse(j.dump()).get<SignedAction>();
    EXPECT_EQ(back.action, a.action);
    EXPECT_EQ(back.body, a.body);
    EXPECT_EQ(back.signature, a.signature);
    EXPECT_EQ(verify_action(back, "provernet-local", now), key.address());
}

TEST(SettlementEnvelope, Expired)
{
    const SignedAction a = sample(PrivateKey::from_hex(key_hex));
    EXPECT_EQ(verify_code(a, "provernet-local", later), ActionErrorCode::expired);
    EXPECT_EQ(verify_code(a, "provernet-local", later + 1), ActionErrorCode::expired);
    EXPECT_NO_THROW(verify_action(a, "provernet-local", later - 1));
}

TEST(SettlementEnvelope, WrongDomain)
{
    const SignedAction a = sample(PrivateKey::from_hex(key_hex));
    EXPECT_EQ(verify_code(a, "provernet-mainnet"), ActionErrorCode::wrong_domain);
    // Relabelling the domain breaks the signature, so a signature cannot be moved across deployments.
    SignedAction moved = a;
    moved.domain = "provernet-mainnet";
    EXPECT_EQ(verify_code(moved, "provernet-mainnet"), ActionErrorCode::signer_mismatch);
}

TEST(SettlementEnvelope, TamperedFieldsFail)
{
    const SignedAction good = sample(PrivateKey::from_hex(key_hex));
    auto tampered = [&](auto change) {
        SignedAction a = good;
        change(a);
        return verify_code(a);
    };
    EXPECT_EQ(tampered([](SignedAction& a) { a.action = "cancel_request"; }), ActionErrorCode::signer_mismatch);
    EXPECT_EQ(tampered([](SignedAction& a) { a.body["max_price"] = "1250000000000000001"; }),
              ActionErrorCode::signer_mismatch);
    EXPECT_EQ(tampered([](SignedAction& a) { a.body["extra"] = 1; }), ActionErrorCode::signer_mismatch);
    EXPECT_EQ(tampered([](SignedAction& a) { a.nonce += 1; }), ActionErrorCode::signer_mismatch);
    EXPECT_EQ(tampered([](SignedAction& a) { a.expires_at_ms += 1; }), ActionErrorCode::signer_mismatch);
    EXPECT_EQ(tampered([](SignedAction& a) { a.signature.s[31] ^= 1; }), ActionErrorCode::signer_mismatch);
    EXPECT_EQ(tampered([](SignedAction& a) { a.signature.recovery_id ^= 1; }), ActionErrorCode::signer_mismatch);
}

TEST(SettlementEnvelope, ClaimingAnotherSigner)
{
    const SignedAction good = sample(PrivateKey::from_hex(key_hex));
    SignedAction forged = good;
    forged.signer = PrivateKey::from_hex("0x4646464646464646464646464646464646464646464646464646464646464646").address();
    EXPECT_EQ(verify_code(forged), ActionErrorCode::signer_mismatch);
}

TEST(SettlementEnvelope, BadSignature)
{
    SignedAction a = sample(PrivateKey::from_hex(key_hex));
    a.signature.r = {};
    EXPECT_EQ(verify_code(a), ActionErrorCode::bad_signature);
    a = sample(PrivateKey::from_hex(key_hex));
    a.signature = a.signature.normalized();
    std::swap(a.signature.r, a.signature.s);  // junk in range, maybe high-s: never this signer
    const ActionErrorCode code = verify_code(a);
    EXPECT_TRUE(code == ActionErrorCode::bad_signature || code == ActionErrorCode::signer_mismatch);
}

TEST(SettlementEnvelope, RejectsFloatsAndUnsafeIntegers)
{
    const PrivateKey key = PrivateKey::from_hex(key_hex);
    for (const json& body : {json{{"price", 1.5}}, json{{"nested", {{"x", {1, 2.0}}}}},
                             json{{"big", uint64_t(1) << 53}}, json{{"neg", -(int64_t(1) << 53)}}}) {
        try {
            sign_action(key, "submit_request", body, 1, later, "provernet-local");
            ADD_FAILURE() << body.dump();
        }
        catch (const ActionError& e) {
            EXPECT_EQ(e.code, ActionErrorCode::malformed);
            EXPECT_NE(std::string(e.what()).find("body."), std::string::npos) << e.what();
        }
    }
    EXPECT_NO_THROW(sign_action(key, "submit_request", json{{"ok", max_safe_integer}, {"neg", -int64_t(max_safe_integer)}},
                                1, later, "provernet-local"));
}

TEST(SettlementEnvelope, RejectsBadNamesAndShapes)
{
    const PrivateKey key = PrivateKey::from_hex(key_hex);
    auto code_of = [&](std::string action, json body, uint64_t nonce, std::string domain) {
        try {
            sign_action(key, std::move(action), std::move(body), nonce, later, std::move(domain));
        }
        catch (const ActionError& e) {
            return e.code;
        }
        ADD_FAILURE() << "accepted";
        return ActionErrorCode::expired;
    };
    EXPECT_EQ(code_of("", json::object(), 1, "d"), ActionErrorCode::malformed);
    EXPECT_EQ(code_of("Submit", json::object(), 1, "d"), ActionErrorCode::malformed);
    EXPECT_EQ(code_of("a b", json::object(), 1, "d"), ActionErrorCode::malformed);
    EXPECT_EQ(code_of(std::string(65, 'a'), json::object(), 1, "d"), ActionErrorCode::malformed);
    EXPECT_EQ(code_of("a", json::object(), 1, ""), ActionErrorCode::malformed);
    EXPECT_EQ(code_of("a", json::object(), 1, "bad domain"), ActionErrorCode::malformed);
    EXPECT_EQ(code_of("a", json::array(), 1, "d"), ActionErrorCode::malformed);
    EXPECT_EQ(code_of("a", json(5), 1, "d"), ActionErrorCode::malformed);
    EXPECT_EQ(code_of("a", json::object(), max_safe_integer + 1, "d"), ActionErrorCode::malformed);
    EXPECT_EQ(code_of("a", json{{"k\xc3\xa9", 1}}, 1, "d"), ActionErrorCode::malformed);      // non-ASCII key
    EXPECT_EQ(code_of("a", json{{"k", "\xff\xfe"}}, 1, "d"), ActionErrorCode::malformed);     // invalid UTF-8
    EXPECT_EQ(code_of("a", json{{"k", std::string(max_body_bytes, 'x')}}, 1, "d"), ActionErrorCode::malformed);
    json deep = 1;
    for (size_t i = 0; i < max_body_depth + 1; ++i)
        deep = json{{"d", deep}};
    EXPECT_EQ(code_of("a", deep, 1, "d"), ActionErrorCode::malformed);
    // Non-ASCII values are fine (UTF-8 strings).
    EXPECT_NO_THROW(sign_action(key, "a", json{{"note", "caf\xc3\xa9"}}, 1, later, "provernet-local"));
}

TEST(SettlementEnvelope, FromJsonIsStrict)
{
    const json good = sample(PrivateKey::from_hex(key_hex));
    auto expect_malformed = [](const json& j, const std::string& fragment) {
        try {
            j.get<SignedAction>();
            ADD_FAILURE() << "accepted " << j.dump();
        }
        catch (const ActionError& e) {
            EXPECT_EQ(e.code, ActionErrorCode::malformed);
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    auto with = [&](const char* key, json value) {
        json j = good;
        j[key] = std::move(value);
        return j;
    };
    auto without = [&](const char* key) {
        json j = good;
        j.erase(key);
        return j;
    };
    expect_malformed(json::array(), "object");
    for (const char* k : {"action", "body", "signer", "nonce", "expires_at_ms", "domain", "signature"})
        expect_malformed(without(k), k);
    expect_malformed(with("extra", 1), "unknown field");
    expect_malformed(with("nonce", -1), "nonce");
    expect_malformed(with("nonce", 1.0), "nonce");
    expect_malformed(with("nonce", "7"), "nonce");
    expect_malformed(with("expires_at_ms", true), "expires_at_ms");
    expect_malformed(with("action", 5), "action");
    expect_malformed(with("signer", "0x2c7536e3605D9C16a7a3D7b1898e529396a65c23"), "checksum");  // one case flipped
    expect_malformed(with("signer", "0x1234"), "signer");
    const std::string sig = good.at("signature");
    expect_malformed(with("signature", sig.substr(0, sig.size() - 2)), "signature");
    expect_malformed(with("signature", sig.substr(0, sig.size() - 2) + "1d"), "signature");  // v = 29
    expect_malformed(with("signature", sig + "00"), "signature");
    expect_malformed(with("body", json{{"x", 0.5}}), "body.x");
    // Lowercase signer is accepted (no checksum to check) and still verifies.
    const SignedAction lower = with("signer", "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23").get<SignedAction>();
    EXPECT_NO_THROW(verify_action(lower, "provernet-local", now));
}

TEST(SettlementEnvelope, ErrorCodeNames)
{
    EXPECT_STREQ(to_string(ActionErrorCode::signer_mismatch), "signer_mismatch");
    EXPECT_STREQ(to_string(ActionErrorCode::expired), "expired");
}

}  // namespace
}  // namespace provernet::settlement
