// Synchronous WebSocket client for prover nodes (Beast behind a pimpl).
//
// Threading: not thread-safe; one thread owns the client and calls connect/read/send. There is
// no background thread: read(timeout) runs the network until a message arrives or the timeout
// passes, and keeps a pending read across calls, so a timed-out read loses nothing. Control
// frames (the server's pings) are answered while read() runs, so a consumer must call read()
// at least every HttpServerConfig::ws_idle_timeout or the server drops it.
//
// Framing: the server may coalesce several JSON values into one WebSocket message, one per line
// (see http_server.hpp); read() returns them one at a time.
//
// Reconnect is the caller's job (it knows what to re-subscribe): after WebSocketClosed, wait
// Backoff::next_delay() and call connect() again; Backoff::reset() after a success.
#pragma once

#include "coordinator/http_server.hpp"  // Headers

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

namespace provernet::coordinator {

// Cannot connect, handshake refused (the message includes the HTTP status and error), send
// failed, protocol errors.
class WebSocketError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The connection is closed. code/reason come from the peer's close frame (code 1006 and an
// explanation when the connection dropped without one).
class WebSocketClosed : public WebSocketError {
public:
    WebSocketClosed(const std::string& message, uint16_t code, std::string reason)
        : WebSocketError(message), code_(code), reason_(std::move(reason)) {}
    uint16_t code() const { return code_; }
    const std::string& reason() const { return reason_; }

private:
    uint16_t code_;
    std::string reason_;
};

struct WebSocketClientOptions {
    std::chrono::milliseconds connect_timeout{5'000};  // TCP connect plus the upgrade handshake
    size_t max_message_bytes = 16 * 1024 * 1024;
    // SO_RCVBUF before connecting (fixes the TCP receive window); 0: the OS default, autotuned.
    size_t receive_buffer_bytes = 0;
    Headers headers;  // added to the upgrade request (e.g. Authorization)
};

class WebSocketClient {
public:
    explicit WebSocketClient(WebSocketClientOptions options = {});
    ~WebSocketClient();
    WebSocketClient(const WebSocketClient&) = delete;
    WebSocketClient& operator=(const WebSocketClient&) = delete;

    // Connects to ws://host:port<target>, dropping any previous connection. Throws
    // WebSocketError naming the URL.
    void connect(const std::string& host, uint16_t port, const std::string& target);
    bool is_open() const;

    void send(const nlohmann::json& message);
    void send_text(std::string_view text);

    // The next message, or nullopt when none arrived within `timeout` (zero: only what is
    // already here). Throws WebSocketClosed once the connection is closed.
    std::optional<std::string> read(std::chrono::milliseconds timeout);
    // read() parsed as JSON (WebSocketError if a message is not JSON).
    std::optional<nlohmann::json> read_json(std::chrono::milliseconds timeout);

    // Sends a close frame and waits (bounded by connect_timeout) for the server's reply.
    void close(uint16_t code = 1000, std::string_view reason = {});

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// Exponential backoff with jitter for reconnect loops: initial, 2x, 4x, ... up to `max`, each
// delay drawn uniformly from [d/2, d].
class Backoff {
public:
    Backoff(std::chrono::milliseconds initial = std::chrono::milliseconds(100),
            std::chrono::milliseconds max = std::chrono::milliseconds(10'000));
    std::chrono::milliseconds next_delay();
    void reset() { current_ = initial_; }

private:
    std::chrono::milliseconds initial_;
    std::chrono::milliseconds max_;
    std::chrono::milliseconds current_;
    std::minstd_rand random_;
};

}  // namespace provernet::coordinator
