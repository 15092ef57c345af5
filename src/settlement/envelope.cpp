#include "settlement/envelope.hpp"

#include "settlement/personal_message.hpp"

#include <algorithm>
#include <iterator>

namespace provernet::settlement {
namespace {

using nlohmann::json;

[[noreturn]] void malformed(const std::string& field, const std::string& problem)
{
    throw ActionError(ActionErrorCode::malformed, "signed action: field \"" + field + "\": " + problem);
}

void check_name(const std::string& value, const std::string& field, bool allow_domain_chars)
{
    if (value.empty() || value.size() > max_name_length)
        malformed(field, "must be 1 to " + std::to_string(max_name_length) + " characters, got " +
                             std::to_string(value.size()));
    for (char c : value) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                        (allow_domain_chars && ((c >= 'A' && c <= 'Z') || c == '.' || c == ':' || c == '-'));
        if (!ok)
            malformed(field, std::string("character '") + c + "' is not allowed");
    }
}

// Walks body, rejecting anything whose text would not be the same in every JSON implementation.
void check_body_value(const json& v, const std::string& path, size_t depth)
{
    if (depth > max_body_depth)
        malformed(path, "nested deeper than " + std::to_string(max_body_depth));
    switch (v.type()) {
    case json::value_t::object:
        for (const auto& [key, child] : v.items()) {
            for (char c : key)
                if (static_cast<unsigned char>(c) >= 0x80)
                    malformed(path, "object key \"" + key + "\" is not ASCII");
            check_body_value(child, path + "." + key, depth + 1);
        }
        return;
    case json::value_t::array:
        for (size_t i = 0; i < v.size(); ++i)
            check_body_value(v[i], path + "[" + std::to_string(i) + "]", depth + 1);
        return;
    case json::value_t::number_float:
        malformed(path, "floating-point numbers are not allowed (send decimals as strings)");
    case json::value_t::number_unsigned:
        if (v.get<uint64_t>() > max_safe_integer)
            malformed(path, "integer above 2^53 - 1 (send it as a decimal string)");
        return;
    case json::value_t::number_integer: {
        const int64_t n = v.get<int64_t>();
        if (n > int64_t(max_safe_integer) || n < -int64_t(max_safe_integer))
            malformed(path, "integer outside +-(2^53 - 1) (send it as a decimal string)");
        return;
    }
    case json::value_t::string:
    case json::value_t::boolean:
    case json::value_t::null:
        return;
    default:
        malformed(path, "unsupported JSON value");
    }
}

void check_fields(const std::string& action, const json& body, const std::string& domain, uint64_t nonce,
                  uint64_t expires_at_ms)
{
    check_name(action, "action", false);
    check_name(domain, "domain", true);
    if (!body.is_object())
        malformed("body", "must be a JSON object");
    check_body_value(body, "body", 1);
    if (nonce > max_safe_integer)
        malformed("nonce", "above 2^53 - 1");
    if (expires_at_ms > max_safe_integer)
        malformed("expires_at_ms", "above 2^53 - 1");
}

void check_fields(const SignedAction& a) { check_fields(a.action, a.body, a.domain, a.nonce, a.expires_at_ms); }

// The canonical payload, written field by field in sorted key order (what dump() of the object
// gives) without copying the body into a new object: batches carry hundreds of KiB.
std::string canonical_text(const std::string& action, const json& body, const std::string& domain, uint64_t nonce,
                           uint64_t expires_at_ms, const Address& signer)
{
    check_fields(action, body, domain, nonce, expires_at_ms);
    std::string text;
    try {
        text = "{\"action\":" + json(action).dump() + ",\"body\":" + body.dump() + ",\"domain\":" + json(domain).dump() +
               ",\"expires_at_ms\":" + std::to_string(expires_at_ms) + ",\"nonce\":" + std::to_string(nonce) +
               ",\"signer\":\"" + signer.to_lower_string() + "\"}";
    }
    catch (const json::type_error& e) {
        malformed("body", std::string("not valid UTF-8 (") + e.what() + ")");
    }
    const size_t limit = action == "batch" ? max_batch_body_bytes : max_body_bytes;
    if (text.size() > limit)
        malformed("body", "canonical text of " + std::to_string(text.size()) + " bytes exceeds " + std::to_string(limit));
    return text;
}

const json& field(const json& in, const char* name)
{
    const auto it = in.find(name);
    if (it == in.end())
        malformed(name, "missing");
    return *it;
}

std::string string_field(const json& in, const char* name, size_t max_size)
{
    const json& v = field(in, name);
    if (!v.is_string())
        malformed(name, std::string("expected a string, got ") + v.type_name());
    const std::string& s = v.get_ref<const std::string&>();
    if (s.size() > max_size)
        malformed(name, "longer than " + std::to_string(max_size) + " characters");
    return s;
}

uint64_t integer_field(const json& in, const char* name)
{
    const json& v = field(in, name);
    if (v.is_number_unsigned())
        return v.get<uint64_t>();
    if (v.is_number_integer() && v.get<int64_t>() >= 0)
        return uint64_t(v.get<int64_t>());
    malformed(name, std::string("expected a non-negative integer, got ") + (v.is_number() ? "a negative or fractional number" : v.type_name()));
}

}  // namespace

