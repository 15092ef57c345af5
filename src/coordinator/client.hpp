// The C++ client of the coordinator protocol (docs/protocol.md): typed calls for every signed
// action and every read, for prover nodes, the requester CLI and protocols embedding provernet.
// (Owned by the node/client work; ActionClient at the end is the minimal raw client the
// coordinator's own tests and benchmarks use.)
//
// Signing: actions are signed with the client's settlement::PrivateKey (sign_action over the
// canonical payload) for the coordinator's domain (read once from GET /v1/info). Nonces are the
// current time in microseconds, bumped to stay strictly increasing; they live in an ActionSigner
// that several clients of one key share, and the signer's mutex is held from choosing the nonce
// to receiving the answer, so actions of one key reach the coordinator in nonce order (a later
// nonce overtaking an earlier one would make the earlier one stale).
//
// Retries, on connection errors only (HttpClientError: cannot connect, timeout, connection lost),
// with exponential backoff, up to ClientOptions::attempts:
//   - reads and circuit uploads are idempotent and are simply resent;
//   - a signed action is resent byte for byte (same nonce): if the first copy was applied, the
//     copy is refused as a stale nonce and applies nothing. That refusal after a lost answer is
//     ambiguous (applied or not?). submit_request resolves it itself by signing again with a
//     fresh nonce and the same idempotency key (the coordinator answers the original request id,
//     "duplicate": true); every other action throws AmbiguousActionError, and the caller re-reads
//     state (a prover node reads GET /v1/requests/<id> to see whether its lock or proof landed).
// An answer with an HTTP status (4xx/5xx) is never retried: it throws CoordinatorError.
//
// Not thread-safe: one Client per thread (share the ActionSigner between them).
#pragma once

#include "coordinator/http_client.hpp"
#include "market/types.hpp"
#include "settlement/keys.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace provernet::coordinator {

// The coordinator answered with an error status; message() is its {"error": ...} text.
class CoordinatorError : public std::runtime_error {
public:
    CoordinatorError(const std::string& what, int status, std::string message)
        : std::runtime_error(what), status_(status), message_(std::move(message)) {}
    int status() const { return status_; }
    const std::string& message() const { return message_; }

private:
    int status_;
    std::string message_;
};

// A signed action whose answer was lost and whose resend was refused as a stale nonce: it may or
// may not have been applied. Re-read the state it would have changed.
class AmbiguousActionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One key's signing state: the key and its last nonce. Share it (shared_ptr) between the clients
// of one key, one per thread.
class ActionSigner {
public:
    explicit ActionSigner(settlement::PrivateKey key) : key_(std::move(key)) {}
    const settlement::PrivateKey& key() const { return key_; }
    std::string address() const { return key_.address().to_lower_string(); }
    // max(now in microseconds, last + 1). Call with mutex() held when the order of sending matters.
    uint64_t next_nonce();
    std::mutex& mutex() { return mutex_; }

private:
    settlement::PrivateKey key_;
    uint64_t last_nonce_ = 0;
    std::mutex mutex_;
};

struct ClientOptions {
    HttpClientOptions http;
    unsigned attempts = 4;                               // per call, connection errors only
    std::chrono::milliseconds backoff{200};              // first delay; doubles each retry
    std::chrono::milliseconds action_lifetime{60'000};   // expires_at_ms = now + this (<= 10 min)
};

// submit_request's body (docs/protocol.md); times are absolute Unix milliseconds.
struct SubmitRequest {
    std::string idempotency_key;  // 1..128 characters, chosen by the requester
    std::string circuit;          // circuit identity (64 hex digits)
    nlohmann::json inputs = nlohmann::json::object();
    market::Priority priority = market::Priority::batch;
    uint64_t min_price = 0, max_price = 0;
    uint64_t ramp_start_ms = 0, ramp_period_ms = 0;
    uint64_t lock_deadline_ms = 0, final_deadline_ms = 0;
    uint64_t collateral = 0;
};
nlohmann::json to_json(const SubmitRequest& request);

class Client {
public:
    // url: "http://host:port". signer may be null for a read-only client.
    Client(const std::string& url, std::shared_ptr<ActionSigner> signer = nullptr, ClientOptions options = {});
    ~Client();
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;

