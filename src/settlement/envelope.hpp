// Signed actions: how requesters and provers authenticate calls to the coordinator API with
// their secp256k1 key (no EIP-712: a personal_sign over a canonical JSON text, so any Ethereum
// wallet can produce the signature with personal_sign on that text).
//
// Canonical payload: the compact JSON text (no whitespace, object keys sorted bytewise, which is
// nlohmann::json's dump()) of
//     {"action":..., "body":..., "domain":..., "expires_at_ms":..., "nonce":..., "signer":"0x<lowercase>"}
// and the signed digest is personal_message_digest(payload) (EIP-191 version 0x45).
// To make those bytes unambiguous in every language:
//   - numbers anywhere in body must be integers with |n| <= 2^53 - 1 (JavaScript-safe); floats are
//     rejected, so amounts, prices and big values travel as decimal strings;
//   - object keys are ASCII (so every language sorts them the same), strings valid UTF-8;
//   - body is a JSON object, nested at most max_body_depth deep, its text at most max_body_bytes
//     (max_batch_body_bytes for the action "batch");
//   - action is [a-z0-9_]{1,64}; domain is [A-Za-z0-9._:-]{1,64} (e.g. "provernet-local");
//   - nonce and expires_at_ms are integers <= 2^53 - 1.
// With those rules the payload equals JavaScript's JSON.stringify of the same object with keys
// sorted.
//
// Replay protection is the verifier's job: verify_action checks domain, expiry and signature
// only. The contract: a signer's nonces are strictly increasing; the coordinator stores the last
// accepted nonce per signer and rejects any action whose nonce is not greater (so a replay within
// the expiry window fails too). The domain binds a signature to one deployment.
#pragma once

#include "settlement/address.hpp"
#include "settlement/errors.hpp"
#include "settlement/keys.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace provernet::settlement {

enum class ActionErrorCode { malformed, wrong_domain, expired, bad_signature, signer_mismatch };
const char* to_string(ActionErrorCode code);

struct ActionError : Error {
    ActionError(ActionErrorCode code, const std::string& message) : Error(message), code(code) {}
    ActionErrorCode code;
};

constexpr uint64_t max_safe_integer = (uint64_t(1) << 53) - 1;
constexpr size_t max_body_bytes = 64 * 1024;
// A "batch" action carries many actions' bodies (a fulfil batch: about 1 KiB per proof).
constexpr size_t max_batch_body_bytes = 768 * 1024;
constexpr size_t max_body_depth = 16;
constexpr size_t max_name_length = 64;

struct SignedAction {
    std::string action;  // e.g. "submit_request"
    nlohmann::json body = nlohmann::json::object();
    Address signer;
    uint64_t nonce = 0;
    uint64_t expires_at_ms = 0;  // Unix time in milliseconds; invalid from this instant on
    std::string domain;          // e.g. "provernet-local"
    Signature signature;
};

// The canonical text described above. Throws ActionError(malformed) naming the offending field.
std::string canonical_action_payload(const SignedAction& action);
// personal_message_digest(canonical_action_payload(action)).
Hash256 action_digest(const SignedAction& action);

SignedAction sign_action(const PrivateKey& key, std::string action, nlohmann::json body, uint64_t nonce,
                         uint64_t expires_at_ms, std::string domain);
// The JSON text of a signed action, as to_json(sign_action(...)).dump() would parse to (fields in
// sorted order, the signer in lowercase), serialising the body once.
std::string signed_action_text(const PrivateKey& key, const std::string& action, const nlohmann::json& body,
                               uint64_t nonce, uint64_t expires_at_ms, const std::string& domain);

// The signer, once the action is well formed, for `expected_domain`, not expired at now_ms, and
// signed by its declared signer. Throws ActionError with the code of the first failed check, in
// that order. Nonce freshness is the caller's (see above).
Address verify_action(const SignedAction& action, std::string_view expected_domain, uint64_t now_ms);

// JSON form: {"action","body","signer" (EIP-55),"nonce","expires_at_ms","domain","signature"
// (0x + 65 bytes r||s||v)}. from_json is strict: exactly these fields, types and sizes checked,
// signer checksum checked if mixed case; throws ActionError(malformed) naming the field.
void to_json(nlohmann::json& out, const SignedAction& action);
void from_json(const nlohmann::json& in, SignedAction& action);
// The same, taking the body out of `in` instead of copying it.
SignedAction signed_action_from_json(nlohmann::json&& in);

}  // namespace provernet::settlement
