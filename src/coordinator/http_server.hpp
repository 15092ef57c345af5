// HTTP/1.1 + WebSocket server of the coordinator (Boost.Beast behind a pimpl: including this
// header does not pull in Beast or Asio).
//
// One io_context served by `threads` worker threads. Each connection is a keep-alive HTTP
// session; limits protect the process from hostile or broken clients:
//   - header and body size (431 / 413 with a JSON error naming the limit, then the connection
//     is closed after the rest of the upload has been drained for a moment so that the client
//     can read the answer),
//   - idle_timeout: a keep-alive connection with no new request is closed,
//   - request_timeout: once the first byte of a request arrived, the whole request (headers and
//     body) must arrive within this time (slowloris), and a response must be written within it,
//   - max_connections: connections past the limit get a 503 and are closed,
//   - malformed HTTP: 400 and the connection is closed.
// Handlers run on the worker threads (any of them, concurrently for different connections).
// A handler's exception becomes a 500 (HttpError: its own status) and the server stays up.
// Every error body is {"error": "<message>"}.
//
// WebSocket: an upgrade request on a path registered with websocket() becomes a connection of
// the broadcast hub. broadcast(channel, json) queues the message to every connection subscribed
// to the channel (the JSON text is serialized once and shared). Each connection has a bounded
// send queue: a consumer that falls behind by more than the bound is disconnected with close
// code 1008 and a reason saying so, so memory never grows with a slow subscriber. Messages from
// the client must be JSON (at most ws_max_message_bytes; larger ones close the connection with
// 1009) and go to the route's on_message callback. The server pings idle connections and drops
// those that stop answering.
//
// Framing of server -> client messages: each WebSocket text message carries one or more compact
// JSON values separated by '\n' (compact JSON never contains a raw newline). Messages queued
// while a write is in flight or while the connection waits for its next write allowance
// (ws_flush_interval, ws_flush_burst) are coalesced into one WebSocket message, which saves a
// syscall per message when many subscribers are fed at a high rate. WebSocketClient splits them again; other clients split on '\n'.
#pragma once

#include <nlohmann/json.hpp>

#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace provernet::coordinator {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Throw from a handler to answer with `status` and {"error": message}.
class HttpError : public std::runtime_error {
public:
    HttpError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
    int status() const { return status_; }

private:
    int status_;
};

struct Response;
// Sends a deferred response (see Request::defer); callable once, from any thread.
using Responder = std::function<void(struct Response)>;

struct Request {
    std::string method;          // "GET", "POST", ...
    std::string target;          // as sent: path and query
    std::string path;            // target without the query
    std::string query;           // after '?', still percent-encoded
    std::string route_suffix;    // for a prefix route: the path after the prefix
    Headers headers;             // names as sent
    std::string body;
    std::string remote_address;  // "ip:port" of the peer

    // Case-insensitive header lookup.
    std::optional<std::string_view> header(std::string_view name) const;
    // A percent-decoded query parameter ("a=1&b=x%20y"); nullopt when absent.
    std::optional<std::string> query_param(std::string_view name) const;
    // The body parsed as JSON; throws HttpError(400) naming the parse error.
    nlohmann::json json() const;

    // Answers later: the handler returns Response::deferred() and calls the responder when the
    // answer is ready (e.g. after a proof is verified), so the worker thread serves other
    // connections meanwhile. Set by the server for HTTP routes; empty elsewhere.
    std::function<Responder()> defer;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    Headers headers;  // extra headers

    static Response json(const nlohmann::json& value, int status = 200);
    static Response text(std::string body, int status = 200, std::string content_type = "text/plain");
    // {"error": message}
    static Response error(int status, std::string_view message);
    // Returned by a handler that called Request::defer(): nothing is written now.
    static Response deferred();
    bool is_deferred = false;
};

using Handler = std::function<Response(const Request&)>;

// A live WebSocket connection, given to the route's callbacks; the application may keep it
// (shared_from_this()), e.g. to remember an authenticated subscriber. It does not keep the
// network session alive. Every method is thread-safe; after the connection closed, send()
// returns false and the other calls do nothing.
class WebSocketConnection : public std::enable_shared_from_this<WebSocketConnection> {
public:
    virtual ~WebSocketConnection() = default;
    virtual uint64_t id() const = 0;
    // The upgrade request (path, query, headers such as Authorization, remote_address).
    virtual const Request& upgrade_request() const = 0;
    // Queues a message; false when the connection is closed or was just dropped because its
    // send queue is full.
    virtual bool send(const nlohmann::json& message) = 0;
    virtual void subscribe(std::string_view channel) = 0;
    virtual void unsubscribe(std::string_view channel) = 0;
    virtual std::vector<std::string> channels() const = 0;
    // Closes with a WebSocket close frame (1008 = policy violation, 1000 = normal, ...).
    virtual void close(std::string_view reason, uint16_t code = 1008) = 0;
    virtual bool is_open() const = 0;
    // Application state (e.g. the authenticated prover). Only touch it from this connection's
    // callbacks, which never run concurrently with each other.
    std::any user_data;
};

