#include "coordinator/client.hpp"

#include "settlement/envelope.hpp"

#include <chrono>

namespace provernet::coordinator {

uint64_t unix_time_ms()
{
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

std::string signed_action_json(const settlement::PrivateKey& key, const std::string& action,
                               const nlohmann::json& body, uint64_t nonce, uint64_t expires_at_ms,
                               const std::string& domain)
{
    nlohmann::json j = settlement::sign_action(key, action, body, nonce, expires_at_ms, domain);
    return j.dump();
}

ActionClient::ActionClient(std::string host, uint16_t port, settlement::PrivateKey key, std::string domain)
    : http_(std::move(host), port), key_(std::move(key)), domain_(std::move(domain)), nonce_(unix_time_ms() * 1000)
{
}

HttpResponse ActionClient::send(const std::string& action, const nlohmann::json& body)
{
    return http_.post("/v1/actions",
                      signed_action_json(key_, action, body, next_nonce(), unix_time_ms() + ttl_ms, domain_));
}

nlohmann::json ActionClient::act(const std::string& action, const nlohmann::json& body)
{
    HttpResponse r = send(action, body);
    if (!r.ok())
        throw HttpStatusError("action " + action + ": " + std::to_string(r.status) + ": " + r.body, r.status, r.body);
    return r.json();
}

}  // namespace provernet::coordinator
