// The coordinator client: signing, retries and the typed calls (see client.hpp).
#include "coordinator/client.hpp"

#include "settlement/envelope.hpp"
#include "settlement/hex.hpp"

#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>

namespace provernet::coordinator {

uint64_t unix_ms()
{
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

uint64_t ActionSigner::next_nonce()
{
    const auto us = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
    last_nonce_ = std::max(us, last_nonce_ + 1);
    return last_nonce_;
}

nlohmann::json to_json(const SubmitRequest& r)
{
    return {{"idempotency_key", r.idempotency_key},
            {"circuit", r.circuit},
            {"inputs", r.inputs},
            {"priority", std::string(market::to_string(r.priority))},
            {"min_price", std::to_string(r.min_price)},
            {"max_price", std::to_string(r.max_price)},
            {"ramp_start_ms", r.ramp_start_ms},
            {"ramp_period_ms", r.ramp_period_ms},
            {"lock_deadline_ms", r.lock_deadline_ms},
            {"final_deadline_ms", r.final_deadline_ms},
            {"collateral", std::to_string(r.collateral)}};
}

Client::Client(const std::string& url, std::shared_ptr<ActionSigner> signer, ClientOptions options)
    : url_(url), signer_(std::move(signer)), options_(std::move(options)),
      http_(std::make_unique<HttpClient>(HttpClient::from_url(url, options_.http)))
{
    if (options_.attempts == 0) options_.attempts = 1;
}

Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

const std::string& Client::host() const { return http_->host(); }
uint16_t Client::port() const { return http_->port(); }

namespace {

// The {"error": ...} text of an error answer, else the body itself (shortened).
std::string error_text(const HttpResponse& response)
{
    try {
        auto j = nlohmann::json::parse(response.body);
        if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
    } catch (const nlohmann::json::exception&) {
    }
    return response.body.substr(0, 300);
}

bool is_stale_nonce(const CoordinatorError& e)
{
    return e.status() == 409 && e.message().find("nonce") != std::string::npos;
}

}  // namespace

HttpResponse Client::exchange(const std::string& method, const std::string& target, const std::string& body,
                              const std::string& content_type)
{
    auto delay = options_.backoff;
    for (unsigned attempt = 1;; ++attempt) {
        try {
            HttpResponse response = http_->request(method, target, body, content_type);
            if (!response.ok()) {
                const std::string text = error_text(response);
                throw CoordinatorError(method + " " + url_ + target + ": " + std::to_string(response.status) + ": " + text,
                                       response.status, text);
            }
            return response;
        } catch (const HttpClientError&) {
            if (attempt >= options_.attempts) throw;
            std::this_thread::sleep_for(delay);
            delay *= 2;
        }
    }
}

nlohmann::json Client::get_json(const std::string& target) { return exchange("GET", target, "", "").json(); }

nlohmann::json Client::info() { return get_json("/v1/info"); }

const std::string& Client::domain()
{
    if (!domain_) domain_ = info().at("domain").get<std::string>();
    return *domain_;
}

nlohmann::json Client::open(const std::string& prover, size_t limit)
{
    std::string target = "/v1/open?limit=" + std::to_string(limit);
    if (!prover.empty()) target += "&prover=" + prover;
    return get_json(target);
}

nlohmann::json Client::request(uint64_t id) { return get_json("/v1/requests/" + std::to_string(id)); }
nlohmann::json Client::proof(uint64_t id) { return get_json("/v1/requests/" + std::to_string(id) + "/proof"); }
nlohmann::json Client::account(const std::string& address) { return get_json("/v1/accounts/" + address); }
nlohmann::json Client::circuits() { return get_json("/v1/circuits"); }
nlohmann::json Client::circuit(const std::string& identity) { return get_json("/v1/circuits/" + identity); }
std::string Client::zkey(const std::string& identity) { return exchange("GET", "/v1/circuits/" + identity + "/zkey", "", "").body; }
std::string Client::verification_key(const std::string& identity)
{
    return exchange("GET", "/v1/circuits/" + identity + "/vk", "", "").body;
}

nlohmann::json Client::register_circuit(const std::string& program, const std::string& zkey_bytes)
{
    return exchange("PUT", "/v1/circuits/" + program, zkey_bytes, "application/octet-stream").json();
}

nlohmann::json Client::act(const std::string& action, const nlohmann::json& body)
{
    if (!signer_) throw std::logic_error("coordinator client: action \"" + action + "\" needs a signing key");
    const std::string& dom = domain();
    std::lock_guard lock(signer_->mutex());
    const uint64_t nonce = signer_->next_nonce();
    const uint64_t expires = unix_ms() + static_cast<uint64_t>(options_.action_lifetime.count());
    const std::string text = signed_action_json(signer_->key(), action, body, nonce, expires, dom);

    // Resend the same bytes on connection errors (a duplicate is refused by its nonce).
    auto delay = options_.backoff;
    bool answer_lost = false;
    for (unsigned attempt = 1;; ++attempt) {
        try {
            HttpResponse response = http_->request("POST", "/v1/actions", text, "application/json");
            if (!response.ok()) {
                const std::string message = error_text(response);
                CoordinatorError error(action + ": " + std::to_string(response.status) + ": " + message, response.status,
                                       message);
                if (answer_lost && is_stale_nonce(error))
                    throw AmbiguousActionError(action + ": the answer was lost and the resend was refused (" + message +
                                               "): it may have been applied; re-read the state");
                throw error;
            }
            return response.json();
        } catch (const HttpClientError&) {
            answer_lost = true;
            if (attempt >= options_.attempts) throw;
            std::this_thread::sleep_for(delay);
            delay *= 2;
        }
    }
}

nlohmann::json Client::deposit(const std::string& account, uint64_t amount)
{
    return act("deposit", {{"account", account}, {"amount", std::to_string(amount)}});
}
nlohmann::json Client::resume_prover(const std::string& prover) { return act("resume_prover", {{"prover", prover}}); }
nlohmann::json Client::withdraw(uint64_t amount) { return act("withdraw", {{"amount", std::to_string(amount)}}); }
nlohmann::json Client::stake(uint64_t amount) { return act("stake", {{"amount", std::to_string(amount)}}); }
nlohmann::json Client::request_unstake(uint64_t amount)
{
    return act("request_unstake", {{"amount", std::to_string(amount)}});
}
nlohmann::json Client::complete_unstake() { return act("complete_unstake", nlohmann::json::object()); }
nlohmann::json Client::register_prover(uint64_t capacity) { return act("register_prover", {{"capacity", capacity}}); }
nlohmann::json Client::cancel(uint64_t request_id) { return act("cancel", {{"request_id", request_id}}); }
nlohmann::json Client::lock(uint64_t request_id) { return act("lock", {{"request_id", request_id}}); }

nlohmann::json Client::fulfill(uint64_t request_id, const nlohmann::json& proof, const nlohmann::json& public_signals)
{
    return act("fulfill", {{"request_id", request_id}, {"proof", proof}, {"public_signals", public_signals}});
}

nlohmann::json Client::submit_request(const SubmitRequest& request)
{
    const nlohmann::json body = to_json(request);
    try {
        return act("submit_request", body);
    } catch (const AmbiguousActionError&) {
        // The idempotency key makes a fresh submission safe: it answers the original request.
        return act("submit_request", body);
    }
}

nlohmann::json Client::batch(const std::vector<BatchAction>& actions)
{
    nlohmann::json list = nlohmann::json::array();
    for (const BatchAction& a : actions) list.push_back({{"action", a.action}, {"body", a.body}});
    return act("batch", {{"actions", std::move(list)}});
}

nlohmann::json Client::submit_requests(const std::vector<SubmitRequest>& requests)
{
    std::vector<BatchAction> actions;
    for (const SubmitRequest& r : requests) actions.push_back({"submit_request", to_json(r)});
    try {
        return batch(actions);
    } catch (const AmbiguousActionError&) {
        return batch(actions);  // the idempotency keys answer the original requests
    }
}

settlement::PrivateKey read_key_file(const std::string& path)
{
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot read the key file");
    std::string text;
    std::getline(in, text);
    text.erase(std::remove_if(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); }), text.end());
    if (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0) text = text.substr(2);
    if (text.size() != 64 || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c); }))
        throw std::runtime_error(path + ": not a key file (expected one line of 64 hex digits)");
    try {
        return settlement::PrivateKey::from_hex("0x" + text);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
}