const char* to_string(ActionErrorCode code)
{
    switch (code) {
    case ActionErrorCode::malformed:
        return "malformed";
    case ActionErrorCode::wrong_domain:
        return "wrong_domain";
    case ActionErrorCode::expired:
        return "expired";
    case ActionErrorCode::bad_signature:
        return "bad_signature";
    case ActionErrorCode::signer_mismatch:
        return "signer_mismatch";
    }
    return "unknown";
}

std::string canonical_action_payload(const SignedAction& a)
{
    return canonical_text(a.action, a.body, a.domain, a.nonce, a.expires_at_ms, a.signer);
}

std::string signed_action_text(const PrivateKey& key, const std::string& action, const nlohmann::json& body,
                               uint64_t nonce, uint64_t expires_at_ms, const std::string& domain)
{
    std::string text = canonical_text(action, body, domain, nonce, expires_at_ms, key.address());
    const Signature signature = key.sign(personal_message_digest(std::string_view(text)));
    text.pop_back();  // the closing brace: "signature" sorts after "signer"
    text += ",\"signature\":\"" + signature.to_hex() + "\"}";
    return text;
}

Hash256 action_digest(const SignedAction& action)
{
    return personal_message_digest(std::string_view(canonical_action_payload(action)));
}

SignedAction sign_action(const PrivateKey& key, std::string action, nlohmann::json body, uint64_t nonce,
                         uint64_t expires_at_ms, std::string domain)
{
    SignedAction out;
    out.action = std::move(action);
    out.body = std::move(body);
    out.signer = key.address();
    out.nonce = nonce;
    out.expires_at_ms = expires_at_ms;
    out.domain = std::move(domain);
    out.signature = key.sign(action_digest(out));
    return out;
}

Address verify_action(const SignedAction& action, std::string_view expected_domain, uint64_t now_ms)
{
    const Hash256 digest = action_digest(action);  // throws malformed first
    if (action.domain != expected_domain)
        throw ActionError(ActionErrorCode::wrong_domain, "signed action: domain \"" + action.domain +
                                                             "\" is not this coordinator's \"" +
                                                             std::string(expected_domain) + "\"");
    if (now_ms >= action.expires_at_ms)
        throw ActionError(ActionErrorCode::expired, "signed action: expired at " + std::to_string(action.expires_at_ms) +
                                                        " ms, now is " + std::to_string(now_ms) + " ms");
    Address recovered;
    try {
        recovered = recover_address(digest, action.signature);
    }
    catch (const SignatureError& e) {
        throw ActionError(ActionErrorCode::bad_signature, std::string("signed action: ") + e.what());
    }
    if (recovered != action.signer)
        throw ActionError(ActionErrorCode::signer_mismatch, "signed action: signature is by " +
                                                                recovered.to_checksum_string() + ", not the declared signer " +
                                                                action.signer.to_checksum_string());
    return recovered;
}

void to_json(nlohmann::json& out, const SignedAction& a)
{
    out = json{{"action", a.action},
               {"body", a.body},
               {"signer", a.signer.to_checksum_string()},
               {"nonce", a.nonce},
               {"expires_at_ms", a.expires_at_ms},
               {"domain", a.domain},
               {"signature", a.signature.to_hex()}};
}

namespace {
SignedAction envelope_fields(const nlohmann::json& in);
}

void from_json(const nlohmann::json& in, SignedAction& a)
{
    SignedAction out = envelope_fields(in);
    out.body = field(in, "body");
    check_fields(out);
    a = std::move(out);
}

SignedAction signed_action_from_json(nlohmann::json&& in)
{
    SignedAction out = envelope_fields(in);
    out.body = std::move(in["body"]);
    check_fields(out);
    return out;
}

namespace {

SignedAction envelope_fields(const nlohmann::json& in)
{
    if (!in.is_object())
        throw ActionError(ActionErrorCode::malformed,
                          std::string("signed action: expected a JSON object, got ") + in.type_name());
    static const char* const known[] = {"action", "body", "signer", "nonce", "expires_at_ms", "domain", "signature"};
    for (const auto& [key, value] : in.items()) {
        if (std::find(std::begin(known), std::end(known), key) == std::end(known))
            malformed(key.size() > 64 ? key.substr(0, 64) + "..." : key, "unknown field");
    }
    SignedAction out;
    out.action = string_field(in, "action", max_name_length);
    out.domain = string_field(in, "domain", max_name_length);
    field(in, "body");  // present (checked by the caller once in place)
    out.nonce = integer_field(in, "nonce");
    out.expires_at_ms = integer_field(in, "expires_at_ms");
    try {
        out.signer = Address::parse(string_field(in, "signer", 42), "signer");
    }
    catch (const KeyError& e) {
        malformed("signer", e.what());
    }
    try {
        out.signature = Signature::from_hex(string_field(in, "signature", 132), "signature");
    }
    catch (const SignatureError& e) {
        malformed("signature", e.what());
    }
    return out;
}

}  // namespace

}  // namespace provernet::settlement
