// Synchronous HTTP/1.1 client for prover nodes and the requester CLI (Beast behind a pimpl).
//
// One HttpClient holds one keep-alive connection to one server and reuses it across requests.
// Not thread-safe: use one client per thread. Every operation has a deadline (connect_timeout,
// request_timeout); on expiry the connection is dropped and HttpClientError is thrown.
//
// Reconnect: a reused connection may have been closed by the server meanwhile (idle timeout,
// restart). If sending the request fails, or the connection closes before any byte of the
// response arrived, the client reconnects and sends the request once more. The server cannot
// have answered such a request; it may in rare cases have processed it (a crash between
// processing and answering), so non-idempotent coordinator calls carry idempotency keys.
#pragma once

#include "coordinator/http_server.hpp"  // Headers

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace provernet::coordinator {

// Transport failures: cannot resolve or connect, timeout, connection lost, oversized response.
// The message names the method, URL and cause.
class HttpClientError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A non-2xx answer where the *_json helpers expect success. what(): "POST http://h:p/x: 413:
// <the server's error message or body>".
class HttpStatusError : public std::runtime_error {
public:
    HttpStatusError(const std::string& message, int status, std::string body)
        : std::runtime_error(message), status_(status), body_(std::move(body)) {}
    int status() const { return status_; }
    const std::string& body() const { return body_; }

private:
    int status_;
    std::string body_;
};

struct HttpResponse {
    int status = 0;
    Headers headers;
    std::string body;

    bool ok() const { return status >= 200 && status < 300; }
    std::optional<std::string_view> header(std::string_view name) const;
    // The body as JSON; throws HttpClientError naming the parse error.
    nlohmann::json json() const;
};

struct HttpClientOptions {
    std::chrono::milliseconds connect_timeout{5'000};
    // For sending the request and receiving the whole response.
    std::chrono::milliseconds request_timeout{30'000};
    size_t max_response_bytes = 64 * 1024 * 1024;
    Headers default_headers;  // sent with every request (e.g. User-Agent)
};

class HttpClient {
public:
    HttpClient(std::string host, uint16_t port, HttpClientOptions options = {});
    // "http://host:port" (a path after it is ignored). Throws std::invalid_argument.
    static HttpClient from_url(std::string_view url, HttpClientOptions options = {});
    ~HttpClient();
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;

    HttpResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                         std::string_view content_type = "application/json", const Headers& headers = {});
    HttpResponse get(std::string_view target) { return request("GET", target); }
    HttpResponse post(std::string_view target, std::string_view body,
                      std::string_view content_type = "application/json") {
        return request("POST", target, body, content_type);
    }

    // JSON round trips: the response must be 2xx (else HttpStatusError) and JSON.
    nlohmann::json get_json(std::string_view target);
    nlohmann::json post_json(std::string_view target, const nlohmann::json& body);

    // Drops the kept-alive connection (the next request connects again).
    void close();
    bool connected() const;
    // How many TCP connections this client has opened (for tests and diagnostics).
    size_t connections_opened() const;
    const std::string& host() const;
    uint16_t port() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// "http://host:port" -> (host, port); port defaults to 80. Throws std::invalid_argument.
std::pair<std::string, uint16_t> parse_http_url(std::string_view url);

}  // namespace provernet::coordinator
