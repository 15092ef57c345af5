// A small C++ client of the coordinator protocol for one account: it signs actions with the
// account's key (settlement/envelope.hpp), numbers them with increasing nonces and sends them
// over one keep-alive HTTP connection. Used by tests, the load generator and prover nodes.
// Not thread-safe (one per thread, like HttpClient).
#pragma once

#include "coordinator/http_client.hpp"
#include "settlement/keys.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace provernet::coordinator {

// The JSON text of a signed action (what POST /v1/actions takes).
std::string signed_action_json(const settlement::PrivateKey& key, const std::string& action,
                               const nlohmann::json& body, uint64_t nonce, uint64_t expires_at_ms,
                               const std::string& domain);

uint64_t unix_time_ms();

class ActionClient {
public:
    ActionClient(std::string host, uint16_t port, settlement::PrivateKey key, std::string domain = "provernet-local");

    // Signs (next nonce, expiry now + ttl) and posts; returns the raw response.
    HttpResponse send(const std::string& action, const nlohmann::json& body);
    // The same, requiring success: the result JSON, else HttpStatusError.
    nlohmann::json act(const std::string& action, const nlohmann::json& body);

    std::string address() const { return key_.address().to_lower_string(); }
    const settlement::PrivateKey& key() const { return key_; }
    HttpClient& http() { return http_; }
    // Nonces start at the current time in microseconds and increase by one per action.
    uint64_t next_nonce() { return ++nonce_; }
    uint64_t ttl_ms = 60'000;

private:
    HttpClient http_;
    settlement::PrivateKey key_;
    std::string domain_;
    uint64_t nonce_;
};

}  // namespace provernet::coordinator