    const std::string& url() const { return url_; }
    const std::string& host() const;
    uint16_t port() const;
    const std::shared_ptr<ActionSigner>& signer() const { return signer_; }

    // --- Reads ------------------------------------------------------------------------------
    nlohmann::json info();
    const std::string& domain();  // GET /v1/info's domain, fetched once
    nlohmann::json open(const std::string& prover = "", size_t limit = 100);
    nlohmann::json request(uint64_t id);  // spec, state, holder, inputs...
    nlohmann::json proof(uint64_t id);    // {"proof","public_signals","prover"}; 404 until fulfilled
    nlohmann::json account(const std::string& address);
    nlohmann::json circuits();
    nlohmann::json circuit(const std::string& identity);
    std::string zkey(const std::string& identity);  // the raw .zkey bytes
    std::string verification_key(const std::string& identity);  // verification_key.json text

    // --- Circuits (unsigned, idempotent) ----------------------------------------------------
    nlohmann::json register_circuit(const std::string& program, const std::string& zkey_bytes);

    // --- Signed actions (need a signer). Each returns the coordinator's answer. -------------
    nlohmann::json deposit(const std::string& account, uint64_t amount);  // operator only
    nlohmann::json resume_prover(const std::string& prover);              // operator only
    nlohmann::json withdraw(uint64_t amount);
    nlohmann::json stake(uint64_t amount);
    nlohmann::json request_unstake(uint64_t amount);
    nlohmann::json complete_unstake();
    nlohmann::json register_prover(uint64_t capacity);
    // {"request_id", "duplicate", ...}; safe to call again with the same request (same key).
    nlohmann::json submit_request(const SubmitRequest& request);
    nlohmann::json cancel(uint64_t request_id);
    nlohmann::json lock(uint64_t request_id);
    // proof: snarkjs proof.json object; public_signals: array of decimal strings.
    nlohmann::json fulfill(uint64_t request_id, const nlohmann::json& proof, const nlohmann::json& public_signals);

    // Any action by name (the typed calls above use it).
    nlohmann::json act(const std::string& action, const nlohmann::json& body);

    // --- Signed batches (docs/protocol.md, "Batches") ----------------------------------------
    // Up to 256 actions under one signature and one nonce, committed together. The answer's
    // "results" has one entry per action, in order: the action's own result with "ok": true, or
    // {"ok": false, "status", "error"} for an action refused on its own. Throws CoordinatorError
    // only when the batch as a whole is refused (malformed, signature, nonce).
    struct BatchAction {
        std::string action;
        nlohmann::json body;
    };
    nlohmann::json batch(const std::vector<BatchAction>& actions);
    // Many submissions in one batch; safe to call again (each request's idempotency key), so a
    // lost answer is resolved by signing again, as submit_request does.
    nlohmann::json submit_requests(const std::vector<SubmitRequest>& requests);

private:
    // One HTTP exchange with retries on connection errors; throws CoordinatorError on non-2xx.
    HttpResponse exchange(const std::string& method, const std::string& target, const std::string& body,
                          const std::string& content_type);
    nlohmann::json get_json(const std::string& target);

    std::string url_;
    std::shared_ptr<ActionSigner> signer_;
    ClientOptions options_;
    std::unique_ptr<HttpClient> http_;
    std::optional<std::string> domain_;
};

// Wall clock, Unix milliseconds.
uint64_t unix_ms();

// A key file: one line of 64 hex digits (optionally 0x-prefixed). Throws std::runtime_error naming
// the file.
settlement::PrivateKey read_key_file(const std::string& path);
// Writes a key file with mode 0600; refuses to overwrite an existing file.
void write_key_file(const std::string& path, const settlement::PrivateKey& key);

// --- The raw client of the coordinator's own tests and benchmarks ------------------------
// No retries, no domain lookup: signs (next nonce, expiry now + ttl) and posts.

// The JSON text of a signed action (what POST /v1/actions takes).
std::string signed_action_json(const settlement::PrivateKey& key, const std::string& action,
                               const nlohmann::json& body, uint64_t nonce, uint64_t expires_at_ms,
                               const std::string& domain);

inline uint64_t unix_time_ms() { return unix_ms(); }

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