void write_key_file(const std::string& path, const settlement::PrivateKey& key)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) throw std::runtime_error(path + ": cannot create the key file (it exists, or the folder is missing)");
    const std::string text = settlement::to_hex(key.secret()) + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) throw std::runtime_error(path + ": cannot write the key file");
}

// --- ActionClient ------------------------------------------------------------------------

std::string signed_action_json(const settlement::PrivateKey& key, const std::string& action,
                               const nlohmann::json& body, uint64_t nonce, uint64_t expires_at_ms,
                               const std::string& domain)
{
    return settlement::signed_action_text(key, action, body, nonce, expires_at_ms, domain);
}

ActionClient::ActionClient(std::string host, uint16_t port, settlement::PrivateKey key, std::string domain)
    : http_(std::move(host), port), key_(std::move(key)), domain_(std::move(domain)), nonce_(unix_ms() * 1000)
{
}

HttpResponse ActionClient::send(const std::string& action, const nlohmann::json& body)
{
    return http_.post("/v1/actions", signed_action_json(key_, action, body, next_nonce(), unix_ms() + ttl_ms, domain_));
}

nlohmann::json ActionClient::act(const std::string& action, const nlohmann::json& body)
{
    HttpResponse r = send(action, body);
    if (!r.ok())
        throw HttpStatusError("action " + action + ": " + std::to_string(r.status) + ": " + r.body, r.status, r.body);
    return r.json();
}

}  // namespace provernet::coordinator