struct WebSocketRoute {
    // Called with the upgrade request before accepting it: return a Response to refuse the
    // upgrade (e.g. 401), nullopt to accept. Optional.
    std::function<std::optional<Response>(const Request&)> accept;
    // After the handshake. Optional (e.g. subscribe to a default channel here).
    std::function<void(WebSocketConnection&)> on_open;
    // Each text message, parsed as JSON. If the message is not JSON or the callback throws, the
    // connection is sent {"error": "..."} and stays open. Optional (messages are then ignored).
    std::function<void(WebSocketConnection&, const nlohmann::json&)> on_message;
    // Once, when the connection is gone; `reason` says why. Optional.
    std::function<void(WebSocketConnection&, std::string_view reason)> on_close;
};

struct HttpServerConfig {
    std::string host = "127.0.0.1";
    uint16_t port = 0;  // 0: an ephemeral port, see HttpServer::port()
    unsigned threads = 2;
    size_t max_header_bytes = 16 * 1024;
    size_t max_body_bytes = 1024 * 1024;
    std::chrono::milliseconds request_timeout{10'000};
    std::chrono::milliseconds idle_timeout{60'000};
    size_t max_connections = 1000;

    size_t ws_max_message_bytes = 64 * 1024;        // from the client
    size_t ws_max_queued_messages = 1024;           // per connection, not yet written
    size_t ws_max_queued_bytes = 16 * 1024 * 1024;  // per connection, not yet written
    // A connection with no traffic for this long is pinged, and dropped when the ping goes
    // unanswered for as long again.
    std::chrono::milliseconds ws_idle_timeout{30'000};
    // Time allowed for the opening and closing handshakes; a peer that does not complete a
    // close (a stalled consumer) is then cut off.
    std::chrono::milliseconds ws_handshake_timeout{5'000};
    // A connection is written at most once per interval on average, with bursts of up to
    // ws_flush_burst writes: a message finds a write allowance saved up unless the connection
    // is busy, and goes out at once; messages arriving faster wait for the next allowance (at
    // most the interval) and are coalesced (see Framing above). Bounds the syscalls per
    // subscriber when every event is broadcast to every prover (at most 500 writes a second
    // each), without delaying events at light load; an interval of 0 writes as soon as
    // possible. (5 ms delayed every event of a stream carrying 200 a second.)
    std::chrono::milliseconds ws_flush_interval{2};
    size_t ws_flush_burst = 4;

    // Unexpected internal errors (never request errors). Default: stderr.
    std::function<void(std::string_view)> log;
};

class HttpServer {
public:
    explicit HttpServer(HttpServerConfig config = {});
    ~HttpServer();  // stop()
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Register routes before start(). An exact route wins over prefix routes; among prefix
    // routes the longest prefix wins. A path that matches with another method gets 405.
    void route(std::string method, std::string path, Handler handler);
    void route_prefix(std::string method, std::string prefix, Handler handler);
    void websocket(std::string path, WebSocketRoute route);

    // Binds and listens (throws std::runtime_error naming host:port), then starts the threads.
    void start();
    // Closes the listener and every connection and joins the threads. Idempotent; a stopped
    // server cannot be started again (make a new one, e.g. on the same port).
    void stop();

    uint16_t port() const;
    // Queues `message` to every connection subscribed to `channel`; returns how many got it.
    size_t broadcast(std::string_view channel, const nlohmann::json& message);
    // Queues `message` once to every connection subscribed to any of `channels` (a connection
    // on several of them gets it once); returns how many got it.
    size_t broadcast(const std::vector<std::string>& channels, const nlohmann::json& message);
    // Several messages for the same subscribers, queued as one text (one JSON value per line,
    // the framing of a coalesced write): one queue entry per connection instead of one each.
    size_t broadcast(const std::vector<std::string>& channels, const std::vector<nlohmann::json>& messages);
    size_t subscriber_count(std::string_view channel) const;
    // Runs fn on a worker thread (e.g. to finish a deferred response away from the thread that
    // produced its result).
    void post(std::function<void()> fn);
    size_t connection_count() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace provernet::coordinator
